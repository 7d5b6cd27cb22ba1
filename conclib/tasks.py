"""The workloads: the cheat-sheet's CPU-bound countdown and an I/O-bound wait.

Everything here is importable by worker processes under every start method
(fork, spawn, forkserver): never define a task in ``__main__`` or a notebook cell.
"""

from __future__ import annotations

import time

from ._base import current_probe, task_info, validate_count, validate_seconds
from .course import CHEATSHEET_N
from .i18n import N_, _, gettext

__all__ = [
    "CHUNK",
    "WAIT_SLICE",
    "countdown",
    "countdown_blocking",
    "countdown_cooperative",
    "countdown_sampled",
    "fail_after",
    "io_wait",
    "io_wait_async",
]

#: Decrements between two progress samples: ~0.5 ms of work, well under the
#: 5 ms GIL switch interval, so the samples show when a thread had the GIL.
CHUNK = 16_384


def _validate_n(n: int, chunk: int = CHUNK) -> None:
    validate_count("n", n)
    validate_count("chunk", chunk)
    if chunk == 0:
        raise ValueError(_("{name} must be >= 1, got {value!r}").format(name="chunk", value=chunk))


@task_info(validate=_validate_n)
def countdown(n: int = CHEATSHEET_N) -> None:
    """The cheat-sheet's task, exactly: count ``n`` down to zero."""
    validate_count("n", n)
    while n:
        n -= 1


@task_info(validate=_validate_n)
def countdown_sampled(n: int = CHEATSHEET_N, chunk: int = CHUNK) -> None:
    """The same countdown, with a progress sample (time, how much is done) every chunk."""
    _validate_n(n, chunk)
    probe = current_probe()
    probe.begin(n)
    left = n
    while left:
        step = chunk if left > chunk else left
        k = step
        while k:  # the cheat-sheet's loop, one chunk at a time
            k -= 1
        left -= step
        probe.tick(n - left)


@task_info(validate=_validate_n, sync_twin=countdown_sampled)
async def countdown_blocking(n: int = CHEATSHEET_N, chunk: int = CHUNK) -> None:
    """A coroutine that never awaits: it holds the event loop until it is done."""
    countdown_sampled(n, chunk)


@task_info(validate=_validate_n, sync_twin=countdown_sampled)
async def countdown_cooperative(n: int = CHEATSHEET_N, chunk: int = CHUNK) -> None:
    """A coroutine that gives the event loop a turn (``await asyncio.sleep(0)``) every chunk."""
    import asyncio  # here, not at the top: a worker process that runs only countdown starts sooner

    _validate_n(n, chunk)
    probe = current_probe()
    probe.begin(n)
    left = n
    while left:
        step = chunk if left > chunk else left
        k = step
        while k:
            k -= 1
        left -= step
        probe.tick(n - left)
        await asyncio.sleep(0)


#: Longest single wait inside the I/O tasks, so a stop request is seen quickly.
WAIT_SLICE = 0.05


def _validate_wait(seconds: float) -> None:
    validate_seconds("seconds", seconds)


@task_info(validate=_validate_wait)
def io_wait(seconds: float = 1.0) -> None:
    """I/O-bound stand-in: block for ``seconds`` without using the CPU (like a slow read)."""
    validate_seconds("seconds", seconds)
    probe = current_probe()
    probe.begin(seconds)
    start = time.perf_counter()
    while (done := time.perf_counter() - start) < seconds:
        time.sleep(min(WAIT_SLICE, seconds - done))  # sleeping releases the GIL
        probe.tick(min(time.perf_counter() - start, seconds))


@task_info(validate=_validate_wait, sync_twin=io_wait)
async def io_wait_async(seconds: float = 1.0) -> None:
    """The async twin of :func:`io_wait`: ``await asyncio.sleep`` lets other coroutines run."""
    import asyncio  # as in countdown_cooperative

    validate_seconds("seconds", seconds)
    probe = current_probe()
    probe.begin(seconds)
    start = time.perf_counter()
    while (done := time.perf_counter() - start) < seconds:
        await asyncio.sleep(min(WAIT_SLICE, seconds - done))
        probe.tick(min(time.perf_counter() - start, seconds))


def _validate_fail(seconds: float = 0.0, message: str = "") -> None:
    validate_seconds("seconds", seconds)


_FAILED_ON_PURPOSE = N_("this job failed on purpose")


@task_info(validate=_validate_fail)
def fail_after(seconds: float = 0.0, message: str = _FAILED_ON_PURPOSE) -> None:
    """A job that waits, then raises ``RuntimeError``: shows how failures reach the caller.

    The default ``message`` is shown in the current language (that of the process that runs the job).
    """
    io_wait(seconds)
    raise RuntimeError(gettext(message) if message == _FAILED_ON_PURPOSE else message)
