"""The notebooks as files: clean diffs (no outputs), the course's shape, hidden solutions."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
GLOSSARY = NOTEBOOKS[-1]
LESSONS = [p for p in NOTEBOOKS if p != GLOSSARY]
#: The Russian edition (notebooks/ru): the same shape, in Russian (tests/test_editions.py keeps the code the same).
RUSSIAN = sorted((Path(__file__).resolve().parent.parent / "notebooks" / "ru").glob("*.ipynb"))
RUSSIAN_GLOSSARY = RUSSIAN[-1]
RUSSIAN_LESSONS = [p for p in RUSSIAN if p != RUSSIAN_GLOSSARY]
#: What each edition calls the list of goals near the top of a lesson.
LEARN = {"notebooks": "What you will learn", "ru": "Чему вы научитесь"}


def test_the_series_is_there() -> None:
    assert [p.name[:2] for p in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05", "06", "07", "08", "99"]
    assert GLOSSARY.name == "99-glossary.ipynb"


def edition(path: Path) -> str:
    return "ru" if path.parent.name == "ru" else ""


def test_the_russian_edition_has_a_glossary() -> None:
    assert RUSSIAN_GLOSSARY.name == "99-glossary.ipynb"
    assert {p.name for p in RUSSIAN} <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS + RUSSIAN, ids=lambda p: f"{edition(p)}{p.stem}")
def test_committed_clean_with_cell_ids(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), "cell ids need nbformat 4.5+"
    assert all(cell.get("id") for cell in nb.cells)
    dirty = [i for i, cell in enumerate(nb.cells)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"cells {dirty} carry outputs or execution counts: clear them before committing"


@pytest.mark.parametrize("path", LESSONS + RUSSIAN_LESSONS, ids=lambda p: f"{edition(p)}{p.stem}")
def test_shape_of_a_lesson(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb", path.name)
    assert re.fullmatch(r"# \S.*", nb.cells[0].source), "the first cell is the '# Title'"
    assert any(LEARN[path.parent.name] in cell.source for cell in nb.cells[:4])
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert "conclib.problem_size()" in code[0], "the first code cell is the setup cell"
    if edition(path) == "ru":
        assert re.search("[а-яё]", nb.cells[0].source, re.IGNORECASE), "a Russian title"
        assert 'conclib.set_language("ru")' in code[0], "the Russian setup cell makes conclib speak Russian"


@pytest.mark.parametrize("path", NOTEBOOKS + RUSSIAN, ids=lambda p: f"{edition(p)}{p.stem}")
def test_code_lines_fit_on_screen(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    long = [line for cell in nb.cells if cell.cell_type == "code" for line in cell.source.splitlines()
            if len(line) > 100]
    assert not long, f"code lines longer than 100 characters are cut off on screen: {long}"


@pytest.mark.parametrize("path", [p for p in LESSONS + RUSSIAN_LESSONS if p.name >= "02"],
                         ids=lambda p: f"{edition(p)}{p.stem}")
def test_exercises_have_checks_and_solutions_out_of_the_way(path: Path) -> None:
    """Each solution is a collapsed markdown block after its check: "Run All" never runs it."""
    nb = nbformat.read(path, as_version=4)
    assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])], "no solution code cells"
    solutions = [i for i, c in enumerate(nb.cells) if re.search("<summary>(Solution|Решение)</summary>", c.source)]
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


def _glossary_rows(path: Path) -> list[list[str]]:
    nb = nbformat.read(path, as_version=4)
    return [[part.strip() for part in line.strip("|").split(" | ")] for cell in nb.cells
            for line in cell.source.splitlines()
            if line.startswith("| ") and not line.startswith(("| term |", "| термин |"))]


def test_the_russian_glossary_has_every_term_of_the_english_one() -> None:
    nb = nbformat.read(RUSSIAN_GLOSSARY, as_version=4)
    assert nb.cells[0].source == "# Глоссарий"
    english = {term: first_in for term, _, _, first_in in _glossary_rows(GLOSSARY)}
    russian = {}
    for row in _glossary_rows(RUSSIAN_GLOSSARY):
        term, in_english, meaning, first_in = row
        assert re.search("[а-яё]", term, re.IGNORECASE) or term == in_english, f"no Russian word: {row}"
        assert re.search("[а-яё]", meaning, re.IGNORECASE), f"the meaning is in Russian: {row}"
        assert meaning.endswith(".") and len(meaning.split(". ")) == 1, f"one sentence: {row}"
        assert in_english not in russian, f"{in_english} is defined twice"
        russian[in_english] = first_in
    assert russian == english, "the Russian glossary has the same terms, first met in the same notebooks"
