"""Checks for 04-threads-or-processes: tell I/O-bound from CPU-bound work, predict the winner."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .._base import MODELS
from ..reading import ONE_RUN_TOLERANCE
from . import HIDE_FRAMES, Verdict, blank, missing, model_name, passed, register_answers, words, wrong

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TASKS", "TOLERANCE", "classify", "winner"]

register_answers({
    "kinds": "run the cell above that sets `kinds = {...}` (your answers), then this check again.",
    "prediction": "run the cell that sets `prediction = {...}` (your prediction), then this check again.",
    "cpu_table": "run the measurement cell `cpu_table = conclib.compare(...)` above first.",
    "io_table": "run the measurement cell `io_table = conclib.compare(...)` above first.",
})

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

#: How a learner may spell each kind, after :func:`words` ("I/O-bound" -> "iobound").
_KIND_WORDS = {"io": "io", "iobound": "io", "inputoutput": "io", "inputoutputbound": "io",
               "cpu": "cpu", "cpubound": "cpu"}


def _kind(value: Any) -> str | None:
    return _KIND_WORDS.get(words(value)) if isinstance(value, str) else None


def classify(kinds: Any = None) -> Verdict:
    """Exercise 1: a ``{task: "io" or "cpu"}`` dict (any case; "I/O-bound", "CPU bound" and so on also count)."""
    __tracebackhide__ = HIDE_FRAMES
    if blank(kinds) or (isinstance(kinds, dict) and all(blank(v) for v in kinds.values())):
        return missing('Write "io" or "cpu" after each task in the dict `kinds`.')
    if not isinstance(kinds, dict):
        return wrong(f"`kinds` should be a dict {{task: 'io' or 'cpu'}}, got a {type(kinds).__name__}.")
    absent = [task for task in TASKS if task not in kinds]
    extra = [task for task in kinds if task not in TASKS]
    if absent or extra:
        parts = []
        if absent:
            parts.append(f"these tasks are missing: {absent}")
        if extra:
            parts.append(f"these are not in the list (a typo?): {extra}")
        text = "; ".join(parts)
        return wrong(text[0].upper() + text[1:] + ". Keep the keys exactly as given.")
    unknown = {task: v for task, v in kinds.items() if not blank(v) and _kind(v) is None}
    if unknown and all(model_name(v) for v in unknown.values()):
        return wrong(f'{sorted(set(unknown.values()))} are tools, not kinds of task. First say what the task '
                     'does while it runs: "io" (it mostly waits) or "cpu" (it mostly computes).')
    if unknown:
        return wrong(f'Each answer must be "io" or "cpu"; these are neither: {unknown}.')
    blanks = [task for task, v in kinds.items() if blank(v)]
    if blanks:
        return missing(f"{len(blanks)} task(s) still have no answer: {blanks}.")
    mistakes = [(task, *TASKS[task]) for task, v in kinds.items() if _kind(v) != TASKS[task][0]]
    if mistakes:
        lines = [f'  - "{task}" is {"I/O" if kind == "io" else "CPU"}-bound: {why}.'
                 for task, kind, why in mistakes]
        return wrong(f"{len(TASKS) - len(mistakes)} of {len(TASKS)} right. Have another look at:\n"
                     + "\n".join(lines)
                     + "\nAsk: while it runs, is the processor busy (CPU) or mostly waiting (I/O)?")
    return passed(f"All {len(TASKS)} tasks classified. Waiting on something outside the processor "
                  "(network, disk, database) makes a task I/O-bound; arithmetic on data in memory "
                  "makes it CPU-bound.")


# --------------------------------------------------------------------------- exercise 2

#: A model counts as a winner if its median time is at most this share above the fastest (the notebook says
#: 20%): the check sees only the medians, not their run-to-run range, so it is reading's one-run tolerance.
TOLERANCE = ONE_RUN_TOLERANCE

_KEYS = {"cpu": "cpu", "cpubound": "cpu", "io": "io", "iobound": "io"}


def _gil() -> bool:
    return bool(getattr(sys, "_is_gil_enabled", lambda: True)())


def _capacity_note() -> str:
    from ..machine import parallel_capacity

    capacity = parallel_capacity()
    if capacity < 1.5:
        return f"this machine could not run two busy processes at once (measured: {capacity:.1f} cores' worth)"
    return "starting processes takes time, and other programs may have kept the cores busy while you measured"


#: Why a model took the time it took, where that does not depend on the measurement.
_WHY = {
    ("cpu", "asyncio"): "the coroutines never await, so they run one after the other in one thread",
    ("cpu", "sequential"): "one core does all the work, one job after the other, with no start-up cost",
    ("cpu", "interpreters"): "each subinterpreter has its own GIL, so they can use separate cores in one process",
    ("io", "sequential"): "each job waits for its reply before the next one starts, so the waits add up",
    ("io", "processes"): "the waits overlap, but each process first has to start a new Python",
    ("io", "threads"): "a waiting thread releases the GIL, so all the waits overlap",
    ("io", "asyncio"): "every await hands the loop to another coroutine, so all the waits overlap",
    ("io", "interpreters"): "the waits overlap, but starting a subinterpreter per job costs time of its own",
}


def _why(kind: str, model: str, table: pd.DataFrame) -> str:
    """Why ``model`` took the time it took on ``kind`` work, consistent with the measurement."""
    if (kind, model) in _WHY:
        return _WHY[kind, model]
    if model == "processes":
        if float(table.loc[model, "speedup"]) > 1:
            return "each process has its own GIL, so the countdowns ran on separate cores"
        return ("each process has its own GIL, but here they were no faster than sequential code: "
                + _capacity_note())
    if not _gil():
        return "this Python runs without the GIL, so the threads can compute on separate cores"
    return "the threads take turns holding the GIL, so only one computes at a time"


def _prediction_problem(prediction: Any) -> tuple[dict[str, str] | None, Verdict | None]:
    """The prediction as ``{"cpu": model, "io": model}``, or the verdict that says what is wrong with it."""
    models = list(MODELS)
    if blank(prediction) or (isinstance(prediction, dict) and all(blank(v) for v in prediction.values())):
        return None, missing(f'Fill in `prediction = {{"cpu": "...", "io": "..."}}` with one of {models} each.')
    if not isinstance(prediction, dict):
        return None, wrong(f'`prediction` should be a dict {{"cpu": model, "io": model}}, got {prediction!r}.')
    keyed = {_KEYS.get(words(str(k))): v for k, v in prediction.items()}
    if set(keyed) != {"cpu", "io"} or len(prediction) != 2:
        return None, wrong(f'`prediction` should have exactly two keys, "cpu" and "io", got {list(prediction)}.')
    answer: dict[str, str] = {}
    for key in ("cpu", "io"):
        value = keyed[key]
        if blank(value):
            return None, missing(f'prediction["{key}"] has no answer yet: pick one of {models}.')
        if model_name(value) is None:
            if _KEYS.get(words(str(value))):
                return None, wrong(f'prediction["{key}"] is {value!r}, a kind of task; name the model you '
                                   f"expect to win, one of {models}.")
            return None, wrong(f'prediction["{key}"] must be one of {models}, got {value!r}.')
        answer[key] = str(model_name(value))
    return answer, None


def winner(prediction: Any = None, cpu_table: Any = None, io_table: Any = None) -> Verdict:
    """Exercise 2: ``{"cpu": model, "io": model}`` against the two tables measured by ``conclib.compare``.

    A model counts as a winner if its median time is at most :data:`TOLERANCE` (20%) above the
    fastest: closer than that is noise, and a tie is a right answer.
    """
    __tracebackhide__ = HIDE_FRAMES
    answer, problem = _prediction_problem(prediction)
    if problem is not None:
        return problem
    assert answer is not None
    if cpu_table is None or io_table is None:
        return missing("Run the two measurement cells first (`cpu_table = ...` and `io_table = ...`).")
    notes, ok = [], True
    for kind, table in (("cpu", cpu_table), ("io", io_table)):
        model = answer[kind]
        if model not in table.index:
            return wrong(f"The {kind} table has no row for {model!r}: measure all of {list(MODELS)}.")
        fastest = str(table["median"].idxmin())
        ratio = float(table.loc[model, "median"] / table["median"].min())
        label = "CPU-bound" if kind == "cpu" else "I/O-bound"
        if model == fastest:
            notes.append(f"{label}: {model!r} was the fastest here: {_why(kind, model, table)}.")
        elif ratio <= 1 + TOLERANCE:
            notes.append(f"{label}: {model!r} took {ratio:.2f}x the time of the fastest, {fastest!r}: within "
                         f"{TOLERANCE:.0%}, a tie. {model!r}: {_why(kind, model, table)}.")
        else:
            ok = False
            notes.append(f"{label}: you picked {model!r}, but it took {ratio:.2f}x the time of {fastest!r}: "
                         f"{_why(kind, model, table)}. {fastest!r}: {_why(kind, fastest, table)}.")
    text = "\n".join(notes)
    return passed(text) if ok else wrong(text)
