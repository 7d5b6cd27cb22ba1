"""Threads: one ``threading.Thread`` per job (as in the cheat-sheet), or a thread pool."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._base import Control, Outcome, run_job

__all__ = ["execute"]


def execute(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], control: Control,
            workers: int | None = None) -> list[Outcome]:
    """Run the jobs in threads of this process; they share its memory and its GIL."""
    outcomes: list[Outcome] = []

    def work(i: int, args: tuple[Any, ...]) -> None:
        outcomes.append(run_job(task, i, args, control))  # list.append is thread-safe

    if workers is None:
        threads = [threading.Thread(target=work, args=(i, args), name=f"job-{i}", daemon=True)
                   for i, args in enumerate(jobs)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="conclib-worker") as pool:
            for future in [pool.submit(work, i, args) for i, args in enumerate(jobs)]:
                future.result()
    return sorted(outcomes, key=lambda o: o.record.job)
