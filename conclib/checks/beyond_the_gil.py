"""Checks for 06-beyond-the-gil: count the lost updates, and say why the default build keeps its GIL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..i18n import N_, ngettext
from ..i18n import gettext as _
from . import (
    HIDE_FRAMES,
    Choices,
    Verdict,
    blank,
    is_number,
    missing,
    multiple_choice,
    passed,
    register_answers,
    wrong,
)

__all__ = ["GIL_CHOICES", "lost_updates", "why_the_gil_stays"]

register_answers({
    "lost": N_("run the cell above that sets `lost = ...` (your answer), then this check again."),
    "answer": N_("run the cell above that sets `answer = ...` (your letter), then this check again."),
})

#: The multiple-choice answers of the question "why does the default build still have the GIL?".
GIL_CHOICES = Choices({
    "a": N_("The free-threaded build cannot run two threads at the same time."),
    "b": N_("Without the GIL, one thread runs a little slower, and every C extension must be made and "
            "declared safe for it; until most are, the free-threaded build stays the option, not the default."),
    "c": N_("The GIL makes all Python code thread-safe, so removing it would break programs that use locks."),
    "d": N_("The free-threaded build exists only for Python 3.13 and is no longer supported."),
})


def _unlocked_row(rows: Any) -> dict[str, Any] | None:
    if not isinstance(rows, Sequence) or isinstance(rows, (str, bytes)):
        return None
    for row in rows:
        if isinstance(row, dict) and row.get("locked") is False and {"expected", "balance"} <= set(row):
            return row
    return None


def _is_share(lost: float, row: dict[str, Any]) -> bool:
    """``lost`` is the lost share of the deposits, as a fraction (0.23) or in percent (23.4), not a count."""
    share = (int(row["expected"]) - int(row["balance"])) / int(row["expected"])
    return share > 0 and lost > 0 and lost != share * int(row["expected"]) and (
        abs(lost - share) < 0.005 or abs(lost - 100 * share) < 0.5)


def _share_hint(lost: Any) -> Verdict:
    return wrong(_("{answer!r} is the share of the deposits that were lost. The exercise asks how many deposits: "
                   "row['expected'] - row['balance'], a whole number.").format(answer=lost))


def _not_a_count(lost: Any, row: dict[str, Any]) -> Verdict:
    """``lost`` is no whole number: say what it is instead, and how to make it one."""
    __tracebackhide__ = HIDE_FRAMES
    if isinstance(lost, str):
        return wrong(_("`lost` is the text {answer!r}, not a whole number. Compute the number, without quotes: "
                       "lost = row['expected'] - row['balance'].").format(answer=lost))
    if hasattr(lost, "iloc") or isinstance(lost, (list, tuple)):
        return wrong(_("`lost` is a {kind}, not one number. Take the number out of it "
                       "(for a pandas Series: lost.iloc[0]), or compute it from the dict: "
                       "row['expected'] - row['balance'].").format(kind=type(lost).__name__))
    if is_number(lost) and _is_share(float(lost), row):
        return _share_hint(lost)
    return wrong(_("lost must be a whole number of deposits, got {answer!r}.").format(answer=lost))


def _wrong_count(lost: int, row: dict[str, Any]) -> Verdict:
    """``lost`` is a whole number but not the right one: name the mistake it looks like."""
    __tracebackhide__ = HIDE_FRAMES
    expected, balance = int(row["expected"]), int(row["balance"])
    right = expected - balance
    if lost == balance and balance != right:
        return wrong(_("{answer:,} is the final balance, what was kept. Lost means expected minus kept: "
                       "row['expected'] - row['balance'].").format(answer=lost))
    if lost == -right and right != 0:
        return wrong(_("The sign is turned round: subtract the balance from the expected value, not the "
                       "other way."))
    if lost == expected and right != expected:
        return wrong(_("{answer:,} is what two threads should have added in total. How much of it is missing "
                       "from the balance?").format(answer=lost))
    if _is_share(lost, row):
        return _share_hint(lost)
    if lost < 0 or lost > expected:
        return wrong(ngettext("Between 0 and {expected:,} deposit can be lost; {answer:,} is outside. Use "
                              "row['expected'] - row['balance'] for the row whose 'locked' is False.",
                              "Between 0 and {expected:,} deposits can be lost; {answer:,} is outside. Use "
                              "row['expected'] - row['balance'] for the row whose 'locked' is False.",
                              expected).format(expected=expected, answer=lost))
    return wrong(_("Read the row whose 'locked' is False (the run without a lock), and compute "
                   "row['expected'] - row['balance']."))


def lost_updates(lost: Any = None, rows: Any = None) -> Verdict:
    """06: ``lost`` must be how many deposits the run without a lock lost, read from ``rows``.

    Args:
        lost: the learner's answer, a whole number.
        rows: what ``freethreading.run_experiment("counter", ...)`` returned (both runs).
    """
    __tracebackhide__ = HIDE_FRAMES
    row = _unlocked_row(rows)
    if row is None:
        return wrong(_("Pass the counter measurement as `rows` (the list that run_experiment(\"counter\", ...) "
                       "returned), so the check knows what your run lost."))
    if blank(lost):
        return missing(_("Set `lost` to a whole number: how many deposits the run without a lock lost."))
    if isinstance(lost, bool) or not is_number(lost) or float(lost) != int(lost):
        return _not_a_count(lost, row)
    lost = int(lost)
    expected, balance = int(row["expected"]), int(row["balance"])
    right = expected - balance
    if lost == right:
        if right == 0:
            return passed(ngettext("0: this run kept its {expected:,} deposit. That was the timing of this run, "
                                   "not a promise: nothing stops a thread between its read and its write.",
                                   "0: this run kept all {expected:,} deposits. That was the timing of this run, "
                                   "not a promise: nothing stops a thread between its read and its write.",
                                   expected).format(expected=expected))
        return passed(ngettext("{lost:,} of {expected:,} deposit ({share:.1%}) were lost: a thread read "
                               "the balance, another thread wrote a new one, and the first one wrote over it.",
                               "{lost:,} of {expected:,} deposits ({share:.1%}) were lost: a thread read "
                               "the balance, another thread wrote a new one, and the first one wrote over it.",
                               expected).format(lost=right, expected=expected, share=right / expected))
    return _wrong_count(lost, row)


def why_the_gil_stays(answer: Any = None) -> Verdict:
    """06: why the default CPython build still has the GIL (``"a"``..``"d"``)."""
    __tracebackhide__ = HIDE_FRAMES
    hints = Choices({
        "a": N_("Running threads at the same time is exactly what the free-threaded build does: look at the "
                "A/B with PYTHON_GIL=0. What does the GIL's removal cost instead?"),
        "c": N_("The GIL never made a read-then-write safe: a thread can lose the GIL between its read and "
                "its write. Locks work the same in both builds. What does the removal cost?"),
        "d": N_("Python 3.14 made the free-threaded build officially supported (PEP 779), and 3.15 has it too. "
                "Why is it still an option, not the default?"),
    })
    right = _("Removing the GIL costs some speed in one thread, and every C extension must be ready for threads "
              "that really run at once. PEP 779 made the free-threaded build supported in 3.14; it becomes the "
              "default only when that cost is small and most extensions are ready.")
    return multiple_choice(answer, GIL_CHOICES, "b", right, hints)
