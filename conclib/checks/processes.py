"""Lesson checks for notebook 03: the main guard, Amdahl's law, your own task in worker processes."""

from __future__ import annotations

import math
import os
from typing import Any

from ..scaling import amdahl
from . import Verdict, missing, passed, wrong

__all__ = ["check_amdahl", "check_main_guard", "check_own_task_run"]

#: The multiple-choice answers of 03's question on ``if __name__ == '__main__'``.
GUARD_CHOICES = {
    "a": "It makes the worker processes start faster.",
    "b": "A new worker process imports the main module; without the guard it would run the "
         "start-the-processes code again while it is itself starting.",
    "c": "Python needs it to give every process its own PID.",
    "d": "Threads need it too: without it a thread cannot be joined.",
}


def check_main_guard(answer: Any = None) -> Verdict:
    """03: why the cheat-sheet's process program needs ``if __name__ == '__main__'`` (``"a"``..``"d"``)."""
    if answer is None:
        return missing(f"Set `answer` to one of {', '.join(map(repr, GUARD_CHOICES))}.")
    key = str(answer).strip().lower()
    if key not in GUARD_CHOICES:
        return wrong(f"answer must be one of {', '.join(map(repr, GUARD_CHOICES))}, got {answer!r}.")
    if key == "b":
        return passed("Under spawn and forkserver each worker imports your script as a module (named "
                      "'__mp_main__', not '__main__'), so the guarded code runs only in the parent.")
    hints = {
        "a": "The guard does not change how fast a process starts. Think about what a new process does "
             "with your script before it can call task().",
        "c": "Every process gets its PID from the operating system, guard or not. What does a new worker "
             "process do with your script when it starts?",
        "d": "The threads program in notebook 02 ran fine in a notebook cell, with no guard. The guard is "
             "about new processes: what do they do with your script?",
    }
    return wrong(hints[key])


def check_amdahl(speedup: Any = None, parallel_fraction: float = 0.9, workers: int = 4) -> Verdict:
    """03: the best speedup of a program whose ``parallel_fraction`` runs in parallel on ``workers`` cores."""
    if speedup is None:
        return missing("Set `speedup` to a number: the best speedup Amdahl's law allows.")
    if isinstance(speedup, bool) or not isinstance(speedup, (int, float)) or not math.isfinite(speedup):
        return wrong(f"speedup must be a number, got {speedup!r}.")
    right = float(amdahl(workers, serial=1 - parallel_fraction))
    if math.isclose(speedup, right, rel_tol=0.01):
        return passed(f"{right:.2f}x: the serial {1 - parallel_fraction:.0%} still takes its full time, "
                      f"so even with infinitely many cores the speedup stays below "
                      f"{1 / (1 - parallel_fraction):.0f}x.")
    if math.isclose(speedup, workers, rel_tol=0.01):
        return wrong(f"{workers}x would need all of the work to run in parallel. Here "
                     f"{1 - parallel_fraction:.0%} of it is serial and runs on one core.")
    if math.isclose(speedup, parallel_fraction * workers, rel_tol=0.01):
        return wrong("Not a product: add up the times. The serial part takes (1 - p) of the old time, "
                     "the parallel part p / workers; the speedup is 1 divided by their sum.")
    if speedup > workers:
        return wrong(f"{workers} cores can never make a program more than {workers}x faster. "
                     "Use speedup = 1 / ((1 - p) + p / workers).")
    return wrong("Use speedup = 1 / ((1 - p) + p / workers), with p the parallel fraction.")


def check_own_task_run(run: Any = None) -> Verdict:
    """03: a ``conclib.run("processes", your_task, ...)`` result, with your task from your own module."""
    from .. import Run, tasks

    if run is None:
        return missing("Set `my_run` to the result of conclib.run(\"processes\", your_task, jobs).")
    if not isinstance(run, Run):
        return wrong(f"`my_run` must be what conclib.run(...) returns (a conclib.Run), got a {type(run).__name__}.")
    if run.model != "processes":
        return wrong(f"This run used model={run.model!r}; the exercise is about model=\"processes\".")
    ours = {name for name, obj in vars(tasks).items() if getattr(obj, "__module__", None) == tasks.__name__}
    if run.task in ours:
        return wrong(f"{run.task!r} comes with conclib. Write your own function in a module "
                     "(%%writefile something.py), import it, and run that.")
    if run.status != "ok":
        return wrong(f"The run ended with status {run.status!r}; look at my_run.to_frame() for the error.")
    if run.n_jobs < 2:
        return wrong(f"Give at least two jobs, so two processes run your task; this run had {run.n_jobs}.")
    if any(job.pid == os.getpid() for job in run.jobs):
        return wrong("A job ran in this notebook's own process; under model=\"processes\" it should not.")
    pids = sorted({job.pid for job in run.jobs})
    return passed(f"Your function {run.task!r} ran in {len(pids)} worker process(es) with PIDs {pids}, "
                  f"none of them this notebook's ({os.getpid()}).")
