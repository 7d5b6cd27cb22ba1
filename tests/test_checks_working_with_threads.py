"""Learner-mistakes suite for 02-working-with-threads: every answer, its verdict, and what the message says."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

import conclib
from conclib.checks import working_with_threads as check

from .learner import LANGUAGES, Answer, assert_verdict, grade, join_threads, speak

N = 1_000_000
MAKE = "threading.Thread(target=check.countdown, args=(N // 100,))"

START_AND_JOIN = [
    # right answers that differ from the reference solution
    Answer("append-in-a-loop", f"threads = []\nfor _ in range(3):\n    threads.append({MAKE})\n"
           "for t in threads:\n    t.start()\nfor t in threads:\n    t.join()", "right", "same time"),
    Answer("args-as-list-and-kwargs",
           "threads = [threading.Thread(target=check.countdown, args=[N // 100]),\n"
           "           threading.Thread(target=check.countdown, kwargs={'n': N // 100}),\n"
           "           threading.Thread(target=check.countdown, args=(N // 100,), daemon=True)]\n"
           "for t in threads:\n    t.start()\nfor t in threads:\n    t.join()", "right", "joined"),
    Answer("tuple-and-comprehension-start", f"threads = tuple({MAKE} for _ in range(3))\n"
           "[t.start() for t in threads]\nfor t in threads:\n    t.join()", "right", "same time"),
    Answer("lambda-target", "threads = [threading.Thread(target=lambda: check.countdown(N // 100)) "
           "for _ in range(3)]\nfor t in threads:\n    t.start()\nfor t in threads:\n    t.join(timeout=10)",
           "right", "same time"),
    # wrong answers
    Answer("start-and-join-in-one-loop", f"threads = [{MAKE} for _ in range(3)]\n"
           "for t in threads:\n    t.start()\n    t.join()", "wrong",
           r"one after another: thread 0 from 0\.00 s to 0\.\d\d s.*second loop"),
    Answer("join-forgotten", f"threads = [{MAKE} for _ in range(3)]\nfor t in threads:\n    t.start()",
           "wrong", r"still running when your cell ended.*join\(\)"),
    Answer("target-called", "threads = [threading.Thread(target=check.countdown(N // 100)) for _ in range(3)]\n"
           "for t in threads:\n    t.start()\nfor t in threads:\n    t.join()", "wrong",
           r"ran in the main thread.*target=check\.countdown\(\.\.\.\)` calls it"),
    Answer("args-not-a-tuple", "threads = [threading.Thread(target=check.countdown, args=(N // 100)) "
           "for _ in range(3)]\nfor t in threads:\n    t.start()\nfor t in threads:\n    t.join()", "wrong",
           r"a tuple of one item needs a comma: `args=\(N // 100,\)`"),
    Answer("start-returns-none", f"threads = [{MAKE}.start() for _ in range(3)]", "wrong",
           r"list of None.*start\(\) starts a thread and returns None"),
    Answer("never-started", f"threads = [{MAKE} for _ in range(3)]", "wrong", r"never started: call its start\(\)"),
    Answer("two-threads", f"threads = [{MAKE} for _ in range(2)]\nfor t in threads:\n    t.start()\n"
           "for t in threads:\n    t.join()", "wrong", "asks for 3 threads; your list has 2"),
    Answer("same-thread-three-times", f"t = {MAKE}\nthreads = [t, t, t]\nt.start()\nt.join()", "wrong",
           "same thread is in your list more than once"),
    Answer("conclib-countdown", "threads = [threading.Thread(target=conclib.countdown, args=(N // 100,)) "
           "for _ in range(3)]\nfor t in threads:\n    t.start()\nfor t in threads:\n    t.join()", "wrong",
           r"not check\.countdown"),
    Answer("argument-as-text", "threads = [threading.Thread(target=check.countdown, args=('N // 100',)) "
           "for _ in range(3)]\nfor t in threads:\n    t.start()\nfor t in threads:\n    t.join()", "wrong",
           "crashed: TypeError"),
    Answer("one-thread", f"threads = {MAKE}\nthreads.start()\nthreads.join()", "wrong", "is one thread"),
    Answer("thread-names", "threads = ['thread-0', 'thread-1', 'thread-2']", "wrong", "not a threading.Thread"),
    Answer("untouched", "threads = None  # your code here", "missing", "list of 3 threading.Thread"),
]


@pytest.fixture
def namespace() -> Any:
    ns: dict[str, Any] = {"threading": threading, "time": time, "conclib": conclib, "check": check, "N": N}
    check._watch_thread_errors()  # after pytest's own hook, which it sets for every test
    yield ns
    join_threads(ns)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
@pytest.mark.parametrize("answer", START_AND_JOIN, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_start_and_join(answer: Answer, namespace: dict[str, Any], language: str) -> None:
    speak(language)
    verdict = grade(answer, "check.start_and_join(threads)", namespace, after_cell=check._cell_finished)
    assert_verdict(verdict, answer)


def test_start_and_join_never_waits() -> None:
    """Threads that run for a long time: the check answers at once, without joining them."""
    stop = threading.Event()
    threads = [threading.Thread(target=stop.wait, args=(30,)) for _ in range(3)]
    for t in threads:
        t.start()
    start = time.perf_counter()
    try:
        assert not check.start_and_join(threads)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert time.perf_counter() - start < 1


CLOCK = [
    Answer("perf-counter-ns", "clock = time.perf_counter_ns", "right", "perf_counter_ns"),
    Answer("imported-name", "from time import perf_counter\nclock = perf_counter", "right", "durations"),
    Answer("timeit-default-timer", "import timeit\nclock = timeit.default_timer", "right", "durations"),
    Answer("called", "clock = time.perf_counter()", "wrong", r"is a number.*Leave out the brackets"),
    Answer("called-ns", "clock = time.perf_counter_ns()", "wrong", "Leave out the brackets"),
    Answer("text", "clock = 'perf_counter'", "wrong", r"the text 'perf_counter'.*without quotes"),
    Answer("text-with-module", "clock = 'time.perf_counter()'", "wrong", r"clock = time\.perf_counter\."),
    Answer("wall-clock", "clock = time.time", "wrong", "calendar clock"),
    Answer("monotonic", "clock = time.monotonic", "wrong", "coarse"),
    Answer("cpu-time", "clock = time.process_time", "wrong", "CPU time, not elapsed time"),
    Answer("module", "clock = time", "wrong", "whole time module"),
    Answer("own-function-same-name", "def perf_counter():\n    return 0.0\nclock = perf_counter", "wrong",
           "not a function of the time module"),
    Answer("lambda", "clock = lambda: time.perf_counter()", "wrong", "not a function of the time module"),
    Answer("sleep", "clock = time.sleep", "wrong", "waits; it does not read a clock"),
    Answer("datetime", "import datetime\nclock = datetime.datetime.now", "wrong", "not a function of the time"),
    Answer("untouched", "clock = None  # your answer", "missing", "function of the time module"),
]


@pytest.mark.parametrize("answer", CLOCK, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_clock(answer: Answer, language: str) -> None:
    speak(language)
    assert_verdict(grade(answer, "check.clock(clock)", {"time": time, "check": check}), answer)


WHY = [
    Answer("capital", "answer = 'B'", "right", "GIL"),
    Answer("spaces-and-bracket", "answer = ' b) '", "right", "GIL"),
    Answer("full-text", f"answer = {check.GIL_CHOICES['b']!r}", "right", "GIL"),
    Answer("a", "answer = 'a'", "wrong", "no I/O"),
    Answer("c", "answer = 'c'", "wrong", "microseconds"),
    Answer("d", "answer = 'd'", "wrong", "different cores"),
    Answer("e", "answer = 'e'", "wrong", "one of \"a\""),
    Answer("list", "answer = ['b']", "wrong", "not a list"),
    Answer("two-letters", "answer = 'b, d'", "wrong", "only one letter"),
    Answer("number", "answer = 2", "wrong", "letter in quotes"),
    Answer("bool", "answer = True", "wrong", "letter in quotes"),
    Answer("untouched", "answer = None", "missing", "'b'"),
]


@pytest.mark.parametrize("answer", WHY, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_why_no_faster(answer: Answer, language: str) -> None:
    speak(language)
    assert_verdict(grade(answer, "check.why_no_faster(answer)", {"check": check}), answer)


FASTER = {"threads": [0.52, 0.55, 0.5], "sequential": [1.0, 1.02, 0.98]}  # the GIL off, two free cores
NO_FASTER = {"threads": [1.0, 1.04, 0.99], "sequential": [1.0, 1.02, 0.98]}  # the GIL off, one core

FREE_WHY = [
    Answer("right", "answer = 'b'", "right", "without the GIL, so each thread ran its countdown on a core"),
    Answer("capital", "answer = 'B'", "right", "PYTHON_GIL=1"),
    Answer("full-text", f"answer = {check.FREE_CHOICES['b']!r}", "right", "at the same time"),
    Answer("smaller-numbers", "answer = 'a'", "wrong", r"\[N\] \* 2"),
    Answer("start-is-fast", "answer = 'c'", "wrong", "never saves any"),
    Answer("reused", "answer = 'd'", "wrong", "nothing is shared or reused"),
    Answer("untouched", "answer = None", "missing", "'b'"),
]
ONE_CORE_WHY = [
    Answer("right", "answer = 'b'", "right", "only on two free cores"),
    Answer("the-gil", "answer = 'a'", "wrong", "runs without the GIL"),
    Answer("never-at-once", "answer = 'c'", "wrong", "parallel_capacity"),
    Answer("start-cost", "answer = 'd'", "wrong", "microseconds"),
]


@pytest.fixture
def gil_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """A free-threaded Python with the GIL off, as the check reads it (no such Python here)."""
    monkeypatch.setattr(conclib.machine, "gil_enabled", lambda: False)


@pytest.mark.usefixtures("gil_off")
@pytest.mark.parametrize(("answer", "times"), [(a, FASTER) for a in FREE_WHY] + [(a, NO_FASTER) for a in ONE_CORE_WHY],
                         ids=lambda x: getattr(x, "id", ""))
@pytest.mark.parametrize("language", LANGUAGES)
def test_why_no_faster_without_the_gil(answer: Answer, times: dict, language: str) -> None:
    speak(language)
    namespace = {"check": check, "times": times}
    assert_verdict(grade(answer, "check.why_no_faster(answer, times)", namespace), answer)


@pytest.mark.parametrize(("gil", "times", "question", "choices"), [
    (True, FASTER, "no faster", check.GIL_CHOICES),  # with the GIL the question never changes
    (False, FASTER, "finish sooner", check.FREE_CHOICES),
    (False, NO_FASTER, "yet the two countdown threads were no faster", check.FREE_ONE_CORE_CHOICES),
])
def test_the_question_fits_this_python_and_the_measurement(gil: bool, times: dict, question: str, choices: dict,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(conclib.machine, "gil_enabled", lambda: gil)
    check.gil_question(times)
    shown = capsys.readouterr().out
    assert question in shown.splitlines()[0]
    assert all(f"{key}) {text}" in shown for key, text in choices.items())


def test_without_the_gil_the_check_asks_for_the_measurement(gil_off: None) -> None:
    verdict = check.why_no_faster("b")
    assert not verdict and "check.why_no_faster(answer, times)" in verdict.message


def test_an_answer_cell_never_run_gets_a_hint() -> None:
    from conclib.checks import name_error_hint

    for name in ("threads", "clock", "answer"):
        assert "is not defined: run the cell above" in (name_error_hint(name) or "")
    assert "run the cell that measures `times`" in (name_error_hint("times") or "")
    assert 'answer = "b"' in (name_error_hint("b") or "")
    assert name_error_hint("some_other_name") is None
