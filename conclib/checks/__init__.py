"""Lesson checks: each grades a learner's answer and says what is right, what is missing, and a hint.

A check never raises on a wrong or missing answer (so "Run All" keeps going);
it prints its verdict and returns a :class:`Verdict`, which is truthy when the
answer is right. One module per notebook, named after it:

==========================  =====================================
notebook                    module
==========================  =====================================
01-threads-and-processes    :mod:`.threads_and_processes`
02-working-with-threads     :mod:`.working_with_threads`
03-working-with-processes   :mod:`.working_with_processes`
04-threads-or-processes     :mod:`.threads_or_processes`
05-async-python             :mod:`.async_python`
06-beyond-the-gil           :mod:`.beyond_the_gil`
07-beyond-one-machine       :mod:`.beyond_one_machine`
08-summary                  :mod:`.summary`
==========================  =====================================

A notebook imports its module as ``check`` and calls ``check.<exercise>(answer)``.

An answer cell that was never run leaves its variable undefined, so the check
cell fails with ``NameError`` before any check runs. Importing a check module
in IPython installs a small handler that turns exactly those ``NameError``\\ s
(the names of the notebook's answers) into "run the cell above first".

Every message is written in English and shown in the learner's language (:mod:`conclib.i18n`):
a message is marked ``_("... {x} ...").format(x=...)``, and a text kept in a table (hints, the
choices of a question) is marked ``N_("...")`` and translated where it is shown.

Set the environment variable ``CONCLIB_FULL_TRACEBACK=1`` to see conclib's own
frames in tracebacks (they are hidden from learners with ``__tracebackhide__``).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

#: The verdicts, and the helpers every check module grades with (for a new exercise, use these).
__all__ = ["Choices", "Verdict", "blank", "choice", "choice_problem", "decimals", "is_number", "missing", "model_name",
           "multiple_choice", "name_error_hint", "passed", "register_answers", "same_number", "words", "wrong"]

from .._base import HIDE_FRAMES as HIDE_FRAMES  # the check modules hide their frames with it too
from .._base import MODELS
from ..i18n import gettext
from ..i18n import gettext as _


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The result of a lesson check: ``ok`` and the message shown to the learner."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def _ipython_display_(self) -> None:
        """Show nothing as a cell's value: the check has printed its message already."""


def _say(ok: bool, message: str) -> Verdict:
    verdict = Verdict(ok, message)
    print(message)
    return verdict


def passed(message: str) -> Verdict:
    """The answer is right: ``message`` (already in the learner's language) says why."""
    return _say(True, _("✅ Right. {message}").format(message=message))


def wrong(message: str) -> Verdict:
    """The answer is wrong: ``message`` (already in the learner's language) says what to fix."""
    return _say(False, _("❌ Not yet. {message}").format(message=message))


def missing(message: str) -> Verdict:
    """There is no answer yet: ``message`` (already in the learner's language) says what to fill in."""
    return _say(False, _("✋ Not answered yet. {message}").format(message=message))


class Choices(Mapping[str, str]):
    """The choices of a multiple-choice question, ``{letter: text}``, each text in the learner's language.

    The texts are written in English and marked with ``N_``; reading one translates it, so
    ``for key, text in check.GUARD_CHOICES.items(): print(...)`` prints them in the language chosen now.
    """

    def __init__(self, texts: dict[str, str]) -> None:
        self.english = dict(texts)

    def __getitem__(self, key: str) -> str:
        return gettext(self.english[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self.english)

    def __len__(self) -> int:
        return len(self.english)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self)!r})"


# --------------------------------------------------------------------------- shared helpers


def blank(value: Any) -> bool:
    """An answer left as the notebook gave it: ``None``, ``...`` or an empty string."""
    return value is None or value is Ellipsis or (isinstance(value, str) and not value.strip())


def words(value: str) -> str:
    """``value`` in lower case without spaces, hyphens, underscores or slashes: "I/O-bound" -> "iobound"."""
    return re.sub(r"[\s\-_/.]+", "", value.strip().lower())


def is_number(value: Any) -> bool:
    """A real, finite number (``int``, ``float``, numpy scalars), but not ``True``/``False``."""
    if isinstance(value, (bool, str)) or value is None or hasattr(value, "__len__"):
        return False
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(number)


def decimals(value: float) -> int:
    """How many decimals a person wrote: 3.1 -> 1, 3.08 -> 2, 3 -> 0."""
    text = repr(float(value))
    if "e" in text or "." not in text:
        return 0
    digits = text.split(".")[1].rstrip("0")
    return len(digits)


def same_number(answer: float, right: float) -> bool:
    """``answer`` is ``right``, within 1%, or rounded to the decimals the learner wrote (at least one)."""
    answer, right = float(answer), float(right)
    if math.isclose(answer, right, rel_tol=0.01):
        return True
    places = decimals(answer)
    return places >= 1 and abs(answer - right) <= 0.5 * 10 ** -places * (1 + 1e-9)


