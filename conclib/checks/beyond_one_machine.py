"""Lesson checks for notebook 07: how many tasks to cut the work into, and your own function on a cluster."""

from __future__ import annotations

import math
import os
import sys
from typing import Any

import numpy as np

from ..i18n import N_, ngettext
from ..i18n import gettext as _
from . import HIDE_FRAMES, Verdict, blank, is_number, missing, passed, register_answers, wrong

__all__ = ["cell_function_run", "chunks", "predicted_seconds"]

register_answers({
    "n_tasks": N_("run the cell above that sets `n_tasks = ...` (your answer), then this check again."),
    "cell_run": N_("run the cell above that sets `cell_run = conclib.run(\"dask\", ...)`, then this check again."),
})

#: An answer passes if its predicted time is at most this much above the best possible one (the notebook says
#: 10%). Not a noise tolerance like conclib.reading's: the times it compares come from a formula, not a clock;
#: it is how close to the best a teacher accepts.
TOLERANCE = 0.10
#: The largest number of tasks the check tries when it looks for the best one.
MOST_TASKS = 100_000


def predicted_seconds(n_tasks: int, work: float, overhead: float, workers: int) -> float:
    """The notebook's model of a run: ``ceil(n_tasks / workers)`` rounds of ``work / n_tasks + overhead`` seconds.

    Every worker takes one task at a time; each task does its share of ``work`` (seconds of
    computing on one core) and costs ``overhead`` seconds more (to send it, start it, return it).
    """
    return math.ceil(n_tasks / workers) * (work / n_tasks + overhead)


