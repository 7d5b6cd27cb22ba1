"""Checks for 06-summary: read your own comparison, and write the "which tool when" table."""

from __future__ import annotations

import math
from typing import Any

from .._base import MODELS
from . import Verdict, missing, passed, wrong

#: The cheat-sheet's published figures (seconds, two countdowns from 100_000_000).
CHEATSHEET = {"threads": 5.33, "processes": 2.90}

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


def _blank(value: Any) -> bool:
    return value is None or value is Ellipsis or (isinstance(value, str) and not value.strip())


def which_tool(table: Any) -> Verdict:
    """Check a ``{situation: model}`` dict against :data:`SITUATIONS`."""
    if table is None or (isinstance(table, dict) and all(_blank(v) for v in table.values())):
        return missing(f"Write one of {list(MODELS)} after each situation in the dict `tools`.")
    if not isinstance(table, dict):
        return wrong(f"`tools` should be a dict {{situation: model}}, got {type(table).__name__}.")
    absent = [s for s in SITUATIONS if s not in table]
    extra = [s for s in table if s not in SITUATIONS]
    if absent or extra:
        return wrong(f"Keep the situations exactly as given. Missing: {absent}; not in the list: {extra}.")
    unknown = {s: v for s, v in table.items() if not _blank(v) and v not in MODELS}
    if unknown:
        return wrong(f"Each answer must be one of {list(MODELS)}; these are not: {unknown}.")
    blank = [s for s, v in table.items() if _blank(v)]
    if blank:
        return missing(f"{len(blank)} situation(s) still have no answer: {blank}.")
    mistakes = [(s, table[s], *SITUATIONS[s]) for s in SITUATIONS if table[s] not in SITUATIONS[s][0]]
    if mistakes:
        lines = [f'  - "{s}": not {given!r} but {" or ".join(sorted(good))}: {why}.'
                 for s, given, good, why in mistakes]
        return wrong(f"{len(SITUATIONS) - len(mistakes)} of {len(SITUATIONS)} right. Have another look at:\n"
                     + "\n".join(lines))
    return passed(f"All {len(SITUATIONS)} right. The pattern: waiting → threads or asyncio (asyncio when the "
                  "libraries are async, threads when they block); computing → processes, if the machine has "
                  "the cores and the jobs are long enough; tiny jobs → no concurrency at all.")


def ratio(answer: Any, table: Any) -> Verdict:
    """Check ``processes time / threads time`` read from the ``conclib.compare`` table."""
    if table is None:
        return missing("Run the comparison cell first (`table = conclib.compare(...)`).")
    if _blank(answer):
        return missing('Compute `ratio` from `table`: the "median" of processes divided by that of threads.')
    if isinstance(answer, bool) or not isinstance(answer, (int, float)) or not math.isfinite(answer):
        return wrong(f"`ratio` should be a number, got {answer!r}.")
    medians = table["median"]
    right = float(medians["processes"] / medians["threads"])
    theirs = CHEATSHEET["processes"] / CHEATSHEET["threads"]
    if math.isclose(answer, 1 / right, rel_tol=0.01):
        return wrong(f"{answer:.2f} is threads divided by processes; turn it around: processes / threads.")
    if not math.isclose(answer, right, rel_tol=0.01):
        return wrong(f'{answer:.3f} is not processes / threads from your table: use table.loc["processes", '
                     f'"median"] / table.loc["threads", "median"].')
    verdict = ("processes finished sooner: this machine ran the two countdowns on two cores at once"
               if right < 0.8 else
               "processes were no faster: this machine could not run the two countdowns at once "
               "(or starting the processes ate the gain)")
    return passed(f"Processes took {right:.2f}x the time of threads here; on the cheat-sheet's machine "
                  f"{theirs:.2f}x ({CHEATSHEET['processes']} s / {CHEATSHEET['threads']} s). A ratio compares "
                  f"across machines where seconds do not. Here {verdict}.")
