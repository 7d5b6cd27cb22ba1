"""Checks of 06-beyond-the-gil: every wrong answer gets a hint, every right answer passes."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from conclib.checks import beyond_the_gil as check

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "06-beyond-the-gil.ipynb"


def _rows(expected: int = 400_000, balance: int = 306_383) -> list[dict]:
    return [{"locked": False, "expected": expected, "balance": balance, "seconds": 0.1},
            {"locked": True, "expected": expected, "balance": expected, "seconds": 0.2}]


@pytest.mark.parametrize("lost", [93_617, 93_617.0])
def test_the_right_count_passes(lost: float) -> None:
    verdict = check.lost_updates(lost, _rows())
    assert verdict and "93,617 of 400,000" in verdict.message


def test_zero_lost_passes_and_says_it_is_not_a_promise() -> None:
    verdict = check.lost_updates(0, _rows(balance=400_000))
    assert verdict and "not a promise" in verdict.message


def test_rows_in_any_order() -> None:
    assert check.lost_updates(93_617, list(reversed(_rows())))


@pytest.mark.parametrize(("lost", "words"), [
    (None, "Not answered yet"),
    (306_383, "is the final balance"),
    (-93_617, "sign is turned round"),
    (400_000, "what two threads should have added"),
    (500_000, "Between 0 and 400,000"),
    (-5, "Between 0 and 400,000"),
    (12, "Read the row whose 'locked' is False"),
    (0, "Read the row whose 'locked' is False"),
    (0.5, "whole number"),
    ("93617", "whole number"),
    (True, "whole number"),
])
def test_wrong_counts_get_a_hint(lost: object, words: str) -> None:
    verdict = check.lost_updates(lost, _rows())
    assert not verdict and words in verdict.message


@pytest.mark.parametrize("rows", [None, "rows", [], [{"locked": True, "expected": 1, "balance": 1}], 5])
def test_without_the_measurement_the_check_asks_for_it(rows: object) -> None:
    verdict = check.lost_updates(93_617, rows)
    assert not verdict and "Pass the counter measurement as `rows`" in verdict.message


@pytest.mark.parametrize("answer", ["b", "B", " b "])
def test_why_the_gil_stays_right(answer: str) -> None:
    assert check.why_the_gil_stays(answer)


@pytest.mark.parametrize(("answer", "words"), [
    (None, "Not answered yet"),
    ("a", "what the free-threaded build does"),
    ("c", "never made a read-then-write safe"),
    ("d", "PEP 779"),
    ("e", "must be one of"),
    (2, "must be one of"),
])
def test_why_the_gil_stays_wrong(answer: object, words: str) -> None:
    verdict = check.why_the_gil_stays(answer)
    assert not verdict and words in verdict.message


def _solutions() -> list[str]:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    blocks = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "<details>" in cell.source:
            blocks += re.findall(r"```python\n(.*?)```", cell.source, flags=re.S)
    return blocks


def test_the_notebook_hides_two_solutions_that_pass_their_checks() -> None:
    blocks = _solutions()
    assert len(blocks) == 2
    for code in blocks:
        namespace = {"check": check, "counter": _rows()}
        exec(code.replace("\ncheck.", "\nverdict = check."), namespace)
        assert namespace["verdict"], code


def test_the_exercise_cells_start_unanswered() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert any(src.startswith("lost = None") for src in code) and "check.lost_updates(lost, counter)" in code
    assert any(src.startswith("answer = None") for src in code) and "check.why_the_gil_stays(answer)" in code
