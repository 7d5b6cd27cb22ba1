"""Threads: one ``threading.Thread`` per job (as in the cheat-sheet), or a thread pool."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._base import Control, Outcome, run_job

__all__ = ["Outbox", "execute"]


def execute(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], control: Control,
            workers: int | None = None) -> list[Outcome]:
    """Run the jobs in threads of this process: they share its memory and its GIL."""
    if workers is None:
        outbox = Outbox(jobs, control)
        runners = [threading.Thread(target=outbox.run_job, args=(task, i, args),
                   name=f"conclib-job-{i}", daemon=True) for i, args in enumerate(jobs)]
        for runner in runners:
            outbox.start(runner)
        return outbox.collect(runners)
    with ThreadPoolExecutor(workers, thread_name_prefix="conclib-worker") as pool:
        futures = [pool.submit(run_job, task, i, args, control) for i, args in enumerate(jobs)]
        return [future.result() for future in futures]


class Outbox:
    """Where the threads leave their outcomes: a queue in the memory they share."""

    def __init__(self, jobs: Sequence[tuple[Any, ...]], control: Control) -> None:
        self.control = control
        self.queue: queue.SimpleQueue[Outcome] = queue.SimpleQueue()

    def run_job(self, task: Callable[..., Any], i: int, args: tuple[Any, ...]) -> None:
        self.queue.put(run_job(task, i, args, self.control))

    def start(self, t: threading.Thread) -> None:
        t.start()

    def collect(self, threads: list[threading.Thread]) -> list[Outcome]:
        """Wait for every thread, then return the outcomes in job order."""
        for t in threads:
            t.join()
        outcomes = [self.queue.get() for _ in range(self.queue.qsize())]
        return sorted(outcomes, key=lambda o: o.record.job)
