"""Checks for 04-threads-or-processes: tell I/O-bound from CPU-bound work, predict the winner."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._base import MODELS
from ..i18n import N_, gettext, ngettext
from ..i18n import gettext as _
from ..reading import ONE_RUN_TOLERANCE
from . import HIDE_FRAMES, Verdict, blank, missing, model_name, passed, register_answers, words, wrong

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TASKS", "TOLERANCE", "classify", "winner"]

register_answers({
    "kinds": N_("run the cell above that sets `kinds = {...}` (your answers), then this check again."),
    "prediction": N_("run the cell that sets `prediction = {...}` (your prediction), then this check again."),
    "cpu_table": N_("run the measurement cell `cpu_table = conclib.compare(...)` above first."),
    "io_table": N_("run the measurement cell `io_table = conclib.compare(...)` above first."),
})

#: Each task, its kind ("io" or "cpu") and why. A task is named in English here; the learner may write it in
#: English or in the language conclib speaks (its translation is the key in that edition's notebook).
TASKS: dict[str, tuple[str, str]] = {
    N_("download 50 web pages"): ("io", N_("it spends its time waiting for servers on the network")),
    N_("resize 1,000 photos in pure Python"): ("cpu", N_("every pixel is arithmetic done by the processor")),
    N_("run 200 queries against a remote database"): ("io", N_("it waits for the database to answer")),
    N_("find all primes below 10 million"): ("cpu", N_("it is nothing but arithmetic in a loop")),
    N_("copy 300 files from a network drive"): ("io", N_("it waits for the disk and the network")),
    N_("count down from 100_000_000 (the cheat-sheet's task)"): ("cpu", N_("the loop never waits for anything")),
    N_("ask 20 chat-bot APIs the same question"): ("io", N_("it waits for 20 replies over the network")),
    N_("count the words of a 2 GB text already in memory"): ("cpu",
                                                              N_("the data is in memory, so only the CPU works")),
}

#: How a learner may spell each kind, after :func:`words` ("I/O-bound" -> "iobound").
_KIND_WORDS = {"io": "io", "iobound": "io", "inputoutput": "io", "inputoutputbound": "io",
               "cpu": "cpu", "cpubound": "cpu"}


def _kind(value: Any) -> str | None:
    return _KIND_WORDS.get(words(value)) if isinstance(value, str) else None


def _in_english(answers: dict[Any, Any], names: Iterable[str]) -> dict[Any, Any]:
    """``answers`` with each key among ``names`` (English), or its translation, turned into the English name."""
    english = {gettext(name): name for name in names}
    english.update({name: name for name in names})
    return {english.get(key, key) if isinstance(key, str) else key: value for key, value in answers.items()}


def _mistake_line(task: str, kind: str, why: str) -> str:
    """One line of the list of misclassified tasks, in the learner's language."""
    if kind == "io":
        return _('  - "{task}" is I/O-bound: {why}.').format(task=gettext(task), why=gettext(why))
    return _('  - "{task}" is CPU-bound: {why}.').format(task=gettext(task), why=gettext(why))


def _keys_problem(absent: list[str], extra: list[Any]) -> str:
    """What is wrong with the keys of the learner's dict: tasks ``absent``, or keys ``extra`` not in the list."""
    absent = [gettext(task) for task in absent]
    if absent and extra:
        return _("These tasks are missing: {absent}; these are not in the list (a typo?): {extra}. "
                 "Keep the keys exactly as given.").format(absent=absent, extra=extra)
    if absent:
        return _("These tasks are missing: {absent}. Keep the keys exactly as given.").format(absent=absent)
    return _("These are not in the list (a typo?): {extra}. Keep the keys exactly as given.").format(extra=extra)


