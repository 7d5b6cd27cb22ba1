"""The free-threaded build: what machine_info() reports, and the GIL experiments in a fresh Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import conclib
from conclib import freethreading, machine

FREE_THREADED = freethreading.find_free_threaded_python()
needs_free_threaded = pytest.mark.skipif(
    FREE_THREADED is None,
    reason="no free-threaded Python here (python3.14t or python3.15t on PATH, or "
           "$CONCLIB_FREE_THREADED_PYTHON): its real runs cannot be tested on this machine",
)


# ---------------------------------------------------------------- machine_info: the branch logic


@pytest.mark.parametrize(("config", "build"), [(1, True), (0, False), (None, False)])
def test_the_build_comes_from_py_gil_disabled(config: int | None, build: bool, monkeypatch) -> None:
    real = sysconfig.get_config_var
    monkeypatch.setattr(sysconfig, "get_config_var", lambda name: config if name == "Py_GIL_DISABLED" else real(name))
    assert machine.free_threaded_build() is build
    assert conclib.machine_info(measure=False)["free_threaded_build"] is build


@pytest.mark.parametrize("now", [True, False])
def test_gil_enabled_asks_sys_where_it_can(now: bool, monkeypatch) -> None:
    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: now, raising=False)
    assert conclib.machine_info(measure=False)["gil_enabled"] is now


def test_before_3_13_the_gil_is_always_on(monkeypatch) -> None:
    monkeypatch.delattr(sys, "_is_gil_enabled", raising=False)
    assert conclib.machine_info(measure=False)["gil_enabled"] is True


def test_machine_info_reports_this_python() -> None:
    info = conclib.machine_info(measure=False)
    assert info["free_threaded_build"] is bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    if not info["free_threaded_build"]:
        assert info["gil_enabled"] is True  # a default build cannot turn its GIL off


# ---------------------------------------------------------------- a free-threaded Python, for real


def _machine_info_in(python: str, gil: int) -> dict:
    code = "import json, conclib; print(json.dumps(conclib.machine_info(measure=False)))"
    env = {**os.environ, "PYTHON_GIL": str(gil), "PYTHONPATH": str(Path(conclib.__file__).parent.parent)}
    done = subprocess.run([python, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


@needs_free_threaded
@pytest.mark.parametrize(("gil", "enabled"), [(0, False), (1, True)])
def test_a_free_threaded_python_reports_its_build_and_gil(gil: int, enabled: bool) -> None:
    assert FREE_THREADED is not None
    info = _machine_info_in(FREE_THREADED, gil)
    assert info["free_threaded_build"] is True and info["gil_enabled"] is enabled


@needs_free_threaded
def test_the_ab_runs_both_sides_in_a_free_threaded_python() -> None:
    assert FREE_THREADED is not None
    rows = freethreading.gil_ab(FREE_THREADED, 200_000, repeat=2)
    assert [row["PYTHON_GIL"] for row in rows] == [0, 1, 1, 0]
    assert all(row["gil_enabled"] is bool(row["PYTHON_GIL"]) for row in rows)


# ---------------------------------------------------------------- finding one


def test_the_variable_must_name_a_free_threaded_python(monkeypatch) -> None:
    if machine.free_threaded_build():
        pytest.skip("this Python is free-threaded itself")
    monkeypatch.setenv(freethreading.VARIABLE, sys.executable)
    with pytest.raises(ValueError, match=r"CONCLIB_FREE_THREADED_PYTHON=.* is a Python with the GIL built in"):
        freethreading.find_free_threaded_python()
    monkeypatch.setenv(freethreading.VARIABLE, "no-such-python3.14t")
    with pytest.raises(ValueError, match=r"CONCLIB_FREE_THREADED_PYTHON='no-such-python3.14t' could not be run"):
        freethreading.find_free_threaded_python()


def test_without_one_the_finder_says_none(monkeypatch) -> None:
    if machine.free_threaded_build():
        pytest.skip("this Python is free-threaded itself")
    monkeypatch.delenv(freethreading.VARIABLE, raising=False)
    monkeypatch.setenv("PATH", "")  # nothing to find
    assert freethreading.find_free_threaded_python() is None


# ---------------------------------------------------------------- the experiments, in this Python


def test_the_countdown_experiment_reports_both_timings() -> None:
    row = freethreading.run_experiment("countdown", 100_000)
    assert row["python"] == sys.version.split()[0]
    assert row["free_threaded_build"] is machine.free_threaded_build()
    assert row["one_thread"] > 0 and row["two_threads"] > 0


def test_the_counter_experiment_keeps_every_update_with_the_lock() -> None:
    unlocked, locked = freethreading.run_experiment("counter", 20_000)
    assert unlocked["locked"] is False and locked["locked"] is True
    assert locked["balance"] == locked["expected"] == 40_000
    assert 0 < unlocked["balance"] <= unlocked["expected"]  # some updates may be lost, never extra ones


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"what": "count"}, "what must be 'countdown' or 'counter'"),
    ({"size": 0}, "size must be a whole number >= 1"),
    ({"size": 1.5}, "size must be a whole number >= 1"),
    ({"gil": 2}, "gil must be None, 0"),
])
def test_bad_experiment_input_is_refused(kwargs: dict, words: str) -> None:
    args = {"what": "countdown", "size": 10, **kwargs}
    with pytest.raises(ValueError, match=words):
        freethreading.run_experiment(**args)


def test_bad_repeat_is_refused() -> None:
    with pytest.raises(ValueError, match="repeat must be a whole number >= 1"):
        freethreading.gil_ab(sys.executable, 10, repeat=0)


def test_the_thresholds_agree_with_reading() -> None:
    from conclib import reading

    assert 2 / freethreading.AT_ONCE >= reading.SIDE_BY_SIDE  # "at the same time": the threads ran side by side
    assert freethreading.AT_ONCE < freethreading.IN_TURNS


@pytest.mark.parametrize(("ratio", "capacity", "words"), [
    (1.05, 2.0, "ran at the same time"),
    (1.3, 2.0, "ran at the same time"),
    (1.95, 2.0, "took turns, one at a time."),
    (1.95, 1.1, "only 1.1 CPUs at once"),
    (1.5, 2.0, "run it again"),
])
def test_the_sentence_follows_the_ratio(ratio: float, capacity: float, words: str) -> None:
    sentence = freethreading.two_threads_sentence(ratio, capacity)
    assert words in sentence and f"{ratio:.2f}x" in sentence


def test_relation() -> None:
    assert freethreading.relation("a", 1.1, "b", 1.0) == "a took about the same time as b (1.10x)"
    assert freethreading.relation("a", 1.0, "b", 1.2) == "a took about the same time as b (0.83x)"  # 20% both ways
    assert freethreading.relation("a", 1.1, "b", 1.0, tolerance=0.05) == "a took 1.10x the time of b"
    assert freethreading.relation("a", 2.0, "b", 1.0) == "a took 2.00x the time of b"
    assert freethreading.relation("a", 0.5, "b", 1.0) == "a took 0.50x the time of b"
