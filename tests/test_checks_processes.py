"""The lesson checks of notebook 03: the reference answers pass, wrong and missing ones get a helpful message."""

from __future__ import annotations

import dataclasses
import sys
import textwrap
from pathlib import Path

import pytest

import conclib
from conclib.checks import processes as check

# ------------------------------------------------------------------ check_main_guard


def test_main_guard_reference_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.check_main_guard("b")
    assert "__mp_main__" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "text"), [
    (None, "Not answered yet"),
    ("z", "answer must be one of"),
    ("a", "does not change how fast"),
    ("c", "from the operating system"),
    ("d", "ran fine in a notebook cell"),
])
def test_main_guard_wrong_or_missing(answer: object, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert not check.check_main_guard(answer)
    assert text in capsys.readouterr().out


# ------------------------------------------------------------------ check_amdahl


def test_amdahl_check_reference_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert check.check_amdahl(1 / (0.1 + 0.9 / 4))
    assert check.check_amdahl(3.08)
    assert "below 10x" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "text"), [
    (None, "Not answered yet"),
    ("3", "speedup must be a number"),
    (float("nan"), "speedup must be a number"),
    (4, "would need all of the work to run in parallel"),
    (3.6, "Not a product"),
    (7, "never make a program more than 4x faster"),
    (2.0, "1 / ((1 - p) + p / workers)"),
])
def test_amdahl_check_wrong_or_missing(answer: object, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert not check.check_amdahl(answer)
    assert text in capsys.readouterr().out


# ------------------------------------------------------------------ check_own_task_run


@pytest.fixture
def own_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    """A module written to disk, like the notebook's %%writefile, importable by worker processes."""
    (tmp_path / "course_exercise_task.py").write_text(textwrap.dedent('''
        def count_to_zero(n):
            while n:
                n -= 1
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    import course_exercise_task

    yield course_exercise_task
    sys.modules.pop("course_exercise_task", None)


def test_own_task_run_reference_passes(own_module: object, capsys: pytest.CaptureFixture[str]) -> None:
    run = conclib.run("processes", own_module.count_to_zero, [1000] * 2)  # type: ignore[attr-defined]
    assert check.check_own_task_run(run)
    assert "'count_to_zero' ran in" in capsys.readouterr().out


def test_own_task_run_missing(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check.check_own_task_run(None)
    assert "Not answered yet" in capsys.readouterr().out


def test_own_task_run_not_a_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert not check.check_own_task_run([1, 2])
    assert "must be what conclib.run(...) returns" in capsys.readouterr().out


def test_own_task_run_wrong_model(own_module: object, capsys: pytest.CaptureFixture[str]) -> None:
    run = conclib.run("threads", own_module.count_to_zero, [10] * 2)  # type: ignore[attr-defined]
    assert not check.check_own_task_run(run)
    assert "model='threads'" in capsys.readouterr().out


def test_own_task_run_builtin_task(capsys: pytest.CaptureFixture[str]) -> None:
    run = conclib.run("processes", conclib.countdown, [10] * 2)
    assert not check.check_own_task_run(run)
    assert "'countdown' comes with conclib" in capsys.readouterr().out


def test_own_task_run_one_job_or_failed(own_module: object, capsys: pytest.CaptureFixture[str]) -> None:
    run = conclib.run("processes", own_module.count_to_zero, [10])  # type: ignore[attr-defined]
    assert not check.check_own_task_run(run)
    assert "at least two jobs" in capsys.readouterr().out
    assert not check.check_own_task_run(dataclasses.replace(run, status="failed"))
    assert "status 'failed'" in capsys.readouterr().out


def test_checks_never_raise_on_missing_answers() -> None:
    for fn in (check.check_main_guard, check.check_amdahl, check.check_own_task_run):
        verdict = fn()
        assert not verdict
        assert "Not answered yet" in repr(verdict)
