"""asyncio: one coroutine per job, all in one thread, switching only at ``await``."""

from __future__ import annotations

import asyncio
import inspect
import time
import types
from collections.abc import Callable, Coroutine, Generator, Sequence
from typing import Any

from ._base import Control, JobScope, Outcome

__all__ = ["DOOR_EVERY", "DOOR_OPEN", "execute", "main", "run_job"]


def execute(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], control: Control,
            workers: int | None = None) -> list[Outcome]:
    """Run the jobs as tasks of a new event loop; ``workers`` caps how many run at once."""
    return asyncio.run(main(task, jobs, control, workers))


async def main(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], control: Control,
               workers: int | None = None) -> list[Outcome]:
    """The top-level coroutine: make a list of tasks, then wait for all of them."""
    limit = asyncio.Semaphore(workers or len(jobs))

    async def one(i: int, args: tuple[Any, ...]) -> Outcome:
        async with limit:
            return await run_job(task, i, args, control)

    tasks = [asyncio.create_task(one(i, args), name=f"job-{i}") for i, args in enumerate(jobs)]
    loop = asyncio.get_running_loop()

    def kill() -> None:  # called from the caller's thread: the loop must do the cancelling
        loop.call_soon_threadsafe(_cancel, tasks)

    control.kill_hooks.append(kill)
    door = asyncio.create_task(_let_the_caller_in())
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        door.cancel()


#: Every DOOR_EVERY seconds the loop thread really sleeps DOOR_OPEN seconds (0.5% of the time).
DOOR_EVERY, DOOR_OPEN = 0.1, 0.0005


async def _let_the_caller_in() -> None:
    """Hold the GIL's door open now and then for the thread that watches this run.

    A busy event loop releases the GIL in every ``select()`` and takes it straight back,
    thousands of times a second. Each release counts as a switch, so CPython never forces
    one, and the caller's thread, waiting for the GIL to draw a frame or to handle the stop
    button, can wait for seconds. A real sleep gives that thread the GIL at once.
    """
    while True:
        await asyncio.sleep(DOOR_EVERY)
        time.sleep(DOOR_OPEN)


async def run_job(task: Callable[..., Any], job: int, args: tuple[Any, ...], control: Control) -> Outcome:
    """Run one job as a coroutine. A plain function is called right here: it blocks the loop."""
    spent = [0.0]  # CPU seconds of this coroutine's own steps
    scope = JobScope(job, args, control, clock=lambda: spent[0])
    with scope:
        scope.raise_if_stopping()
        if inspect.iscoroutinefunction(task):
            await _timed(task(*args), spent)
        else:
            t0 = time.thread_time()
            try:
                task(*args)
            finally:
                spent[0] += time.thread_time() - t0
    assert scope.outcome is not None
    return scope.outcome


@types.coroutine
def _timed(coro: Coroutine[Any, Any, Any], spent: list[float]) -> Generator[Any, Any, Any]:
    """Drive ``coro`` step by step, adding the CPU time of each step to ``spent[0]``.

    Coroutines of one loop share a thread, so ``time.thread_time()`` around the
    whole job would count the other jobs' steps too.
    """
    send: Callable[[Any], Any] = coro.send
    value: Any = None
    while True:
        t0 = time.thread_time()
        try:
            signal = send(value)
        except StopIteration as stop:
            return stop.value
        finally:
            spent[0] += time.thread_time() - t0
        try:
            value, send = (yield signal), coro.send
        except BaseException as exc:  # thrown in by the loop (e.g. cancellation): pass it on
            value, send = exc, coro.throw


def _cancel(tasks: list[asyncio.Task[Any]]) -> None:
    for t in tasks:
        t.cancel()
