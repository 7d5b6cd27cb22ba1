"""The checks of 04-threads-or-processes: right answers pass, wrong and missing ones explain."""

from __future__ import annotations

import pandas as pd
import pytest

from conclib.checks import choosing


def table(**medians: float) -> pd.DataFrame:
    """A table shaped like conclib.compare's: indexed by model, with median and speedup."""
    frame = pd.DataFrame({"median": medians}).rename_axis("model")
    frame["speedup"] = frame.loc["sequential", "median"] / frame["median"]
    return frame


TWO_CORES = table(sequential=4.0, threads=4.2, processes=2.1, asyncio=4.0)
IO = table(sequential=4.0, threads=0.52, processes=0.8, asyncio=0.51)
ONE_CORE = table(sequential=4.0, threads=4.2, processes=4.3, asyncio=4.0)
SHORT_JOBS = table(sequential=0.1, threads=0.1, processes=0.4, asyncio=0.1)
REFERENCE = {task: kind for task, (kind, _) in choosing.TASKS.items()}


@pytest.fixture(autouse=True)
def capacity(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real measurement in these tests: pretend a machine with one usable core."""
    import conclib.machine

    monkeypatch.setattr(conclib.machine, "parallel_capacity", lambda: 1.0)


def test_classify_reference_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert choosing.classify(REFERENCE)
    assert "✅" in capsys.readouterr().out


def test_classify_accepts_spelling_variants() -> None:
    answer = {task: {"io": "I/O-bound", "cpu": "CPU"}[kind] for task, kind in REFERENCE.items()}
    assert choosing.classify(answer)


@pytest.mark.parametrize("answer", [None, {}, dict.fromkeys(REFERENCE), dict.fromkeys(REFERENCE, ...)])
def test_classify_unanswered(answer: object) -> None:
    verdict = choosing.classify(answer)
    assert not verdict and "Not answered yet" in verdict.message and '"io" or "cpu"' in verdict.message


def test_classify_partly_answered_names_the_blanks() -> None:
    answer = dict(REFERENCE, **{"download 50 web pages": ...})
    verdict = choosing.classify(answer)
    assert not verdict and "1 task(s) still have no answer" in verdict.message
    assert "download 50 web pages" in verdict.message


def test_classify_wrong_names_each_mistake_and_why() -> None:
    answer = dict(REFERENCE, **{"download 50 web pages": "cpu", "find all primes below 10 million": "io"})
    verdict = choosing.classify(answer)
    assert not verdict and f"{len(REFERENCE) - 2} of {len(REFERENCE)} right" in verdict.message
    assert '"download 50 web pages" is IO-bound: it spends its time waiting' in verdict.message
    assert '"find all primes below 10 million" is CPU-bound' in verdict.message


def test_classify_bad_values_and_keys() -> None:
    assert "neither" in choosing.classify(dict(REFERENCE, **{"download 50 web pages": "fast"})).message
    assert "missing" in choosing.classify({"download 50 web pages": "io"}).message
    assert "typo" in choosing.classify(dict(REFERENCE, extra="io")).message
    assert "should be a dict" in choosing.classify(["io"]).message


def test_winner_reference_passes() -> None:
    assert choosing.winner({"cpu": "processes", "io": "threads"}, TWO_CORES, IO)
    assert choosing.winner({"cpu": "processes", "io": "asyncio"}, TWO_CORES, IO)


def test_winner_within_noise_counts() -> None:
    assert choosing.winner({"cpu": "sequential", "io": "asyncio"}, ONE_CORE, IO)
    assert choosing.winner({"cpu": "threads", "io": "threads"}, ONE_CORE, IO)


def test_winner_wrong_explains_with_the_measured_numbers() -> None:
    verdict = choosing.winner({"cpu": "threads", "io": "sequential"}, TWO_CORES, IO)
    assert not verdict
    assert "you picked 'threads', but it took 2.00x the time of 'processes'" in verdict.message
    assert "GIL" in verdict.message and "the waits add up" in verdict.message
    assert "processes 1.90x" in verdict.message


def test_winner_processes_on_one_core_names_the_capacity(monkeypatch: pytest.MonkeyPatch) -> None:
    verdict = choosing.winner({"cpu": "processes", "io": "threads"}, ONE_CORE, IO)
    assert verdict and "could not run them at once (measured parallel capacity: 1.0 cores)" in verdict.message
    import conclib.machine

    monkeypatch.setattr(conclib.machine, "parallel_capacity", lambda: 2.0)
    verdict = choosing.winner({"cpu": "processes", "io": "threads"}, SHORT_JOBS, IO)
    assert not verdict and "took 4.00x the time of 'sequential'" in verdict.message
    assert "starting processes takes time" in verdict.message


@pytest.mark.parametrize("prediction", [None, {"cpu": None, "io": None}, {"cpu": ..., "io": ...}])
def test_winner_unanswered(prediction: object) -> None:
    verdict = choosing.winner(prediction, TWO_CORES, IO)
    assert not verdict and "Not answered yet" in verdict.message and "'processes'" in verdict.message


def test_winner_half_answered_and_bad_input() -> None:
    assert 'prediction["io"] has no answer' in choosing.winner({"cpu": "threads", "io": None}, TWO_CORES, IO).message
    assert "must be one of" in choosing.winner({"cpu": "thread", "io": "asyncio"}, TWO_CORES, IO).message
    assert "exactly two keys" in choosing.winner({"cpu": "threads"}, TWO_CORES, IO).message
    assert "Run the two measurement cells" in choosing.winner({"cpu": "threads", "io": "asyncio"}, None, IO).message


@pytest.mark.skipif("interpreters" not in __import__("conclib").MODELS, reason="needs Python 3.14+")
def test_winner_knows_interpreters_where_python_has_them() -> None:
    cpu = table(sequential=4.0, threads=4.2, processes=2.1, asyncio=4.0, interpreters=2.0)
    io = table(sequential=4.0, threads=0.52, processes=0.8, asyncio=0.51, interpreters=1.5)
    assert choosing.winner({"cpu": "interpreters", "io": "threads"}, cpu, io)
    verdict = choosing.winner({"cpu": "threads", "io": "interpreters"}, cpu, io)
    assert not verdict and "its own GIL" in verdict.message and "starting a subinterpreter" in verdict.message
