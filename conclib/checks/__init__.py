"""Lesson checks: each tells the learner what is right, what is missing, and a hint.

A check never raises on a wrong or missing answer (so "Run All" keeps going);
it prints its verdict and returns a :class:`Verdict`, which is truthy when the
answer is right. One module per topic; notebooks import the one they need.
"""

from __future__ import annotations

import dataclasses

__all__ = ["Verdict", "missing", "passed", "wrong"]


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The result of a lesson check: ``ok`` and the message shown to the learner."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def _ipython_display_(self) -> None:
        """Show nothing as a cell's value: the check has printed its message already."""


def _say(ok: bool, message: str) -> Verdict:
    verdict = Verdict(ok, message)
    print(message)
    return verdict


def passed(message: str) -> Verdict:
    return _say(True, f"✅ Right. {message}")


def wrong(message: str) -> Verdict:
    return _say(False, f"❌ Not yet. {message}")


def missing(message: str) -> Verdict:
    return _say(False, f"✋ Not answered yet. {message}")