def _check_model_input(work: Any, overhead: Any, workers: Any) -> None:
    for name, value in (("work", work), ("overhead", overhead)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or not math.isfinite(value):
            raise ValueError(_("{name} must be a number of seconds > 0 (from the measurements above), got {value!r}")
                             .format(name=name, value=value))
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(_("{name} must be a whole number >= 1 (the cluster's workers), got {value!r}").format(
            name="workers", value=workers))


def _not_a_count(n_tasks: Any) -> Verdict:
    """``n_tasks`` is no whole number >= 1: say what it is instead."""
    __tracebackhide__ = HIDE_FRAMES
    if isinstance(n_tasks, str):
        return wrong(_("`n_tasks` is the text {answer!r}; n_tasks must be a whole number >= 1, without quotes.")
                     .format(answer=n_tasks))
    if isinstance(n_tasks, (list, tuple)):
        return wrong(ngettext("`n_tasks` is a {kind} of {n} item(s), not a number "
                              "(`workers` is the list of the workers' addresses; len(workers) is how many there are). "
                              "n_tasks must be a whole number >= 1.",
                              "`n_tasks` is a {kind} of {n} item(s), not a number "
                              "(`workers` is the list of the workers' addresses; len(workers) is how many there are). "
                              "n_tasks must be a whole number >= 1.", len(n_tasks)).format(
            kind=type(n_tasks).__name__, n=len(n_tasks)))
    return wrong(_("n_tasks must be a whole number >= 1, got {answer!r}.").format(answer=n_tasks))


def chunks(n_tasks: Any = None, *, work: float, overhead: float, workers: int) -> Verdict:
    """07: a number of tasks whose predicted time is within 10% of the best, for this work, overhead and cluster."""
    __tracebackhide__ = HIDE_FRAMES
    _check_model_input(work, overhead, workers)
    if blank(n_tasks):
        return missing(_("Set `n_tasks` to a whole number: how many tasks to cut the work into."))
    if not is_number(n_tasks) or float(n_tasks) != int(n_tasks) or n_tasks < 1:
        return _not_a_count(n_tasks)
    n_tasks = int(n_tasks)
    k = np.arange(1, MOST_TASKS + 1)
    times = np.ceil(k / workers) * (work / k + overhead)  # predicted_seconds for every k at once
    best_k = int(k[np.argmin(times)])
    best = predicted_seconds(best_k, work, overhead, workers)
    mine = predicted_seconds(n_tasks, work, overhead, workers)
    if mine <= best * (1 + TOLERANCE):
        return passed(ngettext("{n} task(s): predicted {mine:.3f} s, the best possible is {best:.3f} s "
                               "(with {best_k} task(s)). Every worker is busy, and the tasks are big enough that "
                               "their overhead of {overhead:.1f} ms each hardly counts.",
                               "{n} task(s): predicted {mine:.3f} s, the best possible is {best:.3f} s "
                               "(with {best_k} task(s)). Every worker is busy, and the tasks are big enough that "
                               "their overhead of {overhead:.1f} ms each hardly counts.", n_tasks).format(
            n=n_tasks, mine=mine, best=best, best_k=best_k, overhead=overhead * 1e3))
    rounds = math.ceil(n_tasks / workers)
    if n_tasks < workers:
        return wrong(ngettext("With {n} task(s) only {n} of the {workers} workers get work; the others wait. "
                              "Predicted {mine:.3f} s, the best is {best:.3f} s.",
                              "With {n} task(s) only {n} of the {workers} workers get work; the others wait. "
                              "Predicted {mine:.3f} s, the best is {best:.3f} s.", n_tasks).format(
            n=n_tasks, workers=workers, mine=mine, best=best))
    if n_tasks % workers and rounds <= 50:
        return wrong(ngettext("{n} tasks on {workers} workers take {rounds} rounds, and in the last round only "
                              "{last} worker(s) have a task while the others wait. Predicted {mine:.3f} s, "
                              "the best is {best:.3f} s. Try a multiple of {workers}.",
                              "{n} tasks on {workers} workers take {rounds} rounds, and in the last round only "
                              "{last} worker(s) have a task while the others wait. Predicted {mine:.3f} s, "
                              "the best is {best:.3f} s. Try a multiple of {workers}.", n_tasks % workers).format(
            n=n_tasks, workers=workers, rounds=rounds, last=n_tasks % workers, mine=mine, best=best))
    return wrong(_("{n} tasks cost {n} x {overhead:.1f} ms of overhead, {per_worker:.3f} s per worker, which is "
                   "more than the {tolerance:.0%} that bigger tasks would lose. Predicted {mine:.3f} s, the best "
                   "is {best:.3f} s. Use fewer, bigger tasks.").format(
        n=n_tasks, overhead=overhead * 1e3, per_worker=n_tasks * overhead / workers, tolerance=TOLERANCE,
        mine=mine, best=best))


def _conclib_task(name: str) -> bool:
    """``name`` is one of conclib's task functions, not the learner's own function of the same name."""
    from .. import iotasks, tasks

    ours = {key for module in (tasks, iotasks) for key, obj in vars(module).items()
            if callable(obj) and getattr(obj, "__module__", None) == module.__name__}
    own = getattr(sys.modules.get("__main__"), name, None)  # a notebook's cells define their functions there
    return name in ours and getattr(own, "__module__", None) != "__main__"


def _not_a_run(run: Any) -> Verdict:
    __tracebackhide__ = HIDE_FRAMES
    if callable(run):
        return wrong(_("`cell_run` is the function {name!r} itself, not a run. Call conclib.run and keep what it "
                       'returns: cell_run = conclib.run("dask", your_function, jobs).').format(
            name=getattr(run, "__name__", run)))
    return wrong(_("`cell_run` must be what conclib.run(...) returns (a conclib.Run), got a {kind}.").format(
        kind=type(run).__name__))


def cell_function_run(run: Any = None) -> Verdict:
    """07: a ``conclib.run("dask", your_function, ...)`` result, your function defined in a notebook cell."""
    __tracebackhide__ = HIDE_FRAMES
    from .. import Run

    if blank(run):
        return missing(_('Set `cell_run` to the result of conclib.run("dask", your_function, jobs).'))
    if not isinstance(run, Run):
        return _not_a_run(run)
    if run.model != "dask":
        return wrong(_('This run used model={model!r}; the exercise is about model="dask".').format(model=run.model))
    if _conclib_task(run.task):
        return wrong(_("{task!r} comes with conclib. Define your own function in a notebook cell and run that.")
                     .format(task=run.task))
    if run.status != "ok":
        return wrong(_("The run ended with status {status!r}; look at cell_run.to_frame() for the error.").format(
            status=run.status))
    if run.n_jobs < 2:
        return wrong(ngettext("Give at least two jobs, so that the cluster runs your function twice; "
                              "this run had {n}.",
                              "Give at least two jobs, so that the cluster runs your function twice; "
                              "this run had {n}.", run.n_jobs).format(n=run.n_jobs))
    if any(job.pid == os.getpid() for job in run.jobs):
        return wrong(_("A job ran in this notebook's own process; on a Dask cluster it runs in a worker process."))
    workers = sorted({job.worker for job in run.jobs})
    return passed(ngettext("Your function {task!r} ran {n} times on the worker(s) {workers}, "
                           "none of them this notebook's process ({pid}). Dask sent the function itself, "
                           "by value, so it did not need a module.",
                           "Your function {task!r} ran {n} times on the worker(s) {workers}, "
                           "none of them this notebook's process ({pid}). Dask sent the function itself, "
                           "by value, so it did not need a module.", run.n_jobs).format(
        task=run.task, n=run.n_jobs, workers=", ".join(workers), pid=os.getpid()))
