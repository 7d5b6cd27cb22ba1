"""Exercise 2 of 02-working-with-threads: the clock to time a piece of code with.

In a module of its own for the length of its messages; :mod:`.working_with_threads` re-exports it.
Right: ``time.perf_counter`` (or ``perf_counter_ns``); every other answer gets the reason it is not
the clock for durations, or what the learner wrote instead of a function of ``time``.
"""

from __future__ import annotations

import time
from typing import Any

from ..i18n import gettext as _
from . import HIDE_FRAMES, Verdict, blank, is_number, missing, passed, wrong

__all__ = ["clock"]

_CPU_CLOCKS = ("process_time", "process_time_ns", "thread_time", "thread_time_ns")


def clock(clock: Any = None) -> Verdict:
    """Exercise 2: the clock to time a piece of code with (a function of the ``time`` module)."""
    __tracebackhide__ = HIDE_FRAMES
    if blank(clock):
        return missing(_("Set `clock` to a function of the time module, e.g. clock = time.something."))
    if clock in (time.perf_counter, time.perf_counter_ns):
        return passed(_("time.{name}() never goes back and has the finest resolution: it is made for "
                        "measuring durations.").format(name=clock.__name__))
    if is_number(clock):
        return wrong(_("`clock` is a number ({answer!r}): with brackets, `clock = time.something()` calls the "
                       "function and keeps the time it read. Leave out the brackets, so `clock` is the function "
                       "itself: clock = time.something.").format(answer=clock))
    if isinstance(clock, str):
        name = clock.strip().removeprefix("time.").removesuffix("()")
        return wrong(_("`clock` is the text {answer!r}, not the function. Write it without quotes: "
                       "clock = time.{name}.").format(answer=clock, name=name))
    if clock is time:
        return wrong(_("`clock` is the whole time module; pick one of its functions: clock = time.something."))
    name = getattr(clock, "__name__", "")
    if getattr(clock, "__module__", None) != "time" or getattr(time, name, None) is not clock:
        return _not_from_time(clock, name)
    return _wrong_clock(name)


def _not_from_time(clock: Any, name: str) -> Verdict:
    """``clock`` is no function of the time module: say where it comes from."""
    __tracebackhide__ = HIDE_FRAMES
    if callable(clock):
        module = getattr(clock, "__module__", None)
        why = (_("{name} is not a function of the time module (it comes from {module}). Set `clock` to one of "
                 "time's own functions: clock = time.something.") if module else
               _("{name} is not a function of the time module (it comes from your notebook). Set `clock` to one "
                 "of time's own functions: clock = time.something."))
        return wrong(why.format(name=name or repr(clock), module=module))
    return wrong(_("`clock` must be a function of the time module, got {answer!r}.").format(answer=clock))


def _wrong_clock(name: str) -> Verdict:
    """``time.<name>`` is a function of the time module, but not the clock for durations: why not."""
    __tracebackhide__ = HIDE_FRAMES
    if name in ("time", "time_ns"):
        why = _("time.{name}() is the calendar clock: the system may set it forward or back while you "
                "measure (network time sync, a manual change). Look for the clock made for durations.")
    elif name in ("monotonic", "monotonic_ns"):
        why = _("time.{name}() never goes back, which is good, but on some systems it is coarse. "
                "There is a clock made for measuring durations, with the finest resolution.")
    elif name in _CPU_CLOCKS:
        why = _("time.{name}() counts CPU time, not elapsed time: it stops while the code waits (for "
                "I/O, for the GIL, for a sleep). Here you want the elapsed time.")
    elif name == "sleep":
        why = _("time.sleep() waits; it does not read a clock. Pick the function that tells the time.")
    else:
        why = _("time.{name} is not one of the clocks from this section; pick the one made for durations.")
    return wrong(why.format(name=name))
