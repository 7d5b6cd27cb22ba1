"""``python -m conclib``: exit codes, the table, the one-line errors."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from conclib.__main__ import main


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "conclib", *args], capture_output=True, text=True, timeout=60)


def test_compare_prints_the_table(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    csv, png = tmp_path / "table.csv", tmp_path / "plot.png"
    assert main(["compare", "--n", "20000", "--repeat", "1", "--csv", str(csv), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    for word in ("median", "min", "max", "speedup", "cpu_utilisation", "sequential", "threads",
                 "processes", "asyncio", "Reading:"):
        assert word in out
    assert "cheat-sheet" not in out  # its figures are shown only at its own size
    assert csv.read_text().startswith("model,median")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_compare_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--n", "1_000", "--jobs", "3", "--workers", "2", "--models", "threads,processes",
                 "--repeat", "2", "--start-method", "spawn"]) == 0
    out = capsys.readouterr().out
    assert "threads" in out and "processes" in out and "asyncio" not in out and "x 3 jobs" in out


@pytest.mark.parametrize(("args", "words"), [
    (["compare", "--models", "thread"], "Did you mean 'threads'"),
    (["compare", "--n", "-5"], "must be >= 0"),
    (["compare", "--n", "1.5"], "invalid _count value"),
    (["compare", "--jobs", "0"], "must be >= 1"),
    (["compare", "--workers", "0"], "must be >= 1"),
    (["compare", "--start-method", "clone"], "invalid choice"),
    (["compare", "--timeout", "0", "--n", "10"], "timeout must be"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], words: str) -> None:
    result = _cli(*args)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr


def test_info() -> None:
    result = _cli("info")
    assert result.returncode == 0
    for key in ("logical_cpus", "usable_cpus", "parallel_capacity", "gil_enabled", "start_method"):
        assert key in result.stdout
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("This Python may use ") and "at once" in last and last.endswith(".")


def test_compare_ends_with_readings_computed_from_the_runs(capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from conclib import __main__ as cli

    seconds = {"sequential": [2.0, 2.02, 1.98], "threads": [1.87, 1.86, 1.88], "processes": [1.3, 1.31, 1.29]}

    def fake_measure(models, task, jobs, **kwargs):  # type: ignore[no-untyped-def]
        machine = {"usable_cpus": 2, "parallel_capacity": 2.0}
        return [SimpleNamespace(model=m, elapsed=t, utilisation=1.0, machine=machine)
                for m in models for t in seconds[m]]

    monkeypatch.setattr(cli, "measure", fake_measure)
    assert main(["compare", "--n", "10", "--models", "sequential,threads,processes", "--repeat", "3"]) == 0
    out = capsys.readouterr().out
    # 2.0 / 1.87 = 1.07x: inside the 10% tolerance, so no claim that threads were faster
    assert "threads and sequential took about the same time (1.07x, within the 10%" in out
    assert "processes were 1.54x faster than sequential" in out
    assert "processes were 1.44x faster than threads" in out
    assert "the speedup of 2 workers over one after the other was 1.54x" in out and "only 77% of it" in out
    assert "asyncio" not in out
    assert "The tolerance is the larger of 10%" in out


def test_help_documents_every_option() -> None:
    result = _cli("compare", "--help")
    for option in ("--n", "--jobs", "--workers", "--models", "--repeat", "--start-method", "--csv", "--plot"):
        assert option in result.stdout
