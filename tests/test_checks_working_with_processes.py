"""Learner-mistakes suite for 03-working-with-processes: every answer, its verdict, and what the message says."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

import conclib
import conclib.scaling
from conclib.checks import working_with_processes as check

from .learner import LANGUAGES, Answer, assert_verdict, grade, run_cell, speak

GUARD = [
    Answer("capital", "answer = 'B'", "right", "__mp_main__"),
    Answer("bracketed", "answer = '(b)'", "right", "__mp_main__"),
    Answer("full-text", f"answer = {check.GUARD_CHOICES['b']!r}", "right", "__mp_main__"),
    Answer("a", "answer = 'a'", "wrong", "does not change how fast"),
    Answer("c", "answer = 'c'", "wrong", "PID from the operating system"),
    Answer("d", "answer = 'd'", "wrong", "no guard"),
    Answer("e", "answer = 'e'", "wrong", "one of \"a\""),
    Answer("list", "answer = ['b']", "wrong", "not a list"),
    Answer("two-letters", "answer = 'b and d'", "wrong", "only one letter"),
    Answer("number", "answer = 2", "wrong", "letter in quotes"),
    Answer("bool", "answer = False", "wrong", "letter in quotes"),
    Answer("untouched", "answer = None  # \"a\", \"b\", \"c\" or \"d\"", "missing", "'b'"),
]


@pytest.mark.parametrize("answer", GUARD, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_main_guard(answer: Answer, language: str) -> None:
    speak(language)
    assert_verdict(grade(answer, "check.main_guard(answer)", {"check": check}), answer)


AMDAHL = [
    Answer("two-decimals", "speedup = 3.08", "right", r"3\.08x"),
    Answer("one-decimal", "speedup = 3.1", "right", r"3\.08x"),
    Answer("three-decimals", "speedup = 3.077", "right", r"3\.08x"),
    Answer("conclib-amdahl", "speedup = conclib.scaling.amdahl(4, serial=0.1)", "right", "below 10x"),
    Answer("fraction", "from fractions import Fraction\nspeedup = Fraction(40, 13)", "right", "below 10x"),
    Answer("whole-number", "speedup = 3", "wrong", "rounded to a whole number"),
    Answer("cores", "speedup = 4", "wrong", "all of the work to run in parallel"),
    Answer("product", "speedup = 0.9 * 4", "wrong", "Not a product"),
    Answer("new-time", "speedup = (1 - 0.9) + 0.9 / 4", "wrong", "1 divided by that"),
    Answer("infinite-cores", "speedup = 1 / (1 - 0.9)", "wrong", "infinitely many cores"),
    Answer("swapped", "speedup = 1 / (0.9 + 0.1 / 4)", "wrong", "swapped"),
    Answer("percent", "speedup = 307.7", "wrong", "percentage"),
    Answer("text", "speedup = '3.08'", "wrong", "without quotes"),
    Answer("too-big", "speedup = 7", "wrong", "never make a program more than 4x"),
    Answer("guess", "speedup = 2.5", "wrong", r"speedup = 1 / \(\(1 - p\) \+ p / k\)"),
    Answer("bool", "speedup = True", "wrong", "must be a number"),
    Answer("untouched", "speedup = None  # your answer", "missing", "a number"),
]


@pytest.mark.parametrize("answer", AMDAHL, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_amdahl(answer: Answer, language: str) -> None:
    speak(language)
    assert_verdict(grade(answer, "check.amdahl(speedup)", {"check": check, "conclib": conclib}), answer)


RUN = 'my_run = conclib.run("processes", my_task, [N // 10] * 2)'
OWN_TASK = [
    Answer("evens-three-jobs", "%%writefile evens.py\ndef count_down_by_two(n):\n    while n > 0:\n        n -= 2\n"
           "---\nfrom evens import count_down_by_two\nmy_task = count_down_by_two\n"
           'my_run = conclib.run("processes", my_task, [N // 10] * 3)', "right", r"ran in \d worker process"),
    Answer("same-name-as-conclib", "%%writefile mycount.py\ndef countdown(n):\n    while n:\n        n -= 1\n"
           f"---\nimport mycount\nmy_task = mycount.countdown\n{RUN}", "right", "from mycount"),
    Answer("module-attribute-and-workers", "%%writefile squares.py\ndef add_squares(n):\n"
           "    return sum(i * i for i in range(n))\n---\nimport squares\nmy_task = squares.add_squares\n"
           'my_run = conclib.run("processes", my_task, [N // 10] * 2, workers=2)', "right", "add_squares"),
    Answer("conclib-task", f"my_task = conclib.countdown\n{RUN}", "wrong", "comes with conclib"),
    Answer("cell-function", "def my_countdown(n):\n    while n:\n        n -= 1\nmy_task = my_countdown\n"
           "my_run = None", "wrong", "defined in a notebook cell"),
    Answer("threads-model", "%%writefile evens.py\ndef count_down_by_two(n):\n    while n > 0:\n        n -= 2\n"
           "---\nfrom evens import count_down_by_two\nmy_task = count_down_by_two\n"
           'my_run = conclib.run("threads", my_task, [N // 10] * 2)', "wrong", 'about model="processes"'),
    Answer("one-job", "%%writefile evens.py\ndef count_down_by_two(n):\n    while n > 0:\n        n -= 2\n"
           "---\nfrom evens import count_down_by_two\nmy_task = count_down_by_two\n"
           'my_run = conclib.run("processes", my_task, [N // 10])', "wrong", "at least two jobs"),
    Answer("task-as-text", "my_task = 'count_down_by_two'\nmy_run = None", "wrong", "the text"),
    Answer("run-not-called", "%%writefile evens.py\ndef count_down_by_two(n):\n    while n > 0:\n        n -= 2\n"
           "---\nfrom evens import count_down_by_two\nmy_task = count_down_by_two\nmy_run = conclib.run",
           "wrong", "what conclib.run"),
    Answer("table-not-run", "%%writefile evens.py\ndef count_down_by_two(n):\n    while n > 0:\n        n -= 2\n"
           f"---\nfrom evens import count_down_by_two\nmy_task = count_down_by_two\n{RUN}\n"
           "my_run = my_run.to_frame()", "wrong", "got a DataFrame"),
    Answer("other-task-run", "%%writefile evens.py\ndef count_down_by_two(n):\n    while n > 0:\n        n -= 2\n"
           "---\nfrom evens import count_down_by_two\nmy_task = count_down_by_two\n"
           'my_run = conclib.run("processes", conclib.countdown, [N // 10] * 2)', "wrong", "but my_task is"),
    Answer("task-not-a-function", "my_task = 42\nmy_run = None", "wrong", "must be a function"),
    Answer("run-missing", "%%writefile evens.py\ndef count_down_by_two(n):\n    while n > 0:\n        n -= 2\n"
           "---\nfrom evens import count_down_by_two\nmy_task = count_down_by_two\nmy_run = None",
           "missing", "Set `my_run`"),
    Answer("untouched", "my_task = None\nmy_run = None", "missing", "Set `my_task`"),
]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A notebook's folder: the learner's modules are written here and importable (also by workers)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if getattr(sys.modules[name], "__file__", "") and str(tmp_path) in str(sys.modules[name].__file__):
            del sys.modules[name]


@pytest.mark.parametrize("answer", OWN_TASK, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_own_task(answer: Answer, in_tmp: Path, language: str) -> None:
    speak(language)
    namespace: dict[str, Any] = {"check": check, "conclib": conclib, "N": 100_000, "__name__": "__main__"}
    *modules, answer_cell = (answer.code or "").split("\n---\n")  # the %%writefile cells come first
    for code in modules:
        run_cell(code, namespace)
    last = Answer(answer.id, answer_cell, answer.verdict, answer.pattern)
    assert_verdict(grade(last, "check.own_task(my_task, my_run)", namespace), answer)
