"""Learner-mistakes suite for 07-beyond-one-machine: every answer, its verdict, and what the message says."""

from __future__ import annotations

import dataclasses
import os
import sys
import types

import numpy as np
import pandas as pd
import pytest

import conclib
from conclib.checks import beyond_one_machine as check

from .learner import LANGUAGES, Answer, assert_verdict, grade, speak

MEASURED = {"work": 5.0, "overhead": 0.003, "workers": 2}  # as a busy 2-core machine measures them


@pytest.mark.parametrize("measured", [MEASURED, {"work": 0.5, "overhead": 0.003, "workers": 2},
                                      {"work": 3.0, "overhead": 0.5, "workers": 4},
                                      {"work": 0.01, "overhead": 0.05, "workers": 8}])
def test_chunks_reference_passes_and_agrees_with_a_brute_force_search(measured: dict, capsys) -> None:
    workers = measured["workers"]
    times = {k: check.predicted_seconds(k, **measured) for k in range(1, 400)}
    best = min(times.values())
    for k, seconds in times.items():  # every answer near the best passes, every other one fails
        assert bool(check.chunks(k, **measured)) == (seconds <= best * (1 + check.TOLERANCE)), k
    capsys.readouterr()
    if measured["overhead"] < measured["work"] / workers:
        assert check.chunks(workers, **measured)  # the reference solution: one task per worker
        assert "Right" in capsys.readouterr().out


CHUNKS_CELL = 'check.chunks(n_tasks, work=work, overhead=overhead["dask"], workers=len(workers))'
#: What the notebook's cells above the exercise made, as a busy 2-core machine measures them.
TABLE = pd.DataFrame({"workers": [1, 2, 4, 64, 512], "median": [5.0, 2.6, 2.55, 3.1, 6.2]})
TABLE["speedup"] = TABLE["median"].iloc[0] / TABLE["median"]

CHUNKS = [
    # right answers that differ from the reference solution
    Answer("two-per-worker", "n_tasks = 2 * len(workers)", "right", "4 task"),
    Answer("best-of-the-table", 'n_tasks = chunks.loc[chunks["speedup"].idxmax(), "workers"]', "right",
           "predicted 2.506 s"),
    Answer("literal", "n_tasks = 6", "right", "the best possible is 2.503 s"),
    Answer("whole-float", "n_tasks = 2.0", "right", "2 task"),
    Answer("numpy-int", "n_tasks = np.int64(len(workers))", "right", "Every worker is busy"),
    # wrong answers
    Answer("untouched", "n_tasks = None  # your answer: a whole number", "missing", "whole number"),
    Answer("ellipsis", "n_tasks = ...", "missing", "how many tasks"),
    Answer("one-task", "n_tasks = 1", "wrong", "only 1 of the 2 workers get work"),
    Answer("odd", "n_tasks = 3", "wrong", r"in the last round only 1 worker\(s\) have a task"),
    Answer("most-of-the-table", 'n_tasks = int(chunks["workers"].max())', "wrong", "Use fewer, bigger tasks"),
    Answer("one-per-step", "n_tasks = 10_000", "wrong", "Use fewer, bigger tasks"),
    Answer("zero", "n_tasks = 0", "wrong", "must be a whole number >= 1"),
    Answer("negative", "n_tasks = -2", "wrong", "must be a whole number >= 1"),
    Answer("text", "n_tasks = '2'", "wrong", "the text '2'.*without quotes"),
    Answer("the-list", "n_tasks = workers", "wrong", r"a list of 2 item\(s\).*len\(workers\)"),
    Answer("half", "n_tasks = 2.5", "wrong", "must be a whole number"),
    Answer("bool", "n_tasks = True", "wrong", "must be a whole number"),
    Answer("ratio", "n_tasks = work / overhead['dask']", "wrong", "must be a whole number"),
]


