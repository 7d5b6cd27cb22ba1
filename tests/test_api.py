"""The public contract: names, inputs that are refused at once, machine facts, compare."""

from __future__ import annotations

import asyncio
import time

import pytest

import conclib
from conclib import tasks

EXPECTED_API = {
    "ALL_MODELS", "MODELS", "JobRecord", "JobStopped", "Observer", "Probe", "Run", "arun", "compare", "countdown",
    "countdown_blocking", "countdown_cooperative", "countdown_sampled", "current_probe",
    "default_start_method", "fail_after", "io_wait", "io_wait_async", "machine_info", "measure",
    "parallel_capacity", "problem_size", "run", "scale", "set_language", "summarize", "task_info", "usable_cpus",
    "StillRunningWarning",
}


def test_all_is_the_public_api() -> None:
    assert set(conclib.__all__) == EXPECTED_API
    public = set(dir(conclib))  # with the names loaded on first use
    modules = {name for name in public if type(getattr(conclib, name)).__name__ == "module"}
    assert public - modules == EXPECTED_API


def test_tab_completion_shows_the_lazy_submodules() -> None:
    listed = dir(conclib)
    assert set(listed) >= EXPECTED_API
    assert {"checks", "ioserver", "iotasks", "plotting", "scaling"} <= set(listed)
    assert listed == sorted(listed) and not any(name.startswith("_") for name in listed)


@pytest.mark.parametrize("name", ["JobRecord", "JobStopped", "Observer", "Probe", "Run"])
def test_public_classes_present_themselves_where_you_find_them(name: str) -> None:
    cls = getattr(conclib, name)
    assert cls.__module__ == "conclib"
    assert repr(cls) == f"<class 'conclib.{name}'>"


def test_a_run_pickles_by_its_public_name() -> None:
    import pickle

    run = conclib.run("sequential", conclib.countdown, [10])
    data = pickle.dumps(run)
    assert b"conclib._base" not in data  # found by its public name, as the workers send it back
    assert pickle.loads(data) == run


def _public_modules() -> list[str]:
    import pkgutil

    names = [m.name for m in pkgutil.walk_packages(conclib.__path__, "conclib.")]
    return sorted(n for n in names if not any(part.startswith("_") for part in n.split(".")))


@pytest.mark.parametrize("module", _public_modules())
def test_every_public_module_says_what_it_exports(module: str) -> None:
    import importlib

    mod = importlib.import_module(module)
    exported = getattr(mod, "__all__", None)
    assert exported is not None, f"{module} has no __all__"
    assert len(set(exported)) == len(exported)
    for name in exported:
        assert hasattr(mod, name), f"{module}.__all__ names {name!r}, which it does not define"
    public = {n for n, v in vars(mod).items() if not n.startswith("_") and getattr(v, "__module__", None) == module}
    assert public <= set(exported), f"{module} defines {sorted(public - set(exported))} but leaves them out of __all__"


def test_plotting_keeps_every_public_name() -> None:
    from conclib import plotting

    assert set(plotting.__all__) == {
        "CHEATSHEET", "CONCEPTS", "COLOURS", "GAP_FACTOR", "WAITING_CPU_SHARE", "WAITING_SPACING", "LiveRace", "colour",
        "comparison", "concept", "in_jupyter", "one_thread_intervals", "race", "running_intervals", "save_comparison",
        "scaling", "style", "throughput", "timeline", "utilisation", "RunsBar", "side_by_side",
    }
    assert plotting.LiveRace.__module__ == plotting.RunsBar.__module__ == "conclib.plotting"


def test_models() -> None:
    assert conclib.MODELS[:4] == ("sequential", "threads", "processes", "asyncio")  # this computer alone
    assert conclib.MODELS[4:] in ((), ("interpreters",))  # Python 3.14+ adds subinterpreters
    assert (*conclib.MODELS, "dask") == conclib.ALL_MODELS


