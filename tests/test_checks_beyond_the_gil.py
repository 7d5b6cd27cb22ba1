"""Learner-mistakes suite for 06-beyond-the-gil: every answer, its verdict, and what the message says."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from conclib.checks import beyond_the_gil as check

from .learner import LANGUAGES, Answer, assert_verdict, grade, speak

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "06-beyond-the-gil.ipynb"


def _rows(expected: int = 400_000, balance: int = 306_383) -> list[dict]:
    return [{"locked": False, "expected": expected, "balance": balance, "seconds": 0.1},
            {"locked": True, "expected": expected, "balance": expected, "seconds": 0.2}]


def test_zero_lost_passes_and_says_it_is_not_a_promise() -> None:
    verdict = check.lost_updates(0, _rows(balance=400_000))
    assert verdict and "not a promise" in verdict.message


def test_rows_in_any_order() -> None:
    assert check.lost_updates(93_617, list(reversed(_rows())))


@pytest.mark.parametrize("rows", [None, "rows", [], [{"locked": True, "expected": 1, "balance": 1}], 5])
def test_without_the_measurement_the_check_asks_for_it(rows: object) -> None:
    verdict = check.lost_updates(93_617, rows)
    assert not verdict and "Pass the counter measurement as `rows`" in verdict.message


UNLOCKED = "row = next(r for r in counter if not r['locked'])\n"
FRAME = "df = pd.DataFrame(counter)\nrow = df[~df['locked']].iloc[0]\n"

LOST = [
    # right answers that differ from the reference solution
    Answer("first-row", "lost = counter[0]['expected'] - counter[0]['balance']", "right", "93,617 of 400,000"),
    Answer("pandas-row", FRAME + "lost = row['expected'] - row['balance']", "right", r"93,617 .*23\.4%"),
    Answer("loop", "for row in counter:\n    if row['locked'] is False:\n        lost = row['expected'] - "
           "row['balance']", "right", "wrote over it"),
    Answer("float", UNLOCKED + "lost = float(row['expected'] - row['balance'])", "right", "93,617"),
    Answer("sum-over-both-rows", "lost = sum(r['expected'] - r['balance'] for r in counter)", "right", "93,617"),
    # wrong answers
    Answer("untouched", "lost = None  # your answer", "missing", "whole number"),
    Answer("the-balance", UNLOCKED + "lost = row['balance']", "wrong", "is the final balance"),
    Answer("sign-turned", UNLOCKED + "lost = row['balance'] - row['expected']", "wrong", "sign is turned round"),
    Answer("the-expected", UNLOCKED + "lost = row['expected']", "wrong", "what two threads should have added"),
    Answer("locked-row", "row = next(r for r in counter if r['locked'])\nlost = row['expected'] - row['balance']",
           "wrong", "Read the row whose 'locked' is False"),
    Answer("someone-elses-number", "lost = 12_345", "wrong", "Read the row whose 'locked' is False"),
    Answer("fraction", UNLOCKED + "lost = 1 - row['balance'] / row['expected']", "wrong",
           "share of the deposits.*how many deposits"),
    Answer("percent", UNLOCKED + "lost = round(100 * (1 - row['balance'] / row['expected']))", "wrong",
           "23 is the share"),
    Answer("text", "lost = '93617'", "wrong", r"the text '93617', not a whole number.*without quotes"),
    Answer("pandas-series", "df = pd.DataFrame(counter)\nfree = df[~df['locked']]\n"
           "lost = free['expected'] - free['balance']", "wrong", r"a Series, not one number.*lost\.iloc\[0\]"),
    Answer("half", "lost = 0.5", "wrong", "whole number"),
    Answer("bool", "lost = True", "wrong", "whole number"),
    Answer("too-many", "lost = 500_000", "wrong", "Between 0 and 400,000"),
    Answer("negative", "lost = -5", "wrong", "Between 0 and 400,000"),
    Answer("the-dict", "lost = counter[0]", "wrong", "whole number of deposits, got"),
]


@pytest.mark.parametrize("answer", LOST, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_lost_updates(answer: Answer, language: str) -> None:
    speak(language)
    namespace = {"check": check, "counter": _rows(), "pd": pd}
    assert_verdict(grade(answer, "check.lost_updates(lost, counter)", namespace), answer)


WHY = [
    Answer("capital", "answer = 'B'", "right", "PEP 779"),
    Answer("bracket-and-spaces", "answer = ' b) '", "right", "C extension"),
    Answer("in-brackets", "answer = '(b)'", "right", "PEP 779"),
    Answer("full-text", f"answer = {check.GIL_CHOICES['b']!r}", "right", "PEP 779"),
    Answer("untouched", "answer = None", "missing", "'b'"),
    Answer("empty", "answer = ''", "missing", "'a'"),
    Answer("a", "answer = 'a'", "wrong", "what the free-threaded build does"),
    Answer("c", "answer = 'c'", "wrong", "never made a read-then-write safe"),
    Answer("d", "answer = 'd'", "wrong", "PEP 779"),
    Answer("e", "answer = 'e'", "wrong", "one of \"a\""),
    Answer("list", "answer = ['b']", "wrong", "not a list"),
    Answer("two-letters", "answer = 'b, c'", "wrong", "only one letter"),
    Answer("number", "answer = 2", "wrong", "letter in quotes"),
    Answer("bool", "answer = True", "wrong", "letter in quotes"),
    Answer("own-words", "answer = 'the GIL is needed for speed'", "wrong", "must be one of"),
]


@pytest.mark.parametrize("answer", WHY, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_why_the_gil_stays(answer: Answer, language: str) -> None:
    speak(language)
    assert_verdict(grade(answer, "check.why_the_gil_stays(answer)", {"check": check}), answer)


def test_an_answer_cell_never_run_gets_a_hint() -> None:
    from conclib.checks import name_error_hint

    for name in ("lost", "answer"):
        assert "is not defined: run the cell above" in (name_error_hint(name) or "")


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
