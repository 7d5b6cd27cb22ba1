"""The lesson checks of notebooks 01-02: the reference answers pass, wrong and missing ones get a helpful message."""

from __future__ import annotations

import os
import threading
import time

import pytest

import conclib
from conclib.checks import threads as check

# ------------------------------------------------------------------ check_same_pid

def test_same_pid_reference_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.check_same_pid(threads=True, processes=False)
    assert capsys.readouterr().out.startswith("✅")


@pytest.mark.parametrize(("threads", "processes", "text"), [
    (None, None, "Not answered yet"),
    (True, None, "Not answered yet"),
    ("yes", False, "threads must be True or False"),
    (False, False, "same PID as os.getpid()"),
    (True, True, "its own PID"),
])
def test_same_pid_wrong_or_missing(threads: object, processes: object, text: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert not check.check_same_pid(threads=threads, processes=processes)
    assert text in capsys.readouterr().out


def test_same_pid_matches_a_real_run() -> None:
    threads = conclib.run("threads", conclib.countdown, [10] * 2).to_frame()
    assert set(threads["pid"]) == {os.getpid()}


# ------------------------------------------------------------------ check_started_and_joined

def test_started_and_joined_reference_passes(capsys: pytest.CaptureFixture[str]) -> None:
    ts = [threading.Thread(target=conclib.countdown, args=(1000,)) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert check.check_started_and_joined(ts)
    assert "3 threads were started" in capsys.readouterr().out


def test_started_and_joined_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check.check_started_and_joined(None)
    assert "Not answered yet" in capsys.readouterr().out


def test_started_and_joined_not_started(capsys: pytest.CaptureFixture[str]) -> None:
    ts = [threading.Thread(target=conclib.countdown, args=(10,)) for _ in range(3)]
    assert not check.check_started_and_joined(ts)
    assert "never started: call its start() method" in capsys.readouterr().out


def test_started_and_joined_not_joined(capsys: pytest.CaptureFixture[str]) -> None:
    go = threading.Event()
    ts = [threading.Thread(target=go.wait, args=(10,)) for _ in range(3)]
    for t in ts:
        t.start()
    try:
        assert not check.check_started_and_joined(ts)
        assert "call join() on every thread" in capsys.readouterr().out
    finally:
        go.set()
        for t in ts:
            t.join()


@pytest.mark.parametrize(("answer", "text"), [
    ("threads", "must be a list"),
    ([threading.Thread()], "asks for 3 threads; your list has 1"),
    ([threading.Thread(), threading.Thread(), "t"], "threads[2] is a str"),
])
def test_started_and_joined_wrong_shape(answer: object, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert not check.check_started_and_joined(answer)
    assert text in capsys.readouterr().out


# ------------------------------------------------------------------ check_clock

def test_clock_reference_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.check_clock(time.perf_counter)
    assert "made for measuring durations" in capsys.readouterr().out


@pytest.mark.parametrize(("clock", "text"), [
    (None, "Not answered yet"),
    (time.time, "may adjust it"),
    (time.monotonic, "resolution can be coarse"),
    (time.process_time, "counts CPU time"),
    (time.thread_time, "counts CPU time"),
    (print, "not one of the clocks"),
])
def test_clock_wrong_or_missing(clock: object, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert not check.check_clock(clock)
    assert text in capsys.readouterr().out


# ------------------------------------------------------------------ check_gil_reason

@pytest.mark.parametrize("answer", ["b", " B "])
def test_gil_reason_reference_passes(answer: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert check.check_gil_reason(answer)
    assert "one thread at a time" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "text"), [
    (None, "Not answered yet"),
    ("e", "answer must be one of"),
    ("a", "does no I/O"),
    ("c", "microseconds"),
    ("d", "different cores"),
])
def test_gil_reason_wrong_or_missing(answer: object, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert not check.check_gil_reason(answer)
    assert text in capsys.readouterr().out


def test_checks_return_verdicts_and_never_raise() -> None:
    for fn in (check.check_same_pid, check.check_started_and_joined, check.check_clock, check.check_gil_reason):
        verdict = fn()
        assert not verdict
        assert "Not answered yet" in repr(verdict)