def classify(kinds: Any = None) -> Verdict:
    """Exercise 1: a ``{task: "io" or "cpu"}`` dict (any case; "I/O-bound", "CPU bound" and so on also count).

    A task may be named in English or in the language conclib speaks (see :data:`TASKS`).
    """
    __tracebackhide__ = HIDE_FRAMES
    if blank(kinds) or (isinstance(kinds, dict) and all(blank(v) for v in kinds.values())):
        return missing(_('Write "io" or "cpu" after each task in the dict `kinds`.'))
    if not isinstance(kinds, dict):
        return wrong(_("`kinds` should be a dict {{task: 'io' or 'cpu'}}, got a {kind}.").format(
            kind=type(kinds).__name__))
    named = {task: gettext(task) for task in TASKS}
    kinds = _in_english(kinds, TASKS)
    absent = [task for task in TASKS if task not in kinds]
    extra = [task for task in kinds if task not in TASKS]
    if absent or extra:
        return wrong(_keys_problem(absent, extra))
    unknown = {named[task]: v for task, v in kinds.items() if not blank(v) and _kind(v) is None}
    if unknown and all(model_name(v) for v in unknown.values()):
        return wrong(_('{tools} are tools, not kinds of task. First say what the task '
                       'does while it runs: "io" (it mostly waits) or "cpu" (it mostly computes).').format(
            tools=sorted(set(unknown.values()))))
    if unknown:
        return wrong(_('Each answer must be "io" or "cpu"; these are neither: {unknown}.').format(unknown=unknown))
    blanks = [named[task] for task, v in kinds.items() if blank(v)]
    if blanks:
        return missing(ngettext("{n} task still has no answer: {tasks}.", "{n} tasks still have no answer: {tasks}.",
                                len(blanks)).format(n=len(blanks), tasks=blanks))
    mistakes = [(task, *TASKS[task]) for task, v in kinds.items() if _kind(v) != TASKS[task][0]]
    if mistakes:
        lines = [_mistake_line(task, kind, why) for task, kind, why in mistakes]
        return wrong(_("{right} of {total} right. Have another look at:\n{lines}\n"
                       "Ask: while it runs, is the processor busy (CPU) or mostly waiting (I/O)?").format(
            right=len(TASKS) - len(mistakes), total=len(TASKS), lines="\n".join(lines)))
    return passed(_("All {total} tasks classified. Waiting on something outside the processor "
                    "(network, disk, database) makes a task I/O-bound; arithmetic on data in memory "
                    "makes it CPU-bound.").format(total=len(TASKS)))


# --------------------------------------------------------------------------- exercise 2

#: A model counts as a winner if its median time is at most this share above the fastest (the notebook says
#: 20%): the check sees only the medians, not their run-to-run range, so it is reading's one-run tolerance.
TOLERANCE = ONE_RUN_TOLERANCE

_KEYS = {"cpu": "cpu", "cpubound": "cpu", "io": "io", "iobound": "io"}


def _gil() -> bool:
    return bool(getattr(sys, "_is_gil_enabled", lambda: True)())


def _processes_no_faster() -> str:
    """Why processes were no faster than sequential code on CPU-bound work, from the machine's measured capacity."""
    from ..machine import parallel_capacity

    capacity = parallel_capacity()
    if capacity < 1.5:
        return _("each process has its own GIL, but here they were no faster than sequential code: this machine "
                 "could not run two busy processes at once (measured: {capacity:.1f} cores' worth)").format(
            capacity=capacity)
    return _("each process has its own GIL, but here they were no faster than sequential code: starting "
             "processes takes time, and other programs may have kept the cores busy while you measured")


#: Why a model took the time it took, where that does not depend on the measurement.
_WHY = {
    ("cpu", "asyncio"): N_("the coroutines never await, so they run one after the other in one thread"),
    ("cpu", "sequential"): N_("one core does all the work, one job after the other, with no start-up cost"),
    ("cpu", "interpreters"): N_("each subinterpreter has its own GIL, so they can use separate cores in one "
                                "process"),
    ("io", "sequential"): N_("each job waits for its reply before the next one starts, so the waits add up"),
    ("io", "processes"): N_("the waits overlap, but each process first has to start a new Python"),
    ("io", "threads"): N_("a waiting thread releases the GIL, so all the waits overlap"),
    ("io", "asyncio"): N_("every await hands the loop to another coroutine, so all the waits overlap"),
    ("io", "interpreters"): N_("the waits overlap, but starting a subinterpreter per job costs time of its own"),
}


