"""The check of 01-threads-and-processes."""

from __future__ import annotations

import pytest

from conclib.checks import threads_and_processes


@pytest.mark.parametrize(("threads_answer", "processes_answer", "mark", "text"), [
    (True, False, "✅", "one PID"),
    (None, None, "✋", "True or False"),
    (True, None, "✋", "True or False"),
    ("yes", False, "❌", "threads must be True or False"),
    (False, False, "❌", "same PID as os.getpid()"),
    (True, True, "❌", "its own PID"),
])
def test_same_pid(threads_answer: object, processes_answer: object, mark: str, text: str) -> None:
    verdict = threads_and_processes.same_pid(threads=threads_answer, processes=processes_answer)
    assert verdict.message.startswith(mark) and text in verdict.message
