"""Checks for 02-working-with-threads: start and join threads, the clock for durations, the GIL.

The thread exercise hands the learner :func:`countdown`, a countdown that notes
which thread ran it, when it started and ended, and what it raised. With it the
check sees what a list of ``Thread`` objects cannot show: whether the threads ran
at the same time, whether the cell waited for them (``join()``), and whether one
crashed. In IPython a ``post_run_cell`` hook notes which countdowns were still
running when their cell ended: those threads were not joined.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

from ..i18n import N_, gettext, ngettext
from ..i18n import gettext as _
from ..tasks import countdown as _countdown
from . import HIDE_FRAMES, Verdict, blank, missing, passed, register_answers, wrong
from ._clock import clock  # exercise 2, in a module of its own for the length of its messages
from ._gil_question import FREE_CHOICES, FREE_ONE_CORE_CHOICES, GIL_CHOICES, gil_question, why_no_faster  # exercise 3
from ._shared_state import safe_counter  # exercise 4 (shared state), in a module of its own for its length

__all__ = ["FREE_CHOICES", "FREE_ONE_CORE_CHOICES", "GIL_CHOICES", "MIN_SECONDS", "clock", "countdown", "gil_question",
           "safe_counter", "start_and_join", "why_no_faster"]

#: A recorded countdown lasts at least this long, so threads started together are seen together.
MIN_SECONDS = 0.2


@dataclasses.dataclass
class _Call:
    thread: threading.Thread
    n: Any
    start: float
    end: float | None = None
    error: BaseException | None = None
    running_when_cell_ended: bool = False


_calls: list[_Call] = []
_crashes: list[tuple[threading.Thread | None, BaseException | None]] = []
_lock = threading.Lock()
_last_check = [0.0]  # when start_and_join last graded: later calls belong to the next attempt


def countdown(n: int) -> None:
    """Count down from ``n`` like ``conclib.countdown``, and note when and in which thread it ran.

    It takes at least :data:`MIN_SECONDS` (it sleeps the rest), so that threads
    started together are seen running together, even for a small ``n``.
    """
    __tracebackhide__ = HIDE_FRAMES
    call = _Call(threading.current_thread(), n, time.perf_counter())
    with _lock:
        _calls.append(call)
    try:
        _countdown(n)
        rest = MIN_SECONDS - (time.perf_counter() - call.start)
        if rest > 0:
            time.sleep(rest)
    except BaseException as exc:
        call.error = exc
        raise
    finally:
        call.end = time.perf_counter()


def _cell_finished(*_: Any) -> None:
    """IPython's ``post_run_cell``: a countdown still running now was not joined by its cell."""
    with _lock:
        for call in _calls:
            if call.end is None:
                call.running_when_cell_ended = True


def _watch_thread_errors() -> None:
    """Note every exception that ends a thread (also those raised before the target runs)."""
    current = threading.excepthook
    if getattr(current, "_conclib_notes", False):
        return

    def hook(args: Any) -> None:
        with _lock:
            _crashes.append((args.thread, args.exc_value))
        current(args)

    hook._conclib_notes = True  # type: ignore[attr-defined]
    threading.excepthook = hook


def _install() -> None:
    _watch_thread_errors()
    register_answers({
        "threads": N_("run the cell above that sets `threads = ...` (your answer), then this check again."),
        "clock": N_("run the cell above that sets `clock = ...` (your answer), then this check again."),
        "answer": N_("run the cell above that sets `answer = ...` (your letter), then this check again."),
        "times": N_("run the cell that measures `times` (five runs of each, alternating), then this check again."),
    })
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None and _cell_finished not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _cell_finished)


_install()


# --------------------------------------------------------------------------- exercise 1

_START_RETURNS_NONE = N_("start() starts a thread and returns None, so `[threading.Thread(...).start() for ...]` "
                         "is a list of None and the threads themselves are lost. Make the list of threads first, "
                         "then start each one in a loop.")
_HOW = "threading.Thread(target=check.countdown, args=(N // 100,))"


def _crash(thread: threading.Thread) -> BaseException | None:
    with _lock:
        for crashed, exc in _crashes:
            if crashed is thread:
                return exc
    return None


def _record(thread: threading.Thread) -> _Call | None:
    with _lock:
        for call in reversed(_calls):
            if call.thread is thread:
                return call
    return None


def _no_record(i: int, thread: threading.Thread) -> Verdict:
    """Thread ``i`` ran but never called :func:`countdown`: say why."""
    exc = _crash(thread)
    if isinstance(exc, TypeError) and "after * must be an iterable" in str(exc):
        return wrong(_("threads[{i}] crashed before it could count: {error}. `args=(N // 100)` is just a number "
                       "in brackets; a tuple of one item needs a comma: `args=(N // 100,)`.").format(i=i, error=exc))
    if exc is not None:
        return wrong(_("threads[{i}] crashed before it could count: {kind}: {error}. "
                       "Create each thread like this: {how}.").format(
            i=i, kind=type(exc).__name__, error=exc, how=_HOW))
    with _lock:
        in_main = any(call.thread is threading.main_thread() and call.start > _last_check[0] for call in _calls)
    if in_main:
        return wrong(_("check.countdown ran in the main thread, not in your threads: `target=check.countdown(...)` "
                       "calls it at once and hands its result, None, to Thread, so the thread has nothing to do. "
                       "Pass the function itself and its argument apart: {how}.").format(how=_HOW))
    return wrong(_("threads[{i}] ran, but not check.countdown. Use `target=check.countdown`, so the check can see "
                   "when each thread ran: {how}.").format(i=i, how=_HOW))