def _why(kind: str, model: str, table: pd.DataFrame) -> str:
    """Why ``model`` took the time it took on ``kind`` work, consistent with the measurement."""
    if (kind, model) in _WHY:
        return gettext(_WHY[kind, model])
    if model == "processes":
        if float(table.loc[model, "speedup"]) > 1:
            return _("each process has its own GIL, so the countdowns ran on separate cores")
        return _processes_no_faster()
    if not _gil():
        return _("this Python runs without the GIL, so the threads can compute on separate cores")
    return _("the threads take turns holding the GIL, so only one computes at a time")


def _prediction_problem(prediction: Any) -> tuple[dict[str, str] | None, Verdict | None]:
    """The prediction as ``{"cpu": model, "io": model}``, or the verdict that says what is wrong with it."""
    models = list(MODELS)
    if blank(prediction) or (isinstance(prediction, dict) and all(blank(v) for v in prediction.values())):
        return None, missing(_('Fill in `prediction = {{"cpu": "...", "io": "..."}}` with one of {models} each.')
                             .format(models=models))
    if not isinstance(prediction, dict):
        return None, wrong(_('`prediction` should be a dict {{"cpu": model, "io": model}}, got {answer!r}.').format(
            answer=prediction))
    keyed = {_KEYS.get(words(str(k))): v for k, v in prediction.items()}
    if set(keyed) != {"cpu", "io"} or len(prediction) != 2:
        return None, wrong(_('`prediction` should have exactly two keys, "cpu" and "io", got {keys}.').format(
            keys=list(prediction)))
    answer: dict[str, str] = {}
    for key in ("cpu", "io"):
        value = keyed[key]
        if blank(value):
            return None, missing(_('prediction["{key}"] has no answer yet: pick one of {models}.').format(
                key=key, models=models))
        if model_name(value) is None:
            if _KEYS.get(words(str(value))):
                return None, wrong(_('prediction["{key}"] is {value!r}, a kind of task; name the model you '
                                     "expect to win, one of {models}.").format(key=key, value=value, models=models))
            return None, wrong(_('prediction["{key}"] must be one of {models}, got {value!r}.').format(
                key=key, models=models, value=value))
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
        return missing(_("Run the two measurement cells first (`cpu_table = ...` and `io_table = ...`)."))
    notes, ok = [], True
    for kind, table in (("cpu", cpu_table), ("io", io_table)):
        model = answer[kind]
        if model not in table.index:
            return wrong(_("The {kind} table has no row for {model!r}: measure all of {models}.").format(
                kind=kind, model=model, models=list(MODELS)))
        fastest = str(table["median"].idxmin())
        ratio = float(table.loc[model, "median"] / table["median"].min())
        label = "CPU-bound" if kind == "cpu" else "I/O-bound"  # terms, the same in every language
        why = _why(kind, model, table)
        if model == fastest:
            notes.append(_("{label}: {model!r} was the fastest here: {why}.").format(label=label, model=model, why=why))
        elif ratio <= 1 + TOLERANCE:
            notes.append(_("{label}: {model!r} took {ratio:.2f}x the time of the fastest, {fastest!r}: within "
                           "{tolerance:.0%}, a tie. {model!r}: {why}.").format(
                label=label, model=model, ratio=ratio, fastest=fastest, tolerance=TOLERANCE, why=why))
        else:
            ok = False
            notes.append(_("{label}: you picked {model!r}, but it took {ratio:.2f}x the time of {fastest!r}: "
                           "{why}. {fastest!r}: {why_fastest}.").format(
                label=label, model=model, ratio=ratio, fastest=fastest, why=why,
                why_fastest=_why(kind, fastest, table)))
    text = "\n".join(notes)
    return passed(text) if ok else wrong(text)
