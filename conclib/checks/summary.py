"""Checks for 08-summary: read your own comparison, and write the "which tool when" table."""

from __future__ import annotations

import itertools
import sys
from typing import Any

from .._base import MODELS
from ..course import CHEATSHEET_SECONDS
from ..reading import MIN_TOLERANCE
from . import HIDE_FRAMES, Verdict, blank, is_number, missing, model_name, passed, register_answers, same_number, wrong

__all__ = ["CHEATSHEET", "SITUATIONS", "TIE", "ratio", "which_tool"]

register_answers({
    "ratio": "run the cell above that sets `ratio = ...` (your answer), then this check again.",
    "table": "run the measurement cell `table = conclib.compare(...)` above first.",
    "tools": "run the cell above that sets `tools = {...}` (your answers), then this check again.",
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
        return wrong(f"`ratio` is the text {answer!r}; compute it as a number, without quotes: "
                     'table.loc["processes", "median"] / table.loc["threads", "median"].')
    if hasattr(answer, "__len__"):
        return wrong(f"`ratio` is a whole {type(answer).__name__}, not one number: pick the two cells, "
                     'table.loc["processes", "median"] / table.loc["threads", "median"].')
    return wrong(f"`ratio` should be a number, got {answer!r} (a {type(answer).__name__}).")


def _wrong_ratio(value: float, right: float, medians: Any) -> Verdict:
    """``value`` is not processes / threads: name the number it is instead, where it is a common one."""
    __tracebackhide__ = HIDE_FRAMES
    theirs = CHEATSHEET["processes"] / CHEATSHEET["threads"]
    if same_number(value, 1 / right):
        return wrong(f"{value:.2f} is threads divided by processes; turn it around: processes / threads.")
    if same_number(value, 100 * right):
        return wrong("That looks like a percentage; the exercise asks for the plain ratio "
                     "(processes / threads, e.g. 0.54 rather than 54).")
    if same_number(value, theirs):
        return wrong(f"{value:.2f} is the cheat-sheet's ratio ({CHEATSHEET['processes']} / "
                     f"{CHEATSHEET['threads']}); compute yours from `table`.")
    for a, b in itertools.permutations(medians.index, 2):
        if same_number(value, float(medians[a] / medians[b])):
            return wrong(f"{value:.2f} is {a} / {b}; the exercise asks for processes / threads.")
    if same_number(value, float(medians["processes"] - medians["threads"])):
        return wrong("That is a difference in seconds; the exercise asks for a ratio: divide, do not subtract.")
    return wrong(f'{value:.3f} is not processes / threads from your table: use table.loc["processes", '
                 f'"median"] / table.loc["threads", "median"].')


def _reading(right: float) -> str:
    """What a right ratio says about this machine."""
    if not getattr(sys, "_is_gil_enabled", lambda: True)():
        return "this Python runs without the GIL, so threads, too, can count on several cores at once"
    if right < 1 - TIE:
        return "processes finished sooner: this machine ran the two countdowns on two cores at once"
    if right > 1 + TIE:
        return "processes were slower: starting them cost more than running side by side gained"
    return f"both took about the same time (within {TIE:.0%}): this machine did not run the two countdowns at once"


def ratio(answer: Any = None, table: Any = None) -> Verdict:
    """Exercise 1: ``processes time / threads time``, read from the ``conclib.compare`` table.

    Right: the exact value, or the value rounded to the decimals the learner wrote (at least one).
    """
    __tracebackhide__ = HIDE_FRAMES
    if table is None:
        return missing("Run the comparison cell first (`table = conclib.compare(...)`).")
    if blank(answer):
        return missing('Compute `ratio` from `table`: the "median" of processes divided by that of threads.')
    if not is_number(answer):
        return _not_a_ratio(answer)
    value = float(answer)
    medians = table["median"]
    right = float(medians["processes"] / medians["threads"])
    theirs = CHEATSHEET["processes"] / CHEATSHEET["threads"]
    if not same_number(value, right):
        return _wrong_ratio(value, right, medians)
    return passed(f"Processes took {right:.2f}x the time of threads here; on the cheat-sheet's machine "
                  f"{theirs:.2f}x ({CHEATSHEET['processes']} s / {CHEATSHEET['threads']} s). A ratio compares "
                  f"across machines where seconds do not. Here {_reading(right)}.")


#: Each situation, the tools that fit it, and why.
SITUATIONS: dict[str, tuple[frozenset[str], str]] = {
    "fetch 500 web pages with an async HTTP client (aiohttp)": (
        frozenset({"asyncio"}), "the client already speaks async: one thread waits on all 500 at once"),
    "download 50 files with a blocking library (requests)": (
        frozenset({"threads"}), "a blocking call releases the GIL while it waits, and threads need no async rewrite"),
    "resize 5,000 photos in pure Python": (
        frozenset({"processes", "interpreters"}),  # "interpreters": Python 3.14+
        "CPU-bound pure Python: separate processes (or subinterpreters, 3.14+) escape the GIL"),
    "count down from 100_000_000 twice (the cheat-sheet's task)": (
        frozenset({"processes", "interpreters"}),
        "CPU-bound: processes (or subinterpreters) use more than one core, if the machine has them"),
    "keep 10,000 chat connections open on one server": (
        frozenset({"asyncio"}), "mostly idle connections: a coroutine costs far less than a thread"),
    "add up a list of 1,000 numbers": (
        frozenset({"sequential"}), "it takes microseconds: starting any worker costs more than it saves"),
    "call a slow blocking function from inside a coroutine": (
        frozenset({"threads"}), "run it in a thread (`await asyncio.to_thread(...)`) so the event loop stays free"),
}


def which_tool(tools: Any = None) -> Verdict:
    """Exercise 2: a ``{situation: model}`` dict (any case; "threading", "multiprocessing", "async" also count)."""
    __tracebackhide__ = HIDE_FRAMES
    models = list(MODELS)
    if blank(tools) or (isinstance(tools, dict) and all(blank(v) for v in tools.values())):
        return missing(f"Write one of {models} after each situation in the dict `tools`.")
    if not isinstance(tools, dict):
        return wrong(f"`tools` should be a dict {{situation: model}}, got a {type(tools).__name__}.")
    absent = [s for s in SITUATIONS if s not in tools]
    extra = [s for s in tools if s not in SITUATIONS]
    if absent or extra:
        return wrong(f"Keep the situations exactly as given. Missing: {absent}; not in the list: {extra}.")
    unknown = {s: v for s, v in tools.items() if not blank(v) and model_name(v) is None}
    if unknown and all(isinstance(v, str) and v.strip().lower() in ("io", "cpu", "i/o") for v in unknown.values()):
        return wrong(f'"io" and "cpu" are kinds of task; here name the tool for each situation, one of {models}.')
    if unknown:
        return wrong(f"Each answer must be one of {models}; these are not: {unknown}.")
    blanks = [s for s, v in tools.items() if blank(v)]
    if blanks:
        return missing(f"{len(blanks)} situation(s) still have no answer: {blanks}.")
    mistakes = [(s, model_name(tools[s]), *SITUATIONS[s]) for s in SITUATIONS
                if model_name(tools[s]) not in SITUATIONS[s][0]]
    if mistakes:
        lines = [f'  - "{s}": not {given!r} but {" or ".join(sorted(good))}: {why}.'
                 for s, given, good, why in mistakes]
        return wrong(f"{len(SITUATIONS) - len(mistakes)} of {len(SITUATIONS)} right. Have another look at:\n"
                     + "\n".join(lines))
    return passed(f"All {len(SITUATIONS)} right. The pattern: waiting → threads or asyncio (asyncio when the "
                  "libraries are async, threads when they block); computing → processes, if the machine has "
                  "the cores and the jobs are long enough; tiny jobs → no concurrency at all.")
