"""The interpreters model (Python 3.14+): records, progress, failures, timeouts, interrupts, bad input."""

from __future__ import annotations

import os
import sys
import threading
import time
import types
from collections.abc import Sequence

import pytest

import conclib
from conclib import interpreters, tasks

from . import jobs

N = 200_000
HERE = interpreters.available()
needs_interpreters = pytest.mark.skipif(not HERE, reason="concurrent.interpreters needs Python 3.14+")


# ---------------------------------------------------------------- where Python has no subinterpreters


@pytest.mark.skipif(HERE, reason="this Python has concurrent.interpreters")
def test_an_older_python_says_which_version_is_needed() -> None:
    assert "interpreters" not in conclib.MODELS
    with pytest.raises(ValueError, match=r"model='interpreters' needs Python 3\.14 or newer.*this is Python 3\."):
        conclib.run("interpreters", conclib.countdown, [N])


def test_require_names_the_version(monkeypatch) -> None:
    monkeypatch.setattr(interpreters, "available", lambda: False)
    with pytest.raises(RuntimeError, match=r"needs Python 3\.14 or newer .*this is Python"):
        interpreters.require()


def test_models_lists_interpreters_only_where_python_has_them() -> None:
    assert ("interpreters" in conclib.MODELS) == HERE == (sys.version_info >= (3, 14))


# ---------------------------------------------------------------- records


@needs_interpreters
def test_one_subinterpreter_per_job_in_this_process() -> None:
    run = conclib.run("interpreters", conclib.countdown_sampled, [N, N])
    assert run.status == "ok" and [job.job for job in run.jobs] == [0, 1]
    assert {job.pid for job in run.jobs} == {os.getpid()}  # one process
    threads = {job.thread_id for job in run.jobs}
    assert len(threads) == 2 and threading.get_native_id() not in threads
    assert sorted(job.worker for job in run.jobs) == ["interpreter-0", "interpreter-1"]
    for job in run.jobs:
        assert run.start <= job.start <= job.end <= run.end
        assert job.samples[0][1] == 0 and job.samples[-1][1] == N == job.total
        assert 0 < job.cpu <= job.wall * 1.5 + 0.01


@needs_interpreters
def test_a_pool_of_k_interpreters_shares_the_jobs() -> None:
    run = conclib.run("interpreters", conclib.countdown_sampled, [N] * 4, workers=2)
    assert run.workers == 2 and all(job.status == "ok" and job.total == N for job in run.jobs)
    assert len({job.worker for job in run.jobs}) <= 2


class _Recorder:
    def __init__(self) -> None:
        self.updates: list[list[float]] = []
        self.final: conclib.Run | None = None

    def start(self, model: str, n_jobs: int) -> None:
        pass

    def update(self, elapsed: float, fractions: Sequence[float]) -> None:
        self.updates.append(list(fractions))

    def finish(self, run: conclib.Run) -> None:
        self.final = run


@needs_interpreters
def test_live_progress_crosses_the_interpreters() -> None:
    recorder = _Recorder()
    conclib.run("interpreters", tasks.io_wait, [1.0, 1.0], observer=recorder)
    assert any(0 < f < 1 for update in recorder.updates for f in update), recorder.updates
    assert recorder.final is not None and recorder.final.status == "ok"


@needs_interpreters
def test_the_io_waits_overlap() -> None:
    run = conclib.run("interpreters", tasks.io_wait, [0.3] * 3)
    assert max(job.start for job in run.jobs) < min(job.end for job in run.jobs)


# ---------------------------------------------------------------- failures


@needs_interpreters
@pytest.mark.parametrize("workers", [None, 2])
def test_a_job_error_keeps_its_type_and_names_the_job(workers: int | None) -> None:
    with pytest.raises(jobs.TaskError, match="broken") as info:
        conclib.run("interpreters", jobs.raise_task_error, ["broken"], workers=workers, timeout=20)
    assert info.value.job == 0 and info.value.run.status == "failed"  # type: ignore[attr-defined]
    assert any("job 0" in note and "'interpreters'" in note for note in info.value.__notes__)  # type: ignore[attr-defined]


@needs_interpreters
@pytest.mark.parametrize("workers", [None, 2])
def test_a_failure_stops_the_other_jobs(workers: int | None) -> None:
    with pytest.raises(RuntimeError, match="first failure") as info:
        conclib.run("interpreters", jobs.fail_or_wait, [(0, 0.1), (1, 10.0)], workers=workers, timeout=20)
    run = info.value.run  # type: ignore[attr-defined]
    assert run.elapsed < 5
    assert {job.job: job.status for job in run.jobs} == {0: "failed", 1: "stopped"}


