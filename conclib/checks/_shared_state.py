"""Lesson check for notebook 02: several threads add to one shared counter, and a lock keeps every update.

The check hands the learner's function a :class:`SlowCounter`. Its ``write()`` pauses a moment
before it stores the value (as a real program pauses for a log line, a file or the network), so
that without a lock another thread almost surely reads the old value meanwhile, and an update is lost. The
counter records which thread read and wrote, so the check can tell what went wrong.
"""

from __future__ import annotations

import inspect
import threading
import time
from typing import Any

from ..i18n import gettext as _
from ..i18n import ngettext
from . import Verdict, missing, passed, wrong

__all__ = ["ATTEMPTS", "PAUSE", "THREADS", "INCREMENTS", "TIME_LIMIT", "SlowCounter", "safe_counter"]

#: Seconds ``SlowCounter.write()`` waits before it stores the value.
PAUSE = 0.0005
#: The check starts this many threads, each adding 1 this many times.
THREADS, INCREMENTS = 3, 40
#: How often the check calls the function while its threads happen to run one after the other (a busy
#: machine can start a thread late): a missing lock can lose updates only when the threads overlap.
ATTEMPTS = 3
#: Seconds the learner's function may take before the check gives up on it (it never hangs).
TIME_LIMIT = 20.0


class SlowCounter:
    """A counter shared by threads: ``read()`` and ``write(value)`` (slow), and the value at the end."""

    def __init__(self) -> None:
        self._value = 0
        self._log: list[tuple[threading.Thread, str]] = []  # (thread, "read" or "write"), in order
        self._log_lock = threading.Lock()  # guards the log only, never the value

    def read(self) -> int:
        """The current value."""
        self._note("read")
        return self._value

    def write(self, value: int) -> None:
        """Store ``value`` as the new count, after a short pause (another thread may read meanwhile)."""
        time.sleep(PAUSE)
        self._value = value
        self._note("write")

    @property
    def value(self) -> int:
        """The count now."""
        return self._value

    def _note(self, what: str) -> None:
        with self._log_lock:
            self._log.append((threading.current_thread(), what))  # the object: an ident can be reused

    def log(self) -> list[tuple[threading.Thread, str]]:
        """Every read and write so far: (the thread that did it, "read" or "write")."""
        with self._log_lock:
            return list(self._log)


def _one_after_the_other(log: list[tuple[threading.Thread, str]]) -> bool:
    """True if each thread did all its reads and writes in one block: the threads never overlapped."""
    seen: set[threading.Thread] = set()
    previous = None
    for thread, _what in log:
        if thread is not previous:
            if thread in seen:
                return False
            seen.add(thread)
            previous = thread
    return True


def _call_with_limit(add_in_threads: Any, counter: SlowCounter, threads: int, increments: int) -> dict[str, Any]:
    """Call the learner's function in a helper thread, waiting at most TIME_LIMIT seconds.

    The answer holds ``timed_out``, else ``error`` (an exception it raised) or the count when it
    returned, the threads it left running (``alive_at_return``), and ``caller``, the helper thread.
    """
    outcome: dict[str, Any] = {}
    before = set(threading.enumerate())  # thread objects, not idents: an ident can be reused

    def call() -> None:
        try:
            add_in_threads(counter, threads, increments)
        except BaseException as exc:  # reported to the learner
            outcome["error"] = exc
        outcome["count_at_return"] = counter.value
        outcome["alive_at_return"] = [t for t in threading.enumerate()
                                      if t not in before and t is not threading.current_thread()
                                      and t.is_alive()]

    deadline = time.monotonic() + TIME_LIMIT  # one limit for everything below: the check never hangs
    caller = threading.Thread(target=call, name="check-caller", daemon=True)
    caller.start()
    caller.join(TIME_LIMIT)
    outcome["caller"] = caller
    outcome["timed_out"] = caller.is_alive()
    for stray in outcome.get("alive_at_return", []):  # threads that were not joined: let them end first
        stray.join(max(0.0, deadline - time.monotonic()))
    return outcome


