"""``make html``: a notebook run by nbclient and exported, outputs included, with an index (no browser needed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest
from lab_sample import sample_notebook

pytestmark = pytest.mark.browser  # runs with the browser suite: it needs the same Jupyter stack

TOOL = Path(__file__).resolve().parents[2] / "tools" / "export_html.py"


def load_tool():  # tools/ is not a package: load the script as a module
    spec = importlib.util.spec_from_file_location("export_html", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_export_writes_each_notebook_with_outputs_and_an_index(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONCLIB_SCALE", raising=False)
    nb = sample_notebook()
    nb.cells[-2].metadata.pop("tags")  # the # NBVAL_RAISES_EXCEPTION line alone must be enough
    nbformat.write(nb, tmp_path / "00-sample.ipynb")
    site = tmp_path / "site"
    assert load_tool().main([str(tmp_path / "00-sample.ipynb"), "--out", str(site), "--scale", "quick"]) == 0
    page = (site / "00-sample.html").read_text(encoding="utf-8")
    assert "scale: quick" in page and "data:image/png;base64," in page
    assert "raised on purpose" in page and "Run All went on after the error" in page
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="00-sample.html"' in index and "A sample lesson" in index


def test_bad_input_names_the_notebook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        load_tool().main([str(tmp_path / "nope.ipynb"), "--out", str(tmp_path)])
    assert "nope.ipynb" in capsys.readouterr().err


def test_both_editions_are_exported_side_by_side() -> None:
    tool, notebooks = load_tool(), TOOL.parents[1] / "notebooks"
    assert tool.page_name(notebooks / "01-threads-and-processes.ipynb") == "01-threads-and-processes.html"
    assert tool.page_name(notebooks / "ru" / "01-threads-and-processes.ipynb") == "ru/01-threads-and-processes.html"
