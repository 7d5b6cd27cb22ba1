"""Tasks for the tests that worker processes and subinterpreters can import.

Keep this module light: a subinterpreter imports it, and some extension
modules (numpy, pandas) cannot be loaded in a subinterpreter.
"""

from __future__ import annotations

import threading

from conclib import tasks


class TaskError(Exception):
    """An exception type of the tests' own, to see that a job's error keeps its type."""


def fail_or_wait(kind: int, seconds: float) -> None:
    """Kind 0 fails after ``seconds``; kind 1 waits ``seconds``."""
    if kind == 0:
        tasks.fail_after(seconds, "first failure")
    else:
        tasks.io_wait(seconds)


def raise_task_error(message: str) -> None:
    raise TaskError(message)


class _Unpicklable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.lock = threading.Lock()  # a lock cannot be pickled


def raise_unpicklable(message: str) -> None:
    raise _Unpicklable(message)