def test_countdown_is_the_cheat_sheets_loop() -> None:
    assert conclib.countdown(1000) is None
    assert conclib.countdown(0) is None


@pytest.mark.parametrize(("n", "error", "words"), [
    (-1, ValueError, "n must be >= 0, got -1"),
    (1.5, TypeError, "n must be a whole number"),
    (True, TypeError, "got True"),
    ("100", TypeError, "got '100'"),
    (None, TypeError, "got None"),
])
def test_bad_n_is_refused_before_any_job_starts(n: object, error: type, words: str) -> None:
    for task in (conclib.countdown, conclib.countdown_sampled):
        with pytest.raises(error, match=words):
            task(n)
    started = time.perf_counter()
    for model in conclib.MODELS:
        with pytest.raises(error, match=words):
            conclib.run(model, conclib.countdown, [10, n])
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"model": "thread"}, ValueError, "Did you mean 'threads'"),
    ({"model": "multiprocessing"}, ValueError, "model must be one of"),
    ({"jobs": []}, ValueError, "jobs must not be empty"),
    ({"jobs": 5}, TypeError, "jobs must be a list"),
    ({"jobs": "abc"}, TypeError, "jobs must be a list"),
    ({"workers": 0}, ValueError, "workers must be None .* or >= 1, got 0"),
    ({"workers": -2}, ValueError, "got -2"),
    ({"workers": 1.5}, TypeError, "workers must be"),
    ({"timeout": 0}, ValueError, "timeout must be a finite number of seconds > 0, got 0"),
    ({"timeout": -1}, ValueError, "got -1"),
    ({"timeout": "soon"}, TypeError, "timeout must be a number"),
    ({"start_method": "clone"}, ValueError, "start_method must be one of"),
    ({"task": 42}, TypeError, "task must be a function"),
    ({"live": "yes"}, TypeError, "live must be True or False"),
])
def test_bad_arguments_name_the_parameter(kwargs: dict, error: type, words: str) -> None:
    args = {"model": "processes", "task": conclib.countdown, "jobs": [10]} | kwargs
    model, task, jobs = args.pop("model"), args.pop("task"), args.pop("jobs")
    with pytest.raises(error, match=words):
        conclib.run(model, task, jobs, **args)


def test_a_coroutine_without_a_sync_twin_needs_asyncio() -> None:
    async def only_async(x: int) -> None:
        await asyncio.sleep(0)

    with pytest.raises(TypeError, match="coroutine function .* only the 'asyncio' model"):
        conclib.run("threads", only_async, [1])
    assert conclib.run("asyncio", only_async, [1]).status == "ok"


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_a_function_from_main_without_a_file_is_refused_with_the_fix(method: str, monkeypatch) -> None:
    import sys
    import types

    fake_main = types.ModuleType("__main__")  # like a notebook: __main__ has no __file__
    monkeypatch.setitem(sys.modules, "__main__", fake_main)

    def in_a_cell(n: int) -> None:
        pass

    in_a_cell.__module__ = "__main__"
    if method not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    started = time.perf_counter()
    with pytest.raises(TypeError, match="notebook cell.*Move the function into a module"):
        conclib.run("processes", in_a_cell, [1], start_method=method)
    assert time.perf_counter() - started < 5


def test_a_lambda_is_refused_for_processes_with_the_fix() -> None:
    with pytest.raises(TypeError, match="cannot be sent to worker processes.*Move the function into a module"):
        conclib.run("processes", lambda n: None, [1])


def test_arun_works_inside_a_running_event_loop() -> None:
    async def main() -> conclib.Run:
        return await conclib.arun("asyncio", conclib.countdown_cooperative, [1000, 1000])

    run = asyncio.run(main())
    assert run.model == "asyncio" and len(run.jobs) == 2


