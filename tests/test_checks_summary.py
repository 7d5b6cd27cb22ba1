"""The checks of 06-summary: right answers pass, wrong and missing ones explain."""

from __future__ import annotations

import pandas as pd
import pytest

import conclib
from conclib.checks import summary

REFERENCE = {situation: sorted(good & set(conclib.MODELS))[0] for situation, (good, _) in summary.SITUATIONS.items()}
TABLE = pd.DataFrame({"median": {"sequential": 4.0, "threads": 4.2, "processes": 2.1, "asyncio": 4.0}})


def test_interpreters_is_right_for_cpu_bound_work_where_python_has_it() -> None:
    cpu = "resize 5,000 photos in pure Python"
    verdict = summary.which_tool(dict(REFERENCE, **{cpu: "interpreters"}))
    assert bool(verdict) == ("interpreters" in conclib.MODELS)


def test_which_tool_reference_passes() -> None:
    assert summary.which_tool(REFERENCE)


@pytest.mark.parametrize("answer", [None, dict.fromkeys(REFERENCE), dict.fromkeys(REFERENCE, ...)])
def test_which_tool_unanswered(answer: object) -> None:
    verdict = summary.which_tool(answer)
    assert not verdict and "Not answered yet" in verdict.message


def test_which_tool_wrong_explains() -> None:
    situation = "add up a list of 1,000 numbers"
    verdict = summary.which_tool(dict(REFERENCE, **{situation: "processes"}))
    assert not verdict and f'"{situation}": not \'processes\' but sequential' in verdict.message
    assert "starting any worker costs more" in verdict.message


def test_which_tool_bad_input() -> None:
    assert "must be one of" in summary.which_tool(dict(REFERENCE, **{"add up a list of 1,000 numbers": "gpu"})).message
    assert "exactly as given" in summary.which_tool({"x": "threads"}).message
    assert "should be a dict" in summary.which_tool("threads").message
    partly = dict(REFERENCE, **{"add up a list of 1,000 numbers": None})
    assert "1 situation(s) still have no answer" in summary.which_tool(partly).message


def test_ratio_reference_passes() -> None:
    verdict = summary.ratio(TABLE.loc["processes", "median"] / TABLE.loc["threads", "median"], TABLE)
    assert verdict and "0.50x the time of threads" in verdict.message and "0.54x" in verdict.message


def test_ratio_wrong_missing_and_upside_down() -> None:
    assert "Not answered yet" in summary.ratio(None, TABLE).message
    assert "Run the comparison cell" in summary.ratio(0.5, None).message
    assert "turn it around" in summary.ratio(2.0, TABLE).message
    assert "is not processes / threads" in summary.ratio(0.9, TABLE).message
    assert "should be a number" in summary.ratio("0.5", TABLE).message