@needs_interpreters
def test_an_unpicklable_exception_arrives_as_runtime_error_with_its_text() -> None:
    with pytest.raises(RuntimeError, match="_Unpicklable: no pickle"):
        conclib.run("interpreters", jobs.raise_unpicklable, ["no pickle"], timeout=20)


@needs_interpreters
@pytest.mark.parametrize("workers", [None, 2])
def test_a_task_a_subinterpreter_cannot_import_is_a_failed_job_not_a_hang(workers: int | None, monkeypatch) -> None:
    nowhere = types.ModuleType("conclib_test_nowhere")  # in this interpreter's sys.modules only
    # task uses a global, so it travels by module and name (a function that uses none travels as code)
    exec("def helper(n):\n    return n\n\ndef task(n):\n    return helper(n)\n", nowhere.__dict__)
    monkeypatch.setitem(sys.modules, "conclib_test_nowhere", nowhere)
    with pytest.raises(RuntimeError, match="job 0 could not run in a subinterpreter.*conclib_test_nowhere"):
        conclib.run("interpreters", nowhere.task, [1], workers=workers, timeout=20)


# ---------------------------------------------------------------- timeouts and interrupts


@needs_interpreters
@pytest.mark.parametrize("workers", [None, 1])
def test_timeout_stops_the_jobs_and_raises(workers: int | None) -> None:
    with pytest.raises(TimeoutError, match="timeout=0.3") as info:
        conclib.run("interpreters", tasks.io_wait, [10.0, 10.0], workers=workers, timeout=0.3)
    run = info.value.run  # type: ignore[attr-defined]
    assert run.status == "timeout" and run.elapsed < 3
    assert all(job.status == "stopped" for job in run.jobs)


class _Interrupter(_Recorder):
    """Presses Ctrl+C (raises KeyboardInterrupt in the caller's thread) at the first progress update."""

    def update(self, elapsed: float, fractions: Sequence[float]) -> None:
        raise KeyboardInterrupt


@needs_interpreters
def test_an_interrupt_stops_every_subinterpreter() -> None:
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        conclib.run("interpreters", conclib.countdown_sampled, [10**10] * 2, observer=_Interrupter())
    assert time.perf_counter() - started < 5  # the jobs stopped at their next sample


@needs_interpreters
def test_nothing_is_left_behind() -> None:
    from concurrent import interpreters as stdlib_interpreters

    before = {interp.id for interp in stdlib_interpreters.list_all()}
    conclib.run("interpreters", conclib.countdown_sampled, [N] * 3)
    conclib.run("interpreters", conclib.countdown_sampled, [N] * 3, workers=2)
    with pytest.raises(RuntimeError):
        conclib.run("interpreters", jobs.fail_or_wait, [(0, 0.0), (1, 10.0)], timeout=20)
    assert {interp.id for interp in stdlib_interpreters.list_all()} == before
    # threads and file descriptors: the autouse hygiene fixture checks them after this test


# ---------------------------------------------------------------- bad input


@needs_interpreters
def test_a_function_from_a_notebook_cell_is_refused_with_the_fix(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))  # no __file__, as in Jupyter

    def in_a_cell(n: int) -> None:
        pass

    in_a_cell.__module__ = "__main__"
    with pytest.raises(TypeError, match="notebook cell.*Move the function into a module"):
        conclib.run("interpreters", in_a_cell, [1])


@needs_interpreters
def test_a_lambda_and_unpicklable_jobs_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot be sent to a subinterpreter.*Move the function into a module"):
        conclib.run("interpreters", lambda n: None, [1])
    with pytest.raises(TypeError, match="jobs cannot be sent to a subinterpreter"):
        conclib.run("interpreters", jobs.raise_task_error, [(threading.Lock(),)])


@needs_interpreters
@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"jobs": [-1]}, ValueError, "n must be >= 0"),
    ({"workers": 0}, ValueError, "workers must be None"),
    ({"timeout": -1}, ValueError, "timeout must be"),
])
def test_bad_input_is_refused_before_any_job_starts(kwargs: dict, error: type, words: str) -> None:
    args = {"jobs": [N], **kwargs}
    with pytest.raises(error, match=words):
        conclib.run("interpreters", conclib.countdown, args.pop("jobs"), **args)
