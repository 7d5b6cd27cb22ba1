"""Checks for 08-summary: read your own comparison, and write the "which tool when" table."""

from __future__ import annotations

import itertools
import sys
from typing import Any

from .._base import MODELS
from ..course import CHEATSHEET_SECONDS
from ..i18n import N_, gettext, ngettext
from ..i18n import gettext as _
from ..reading import MIN_TOLERANCE
from . import HIDE_FRAMES, Verdict, blank, is_number, missing, model_name, passed, register_answers, same_number, wrong

__all__ = ["CHEATSHEET", "SITUATIONS", "TIE", "ratio", "which_tool"]

register_answers({
    "ratio": N_("run the cell above that sets `ratio = ...` (your answer), then this check again."),
    "table": N_("run the measurement cell `table = conclib.compare(...)` above first."),
    "tools": N_("run the cell above that sets `tools = {...}` (your answers), then this check again."),
})

#: The cheat-sheet's published figures (seconds, two countdowns from 100_000_000).
CHEATSHEET = CHEATSHEET_SECONDS

#: A ratio this close to 1 (10%) reads as "about the same time"; the notebook states it. It is reading's
#: smallest tolerance: a difference below it is never called faster or slower.
TIE = MIN_TOLERANCE


def _not_a_ratio(answer: Any) -> Verdict:
    """``answer`` is no single number: say what it is instead."""
    __tracebackhide__ = HIDE_FRAMES
    if isinstance(answer, str):
        return wrong(_("`ratio` is the text {answer!r}; compute it as a number, without quotes: "
                       'table.loc["processes", "median"] / table.loc["threads", "median"].').format(answer=answer))
    if hasattr(answer, "__len__"):
        return wrong(_("`ratio` is a whole {kind}, not one number: pick the two cells, "
                       'table.loc["processes", "median"] / table.loc["threads", "median"].').format(
            kind=type(answer).__name__))
    return wrong(_("`ratio` should be a number, got {answer!r} (a {kind}).").format(
        answer=answer, kind=type(answer).__name__))


def _wrong_ratio(value: float, right: float, medians: Any) -> Verdict:
    """``value`` is not processes / threads: name the number it is instead, where it is a common one."""
    __tracebackhide__ = HIDE_FRAMES
    theirs = CHEATSHEET["processes"] / CHEATSHEET["threads"]
    if same_number(value, 1 / right):
        return wrong(_("{answer:.2f} is threads divided by processes; turn it around: processes / threads.").format(
            answer=value))
    if same_number(value, 100 * right):
        return wrong(_("That looks like a percentage; the exercise asks for the plain ratio "
                       "(processes / threads, e.g. 0.54 rather than 54)."))
    if same_number(value, theirs):
        return wrong(_("{answer:.2f} is the cheat-sheet's ratio ({processes} / {threads}); compute yours from "
                       "`table`.").format(answer=value, processes=CHEATSHEET["processes"],
                                          threads=CHEATSHEET["threads"]))
    for a, b in itertools.permutations(medians.index, 2):
        if same_number(value, float(medians[a] / medians[b])):
            return wrong(_("{answer:.2f} is {a} / {b}; the exercise asks for processes / threads.").format(
                answer=value, a=a, b=b))
    if same_number(value, float(medians["processes"] - medians["threads"])):
        return wrong(_("That is a difference in seconds; the exercise asks for a ratio: divide, do not subtract."))
    return wrong(_('{answer:.3f} is not processes / threads from your table: use table.loc["processes", '
                   '"median"] / table.loc["threads", "median"].').format(answer=value))


def _reading(right: float) -> str:
    """What a right ratio says about this machine: a sentence."""
    if not getattr(sys, "_is_gil_enabled", lambda: True)():
        return _("Here this Python runs without the GIL, so threads, too, can count on several cores at once.")
    if right < 1 - TIE:
        return _("Here processes finished sooner: this machine ran the two countdowns on two cores at once.")
    if right > 1 + TIE:
        return _("Here processes were slower: starting them cost more than running side by side gained.")
    return _("Here both took about the same time (within {tie:.0%}): this machine did not run the two countdowns "
             "at once.").format(tie=TIE)


def ratio(answer: Any = None, table: Any = None) -> Verdict:
    """Exercise 1: ``processes time / threads time``, read from the ``conclib.compare`` table.

    Right: the exact value, or the value rounded to the decimals the learner wrote (at least one).
    """
    __tracebackhide__ = HIDE_FRAMES
    if table is None:
        return missing(_("Run the comparison cell first (`table = conclib.compare(...)`)."))
    if blank(answer):
        return missing(_('Compute `ratio` from `table`: the "median" of processes divided by that of threads.'))
    if not is_number(answer):
        return _not_a_ratio(answer)
    value = float(answer)
    medians = table["median"]
    right = float(medians["processes"] / medians["threads"])
    theirs = CHEATSHEET["processes"] / CHEATSHEET["threads"]
    if not same_number(value, right):
        return _wrong_ratio(value, right, medians)
    return passed(_("Processes took {right:.2f}x the time of threads here; on the cheat-sheet's machine "
                    "{theirs:.2f}x ({processes} s / {threads} s). A ratio compares across machines where seconds "
                    "do not. {reading}").format(right=right, theirs=theirs, processes=CHEATSHEET["processes"],
                                                threads=CHEATSHEET["threads"], reading=_reading(right)))