def _shape(threads: Any, count: int) -> Verdict | None:
    """What is wrong with ``threads`` before anything ran, or None."""
    if isinstance(threads, threading.Thread):
        return wrong(_("`threads` is one thread; make it a list of {count}: "
                       "threads = [{how} for _ in range({count})].").format(count=count, how=_HOW))
    if not isinstance(threads, (list, tuple)):
        return wrong(_("`threads` must be a list of threading.Thread objects, got a {kind}.").format(
            kind=type(threads).__name__))
    if threads and all(t is None for t in threads):
        return wrong(_("`threads` is a list of None. {why}").format(why=gettext(_START_RETURNS_NONE)))
    if len(threads) != count:
        return wrong(ngettext("The exercise asks for {count} threads; your list has {n}.",
                              "The exercise asks for {count} threads; your list has {n}.",
                              len(threads)).format(count=count, n=len(threads)))
    return _items_problem(threads, count)


def _items_problem(threads: list[Any] | tuple[Any, ...], count: int) -> Verdict | None:
    """What is wrong with the items of a list of ``count`` threads, before anything ran, or None."""
    __tracebackhide__ = HIDE_FRAMES
    for i, t in enumerate(threads):
        if t is None:
            return wrong(_("threads[{i}] is None. {why}").format(i=i, why=gettext(_START_RETURNS_NONE)))
        if not isinstance(t, threading.Thread):
            return wrong(_("threads[{i}] is a {kind}, not a threading.Thread: create it with {how}.").format(
                i=i, kind=type(t).__name__, how=_HOW))
    if len({id(t) for t in threads}) < count:
        return wrong(_("The same thread is in your list more than once: create a new Thread for each of the "
                       "{count}.").format(count=count))
    for i, t in enumerate(threads):
        if t.ident is None:
            return wrong(_("threads[{i}] was created but never started: call its start() method.").format(i=i))
    return None


def start_and_join(threads: Any = None, count: int = 3) -> Verdict:
    """Exercise 1: ``count`` threads running :func:`countdown`, all running at once, all joined, none crashed."""
    __tracebackhide__ = HIDE_FRAMES
    _watch_thread_errors()
    try:
        return _grade(threads, count)
    finally:
        _last_check[0] = time.perf_counter()


def _grade(threads: Any, count: int) -> Verdict:
    __tracebackhide__ = HIDE_FRAMES
    if blank(threads):
        return missing(ngettext("Make `threads` a list of {count} threading.Thread object, start it, then join it.",
                                "Make `threads` a list of {count} threading.Thread objects, start them all, "
                                "then join them all.", count).format(count=count))
    problem = _shape(threads, count)
    if problem is not None:
        return problem
    calls = []
    for i, t in enumerate(threads):
        call = _record(t)
        if call is None:
            if t.is_alive():
                return wrong(_("threads[{i}] is still running, and it has not called check.countdown yet. "
                               "Call join() on every thread, so your cell waits until they are done.").format(i=i))
            return _no_record(i, t)
        calls.append(call)
    for i, call in enumerate(calls):
        if call.error is not None:
            return wrong(_("threads[{i}] crashed: {kind}: {error}. A thread that raised did not do its work. "
                           "Give each one the argument N // 100: {how}.").format(
                i=i, kind=type(call.error).__name__, error=call.error, how=_HOW))
    running = [i for i, (t, call) in enumerate(zip(threads, calls, strict=True))
               if t.is_alive() or call.end is None or call.running_when_cell_ended]
    if running:
        return wrong(_("Threads {running} were still running when your cell ended: nothing waited for them. "
                       "After starting all the threads, call join() on each one; join() makes the main thread "
                       "wait until that thread is done.").format(running=running))
    first = min(call.start for call in calls)
    spans = ", ".join(_("thread {i} from {start:.2f} s to {end:.2f} s").format(
        i=i, start=call.start - first, end=call.end - first)  # type: ignore[operator]
        for i, call in enumerate(calls))
    latest_start, earliest_end = max(c.start for c in calls), min(c.end for c in calls)  # type: ignore[type-var]
    if latest_start >= earliest_end:  # type: ignore[operator]
        return wrong(_("Your threads ran one after another: {spans}. join() waits until a thread has ended, so "
                       "starting and joining each thread in the same loop runs them one at a time. Start all "
                       "{count} in one loop, then join all {count} in a second loop.").format(spans=spans, count=count))
    return passed(ngettext("All {count} thread was running at the same time ({spans}), and your cell joined "
                           "it: it waited until it was done.",
                           "All {count} threads were running at the same time ({spans}), and your cell joined "
                           "them: it waited until each one was done.", count).format(count=count, spans=spans))