@pytest.mark.parametrize("model", ["threads", "processes"])
def test_run_and_arun_return_as_soon_as_the_jobs_end(model: str) -> None:
    # they sleep up to POLL seconds between two looks at the run, but the run's end wakes them
    conclib.machine_info()  # measured once per process
    for call in (conclib.run, lambda *args: asyncio.run(conclib.arun(*args))):
        started = time.perf_counter()
        run = call(model, tasks.io_wait, [0.1])
        late = time.perf_counter() - started - run.elapsed
        assert late < 0.8 * conclib.runner.POLL, f"{call} returned {late:.2f} s after the jobs ended"


def test_run_works_inside_a_running_event_loop_as_in_jupyter() -> None:
    async def main() -> conclib.Run:
        return conclib.run("asyncio", conclib.countdown_cooperative, [1000])  # no asyncio.run() error

    assert asyncio.run(main()).status == "ok"


def test_machine_info() -> None:
    info = conclib.machine_info()
    assert {"logical_cpus", "usable_cpus", "cpu_quota", "parallel_capacity", "python", "implementation",
            "gil_enabled", "start_method", "switch_interval"} <= set(info)
    assert 1 <= info["usable_cpus"] <= info["logical_cpus"]
    assert 0 < info["parallel_capacity"] <= info["usable_cpus"] + 0.2
    assert isinstance(info["gil_enabled"], bool)
    assert info["start_method"] in ("fork", "spawn", "forkserver")


def test_capacity_measurement_is_quick() -> None:
    started = time.perf_counter()
    conclib.parallel_capacity(1, 0.1)  # a fresh cache entry: really measures
    assert time.perf_counter() - started < 3


def test_start_method_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("CONCLIB_START_METHOD", "spawn")
    assert conclib.default_start_method() == "spawn"
    run = conclib.run("processes", conclib.countdown, [10])
    assert run.start_method == "spawn"
    monkeypatch.setenv("CONCLIB_START_METHOD", "teleport")
    with pytest.raises(ValueError, match="CONCLIB_START_METHOD must be one of"):
        conclib.default_start_method()


def test_scale(monkeypatch) -> None:
    monkeypatch.delenv("CONCLIB_SCALE", raising=False)
    assert conclib.problem_size() == 100_000_000
    monkeypatch.setenv("CONCLIB_SCALE", "quick")
    assert conclib.problem_size() < 100_000_000
    monkeypatch.setenv("CONCLIB_SCALE", "huge")
    with pytest.raises(ValueError, match="CONCLIB_SCALE must be one of"):
        conclib.problem_size()


def test_compare_interleaves_and_summarises() -> None:
    seen: list[str] = []

    class Spy:
        def start(self, model: str, n_jobs: int) -> None:
            seen.append(model)

        def update(self, elapsed: float, fractions: object) -> None: ...

        def finish(self, run: conclib.Run) -> None: ...

    models = ["sequential", "threads", "asyncio"]
    table = conclib.compare(models, conclib.countdown, [1000, 1000], repeat=3, observer=Spy())
    assert seen == ["sequential", "threads", "asyncio", "threads", "asyncio", "sequential",
                    "asyncio", "sequential", "threads"]  # interleaved, and each model goes first once
    assert list(table.index) == models
    assert {"median", "min", "max", "speedup", "runs", "cpu_utilisation"} <= set(table.columns)
    assert table.loc["sequential", "speedup"] == 1.0
    assert (table["min"] <= table["median"]).all() and (table["median"] <= table["max"]).all()


def test_compare_checks_everything_before_the_first_run() -> None:
    with pytest.raises(ValueError, match="Did you mean 'asyncio'"):
        conclib.compare(["sequential", "asyncoi"], conclib.countdown, [10**9])
    with pytest.raises(TypeError, match=r"models must be a list"):
        conclib.compare("threads", conclib.countdown, [10])
    with pytest.raises(ValueError, match="repeat must be"):
        conclib.compare(["threads"], conclib.countdown, [10], repeat=0)


def test_probe_outside_a_run_records_too() -> None:
    tasks.countdown_sampled(50_000, chunk=10_000)
    probe = conclib.current_probe()
    assert probe.total == 50_000 and probe.samples[-1][1] == 50_000
