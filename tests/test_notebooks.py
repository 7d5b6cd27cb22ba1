"""The notebooks as files: clean diffs (no outputs), the course's shape, hidden solutions."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
GLOSSARY = NOTEBOOKS[-1]
LESSONS = [p for p in NOTEBOOKS if p != GLOSSARY]


def test_the_series_is_there() -> None:
    assert [p.name[:2] for p in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05", "06", "08", "99"]
    assert GLOSSARY.name == "99-glossary.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_clean_with_cell_ids(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), "cell ids need nbformat 4.5+"
    assert all(cell.get("id") for cell in nb.cells)
    dirty = [i for i, cell in enumerate(nb.cells)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"cells {dirty} carry outputs or execution counts: clear them before committing"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_shape_of_a_lesson(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb", path.name)
    assert re.fullmatch(r"# \S.*", nb.cells[0].source), "the first cell is the '# Title'"
    assert any("What you will learn" in cell.source for cell in nb.cells[:4])
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert "conclib.problem_size()" in code[0], "the first code cell is the setup cell"


@pytest.mark.parametrize("path", [p for p in LESSONS if p.name >= "02"], ids=lambda p: p.stem)
def test_exercises_have_checks_and_solutions_out_of_the_way(path: Path) -> None:
    """Each solution is a collapsed markdown block after its check: "Run All" never runs it."""
    nb = nbformat.read(path, as_version=4)
    assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])], "no solution code cells"
    solutions = [i for i, c in enumerate(nb.cells) if "<summary>Solution</summary>" in c.source]
    assert len(solutions) >= 2, "at least two exercises per notebook from 02 on"
    for i in solutions:
        cell, before = nb.cells[i], nb.cells[i - 1]
        assert cell.cell_type == "markdown" and cell.source.startswith("<details>"), "a collapsed <details> block"
        assert "```python\n" in cell.source, "the solution's code is in a fenced python block"
        assert before.cell_type == "code" and before.source.startswith("check."), "the check comes just before"


def test_glossary_rows_are_complete() -> None:
    nb = nbformat.read(GLOSSARY, as_version=4)
    assert nb.cells[0].source == "# Glossary"
    rows = [line for cell in nb.cells for line in cell.source.splitlines()
            if line.startswith("| ") and not line.startswith("| term |")]
    assert len(rows) > 40
    terms = set()
    for row in rows:
        term, russian, meaning, first_in = (part.strip() for part in row.strip("|").split(" | "))
        assert re.search("[а-яё]", russian, re.IGNORECASE) or russian == term, f"no Russian word: {row}"
        assert meaning.endswith(".") and len(meaning.split(". ")) == 1, f"one sentence: {row}"
        assert re.fullmatch(r"\d\d(, \d\d)*", first_in), f"'first in' names notebooks: {row}"
        assert term not in terms, f"{term} is defined twice"
        terms.add(term)
    for word in ("concurrency", "parallelism", "thread", "process", "coroutine", "event loop", "GIL"):
        assert any(word in term for term in terms), f"the glossary lacks {word!r}"
