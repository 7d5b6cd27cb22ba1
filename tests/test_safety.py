"""What learners do to a course: press stop, write broken code, wait too long."""

from __future__ import annotations

import multiprocessing
import queue
import time

import psutil
import pytest
from jupyter_client.manager import start_new_kernel

import conclib
from conclib import tasks

from .conftest import HELPERS

BIG = 10**10  # a countdown that would run for minutes


def _workers(pid: int) -> list[psutil.Process]:
    out = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if not any(name in " ".join(child.cmdline()) for name in HELPERS):
                out.append(child)
        except psutil.Error:
            pass
    return out


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        # measured once per session; then a run starts at once, and the interrupt lands in it
        assert _execute(kc, "import conclib; _ = conclib.machine_info()")["status"] == "ok"
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _execute(kc, code: str, timeout: float = 30) -> dict:
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


@pytest.mark.parametrize(("model", "task"), [
    ("processes", "countdown"),  # cannot stop by itself: its processes are terminated
    ("processes", "countdown_sampled"),
    ("threads", "countdown_sampled"),
    ("asyncio", "countdown_cooperative"),
    ("sequential", "countdown_sampled"),
    ("await processes", "countdown"),  # top-level await conclib.arun(...) in a notebook cell
    ("await threads", "countdown_sampled"),
    *([("interpreters", "countdown_sampled")] if "interpreters" in conclib.MODELS else []),
])
@pytest.mark.timeout(60)
def test_the_stop_button_stops_every_worker_and_the_kernel_lives_on(kernel, model: str, task: str) -> None:
    km, kc = kernel
    assert _execute(kc, "import conclib")["status"] == "ok"
    call = f"await conclib.arun({model.split()[-1]!r}," if model.startswith("await") else f"conclib.run({model!r},"
    # stop_on_error=False: the error this cell ends with must not make ipykernel abort the next cell
    # when it arrives soon after (ipykernel's "abort queued cells after an error" window)
    msg_id = kc.execute(f"{call} conclib.{task}, [{BIG}] * 2)", stop_on_error=False)
    deadline = time.monotonic() + 10
    while model.endswith("processes") and len(_workers(km.provisioner.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    km.interrupt_kernel()
    interrupted = time.monotonic()
    while True:
        reply = kc.get_shell_msg(timeout=10)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    # ipykernel cancels a cell's top-level await: the learner sees CancelledError there
    expected = "CancelledError" if model.startswith("await") else "KeyboardInterrupt"
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == expected
    assert time.monotonic() - interrupted < 2.5
    assert _workers(km.provisioner.pid) == []
    assert _execute(kc, "x = 1 + 1")["status"] == "ok"  # the kernel is usable for the next cell


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_timeout_terminates_processes_that_never_check_the_stop_flag(method: str) -> None:
    started = time.perf_counter()
    with pytest.raises(TimeoutError):
        conclib.run("processes", conclib.countdown, [BIG, BIG], timeout=0.5, start_method=method)
    assert time.perf_counter() - started < 0.5 + conclib.runner.GRACE + 1.5


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_every_start_method_runs_both_process_modes(method: str) -> None:
    for workers in (None, 2):
        run = conclib.run("processes", conclib.countdown_sampled, [50_000] * 3, workers=workers,
                          start_method=method)
        assert run.start_method == method and all(job.status == "ok" for job in run.jobs)


def test_timeout_in_a_pool_of_processes() -> None:
    with pytest.raises(TimeoutError):
        conclib.run("processes", conclib.countdown, [BIG] * 3, workers=2, timeout=0.5)


def test_a_worker_process_that_dies_is_reported_not_awaited() -> None:
    with pytest.raises(ChildProcessError, match=r"job 0 \(args \(3,\)\) exited with code 3"):
        conclib.run("processes", _exit, [3], timeout=20)


def _exit(code: int) -> None:
    import os

    os._exit(code)


def test_an_unpicklable_exception_still_reaches_the_caller() -> None:
    with pytest.raises(RuntimeError, match="Unpicklable"):
        conclib.run("processes", _raise_unpicklable, [0], timeout=20)


class Unpicklable(Exception):
    def __init__(self) -> None:
        super().__init__("held a lock")
        self.lock: queue.Queue[int] = queue.Queue()  # a queue holds locks: no pickle

    def __reduce__(self):
        raise TypeError("cannot pickle")


def _raise_unpicklable(_: int) -> None:
    raise Unpicklable()


def test_threads_surface_exceptions_that_threading_would_only_print() -> None:
    with pytest.raises(ZeroDivisionError) as info:
        conclib.run("threads", _divide, [1, 0])
    assert info.value.job == 1  # type: ignore[attr-defined]


def _divide(x: int) -> float:
    return 1 / x


def test_an_observer_gets_a_final_frame_for_a_failed_run() -> None:
    finished: list[conclib.Run] = []

    class Spy:
        def start(self, model: str, n_jobs: int) -> None: ...

        def update(self, elapsed: float, fractions: object) -> None: ...

        def finish(self, run: conclib.Run) -> None:
            finished.append(run)

    with pytest.raises(RuntimeError):
        conclib.run("threads", tasks.fail_after, [(0.1, "oops")], observer=Spy())
    assert finished[0].status == "failed" and finished[0].jobs[0].status == "failed"