def _what_went_wrong(outcome: dict[str, Any], counter: SlowCounter, threads: int, increments: int) -> str | None:
    """The message for the first mistake found, or None when every update was made and kept."""
    expected = threads * increments
    if outcome["timed_out"]:
        return _("Your function did not return within {limit:g} s. Does a thread take the lock twice "
                 "(a Lock cannot be taken again by the thread that holds it: one `with lock:` per step), "
                 "or join a thread that was never started?").format(limit=TIME_LIMIT)
    if "error" in outcome:
        exc = outcome["error"]
        return _("Your function raised {kind}: {error}. "
                 "It is called as add_in_threads(counter, threads, increments).").format(
            kind=type(exc).__name__, error=exc)
    if outcome["alive_at_return"]:
        alive = len(outcome["alive_at_return"])
        return ngettext("Your function returned while {n} thread was still running "
                        "(the count was {count} of {expected} then): call join() on every thread before you return.",
                        "Your function returned while {n} threads were still running "
                        "(the count was {count} of {expected} then): call join() on every thread before you return.",
                        alive).format(n=alive, count=outcome["count_at_return"], expected=expected)
    log = counter.log()
    workers = {thread for thread, _what in log}
    writes = sum(1 for _thread, what in log if what == "write")
    if writes != expected:
        return ngettext("The counter was written {writes} times; it should be {expected} "
                        "({threads} threads x {increments} times counter.write(counter.read() + 1)).",
                        "The counter was written {writes} times; it should be {expected} "
                        "({threads} threads x {increments} times counter.write(counter.read() + 1)).",
                        writes).format(writes=writes, expected=expected, threads=threads, increments=increments)
    if threading.current_thread() in workers or outcome["caller"] in workers:
        return _("Some reads or writes ran in the thread that called your function, not in new threads: "
                 "give the work to threading.Thread(target=...) and start those threads.")
    if len(workers) != threads:
        return ngettext("The reads and writes came from {n} thread; start {threads} threads "
                        "(one per thread asked for), each doing `increments` steps.",
                        "The reads and writes came from {n} threads; start {threads} threads "
                        "(one per thread asked for), each doing `increments` steps.",
                        len(workers)).format(n=len(workers), threads=threads)
    if counter.value != expected:
        return ngettext("{lost} of {expected} updates was lost (the count is {count}). "
                        "Make ONE lock, outside the function that the threads run, so that all threads share it; "
                        "and hold it around the read and the write together: "
                        "`with lock: counter.write(counter.read() + 1)`.",
                        "{lost} of {expected} updates were lost (the count is {count}). "
                        "Make ONE lock, outside the function that the threads run, so that all threads share it; "
                        "and hold it around the read and the write together: "
                        "`with lock: counter.write(counter.read() + 1)`.",
                        expected - counter.value).format(lost=expected - counter.value, expected=expected,
                                                         count=counter.value)
    return None


def safe_counter(add_in_threads: Any = None, threads: int = THREADS, increments: int = INCREMENTS) -> Verdict:
    """02: ``add_in_threads(counter, threads, increments)`` starts threads that add to ``counter`` under one lock.

    It must start ``threads`` threads, each calling ``counter.write(counter.read() + 1)``
    ``increments`` times, protect each read-and-write with one lock that all threads share,
    and join every thread before it returns. The check waits at most :data:`TIME_LIMIT` seconds.
    """
    if add_in_threads is None:
        return missing(_("Replace None with your function: def add_in_threads(counter, threads, increments): ..."))
    if not callable(add_in_threads):
        return wrong(_("add_in_threads must be a function (def add_in_threads(counter, threads, increments): ...), "
                       "got a {kind}.").format(kind=type(add_in_threads).__name__))
    if inspect.iscoroutinefunction(add_in_threads):
        return wrong(_("add_in_threads is an async def function; this exercise uses threads: write a plain def."))
    for _attempt in range(ATTEMPTS):
        counter = SlowCounter()
        outcome = _call_with_limit(add_in_threads, counter, threads, increments)
        problem = _what_went_wrong(outcome, counter, threads, increments)
        if problem is not None:
            return wrong(problem)
        if not _one_after_the_other(counter.log()):
            break  # the threads did overlap, and still no update was lost: a shared lock did its work
    return passed(_("No update was lost ({count} of {expected}), and every thread was joined. "
                    "A lock around each read-and-write lets the threads take turns step by step. A lock around "
                    "the whole loop is also correct, but then the threads run one after the other.").format(
        count=counter.value, expected=threads * increments))
