"""Lesson checks for notebook 07: how many tasks to cut the work into, and your own function on a cluster."""

from __future__ import annotations

import math
import os
import sys
from typing import Any

import numpy as np

from . import HIDE_FRAMES, Verdict, blank, is_number, missing, passed, register_answers, wrong

__all__ = ["cell_function_run", "chunks", "predicted_seconds"]

register_answers({
    "n_tasks": "run the cell above that sets `n_tasks = ...` (your answer), then this check again.",
    "cell_run": "run the cell above that sets `cell_run = conclib.run(\"dask\", ...)`, then this check again.",
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
            raise ValueError(f"{name} must be a number of seconds > 0 (from the measurements above), got {value!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1 (the cluster's workers), got {workers!r}")


def _not_a_count(n_tasks: Any) -> Verdict:
    """``n_tasks`` is no whole number >= 1: say what it is instead."""
    __tracebackhide__ = HIDE_FRAMES
    if isinstance(n_tasks, str):
        return wrong(f"`n_tasks` is the text {n_tasks!r}; n_tasks must be a whole number >= 1, without quotes.")
    if isinstance(n_tasks, (list, tuple)):
        return wrong(f"`n_tasks` is a {type(n_tasks).__name__} of {len(n_tasks)} item(s), not a number "
                     "(`workers` is the list of the workers' addresses; len(workers) is how many there are). "
                     "n_tasks must be a whole number >= 1.")
    return wrong(f"n_tasks must be a whole number >= 1, got {n_tasks!r}.")


def chunks(n_tasks: Any = None, *, work: float, overhead: float, workers: int) -> Verdict:
    """07: a number of tasks whose predicted time is within 10% of the best, for this work, overhead and cluster."""
    __tracebackhide__ = HIDE_FRAMES
    _check_model_input(work, overhead, workers)
    if blank(n_tasks):
        return missing("Set `n_tasks` to a whole number: how many tasks to cut the work into.")
    if not is_number(n_tasks) or float(n_tasks) != int(n_tasks) or n_tasks < 1:
        return _not_a_count(n_tasks)
    n_tasks = int(n_tasks)
    k = np.arange(1, MOST_TASKS + 1)
    times = np.ceil(k / workers) * (work / k + overhead)  # predicted_seconds for every k at once
    best_k = int(k[np.argmin(times)])
    best = predicted_seconds(best_k, work, overhead, workers)
    mine = predicted_seconds(n_tasks, work, overhead, workers)
    if mine <= best * (1 + TOLERANCE):
        return passed(f"{n_tasks} task(s): predicted {mine:.3f} s, the best possible is {best:.3f} s "
                      f"(with {best_k} task(s)). Every worker is busy, and the tasks are big enough that "
                      f"their overhead of {overhead * 1e3:.1f} ms each hardly counts.")
    rounds = math.ceil(n_tasks / workers)
    if n_tasks < workers:
        return wrong(f"With {n_tasks} task(s) only {n_tasks} of the {workers} workers get work; the others wait. "
                     f"Predicted {mine:.3f} s, the best is {best:.3f} s.")
    if n_tasks % workers and rounds <= 50:
        return wrong(f"{n_tasks} tasks on {workers} workers take {rounds} rounds, and in the last round only "
                     f"{n_tasks % workers} worker(s) have a task while the others wait. Predicted {mine:.3f} s, "
                     f"the best is {best:.3f} s. Try a multiple of {workers}.")
    return wrong(f"{n_tasks} tasks cost {n_tasks} x {overhead * 1e3:.1f} ms of overhead, "
                 f"{n_tasks * overhead / workers:.3f} s per worker, which is more than the "
                 f"{TOLERANCE:.0%} that bigger tasks would lose. Predicted {mine:.3f} s, the best is {best:.3f} s. "
                 f"Use fewer, bigger tasks.")


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
        return wrong(f"`cell_run` is the function {getattr(run, '__name__', run)!r} itself, not a run. Call "
                     'conclib.run and keep what it returns: cell_run = conclib.run("dask", your_function, jobs).')
    return wrong(f"`cell_run` must be what conclib.run(...) returns (a conclib.Run), got a {type(run).__name__}.")


def cell_function_run(run: Any = None) -> Verdict:
    """07: a ``conclib.run("dask", your_function, ...)`` result, your function defined in a notebook cell."""
    __tracebackhide__ = HIDE_FRAMES
    from .. import Run

    if blank(run):
        return missing('Set `cell_run` to the result of conclib.run("dask", your_function, jobs).')
    if not isinstance(run, Run):
        return _not_a_run(run)
    if run.model != "dask":
        return wrong(f'This run used model={run.model!r}; the exercise is about model="dask".')
    if _conclib_task(run.task):
        return wrong(f"{run.task!r} comes with conclib. Define your own function in a notebook cell and run that.")
    if run.status != "ok":
        return wrong(f"The run ended with status {run.status!r}; look at cell_run.to_frame() for the error.")
    if run.n_jobs < 2:
        return wrong(f"Give at least two jobs, so that the cluster runs your function twice; "
                     f"this run had {run.n_jobs}.")
    if any(job.pid == os.getpid() for job in run.jobs):
        return wrong("A job ran in this notebook's own process; on a Dask cluster it runs in a worker process.")
    workers = sorted({job.worker for job in run.jobs})
    return passed(f"Your function {run.task!r} ran {run.n_jobs} times on the worker(s) {', '.join(workers)}, "
                  f"none of them this notebook's process ({os.getpid()}). Dask sent the function itself, "
                  f"by value, so it did not need a module.")
