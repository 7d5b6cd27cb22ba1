"""Lesson checks for notebooks 01 and 02: what threads share, start() and join(), clocks, the GIL."""

from __future__ import annotations

import threading
import time
from typing import Any

from . import Verdict, missing, passed, wrong

__all__ = ["check_clock", "check_gil_reason", "check_same_pid", "check_started_and_joined"]


def check_same_pid(threads: Any = None, processes: Any = None) -> Verdict:
    """01: do two threads / two processes of one run have the same PID as this notebook? (True or False)"""
    if threads is None or processes is None:
        return missing("Set both answers to True or False, e.g. check_same_pid(threads=..., processes=...).")
    for name, value in (("threads", threads), ("processes", processes)):
        if not isinstance(value, bool):
            return wrong(f"{name} must be True or False, got {value!r}.")
    if threads is not True:
        return wrong("Look at the pid column of the threads run again: every thread lives inside this "
                     "notebook's process, so each one reports the same PID as os.getpid().")
    if processes is not False:
        return wrong("Look at the pid column of the processes run again: each worker process is a new "
                     "program with its own PID, different from os.getpid().")
    return passed("Threads run inside one process (one PID, one memory); every process gets its own PID "
                  "and its own memory.")


def check_started_and_joined(threads: Any = None, count: int = 3) -> Verdict:
    """02: a list of ``count`` ``threading.Thread`` objects, all started and all joined."""
    if threads is None:
        return missing(f"Make `threads` a list of {count} threading.Thread objects, "
                       "start them all, then join them all.")
    if not isinstance(threads, (list, tuple)):
        return wrong(f"`threads` must be a list of threading.Thread objects, got a {type(threads).__name__}.")
    if len(threads) != count:
        return wrong(f"The exercise asks for {count} threads; your list has {len(threads)}.")
    for i, t in enumerate(threads):
        if not isinstance(t, threading.Thread):
            return wrong(f"threads[{i}] is a {type(t).__name__}, not a threading.Thread: "
                         "create it with threading.Thread(target=..., args=(...,)).")
    for i, t in enumerate(threads):
        if t.ident is None:
            return wrong(f"threads[{i}] was created but never started: call its start() method.")
    running = [i for i, t in enumerate(threads) if t.is_alive()]
    if running:
        return wrong(f"Thread(s) {running} are still running: call join() on every thread, so the "
                     "main thread waits until they are done.")
    return passed(f"All {count} threads were started, ran, and were joined: the main thread waited for each.")


def check_clock(clock: Any = None) -> Verdict:
    """02: the clock to time a piece of code with (a function from the ``time`` module)."""
    if clock is None:
        return missing("Set `clock` to a function of the time module, e.g. clock = time.something.")
    if clock is time.perf_counter:
        return passed("time.perf_counter() is monotonic (never jumps back) and has the finest resolution: "
                      "it is made for measuring durations.")
    if clock is time.time:
        return wrong("time.time() is the wall clock of the calendar: the system may adjust it "
                     "(NTP, daylight changes) while you measure, and its resolution can be coarse. "
                     "Look for the clock made for durations.")
    if clock is time.monotonic:
        return wrong("time.monotonic() never jumps back, which is good, but its resolution can be coarse "
                     "(milliseconds on some systems). There is a finer one made for benchmarks.")
    if clock in (time.process_time, time.thread_time):
        return wrong(f"time.{clock.__name__}() counts CPU time, not elapsed time: it stops while the code "
                     "waits (for I/O, for the GIL, for a sleep). Here you want the elapsed time.")
    return wrong(f"{clock!r} is not one of the clocks from this section; pick a function of the time module.")


#: The multiple-choice answers of 02's GIL question.
GIL_CHOICES = {
    "a": "The threads wait for each other's I/O.",
    "b": "Only the thread holding the GIL runs Python code, so the two countdowns take turns on one core.",
    "c": "Starting a thread takes about as long as the countdown itself.",
    "d": "The operating system runs all threads of a process on one core.",
}


def check_gil_reason(answer: Any = None) -> Verdict:
    """02: why two countdown threads are no faster than one after the other (``"a"``..``"d"``)."""
    if answer is None:
        return missing(f"Set `answer` to one of {', '.join(map(repr, GIL_CHOICES))}.")
    key = str(answer).strip().lower()
    if key not in GIL_CHOICES:
        return wrong(f"answer must be one of {', '.join(map(repr, GIL_CHOICES))}, got {answer!r}.")
    if key == "b":
        return passed("The GIL lets one thread at a time run Python bytecode; the threads hand it over "
                      "about every 5 ms, so together they still use about one core.")
    hints = {
        "a": "The countdown does no I/O at all: it only computes. Who decides which thread may compute?",
        "c": "Starting a thread takes microseconds, and the countdown takes much longer. Look at the timeline "
             "again: both threads start at once and take turns.",
        "d": "The operating system happily runs the threads of one process on different cores (a C "
             "extension that releases the GIL uses them). What stops Python code from doing so?",
    }
    return wrong(hints[key])
