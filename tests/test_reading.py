"""``conclib.reading``: synthetic measurements read as faster, slower or about the same."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from conclib import reading
from conclib.reading import FASTER, MIN_TOLERANCE, ONE_RUN_TOLERANCE, SAME, SLOWER


def test_clearly_faster() -> None:
    c = reading.compare_times([1.0, 1.02, 0.98], [2.0, 2.04, 1.97], "processes", "sequential")
    assert c.verdict == FASTER
    assert c.speedup == pytest.approx(2.0)
    assert c.tolerance == pytest.approx(MIN_TOLERANCE)
    assert str(c).startswith("processes were 2.00x faster than sequential")
    assert "10%" in str(c)


def test_clearly_slower() -> None:
    c = reading.compare_times([3.0, 3.1, 2.9], [2.0, 2.0, 2.05], "threads", "sequential")
    assert c.verdict == SLOWER
    assert c.speedup == pytest.approx(2 / 3)
    assert "threads took 1.50x the time of sequential: slower" in str(c)


def test_small_difference_is_the_same_within_the_floor() -> None:
    c = reading.compare_times([1.0, 1.01, 0.99], [1.07, 1.06, 1.08], "threads", "sequential")
    assert c.verdict == SAME
    assert "about the same time (1.07x, within the 10% run-to-run tolerance)" in str(c)


def test_noisy_runs_widen_the_tolerance() -> None:
    # a 30% difference, but A's runs range over 50% of their median: not enough to call it
    c = reading.compare_times([1.0, 1.5, 1.0], [1.3, 1.3, 1.3])
    assert c.tolerance == pytest.approx(0.5)
    assert c.verdict == SAME
    # the same difference with quiet runs is a real one
    assert reading.compare_times([1.0, 1.0, 1.0], [1.3, 1.3, 1.3]).verdict == FASTER


def test_a_tie_is_always_the_same() -> None:
    assert reading.compare_times([2.0, 2.0], [2.0, 2.0]).verdict == SAME
    assert reading.compare_times(2.0, 2.0).verdict == SAME
    assert reading.verdict(1.0, 0.0) == SAME


def test_the_boundary_is_not_yet_a_difference() -> None:
    assert reading.verdict(1.25, 0.25) == SAME
    assert reading.verdict(1 / 1.25, 0.25) == SAME
    assert reading.verdict(1.2501, 0.25) == FASTER
    assert reading.verdict(1 / 1.2501, 0.25) == SLOWER
    assert reading.compare_times([1.0], [1.25], min_tolerance=0.25).verdict == SAME


def test_one_run_only_uses_the_wider_tolerance() -> None:
    c = reading.compare_times(1.0, 1.15)
    assert c.tolerance == pytest.approx(ONE_RUN_TOLERANCE)
    assert c.verdict == SAME  # 15% would count with quiet repeated runs, not with one run
    assert reading.compare_times([1.0, 1.0], [1.15, 1.15]).verdict == FASTER
    assert reading.compare_times([1.0], [1.5, 1.5]).verdict == FASTER
    assert reading.spread([3.0]) is None


def test_symmetry() -> None:
    a, b = [1.0, 1.1, 0.95], [1.6, 1.7, 1.55]
    forward, backward = reading.compare_times(a, b), reading.compare_times(b, a)
    assert forward.speedup == pytest.approx(1 / backward.speedup)
    assert {forward.verdict, backward.verdict} == {FASTER, SLOWER}
    assert forward.tolerance == backward.tolerance


def test_compare_ratio() -> None:
    assert reading.compare_ratio(1.07, 0.05).verdict == SAME
    assert reading.compare_ratio(1.5, 0.05).verdict == FASTER
    assert reading.compare_ratio(0.5, None).verdict == SLOWER
    assert reading.compare_ratio(1.07).tolerance == ONE_RUN_TOLERANCE


def test_compare_rows_reads_a_summary_table() -> None:
    table = pd.DataFrame({"median": [2.0, 2.1, 1.0], "min": [1.95, 2.0, 0.98], "max": [2.05, 2.2, 1.05],
                          "runs": [3, 3, 3]}, index=pd.Index(["sequential", "threads", "processes"],
                                                             name="model"))
    assert reading.compare_rows(table, "processes", "sequential").verdict == FASTER
    assert reading.compare_rows(table, "threads", "sequential").verdict == SAME
    one = table.assign(runs=1)
    assert reading.compare_rows(one, "threads", "sequential").tolerance == ONE_RUN_TOLERANCE
    with pytest.raises(ValueError, match="no row 'thread'.*'threads'"):
        reading.compare_rows(table, "thread", "sequential")


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"subject_times": [], "baseline_times": [1.0]}, ValueError, "subject_times must hold at least one"),
    ({"subject_times": [1.0], "baseline_times": [0.0]}, ValueError, "baseline_times must hold times > 0"),
    ({"subject_times": [-1.0], "baseline_times": [1.0]}, ValueError, "-1.0"),
    ({"subject_times": [math.nan], "baseline_times": [1.0]}, ValueError, "finite"),
    ({"subject_times": [1.0], "baseline_times": ["2"]}, TypeError, "baseline_times must hold numbers"),
    ({"subject_times": [True], "baseline_times": [1.0]}, TypeError, "True"),
    ({"subject_times": None, "baseline_times": [1.0]}, TypeError, "subject_times must be a number"),
    ({"subject_times": [1.0], "baseline_times": [1.0], "min_tolerance": -0.1}, ValueError,
     "min_tolerance must be a number >= 0"),
])
def test_bad_input_names_the_parameter(kwargs: dict, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        reading.compare_times(**kwargs)


@pytest.mark.parametrize("bad", [0, -1.0, math.inf, "2", None, True])
def test_bad_speedup(bad: object) -> None:
    with pytest.raises(ValueError, match="speedup must be a number > 0"):
        reading.verdict(bad, 0.1)  # type: ignore[arg-type]


def test_read_speedup_against_capacity() -> None:
    full = reading.read_speedup(1.95, workers=2, capacity=2.0, spread_=0.05)
    assert full.verdict == "as high as possible" and full.possible == 2.0
    assert "reached all of it" in str(full)
    short = reading.read_speedup(1.5, workers=2, capacity=2.0, spread_=0.05)
    assert short.verdict == "below what was possible"
    assert short.share == pytest.approx(0.75)
    assert "only 75% of it" in str(short) and "starting the workers" in str(short)
    above = reading.read_speedup(1.9, workers=2, capacity=1.1, spread_=0.05)
    assert above.verdict == "above the measured capacity" and above.possible == 1.1
    # more workers than the capacity: the capacity is the limit
    assert reading.read_speedup(1.9, workers=8, capacity=2.0, spread_=0.05).possible == 2.0
    # one worker, or a capacity below one: nothing better than 1x was possible
    assert reading.read_speedup(1.0, workers=1, capacity=2.0).verdict == "as high as possible"
    assert reading.read_speedup(1.0, workers=2, capacity=0.8).possible == 1.0


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"speedup": 1.5, "workers": 0, "capacity": 2.0}, "workers must be a whole number >= 1, got 0"),
    ({"speedup": 1.5, "workers": 2.0, "capacity": 2.0}, "workers must be a whole number"),
    ({"speedup": 1.5, "workers": 2, "capacity": None}, "capacity must be a number > 0"),
    ({"speedup": 0, "workers": 2, "capacity": 2.0}, "speedup must be a number > 0"),
    ({"speedup": 1.5, "workers": 2, "capacity": 2.0, "spread_": -1}, "spread_ must be a number >= 0"),
])
def test_read_speedup_bad_input(kwargs: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        reading.read_speedup(**kwargs)


@pytest.mark.parametrize(("capacity", "gil", "words"), [
    (1.96, True, "about 2.0 busy processes really run at once"),
    (1.02, True, "only about 1.0 CPUs between them, so they mostly take turns"),
    (None, True, "could not be measured"),
    (2.0, False, "no GIL"),
])
def test_describe_capacity(capacity: float | None, gil: bool, words: str) -> None:
    info = {"logical_cpus": 4, "usable_cpus": 2, "parallel_capacity": capacity, "gil_enabled": gil}
    text = reading.describe_capacity(info)
    assert words in text
    assert "2 of the 4 logical CPUs" in text
    assert ("one at a time" in text) == gil


def test_where_time_went_reads_the_runs_own_records() -> None:
    from conclib._base import JobRecord, Run

    jobs = tuple(JobRecord(job=i, args=(1,), pid=1, thread_id=i, start=10.2, end=end, cpu=cpu, total=1.0,
                           samples=(), status="ok", worker=f"process-{i}")
                 for i, (end, cpu) in enumerate([(11.2, 1.0), (11.7, 1.5)]))
    run = Run(model="processes", task="countdown", jobs=jobs, start=10.0, end=12.0, n_jobs=2, status="ok",
              machine={})
    lines = reading.where_time_went(run, capacity=1.3)
    assert lines[0].startswith("starting: the first job began 0.20 s") and "(10% of the 2.00 s)" in lines[0]
    assert "ended 0.50 s after the first one (25% of the run)" in lines[1]
    assert "1.25 CPU seconds per second" in lines[2] and "would use 2" in lines[2]
    assert "about 1.3 CPUs" in lines[3]
    assert len(reading.where_time_went(run)) == 3
    with pytest.raises(ValueError, match="at least one job"):
        reading.where_time_went(None)
