"""The lesson checks of notebook 07: the reference answers pass, wrong and missing ones get a helpful message."""

from __future__ import annotations

import dataclasses
import os

import pytest

import conclib
from conclib.checks import beyond_one_machine as check

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


@pytest.mark.parametrize(("answer", "text"), [
    (None, "Not answered yet"),
    (..., "Not answered yet"),
    (2.0, "must be a whole number"),
    (0, "must be a whole number >= 1"),
    (True, "must be a whole number"),
    (1, "only 1 of the 2 workers get work"),
    (3, "in the last round only 1 worker(s) have a task"),
    (10_000, "Use fewer, bigger tasks"),
])
def test_chunks_wrong_or_missing(answer: object, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert not check.chunks(answer, **MEASURED)  # type: ignore[arg-type]
    assert text in capsys.readouterr().out


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


def test_cell_function_run_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.cell_function_run(_run())
    assert "127.0.0.1:40000" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "text"), [
    (None, "Not answered yet"),
    ("a run", "must be what conclib.run(...) returns"),
    (_run(model="processes"), 'the exercise is about model="dask"'),
    (_run(task="countdown"), "comes with conclib"),
    (_run(status="failed"), "status 'failed'"),
    (_run(n_jobs=1), "at least two jobs"),
])
def test_cell_function_run_wrong_or_missing(answer: object, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert not check.cell_function_run(answer)
    assert text in capsys.readouterr().out


def test_cell_function_run_refuses_a_job_in_this_process(capsys: pytest.CaptureFixture[str]) -> None:
    run = _run()
    run = dataclasses.replace(run, jobs=(dataclasses.replace(run.jobs[0], pid=os.getpid()), run.jobs[1]))
    assert not check.cell_function_run(run)
    assert "this notebook's own process" in capsys.readouterr().out