def choice(answer: Any, choices: Mapping[str, str]) -> str | None:
    """The letter a learner chose: "b", "B", " b) ", "(b)" or the full text of choice b; else None.

    The full text counts in the learner's language, and in English too.
    """
    if not isinstance(answer, str):
        return None
    key = answer.strip().strip("().:").strip().lower()
    if key in choices:
        return key
    texts = list(choices.items())
    if isinstance(choices, Choices):
        texts += list(choices.english.items())
    for letter, text in texts:
        if words(answer) == words(text):
            return letter
    return None


def choice_problem(answer: Any, choices: Mapping[str, str]) -> str:
    """Why ``answer`` is not one of the letters of ``choices``, in a beginner's words."""
    letters = ", ".join(f'"{key}"' for key in choices)
    kind = type(answer).__name__
    if isinstance(answer, (list, tuple, set)):
        return _('Pick one letter, not a {kind}: answer = "b", for example. One of {letters}.').format(
            kind=kind, letters=letters)
    text = answer.lower() if isinstance(answer, str) else ""
    squeezed, single = re.sub(r"[^a-z]", "", text), set(re.findall(r"\b([a-z])\b", text)) & set(choices)
    if len(single) > 1 or (len(squeezed) > 1 and all(c in choices for c in squeezed)):
        return _("Pick only one letter: exactly one choice is right. One of {letters}.").format(letters=letters)
    if isinstance(answer, str):
        return _("answer must be one of {letters}, got {answer!r}.").format(letters=letters, answer=answer)
    return _("answer must be a letter in quotes, one of {letters}; got {answer!r} (a {kind}).").format(
        letters=letters, answer=answer, kind=kind)


def multiple_choice(answer: Any, choices: Mapping[str, str], right: str, explanation: str,
                    hints: Mapping[str, str]) -> Verdict:
    """Grade a one-letter answer: not answered, not a letter of ``choices``, ``right``, or the hint for its letter.

    ``explanation`` and ``hints`` are in the learner's language already (translate them before the call).
    """
    __tracebackhide__ = HIDE_FRAMES
    if blank(answer):
        return missing(_("Set `answer` to one of {letters}.").format(letters=", ".join(map(repr, choices))))
    key = choice(answer, choices)
    if key is None:
        return wrong(choice_problem(answer, choices))
    return passed(explanation) if key == right else wrong(hints[key])


# --------------------------------------------------------------------------- answer cells never run

#: Names of the notebooks' answer variables, and what to run when one is undefined (marked with N_, in English).
_ANSWERS: dict[str, str] = {}
_LETTERS = ("a", "b", "c", "d")


def register_answers(hints: dict[str, str]) -> None:
    """Turn a ``NameError`` for one of ``hints`` into its hint, in IPython (nothing happens elsewhere).

    The hints are English texts marked with ``N_``: each is translated when it is shown.
    """
    _ANSWERS.update(hints)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - the course always has IPython
        return
    shell = get_ipython()
    if shell is None or NameError in getattr(shell, "custom_exceptions", ()):
        return
    shell.set_custom_exc((NameError,), _name_error)


def name_error_hint(name: str | None) -> str | None:
    """The friendly message for an undefined ``name``, or None if it is not a notebook's answer."""
    if name in _ANSWERS:
        return _("✋ Not answered yet. `{name}` is not defined: {hint}").format(name=name, hint=gettext(_ANSWERS[name]))
    if name in _LETTERS:
        return _('✋ `{name}` without quotes is the name of a variable, and there is none. '
                 'Write the letter as a string: answer = "{name}".').format(name=name)
    return None


def _name_error(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> None:
    """IPython's handler for ``NameError``: the hint for a notebook's answer, else the usual traceback."""
    hint = name_error_hint(getattr(value, "name", None))
    if hint is not None:
        print(hint)
    else:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


#: How a learner may spell each model: "Threads", "threading", "multiprocessing", "async", ...
_MODEL_WORDS = {
    "sequential": "sequential", "sequentially": "sequential", "serial": "sequential",
    "threads": "threads", "thread": "threads", "threading": "threads",
    "processes": "processes", "process": "processes", "multiprocessing": "processes",
    "asyncio": "asyncio", "async": "asyncio", "coroutines": "asyncio", "coroutine": "asyncio",
}
if "interpreters" in MODELS:  # Python 3.14+: a model only where this Python has it
    _MODEL_WORDS.update(dict.fromkeys(("interpreters", "interpreter", "subinterpreters", "subinterpreter"),
                                      "interpreters"))


def model_name(value: Any) -> str | None:
    """The model a learner named, in any case or spelling above; None if it names no model."""
    if not isinstance(value, str):
        return None
    return _MODEL_WORDS.get(words(value))
