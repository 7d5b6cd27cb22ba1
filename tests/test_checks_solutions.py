"""Every reference solution, taken from its notebook's collapsed ``<details>`` block, passes its check.

The solutions are markdown, so "Run All" never runs them; these tests run them instead,
after the notebook's own setup cell, and then the notebook's own check cell, in every language: the
English notebook's in English, the Russian edition's (``notebooks/ru``) in Russian.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from .learner import LANGUAGES, assert_in_language, notebook, recording, run_cell, solutions, speak


def table(**medians: float) -> pd.DataFrame:
    frame = pd.DataFrame({"median": medians}).rename_axis("model")
    frame["speedup"] = frame.loc["sequential", "median"] / frame["median"]
    return frame


IO = table(sequential=1.7, threads=0.22, processes=0.45, asyncio=0.21)
#: What each notebook's earlier cells would have made, small enough for a test, per machine kind.
CONTEXT: dict[str, list[dict[str, Any]]] = {
    "02-working-with-threads.ipynb": [{"N": 1_000_000, "times": {"threads": [1.0, 1.1], "sequential": [1.0, 1.05]}}],
    "03-working-with-processes.ipynb": [{"N": 100_000}],
    "04-threads-or-processes.ipynb": [
        {"info": {"parallel_capacity": 2.0}, "io_table": IO,
         "cpu_table": table(sequential=4.0, threads=4.2, processes=2.1, asyncio=4.0)},
        {"info": {"parallel_capacity": 1.0}, "io_table": IO,
         "cpu_table": table(sequential=4.0, threads=4.1, processes=4.3, asyncio=4.0)},
    ],
    "05-async-python.ipynb": [{}],
    "08-summary.ipynb": [{"table": table(sequential=4.0, threads=4.2, processes=2.3, asyncio=4.1)},
                         {"table": table(sequential=4.0, threads=4.0, processes=4.1, asyncio=4.0)}],
}
CASES = [(name, i) for name, contexts in CONTEXT.items() for i in range(len(contexts))]


@pytest.mark.parametrize(("name", "context"), CASES, ids=[f"{n[:2]}-{i}" for n, i in CASES])
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_solution_passes_its_check(name: str, context: int, language: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    speak(language)
    monkeypatch.chdir(tmp_path)  # the solutions' %%writefile modules land here
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    nb = notebook(name if language == "en" else f"{language}/{name}")
    namespace: dict[str, Any] = {"__name__": "__main__"}
    setup = next(c.source for c in nb.cells if c.cell_type == "code")
    with contextlib.redirect_stdout(io.StringIO()):
        run_cell(setup, namespace)
    namespace.update(CONTEXT[name][context])
    found = solutions(nb)
    assert len(found) >= 2
    for check_cell, blocks in found:
        assert blocks, f"a solution without code, before {check_cell!r}"
        for block in blocks:
            run_cell(block, namespace)
        with contextlib.redirect_stdout(io.StringIO()), recording() as lookups:
            verdict = run_cell(check_cell, namespace)
        assert verdict, f"{name}: the solution of `{check_cell}` fails its check: {verdict.message}"
        assert_in_language(verdict.message, "right", lookups)
    for module in [m for m, mod in sys.modules.items() if str(tmp_path) in str(getattr(mod, "__file__", ""))]:
        del sys.modules[module]
