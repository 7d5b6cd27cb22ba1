"""The course in a real JupyterLab: Run All Cells in headless Chromium, then check what the page shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest
from lab_driver import Lab, run_notebook
from lab_sample import sample_notebook

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb")) + sorted((REPO / "notebooks" / "ru").glob("*.ipynb"))


def report_times(report: Any) -> None:
    print(f"\n{report.name}: Run All in JupyterLab took {report.seconds:.1f} s (open, kernel start, run)")
    for c in report.code_cells():
        if c.live:
            print(f"  live cell {c.index}: {c.frames} distinct images in {c.span:.2f} s, sizes {c.sizes}, "
                  f"output height {c.min_height} px at least, {c.height:.0f} px at the end")
    print(f"  screenshots: {', '.join(p.name for p in report.screenshots)}")


def test_sample_notebook_proves_the_checks(lab: Lab, context: Any, shots: Path) -> None:
    folder = lab.root / "sample"
    folder.mkdir(exist_ok=True)
    nbformat.write(sample_notebook(), folder / "00-sample.ipynb")
    report = run_notebook(lab, context, "sample/00-sample.ipynb", shots)
    report_times(report)
    problems = report.problems()
    assert not problems, "\n".join(problems)
    cells = report.code_cells()
    assert "scale: quick" in cells[0].text, "the server must give the kernel CONCLIB_SCALE=quick"
    live = [c for c in cells if c.live]
    assert live and all(c.frames >= 3 and c.images == 1 for c in live), [(c.frames, c.images) for c in live]
    assert [c.widgets for c in cells if "ipywidgets" in c.source] == [1], "the widget must render"
    raising = [c for c in cells if c.raises_on_purpose]
    assert raising[0].errors and "ValueError" in raising[0].errors[0], "an error output must be seen"
    assert cells[-1].executed and "went on" in cells[-1].text


@pytest.mark.timeout(300)
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.relative_to(REPO / "notebooks").with_suffix("").as_posix()
                                                 for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(notebook: Path, lab: Lab, context: Any, shots: Path) -> None:
    report = run_notebook(lab, context, notebook.relative_to(REPO).as_posix(), shots)
    report_times(report)
    problems = report.problems()
    assert not problems, "\n".join(problems)

