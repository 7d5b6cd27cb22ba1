"""The notebooks as files: clean diffs (no outputs), the course's shape, hidden solutions."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_the_series_is_there() -> None:
    assert [p.name[:2] for p in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_clean_with_cell_ids(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) >= (4, 5), "cell ids need nbformat 4.5+"
    assert all(cell.get("id") for cell in nb.cells)
    dirty = [i for i, cell in enumerate(nb.cells)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"cells {dirty} carry outputs or execution counts: clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_shape_of_a_lesson(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*\.ipynb", path.name)
    assert re.fullmatch(r"# \S.*", nb.cells[0].source), "the first cell is the '# Title'"
    assert any("What you will learn" in cell.source for cell in nb.cells[:4])
    code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    assert "conclib.problem_size()" in code[0], "the first code cell is the setup cell"


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name >= "02"], ids=lambda p: p.stem)
def test_exercises_have_checks_and_hidden_solutions(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    solutions = [cell for cell in nb.cells if "solution" in cell.metadata.get("tags", [])]
    assert len(solutions) >= 2, "at least two exercises per notebook from 02 on"
    for cell in solutions:
        assert cell.metadata.get("jupyter", {}).get("source_hidden"), "a solution cell is collapsed"
        assert "check." in cell.source, "a solution runs its check, so CI proves it passes"
    for i, cell in enumerate(nb.cells):
        if "solution" in cell.metadata.get("tags", []):
            before = nb.cells[i - 1]
            assert "check." in before.source and "solution" not in before.metadata.get("tags", []), \
                "the learner's check comes before the solution, which is never the next visible cell"
