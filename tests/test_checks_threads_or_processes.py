"""Learner-mistakes suite for 04-threads-or-processes: every answer, its verdict, and what the message says."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conclib.checks import threads_or_processes as check

from .learner import LANGUAGES, Answer, assert_verdict, grade, speak


def table(**medians: float) -> pd.DataFrame:
    """A table shaped like conclib.compare's: indexed by model, with median and speedup."""
    frame = pd.DataFrame({"median": medians}).rename_axis("model")
    frame["speedup"] = frame.loc["sequential", "median"] / frame["median"]
    return frame


TWO_CORES = table(sequential=4.0, threads=4.2, processes=2.1, asyncio=4.0)
ONE_CORE = table(sequential=4.0, threads=4.1, processes=4.3, asyncio=4.0)
IO = table(sequential=1.7, threads=0.22, processes=0.45, asyncio=0.21)


@pytest.fixture(autouse=True)
def capacity(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real measurement in these tests: pretend a machine with one usable core."""
    import conclib.machine

    monkeypatch.setattr(conclib.machine, "parallel_capacity", lambda: 1.0)


def kinds_code(**overrides: str) -> str:
    """The answer cell with every task answered right, except ``overrides`` (task -> code of the value)."""
    lines = []
    for task, (kind, _) in check.TASKS.items():
        lines.append(f"    {task!r}: {overrides.get(task, repr(kind))},")
    return "kinds = {\n" + "\n".join(lines) + "\n}"


TASK = list(check.TASKS)
CLASSIFY = [
    Answer("capitals", kinds_code(**{t: repr(k.upper()) for t, (k, _) in check.TASKS.items()}), "right", "All 8"),
    Answer("bound-words", kinds_code(**{t: repr({"io": "I/O-bound", "cpu": "CPU bound"}[k])
                                        for t, (k, _) in check.TASKS.items()}), "right", "All 8"),
    Answer("underscores-and-slashes", kinds_code(**{t: repr({"io": "io_bound", "cpu": "cpu-bound"}[k])
                                                    for t, (k, _) in check.TASKS.items()}), "right", "All 8"),
    Answer("input-output", kinds_code(**{t: repr("Input/Output") for t, (k, _) in check.TASKS.items()
                                         if k == "io"}), "right", "All 8"),
    Answer("all-io", kinds_code(**{t: "'io'" for t in TASK}), "wrong", r"4 of 8 right.*is CPU-bound"),
    Answer("all-cpu", kinds_code(**{t: "'cpu'" for t in TASK}), "wrong", r"4 of 8 right.*is I/O-bound"),
    Answer("one-swapped", kinds_code(**{TASK[7]: "'io'"}), "wrong", r"7 of 8 right.*2 GB text.*only the CPU works"),
    Answer("tools-not-kinds", kinds_code(**{t: repr({"io": "threads", "cpu": "processes"}[k])
                                            for t, (k, _) in check.TASKS.items()}), "wrong", "tools, not kinds"),
    Answer("neither", kinds_code(**{TASK[0]: "'network'"}), "wrong", "neither"),
    Answer("bool", kinds_code(**{TASK[0]: "True"}), "wrong", "neither"),
    Answer("key-typo", kinds_code().replace("download 50 web pages", "download 50 webpages"), "wrong",
           r"missing.*a typo\?"),
    Answer("key-deleted", kinds_code().replace(f"    {TASK[1]!r}: 'cpu',\n", ""), "wrong",
           r"These tasks are missing: \['resize 1,000 photos in pure Python'\]"),
    Answer("a-list", "kinds = ['io', 'cpu', 'io', 'cpu', 'io', 'cpu', 'io', 'cpu']", "wrong", "should be a dict"),
    Answer("half-done", kinds_code(**{TASK[5]: "...", TASK[6]: "..."}), "missing", "2 task"),
    Answer("untouched", kinds_code(**{t: "..." for t in TASK}), "missing", '"io" or "cpu"'),
]


@pytest.mark.parametrize("answer", CLASSIFY, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_classify(answer: Answer, language: str) -> None:
    speak(language)
    assert_verdict(grade(answer, "check.classify(kinds)", {"check": check}), answer)


WINNER = [
    Answer("two-cores", "prediction = {'cpu': 'processes', 'io': 'threads'}\ncpu_table, io_table = TWO_CORES, IO",
           "right", r"'processes' was the fastest here: each process has its own GIL"),
    Answer("one-core-tie", "prediction = {'cpu': 'threads', 'io': 'asyncio'}\ncpu_table, io_table = ONE_CORE, IO",
           "right", r"1\.02x the time of the fastest, 'sequential': within 20%, a tie.*take turns"),
    Answer("one-core-processes-tie", "prediction = {'cpu': 'processes', 'io': 'asyncio'}\n"
           "cpu_table, io_table = ONE_CORE, IO", "right", r"within 20%, a tie.*could not run two busy processes"),
    Answer("spelled-as-modules", "prediction = {'CPU': 'Multiprocessing', 'I/O': 'threading'}\n"
           "cpu_table, io_table = TWO_CORES, IO", "right", "processes"),
    Answer("threads-for-cpu", "prediction = {'cpu': 'threads', 'io': 'threads'}\ncpu_table, io_table = TWO_CORES, IO",
           "wrong", r"you picked 'threads', but it took 2\.00x the time of 'processes'.*take turns"),
    Answer("sequential-for-io", "prediction = {'cpu': 'processes', 'io': 'sequential'}\n"
           "cpu_table, io_table = TWO_CORES, IO", "wrong", "the waits add up"),
    Answer("processes-for-io", "prediction = {'cpu': 'processes', 'io': 'processes'}\n"
           "cpu_table, io_table = TWO_CORES, IO", "wrong", "start a new Python"),
    Answer("swapped", "prediction = {'cpu': 'threads', 'io': 'processes'}\ncpu_table, io_table = TWO_CORES, IO",
           "wrong", r"CPU-bound: you picked 'threads'.*I/O-bound: you picked 'processes'"),
    Answer("kind-as-model", "prediction = {'cpu': 'cpu', 'io': 'io'}\ncpu_table, io_table = TWO_CORES, IO",
           "wrong", "a kind of task"),
    Answer("unknown-model", "prediction = {'cpu': 'gpu', 'io': 'threads'}\ncpu_table, io_table = TWO_CORES, IO",
           "wrong", "must be one of"),
    Answer("one-key", "prediction = {'cpu': 'processes'}\ncpu_table, io_table = TWO_CORES, IO", "wrong",
           'exactly two keys, "cpu" and "io"'),
    Answer("a-tuple", "prediction = ('processes', 'threads')\ncpu_table, io_table = TWO_CORES, IO", "wrong",
           "should be a dict"),
    Answer("half", "prediction = {'cpu': 'processes', 'io': ...}\ncpu_table, io_table = TWO_CORES, IO",
           "missing", r'prediction\["io"\] has no answer'),
    Answer("not-measured", "prediction = {'cpu': 'processes', 'io': 'threads'}\ncpu_table, io_table = None, None",
           "missing", "measurement cells"),
    Answer("untouched", "prediction = {'cpu': ..., 'io': ...}\ncpu_table, io_table = TWO_CORES, IO", "missing",
           "Fill in"),
]


@pytest.mark.parametrize("answer", WINNER, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_winner(answer: Answer, language: str) -> None:
    speak(language)
    namespace = {"check": check, "TWO_CORES": TWO_CORES, "ONE_CORE": ONE_CORE, "IO": IO}
    assert_verdict(grade(answer, "check.winner(prediction, cpu_table, io_table)", namespace), answer)


def test_winner_never_praises_and_blames_threads_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    """A right pick is never explained with what makes it slow, nor a wrong pick with what makes it fast."""
    for cpu in ("sequential", "threads", "processes", "asyncio"):
        for cpu_table in (TWO_CORES, ONE_CORE):
            verdict = check.winner({"cpu": cpu, "io": "threads"}, cpu_table, IO)
            line = verdict.message.splitlines()[0]
            if "was the fastest" in line or "a tie" in line:
                assert not re.search(r"took [\d.]+x the time of '\w+': [^.]*overlap", line)
            else:
                assert "you picked" in line
    capsys.readouterr()


def test_the_notebook_states_the_tolerance() -> None:
    from .learner import notebook

    text = "\n".join(c.source for c in notebook("04-threads-or-processes.ipynb").cells if c.cell_type == "markdown")
    assert f"within {check.TOLERANCE:.0%} of the fastest" in text


@pytest.mark.skipif("interpreters" not in __import__("conclib").MODELS, reason="needs Python 3.14+")
def test_winner_knows_interpreters_where_python_has_them() -> None:
    cpu = table(sequential=4.0, threads=4.2, processes=2.1, asyncio=4.0, interpreters=2.0)
    io = table(sequential=4.0, threads=0.52, processes=0.8, asyncio=0.51, interpreters=1.5)
    assert check.winner({"cpu": "interpreters", "io": "threads"}, cpu, io)
    verdict = check.winner({"cpu": "threads", "io": "interpreters"}, cpu, io)
    assert not verdict and "its own GIL" in verdict.message and "starting a subinterpreter" in verdict.message
