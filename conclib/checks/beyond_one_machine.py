"""Lesson checks for notebook 07: how many tasks to cut the work into, and your own function on a cluster."""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from . import Verdict, missing, passed, wrong

__all__ = ["cell_function_run", "chunks", "predicted_seconds"]

#: An answer passes if its predicted time is at most this much above the best possible one.
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


def chunks(n_tasks: Any = None, *, work: float, overhead: float, workers: int) -> Verdict:
    """07: a number of tasks whose predicted time is within 10% of the best, for this work, overhead and cluster."""
    _check_model_input(work, overhead, workers)
    if n_tasks is None or n_tasks is ...:
        return missing("Set `n_tasks` to a whole number: how many tasks to cut the work into.")
    if isinstance(n_tasks, bool) or not isinstance(n_tasks, int) or n_tasks < 1:
        return wrong(f"n_tasks must be a whole number >= 1, got {n_tasks!r}.")
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


def cell_function_run(run: Any = None) -> Verdict:
    """07: a ``conclib.run("dask", your_function, ...)`` result, your function defined in a notebook cell."""
    from .. import Run, tasks

    if run is None:
        return missing('Set `cell_run` to the result of conclib.run("dask", your_function, jobs).')
    if not isinstance(run, Run):
        return wrong(f"`cell_run` must be what conclib.run(...) returns (a conclib.Run), got a {type(run).__name__}.")
    if run.model != "dask":
        return wrong(f'This run used model={run.model!r}; the exercise is about model="dask".')
    ours = {name for name, obj in vars(tasks).items() if getattr(obj, "__module__", None) == tasks.__name__}
    if run.task in ours:
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