#: Each situation, the tools that fit it, and why. A situation is named in English here; the learner may write
#: it in English or in the language conclib speaks (its translation is the key in that edition's notebook).
SITUATIONS: dict[str, tuple[frozenset[str], str]] = {
    N_("fetch 500 web pages with an async HTTP client (aiohttp)"): (
        frozenset({"asyncio"}), N_("the client already speaks async: one thread waits on all 500 at once")),
    N_("download 50 files with a blocking library (requests)"): (
        frozenset({"threads"}),
        N_("a blocking call releases the GIL while it waits, and threads need no async rewrite")),
    N_("resize 5,000 photos in pure Python"): (
        frozenset({"processes", "interpreters"}),  # "interpreters": Python 3.14+
        N_("CPU-bound pure Python: separate processes (or subinterpreters, 3.14+) escape the GIL")),
    N_("count down from 100_000_000 twice (the cheat-sheet's task)"): (
        frozenset({"processes", "interpreters"}),
        N_("CPU-bound: processes (or subinterpreters) use more than one core, if the machine has them")),
    N_("keep 10,000 chat connections open on one server"): (
        frozenset({"asyncio"}), N_("mostly idle connections: a coroutine costs far less than a thread")),
    N_("add up a list of 1,000 numbers"): (
        frozenset({"sequential"}), N_("it takes microseconds: starting any worker costs more than it saves")),
    N_("call a slow blocking function from inside a coroutine"): (
        frozenset({"threads"}),
        N_("run it in a thread (`await asyncio.to_thread(...)`) so the event loop stays free")),
}


def _in_english(answers: dict[Any, Any]) -> dict[Any, Any]:
    """``answers`` with each situation named in the learner's language turned into its English name."""
    english = {gettext(name): name for name in SITUATIONS}
    english.update({name: name for name in SITUATIONS})
    return {english.get(key, key) if isinstance(key, str) else key: value for key, value in answers.items()}


def _mistake_line(situation: str, given: str | None, good: frozenset[str], why: str) -> str:
    """One line of the list of wrong tools, in the learner's language."""
    first, *other = sorted(good)
    if other:
        return _('  - "{situation}": not {given!r} but {first} or {second}: {why}.').format(
            situation=gettext(situation), given=given, first=first, second=other[0], why=gettext(why))
    return _('  - "{situation}": not {given!r} but {good}: {why}.').format(
        situation=gettext(situation), given=given, good=first, why=gettext(why))


def which_tool(tools: Any = None) -> Verdict:
    """Exercise 2: a ``{situation: model}`` dict (any case; "threading", "multiprocessing", "async" also count)."""
    __tracebackhide__ = HIDE_FRAMES
    models = list(MODELS)
    if blank(tools) or (isinstance(tools, dict) and all(blank(v) for v in tools.values())):
        return missing(_("Write one of {models} after each situation in the dict `tools`.").format(models=models))
    if not isinstance(tools, dict):
        return wrong(_("`tools` should be a dict {{situation: model}}, got a {kind}.").format(
            kind=type(tools).__name__))
    named = {s: gettext(s) for s in SITUATIONS}
    tools = _in_english(tools)
    absent = [named[s] for s in SITUATIONS if s not in tools]
    extra = [s for s in tools if s not in SITUATIONS]
    if absent or extra:
        return wrong(_("Keep the situations exactly as given. Missing: {absent}; not in the list: {extra}.").format(
            absent=absent, extra=extra))
    unknown = {named[s]: v for s, v in tools.items() if not blank(v) and model_name(v) is None}
    if unknown and all(isinstance(v, str) and v.strip().lower() in ("io", "cpu", "i/o") for v in unknown.values()):
        return wrong(_('"io" and "cpu" are kinds of task; here name the tool for each situation, one of {models}.')
                     .format(models=models))
    if unknown:
        return wrong(_("Each answer must be one of {models}; these are not: {unknown}.").format(
            models=models, unknown=unknown))
    blanks = [named[s] for s, v in tools.items() if blank(v)]
    if blanks:
        return missing(ngettext("{n} situation still has no answer: {situations}.",
                                "{n} situations still have no answer: {situations}.", len(blanks)).format(
            n=len(blanks), situations=blanks))
    mistakes = [(s, model_name(tools[s]), *SITUATIONS[s]) for s in SITUATIONS
                if model_name(tools[s]) not in SITUATIONS[s][0]]
    if mistakes:
        lines = [_mistake_line(s, given, good, why) for s, given, good, why in mistakes]
        return wrong(_("{right} of {total} right. Have another look at:\n{lines}").format(
            right=len(SITUATIONS) - len(mistakes), total=len(SITUATIONS), lines="\n".join(lines)))
    return passed(_("All {total} right. The pattern: waiting → threads or asyncio (asyncio when the "
                    "libraries are async, threads when they block); computing → processes, if the machine has "
                    "the cores and the jobs are long enough; tiny jobs → no concurrency at all.").format(
        total=len(SITUATIONS)))
