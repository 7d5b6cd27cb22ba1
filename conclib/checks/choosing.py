"""Checks for 04-threads-or-processes: tell I/O-bound from CPU-bound work, predict the winner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._base import MODELS
from . import Verdict, missing, passed, wrong

if TYPE_CHECKING:
    import pandas as pd

#: Each task, its kind ("io" or "cpu") and why.
TASKS: dict[str, tuple[str, str]] = {
    "download 50 web pages": ("io", "it spends its time waiting for servers on the network"),
    "resize 1,000 photos in pure Python": ("cpu", "every pixel is arithmetic done by the processor"),
    "run 200 queries against a remote database": ("io", "it waits for the database to answer"),
    "find all primes below 10 million": ("cpu", "it is nothing but arithmetic in a loop"),
    "copy 300 files from a network drive": ("io", "it waits for the disk and the network"),
    "count down from 100_000_000 (the cheat-sheet's task)": ("cpu", "the loop never waits for anything"),
    "ask 20 chat-bot APIs the same question": ("io", "it waits for 20 replies over the network"),
    "count the words of a 2 GB text already in memory": ("cpu", "the data is in memory, so only the CPU works"),
}

_KIND_NAMES = {"io": "io", "i/o": "io", "io-bound": "io", "i/o-bound": "io",
               "cpu": "cpu", "cpu-bound": "cpu"}

#: A prediction counts as right if its time is within this share (or NOISE seconds) of the fastest.
TOLERANCE = 0.2
NOISE = 0.05

_WHY = {
    ("cpu", "sequential"): "one core does all the work, one job after the other",
    ("cpu", "threads"): "the threads take turns holding the GIL, so only one counts at a time",
    ("cpu", "asyncio"): "the coroutines never await, so they run one after the other in one thread",
    ("cpu", "processes"): "each process has its own interpreter and GIL, so they can use separate cores",
    ("io", "sequential"): "each job waits for its I/O before the next one starts, so the waits add up",
    ("io", "threads"): "a waiting thread releases the GIL, so all the waits overlap",
    ("io", "asyncio"): "every await hands the loop to another coroutine, so all the waits overlap",
    ("io", "processes"): "the waits overlap, but starting a process per job costs time of its own",
    ("cpu", "interpreters"): "each subinterpreter has its own GIL, so they can use separate cores in one process",
    ("io", "interpreters"): "the waits overlap, but starting a subinterpreter per job costs time of its own",
}


def _unanswered(value: Any) -> bool:
    return value is None or value is Ellipsis or (isinstance(value, str) and not value.strip())


def _kind(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _KIND_NAMES.get(value.strip().lower().replace(" ", ""))


def classify(kinds: Any) -> Verdict:
    """Check a ``{task: "io" or "cpu"}`` dict against :data:`TASKS`."""
    if kinds is None or (isinstance(kinds, dict) and all(_unanswered(v) for v in kinds.values())):
        return missing('Write "io" or "cpu" after each task in the dict `kinds`.')
    if not isinstance(kinds, dict):
        return wrong(f"`kinds` should be a dict {{task: 'io' or 'cpu'}}, got {type(kinds).__name__}.")
    absent = [task for task in TASKS if task not in kinds]
    extra = [task for task in kinds if task not in TASKS]
    if absent or extra:
        parts = []
        if absent:
            parts.append(f"these tasks are missing: {absent}")
        if extra:
            parts.append(f"these are not in the list (a typo?): {extra}")
        return wrong("; ".join(parts).capitalize() + ". Keep the keys exactly as given.")
    unknown = {task: v for task, v in kinds.items() if not _unanswered(v) and _kind(v) is None}
    if unknown:
        return wrong(f'Each answer must be "io" or "cpu"; these are neither: {unknown}.')
    blank = [task for task, v in kinds.items() if _unanswered(v)]
    if blank:
        return missing(f"{len(blank)} task(s) still have no answer: {blank}.")
    mistakes = [(task, *TASKS[task]) for task, v in kinds.items() if _kind(v) != TASKS[task][0]]
    if mistakes:
        lines = [f'  - "{task}" is {kind.upper()}-bound: {why}.' for task, kind, why in mistakes]
        return wrong(f"{len(TASKS) - len(mistakes)} of {len(TASKS)} right. Have another look at:\n"
                     + "\n".join(lines)
                     + "\nAsk: while it runs, is the processor busy (CPU) or mostly waiting (I/O)?")
    return passed(f"All {len(TASKS)} tasks classified. Waiting on something outside the processor "
                  "(network, disk, database) makes a task I/O-bound; arithmetic on data in memory "
                  "makes it CPU-bound.")


def _close_to_best(table: pd.DataFrame, model: str) -> bool:
    best = float(table["median"].min())
    return float(table.loc[model, "median"]) <= best * (1 + TOLERANCE) + NOISE


def _speedups(table: pd.DataFrame) -> str:
    return ", ".join(f"{m} {s:.2f}x" for m, s in table["speedup"].items())


def _why_processes_lost() -> str:
    from ..machine import parallel_capacity

    capacity = parallel_capacity()
    if capacity < 1.5:
        return (f", but this machine could not run them at once (measured parallel capacity: "
                f"{capacity:.1f} cores)")
    return (", but here that did not pay off: starting processes takes time, and other programs may have "
            "kept the cores busy while you measured")


def winner(prediction: Any, cpu_table: Any, io_table: Any) -> Verdict:
    """Check ``{"cpu": model, "io": model}`` against the two measured tables from ``conclib.compare``.

    A model counts as a winner if its median time is within :data:`TOLERANCE`
    (or :data:`NOISE` seconds) of the fastest: closer than that is noise.
    """
    if prediction is None or (isinstance(prediction, dict) and all(_unanswered(v) for v in prediction.values())):
        return missing('Fill in `prediction = {"cpu": "...", "io": "..."}` with a model name each, '
                       f"one of {list(MODELS)}.")
    if not isinstance(prediction, dict) or set(prediction) != {"cpu", "io"}:
        return wrong('`prediction` should be a dict with exactly two keys, "cpu" and "io", '
                     f"got {prediction!r}.")
    for key, value in prediction.items():
        if _unanswered(value):
            return missing(f'prediction["{key}"] has no answer yet: pick one of {list(MODELS)}.')
        if value not in MODELS:
            return wrong(f'prediction["{key}"] must be one of {list(MODELS)}, got {value!r}.')
    if cpu_table is None or io_table is None:
        return missing("Run the two measurement cells first (`cpu_table = ...` and `io_table = ...`).")
    notes, ok = [], True
    for kind, table in (("cpu", cpu_table), ("io", io_table)):
        model = prediction[kind]
        if model not in table.index:
            return wrong(f"The {kind} table has no row for {model!r}: measure all of {list(MODELS)}.")
        fastest = str(table["median"].idxmin())
        label = "CPU-bound" if kind == "cpu" else "I/O-bound"
        if _close_to_best(table, model):
            why = _WHY[(kind, model)]
            if (kind, model) == ("cpu", "processes") and float(table.loc[model, "speedup"]) < 1.3:
                why += _why_processes_lost()
            notes.append(f"{label}: {model!r} was among the fastest here ({_speedups(table)}): {why}.")
        else:
            ok = False
            ratio = float(table.loc[model, "median"] / table["median"].min())
            why = _WHY[(kind, model)]
            if (kind, model) == ("cpu", "processes"):
                why += _why_processes_lost()
            notes.append(f"{label}: you picked {model!r}, but it took {ratio:.2f}x the time of {fastest!r} "
                         f"({_speedups(table)}): {why}; with {fastest!r}, {_WHY[(kind, fastest)]}.")
    text = "\n".join(notes)
    return passed(text) if ok else wrong(text)
