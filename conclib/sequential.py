"""Sequential: the jobs run one after another in one thread. The baseline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._base import Control, Outcome, run_job

__all__ = ["execute"]


def execute(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], control: Control,
            workers: int | None = None) -> list[Outcome]:
    """Run every job in this thread, in order; ``workers`` is ignored (there is one)."""
    return [run_job(task, i, args, control) for i, args in enumerate(jobs)]
