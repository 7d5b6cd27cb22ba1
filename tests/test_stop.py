"""A timeout and the stop button return for every model, even when a task never looks at the stop flag."""

from __future__ import annotations

import _thread
import asyncio
import re
import threading
import time
from collections.abc import Iterator

import pytest

import conclib

#: Sets free the jobs that a test left running, so that they end before the next test.
RELEASE = threading.Event()
LONG = 30.0  # seconds a stubborn job would run if nobody set it free


def _stubborn(seconds: float) -> None:
    """Never looks at the stop flag: like the plain countdown, but it ends when the test says so."""
    RELEASE.wait(seconds)


@pytest.fixture(autouse=True)
def release() -> Iterator[None]:
    RELEASE.clear()
    yield
    RELEASE.set()  # the threads left running end now, before the hygiene check


#: The jobs each model cannot stop: every thread, the job that holds the event loop or the one thread.
LEFT_RUNNING = {"threads": "0, 1", "asyncio": "0", "sequential": "0", "processes": None, "interpreters": "0, 1"}


def _seconds(model: str) -> float:
    """How long a stubborn job runs. A subinterpreter has its own copy of RELEASE, which the test
    cannot set, and Python must not exit while one still runs: there it ends by itself, soon."""
    return 5.0 if model == "interpreters" else LONG


def _when(model: str) -> float:
    """When to time out or press the button: once the jobs run. Subinterpreters take up to a few
    hundred ms each to start (more on a busy machine), and the jobs start together after that."""
    return 3.0 if model == "interpreters" else 0.5


def _expect_left_running(model: str, exc: BaseException) -> None:
    """The error names the jobs left running, the Run marks them, the next run warns once."""
    run = exc.run  # type: ignore[attr-defined]
    left = LEFT_RUNNING[model]
    running = ", ".join(str(job.job) for job in run.jobs if job.status == "running")
    if left is None:  # worker processes are killed: nothing is left
        assert running == "" and {job.status for job in run.jobs} == {"stopped"}
        conclib.run("sequential", conclib.countdown, [0])  # no warning (warnings are errors here)
        return
    assert running == left
    assert re.search(rf"[Jj]obs? {left} could not be stopped", " ".join([str(exc), *getattr(exc, "__notes__", [])]))
    with pytest.warns(conclib.StillRunningWarning, match=rf"jobs? {left} of a '{model}' run of _stubborn"):
        conclib.run("sequential", conclib.countdown, [0])
    conclib.run("sequential", conclib.countdown, [0])  # warned once: no second warning


@pytest.mark.parametrize("model", conclib.MODELS)
def test_timeout_returns_when_the_task_never_looks_at_the_stop_flag(model: str) -> None:
    started = time.perf_counter()
    with pytest.raises(TimeoutError, match=f"timeout={_when(model)} s passed") as info:
        conclib.run(model, _stubborn, [_seconds(model)] * 2, timeout=_when(model))
    assert time.perf_counter() - started < _when(model) + 1.5
    assert info.value.run.status == "timeout"  # type: ignore[attr-defined]
    _expect_left_running(model, info.value)


@pytest.mark.parametrize("model", conclib.MODELS)
def test_the_stop_button_returns_when_the_task_never_looks_at_the_stop_flag(model: str) -> None:
    pressed: list[float] = []

    def press() -> None:
        pressed.append(time.perf_counter())
        _thread.interrupt_main()  # what Ctrl+C and Jupyter's stop button do

    button = threading.Timer(_when(model), press)
    button.start()
    try:
        with pytest.raises(KeyboardInterrupt) as info:
            conclib.run(model, _stubborn, [_seconds(model)] * 2)
        assert time.perf_counter() - pressed[0] < 2
    finally:
        button.join()
    assert info.value.run.status == "interrupted"  # type: ignore[attr-defined]
    _expect_left_running(model, info.value)


@pytest.mark.parametrize("model", conclib.MODELS)
def test_a_cancelled_arun_returns_when_the_task_never_looks_at_the_stop_flag(model: str) -> None:
    async def cancel_after(seconds: float) -> float:
        running = asyncio.create_task(conclib.arun(model, _stubborn, [_seconds(model)] * 2))
        await asyncio.sleep(seconds)
        running.cancel()
        cancelled = time.perf_counter()
        with pytest.raises(asyncio.CancelledError):
            await running
        return time.perf_counter() - cancelled

    assert asyncio.run(cancel_after(_when(model))) < 2


def test_a_left_running_thread_that_ends_is_not_warned_about() -> None:
    with pytest.raises(TimeoutError):
        conclib.run("threads", _stubborn, [LONG], timeout=0.1)
    RELEASE.set()
    deadline = time.monotonic() + 5
    while any(t.name == "conclib-conductor" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.01)
    conclib.run("sequential", conclib.countdown, [0])  # nothing runs any more: no warning