@pytest.mark.parametrize("answer", CHUNKS, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_chunks(answer: Answer, language: str) -> None:
    speak(language)
    namespace = {"check": check, "np": np, "chunks": TABLE, "work": MEASURED["work"],
                 "overhead": {"dask": MEASURED["overhead"]}, "workers": ["tcp://127.0.0.1:40001", "tcp://127.0.0.1:40002"]}
    assert_verdict(grade(answer, CHUNKS_CELL, namespace), answer)


@pytest.mark.parametrize("bad", [{"work": 0}, {"overhead": float("nan")}, {"workers": 0}, {"workers": 1.5}])
def test_chunks_refuses_bad_measurements_with_the_parameter_name(bad: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(bad))):
        check.chunks(2, **(MEASURED | bad))


def _run(**changes: object) -> conclib.Run:
    job = conclib.JobRecord(job=0, args=(10,), pid=os.getpid() + 1, thread_id=1, start=0.0, end=1.0, cpu=1.0,
                            worker="127.0.0.1:40000")
    run = conclib.Run(model="dask", task="count_down_by_two", jobs=(job, dataclasses.replace(job, job=1)),
                      start=0.0, end=1.0, n_jobs=2)
    return dataclasses.replace(run, **changes)  # type: ignore[arg-type]


CELL_RUN = [
    # right answers that differ from the reference solution
    Answer("lambda", "cell_run = make_run(task='<lambda>')", "right", "'<lambda>' ran 2 times"),
    Answer("own-function-named-like-conclibs", "def countdown(n):\n    while n > 0:\n        n -= 2\n"
           "cell_run = make_run(task='countdown')", "right", "Your function 'countdown' ran"),
    Answer("three-jobs", "cell_run = make_run(n_jobs=3)", "right", "ran 3 times"),
    Answer("other-name", "cell_run = make_run(task='halve')", "right", "by value"),
    # wrong answers
    Answer("untouched", "cell_run = None  # your code here", "missing", 'conclib.run\\("dask"'),
    Answer("text", "cell_run = 'a run'", "wrong", r"must be what conclib\.run\(\.\.\.\) returns.*got a str"),
    Answer("not-called", "cell_run = conclib.run", "wrong", r"function 'run' itself, not a run"),
    Answer("the-table", "cell_run = make_run().to_frame()", "wrong", "got a DataFrame"),
    Answer("a-list", "cell_run = [make_run()]", "wrong", "got a list"),
    Answer("processes", "cell_run = make_run(model='processes')", "wrong", 'the exercise is about model="dask"'),
    Answer("conclibs-countdown", "cell_run = make_run(task='countdown')", "wrong", "comes with conclib"),
    Answer("conclibs-io-wait", "cell_run = make_run(task='io_wait')", "wrong", "comes with conclib"),
    Answer("failed", "cell_run = make_run(status='failed')", "wrong", "status 'failed'"),
    Answer("interrupted", "cell_run = make_run(status='interrupted')", "wrong", r"cell_run\.to_frame\(\)"),
    Answer("one-job", "cell_run = make_run(n_jobs=1)", "wrong", "at least two jobs"),
    Answer("in-this-process", "cell_run = make_run(pid=os.getpid())", "wrong", "this notebook's own process"),
]


def _make_run(pid: int | None = None, **changes: object) -> conclib.Run:
    run = _run(**changes)
    if pid is not None:
        run = dataclasses.replace(run, jobs=tuple(dataclasses.replace(job, pid=pid) for job in run.jobs))
    return run


@pytest.mark.parametrize("answer", CELL_RUN, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_cell_function_run(answer: Answer, monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    speak(language)
    main = types.ModuleType("__main__")  # a notebook's cells run in __main__
    monkeypatch.setitem(sys.modules, "__main__", main)
    main.__dict__.update({"check": check, "conclib": conclib, "os": os, "make_run": _make_run})
    assert_verdict(grade(answer, "check.cell_function_run(cell_run)", main.__dict__), answer)


def test_an_answer_cell_never_run_gets_a_hint() -> None:
    from conclib.checks import name_error_hint

    for name in ("n_tasks", "cell_run"):
        assert "is not defined: run the cell above" in (name_error_hint(name) or "")
