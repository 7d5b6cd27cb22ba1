"""Exercise 3 of 02-working-with-threads: what the GIL did to the two countdown threads of the race.

In a module of its own for its length; :mod:`.working_with_threads` re-exports it. The question
depends on what the learner's Python did: with the GIL the two threads took turns; a free-threaded
Python with the GIL off can run them at once, if the machine has the cores. Choice "b" is right in
every case, so the solution is the same.
"""

from __future__ import annotations

import sys
from typing import Any

from ..i18n import N_, gettext
from ..i18n import gettext as _
from . import HIDE_FRAMES, Choices, Verdict, multiple_choice, wrong

__all__ = ["FREE_CHOICES", "FREE_ONE_CORE_CHOICES", "GIL_CHOICES", "gil_question", "why_no_faster"]

#: The multiple-choice answers of 02's GIL question, with the GIL (the default build).
GIL_CHOICES = Choices({
    "a": N_("The threads wait for each other's I/O."),
    "b": N_("Only the thread holding the GIL runs Python code, so the two countdowns take turns on one core."),
    "c": N_("Starting a thread takes about as long as the countdown itself."),
    "d": N_("The operating system runs all threads of a process on one core."),
})
#: The answers when this Python runs without the GIL and the two threads were faster.
FREE_CHOICES = Choices({
    "a": N_("Each thread counted down from a smaller number than the sequential run did."),
    "b": N_("This Python runs without the GIL, so the two threads ran Python code on two cores at the same time."),
    "c": N_("Starting a thread is faster than calling a function."),
    "d": N_("The second thread reused the work of the first one."),
})
#: The answers when this Python runs without the GIL but the two threads were no faster.
FREE_ONE_CORE_CHOICES = Choices({
    "a": N_("The GIL made the two threads take turns."),
    "b": N_("The threads could run at once, but this machine gave the notebook about one core at a time, "
            "so they shared it."),
    "c": N_("Threads never run Python code at the same time."),
    "d": N_("Starting a thread takes about as long as the countdown itself."),
})

_QUESTIONS = {
    "gil": N_("Why were the two countdown threads no faster than the two countdowns one after the other?"),
    "free": N_("This Python runs without the GIL. Why did the two countdown threads finish sooner than the "
               "two countdowns one after the other?"),
    "free-one-core": N_("This Python runs without the GIL, yet the two countdown threads were no faster than "
                        "the two countdowns one after the other. Why?"),
}
_CHOICES = {"gil": GIL_CHOICES, "free": FREE_CHOICES, "free-one-core": FREE_ONE_CORE_CHOICES}
_START_COST = N_("Starting a thread takes microseconds, and the countdown takes much longer. Look at the "
                 "timeline again: both threads start at once.")
_HINTS = {
    "gil": {
        "a": N_("The countdown does no I/O at all: it only computes. Who decides which thread may compute?"),
        "c": N_("Starting a thread takes microseconds, and the countdown takes much longer. Look at the timeline "
                "again: both threads start at once and take turns."),
        "d": N_("The operating system happily runs the threads of one process on different cores (a C "
                "extension that releases the GIL uses them). What stops Python code from doing so?"),
    },
    "free": {
        "a": N_("Both runs count down from N twice (`[N] * 2`): the work was the same. What let the threads "
                "do it at the same time?"),
        "c": N_("Starting a thread costs time; it never saves any. What let both countdowns run at once?"),
        "d": N_("Each thread counts down its own variable n; nothing is shared or reused. What let both "
                "countdowns run at once?"),
    },
    "free-one-core": {
        "a": N_("This Python runs without the GIL: sys._is_gil_enabled() is False. What else can make two "
                "threads share their time?"),
        "c": N_("Without the GIL they can, given two free cores. How many did this notebook get? "
                "(info['parallel_capacity'] in the setup cell measured it.)"),
        "d": _START_COST,
    },
}


def _case(times: Any) -> str | None:
    """Which question fits this Python and the measured ``times`` (None: the GIL is off, no measurement)."""
    from .. import machine, reading

    if machine.gil_enabled():
        return "gil"
    if not isinstance(times, dict) or not {"threads", "sequential"} <= set(times):
        return None
    threads = reading.compare_times(times["threads"], times["sequential"])
    return "free" if threads.verdict == reading.FASTER else "free-one-core"


def gil_question(times: Any = None) -> None:
    """Exercise 3: print the question that fits this Python and ``times`` (the race's measured seconds)."""
    __tracebackhide__ = HIDE_FRAMES
    case = _case(times)
    if case is None:
        print(_("Run the cell that measures `times` (five runs of each, alternating) first."))
        return
    print(gettext(_QUESTIONS[case]))
    for key, text in _CHOICES[case].items():
        print(f"{key}) {text}")


def _praise(case: str) -> str:
    if case == "gil":
        return _("The GIL lets one thread at a time run Python code; the threads hand it over about "
                 "every {interval:g} ms, so together they still use about one core.").format(
            interval=sys.getswitchinterval() * 1000)
    if case == "free":
        return _("This Python runs without the GIL, so each thread ran its countdown on a core of its own, "
                 "at the same time. With the GIL on (PYTHON_GIL=1) they would take turns: notebook 06 "
                 "measures both.")
    return _("Without the GIL two threads can compute at once, but only on two free cores. Here they had "
             "about one, so they shared it, as threads with the GIL share theirs.")


def why_no_faster(answer: Any = None, times: Any = None) -> Verdict:
    """Exercise 3: why the two countdown threads took the time they took (``"a"``..``"d"``).

    With the GIL: why they were no faster. Without the GIL, ``times`` (the measured seconds of
    ``"threads"`` and ``"sequential"``) decides: why they were faster, or why they were not.
    """
    __tracebackhide__ = HIDE_FRAMES
    case = _case(times)
    if case is None:
        return wrong(_("This Python runs without the GIL, so the question depends on your measurement: "
                       "pass it too, check.why_no_faster(answer, times)."))
    return multiple_choice(answer, _CHOICES[case], "b", _praise(case), Choices(_HINTS[case]))
