"""A learner-mistakes suite's tools: answers as a learner types them, graded by the notebook's check cell.

An :class:`Answer` is the code a learner puts in an answer cell (``None``: the cell
was never run), the verdict its check must give, and a pattern its message must
contain. :func:`grade` runs it the way a notebook does: the setup, the answer cell,
the end of that cell, then the check cell.

The suites grade every answer in each of :data:`LANGUAGES` (``speak(language)`` first): the
verdict is the same in every language. In English the message must match the answer's pattern;
in another language it must be written in that language (:func:`assert_verdict` reads what
:func:`grade` recorded: every message the check looked up had a translation, and no English
words of a message are left in what the learner reads).
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import gettext
import io
import os
import re
import string
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat

import conclib
from conclib import i18n
from conclib.checks import Verdict

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CHECKS = Path(__file__).resolve().parent.parent / "conclib" / "checks"
SOLUTION = re.compile(r"<details><summary>(?:Solution|Решение)</summary>(.*?)</details>", re.S)
BLOCK = re.compile(r"```python\n(.*?)```", re.S)

#: The languages every verdict test runs in: all of conclib's, or those in $CONCLIB_TEST_LANGUAGES
#: ("en"), which the short profile of `make test-all` uses on the other Pythons.
LANGUAGES = tuple(os.environ.get("CONCLIB_TEST_LANGUAGES", "").split()) or i18n.LANGUAGES
assert set(LANGUAGES) <= set(i18n.LANGUAGES), f"CONCLIB_TEST_LANGUAGES: choose from {i18n.LANGUAGES}, got {LANGUAGES}"
#: What each verdict's message starts with, in each language.
MARKS = {
    "en": {"right": "✅ Right.", "wrong": "❌ Not yet.", "missing": "✋ Not answered yet."},
    "ru": {"right": "✅ Верно.", "wrong": "❌ Пока нет.", "missing": "✋ Ответа пока нет."},
}
CYRILLIC = re.compile(r"[а-яё]", re.I)
#: An error quoted in a message as Python gave it ("TypeError: ..."): data, not the check's words.
QUOTED_ERROR = re.compile(r"\b[A-Z]\w*(?:Error|Exception): .*?(?=\. [А-ЯЁ]|\.?$)", re.M)
#: Four or more English words in a row, outside a message's placeholders: a sentence, or part of one.
ENGLISH_WORDS = re.compile(r"[A-Za-z]+(?:'[a-z]+)?(?:,? [A-Za-z]+(?:'[a-z]+)?){3,}")


@dataclasses.dataclass(frozen=True)
class Lookup:
    """One message looked up in the catalogue: its English text(s), what the learner got, and if it was found."""

    english: tuple[str, ...]
    shown: str
    translated: bool


class _Recording(gettext.NullTranslations):
    """Stands in for a language's catalogue, and notes every message looked up through it."""

    def __init__(self, catalogue: gettext.NullTranslations, lookups: list[Lookup]) -> None:
        super().__init__()
        self._catalogue, self._lookups = catalogue, lookups
        self._known = getattr(catalogue, "_catalog", {})  # a GNUTranslations' messages; English has none

    def gettext(self, message: str) -> str:
        shown = self._catalogue.gettext(message)
        self._lookups.append(Lookup((message,), shown, message in self._known))
        return shown

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        shown = self._catalogue.ngettext(singular, plural, n)
        self._lookups.append(Lookup((singular, plural), shown, (singular, 0) in self._known))
        return shown


#: What the last :func:`grade` looked up in the catalogue.
LAST_LOOKUPS: list[Lookup] = []


@contextlib.contextmanager
def recording() -> Iterator[list[Lookup]]:
    """Note every message conclib looks up meanwhile (in any thread)."""
    lookups: list[Lookup] = []
    real = i18n._catalogue

    def catalogue(language: str) -> gettext.NullTranslations:
        return _Recording(real(language), lookups)

    i18n._catalogue = catalogue
    try:
        yield lookups
    finally:
        i18n._catalogue = real


def speak(language: str) -> None:
    """Make conclib speak ``language`` for this test (conftest's ``_english`` undoes it afterwards)."""
    conclib.set_language(language)


def _english_of_the_checks() -> frozenset[str]:
    """Every run of English words in the strings of conclib.checks, the messages wrapped or not.

    Docstrings are left out, and so are strings that the code compares with something (such as
    Python's own error text, ``"coroutine or an awaitable is required" in error``): those are not
    conclib's words, and a message may quote Python's error as it is.
    """
    runs: set[str] = set()
    for path in sorted(CHECKS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = {id(node.body[0].value) for node in ast.walk(tree)
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and node.body and isinstance(node.body[0], ast.Expr)}
        skip |= {id(side) for node in ast.walk(tree) if isinstance(node, ast.Compare)
                 for side in (node.left, *node.comparators)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                runs.update(words for literal, *_ in string.Formatter().parse(node.value.replace("{{", "("))
                            for words in ENGLISH_WORDS.findall(literal))
    return frozenset(runs)


ENGLISH_OF_THE_CHECKS = _english_of_the_checks()


def english_left(message: str, lookups: list[Lookup]) -> list[str]:
    """The English words of conclib's checks that reached ``message`` untranslated.

    An error the message quotes as Python gave it (``TypeError: ...``) is left out: it is the
    learner's or Python's text, not the check's. Words that a translation keeps on purpose (code,
    such as ``counter.write(counter.read() + 1)``) are in what the catalogue gave, so they do not
    count; a "translation" with no Cyrillic letter in it keeps nothing on purpose.
    """
    kept = [lookup.shown for lookup in lookups if CYRILLIC.search(lookup.shown)]
    message = QUOTED_ERROR.sub("", message)
    return sorted(words for words in ENGLISH_OF_THE_CHECKS
                  if words in message and not any(words in shown for shown in kept))


def assert_in_language(message: str, kind: str, lookups: list[Lookup]) -> None:
    """``message`` is a ``kind`` verdict written in the language conclib speaks now."""
    language = i18n.get_language()
    assert message.startswith(MARKS[language][kind]), message
    if language == i18n.DEFAULT_LANGUAGE:
        return
    assert CYRILLIC.search(message), message
    missing = [lookup.english[0] for lookup in lookups if not lookup.translated]
    assert not missing, f"no {language} translation for {missing}, in {message!r}"
    left = english_left(message, lookups)
    assert not left, f"English left in the {language} message: {left}, in {message!r}"


@dataclasses.dataclass(frozen=True)
class Answer:
    """One learner's answer: the code of the answer cell, the verdict it must get, a pattern of its message."""

    id: str
    code: str | None
    verdict: str
    pattern: str

    def __post_init__(self) -> None:
        assert self.verdict in MARKS["en"], self.verdict


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
    with contextlib.redirect_stdout(out), recording() as lookups:
        verdict = run_cell(check_cell, namespace)
    LAST_LOOKUPS[:] = lookups
    assert isinstance(verdict, Verdict), f"the check cell gave {verdict!r}"
    assert out.getvalue().strip() == verdict.message, "the check prints its message"
    return verdict


def assert_verdict(verdict: Verdict, answer: Answer) -> None:
    """The verdict is the one ``answer`` must get; in English its message matches ``answer.pattern``,
    in another language it is written in that language (see :func:`assert_in_language`)."""
    assert bool(verdict) is (answer.verdict == "right"), verdict.message
    assert_in_language(verdict.message, answer.verdict, LAST_LOOKUPS)
    if i18n.get_language() == i18n.DEFAULT_LANGUAGE:
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
