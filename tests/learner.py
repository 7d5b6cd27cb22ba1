"""A learner-mistakes suite's tools: answers as a learner types them, graded by the notebook's check cell.

An :class:`Answer` is the code a learner puts in an answer cell (``None``: the cell
was never run), the verdict its check must give, and a pattern its message must
contain. :func:`grade` runs it the way a notebook does: the setup, the answer cell,
the end of that cell, then the check cell.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import io
import re
import threading
from pathlib import Path
from typing import Any

import nbformat

from conclib.checks import Verdict

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOLUTION = re.compile(r"<details><summary>Solution</summary>(.*?)</details>", re.S)
BLOCK = re.compile(r"```python\n(.*?)```", re.S)

#: What each verdict's message starts with.
MARKS = {"right": "✅ Right.", "wrong": "❌ Not yet.", "missing": "✋ Not answered yet."}


@dataclasses.dataclass(frozen=True)
class Answer:
    """One learner's answer: the code of the answer cell, the verdict it must get, a pattern of its message."""

    id: str
    code: str | None
    verdict: str
    pattern: str

    def __post_init__(self) -> None:
        assert self.verdict in MARKS, self.verdict


def run_cell(code: str, namespace: dict[str, Any]) -> Any:
    """Run ``code`` like a notebook cell: ``%%writefile`` writes a file; the last expression is the value."""
    first, _, rest = code.partition("\n")
    if first.startswith("%%writefile "):
        Path(first.split(maxsplit=1)[1]).write_text(rest)
        return None
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    assert last is None or isinstance(last, ast.Expr)
    exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102 - the learner's answer, as a notebook runs it
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)  # noqa: S307


def grade(answer: Answer, check_cell: str, namespace: dict[str, Any], after_cell: Any = None) -> Verdict:
    """Run the answer cell (unless it is ``None``), then ``after_cell()``, then the check cell; the verdict."""
    if answer.code is not None:
        run_cell(answer.code, namespace)
        if after_cell is not None:
            after_cell()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        verdict = run_cell(check_cell, namespace)
    assert isinstance(verdict, Verdict), f"the check cell gave {verdict!r}"
    assert out.getvalue().strip() == verdict.message, "the check prints its message"
    return verdict


def assert_verdict(verdict: Verdict, answer: Answer) -> None:
    """The verdict is the one ``answer`` must get, and its message matches ``answer.pattern``."""
    assert verdict.message.startswith(MARKS[answer.verdict]), verdict.message
    assert bool(verdict) is (answer.verdict == "right"), verdict.message
    assert re.search(answer.pattern, verdict.message, re.S), (answer.pattern, verdict.message)


def join_threads(namespace: dict[str, Any]) -> None:
    """Join every thread a learner's answer left in ``namespace``, so no test leaves one running."""
    values = list(namespace.values())
    for value in list(values):
        if isinstance(value, (list, tuple)):
            values.extend(value)
    for value in values:
        if isinstance(value, threading.Thread) and value.ident is not None:
            value.join(10)


def notebook(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def cell(nb: nbformat.NotebookNode, cell_id: str) -> str:
    return next(c.source for c in nb.cells if c.get("id") == cell_id)


def solutions(nb: nbformat.NotebookNode) -> list[tuple[str, list[str]]]:
    """Each solution: the check cell just before it, and the code blocks of its ``<details>``."""
    found = []
    for i, c in enumerate(nb.cells):
        match = SOLUTION.search(c.source) if c.cell_type == "markdown" else None
        if match:
            check = nb.cells[i - 1]
            assert check.cell_type == "code" and check.source.startswith("check."), check.source
            found.append((check.source, BLOCK.findall(match.group(1))))
    return found
