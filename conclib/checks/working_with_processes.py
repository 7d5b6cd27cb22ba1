"""Checks for 03-working-with-processes: the main guard, Amdahl's law, your own task in worker processes."""

from __future__ import annotations

import inspect
import os
from typing import Any

from ..i18n import N_, ngettext
from ..i18n import gettext as _
from ..scaling import amdahl as _amdahl
from . import (
    HIDE_FRAMES,
    Choices,
    Verdict,
    blank,
    is_number,
    missing,
    multiple_choice,
    passed,
    register_answers,
    same_number,
    wrong,
)

__all__ = ["GUARD_CHOICES", "amdahl", "main_guard", "own_task"]

register_answers({
    "answer": N_("run the cell above that sets `answer = ...` (your letter), then this check again."),
    "speedup": N_("run the cell above that sets `speedup = ...` (your answer), then this check again."),
    "my_task": N_("run the cell above that sets `my_task` and `my_run` (your answer), then this check again."),
    "my_run": N_("run the cell above that sets `my_task` and `my_run` (your answer), then this check again."),
})

#: The multiple-choice answers of 03's question on ``if __name__ == '__main__'``.
GUARD_CHOICES = Choices({
    "a": N_("It makes the worker processes start faster."),
    "b": N_("A new worker process imports the main module; without the guard it would run the "
            "start-the-processes code again while it is itself starting."),
    "c": N_("Python needs it to give every process its own PID."),
    "d": N_("Threads need it too: without it a thread cannot be joined."),
})

_GUARD_HINTS = {
    "a": N_("The guard does not change how fast a process starts. Think about what a new process does "
            "with your script before it can call task()."),
    "c": N_("Every process gets its PID from the operating system, guard or not. What does a new worker "
            "process do with your script when it starts?"),
    "d": N_("The threads program in notebook 02 ran fine in a notebook cell, with no guard. The guard is "
            "about new processes: what do they do with your script?"),
}


def main_guard(answer: Any = None) -> Verdict:
    """Exercise 1: why the cheat-sheet's process program needs ``if __name__ == '__main__'`` (a letter)."""
    __tracebackhide__ = HIDE_FRAMES
    right = _("Under spawn and forkserver each worker imports your script as a module (named '__mp_main__', "
              "not '__main__'), so the guarded code runs only in the parent.")
    return multiple_choice(answer, GUARD_CHOICES, "b", right, Choices(_GUARD_HINTS))


def amdahl(speedup: Any = None, parallel_fraction: float = 0.9, workers: int = 4) -> Verdict:
    """Exercise 2: the best speedup of a program whose ``parallel_fraction`` runs in parallel on ``workers`` cores.

    Right: the exact value, or the value rounded to the decimals the learner wrote (at least one).
    """
    __tracebackhide__ = HIDE_FRAMES
    p, k = parallel_fraction, workers
    formula = _("speedup = 1 / ((1 - p) + p / k), with p = 0.9 and k = 4")
    if blank(speedup):
        return missing(_("Set `speedup` to a number: the best speedup Amdahl's law allows."))
    if isinstance(speedup, str):
        return wrong(_("`speedup` is the text {answer!r}; write the number without quotes, or compute it: "
                       "{formula}.").format(answer=speedup, formula=formula))
    if not is_number(speedup):
        return wrong(_("`speedup` must be a number, got {answer!r} (a {kind}).").format(
            answer=speedup, kind=type(speedup).__name__))
    value = float(speedup)
    right = float(_amdahl(k, serial=1 - p))
    if same_number(value, right):
        return passed(_("{right:.2f}x: the serial {serial:.0%} still takes its full time, so even with "
                        "infinitely many cores the speedup stays below {limit:.0f}x.").format(
            right=right, serial=1 - p, limit=1 / (1 - p)))
    if round(value) == value and round(right) == value:
        return wrong(_("Close, but {answer:g} is rounded to a whole number: keep at least one decimal.").format(
            answer=value))
    near = {
        k: _("{k}x would need all of the work to run in parallel. Here {serial:.0%} of it is serial and "
             "runs on one core.").format(k=k, serial=1 - p),
        p * k: _("Not a product: add up the times. The serial part takes (1 - p) of the old time, the "
                 "parallel part p / k; the speedup is 1 divided by their sum."),
        (1 - p) + p / k: _("That is the new time as a share of the old one. The speedup is the old time "
                           "divided by the new: 1 divided by that."),
        1 / (1 - p): _("{limit:.0f}x is the limit with infinitely many cores. With {k} cores the "
                       "parallel part still takes p / k of the old time.").format(limit=1 / (1 - p), k=k),
        1 / (p + (1 - p) / k): _("p and 1 - p are swapped: p is the part that runs in parallel, so it is "
                                 "p that is divided by k."),
        100 * right: _("That looks like a percentage. A speedup is a ratio: how many times as fast."),
    }
    for value_near, message in near.items():
        if same_number(value, value_near):
            return wrong(message)
    if value > k:
        return wrong(_("{k} cores can never make a program more than {k}x faster. Use {formula}.").format(
            k=k, formula=formula))
    return wrong(_("Use {formula}.").format(formula=formula))


def _task_problem(task: Any) -> Verdict | None:
    """What is wrong with ``my_task`` (not a function, conclib's, from a notebook cell), or None."""
    __tracebackhide__ = HIDE_FRAMES
    from .._base import task_name

    if isinstance(task, str):
        return wrong(_("`my_task` is the text {answer!r}; set it to the function itself, without quotes.").format(
            answer=task))
    if not callable(task):
        return wrong(_("`my_task` must be a function, got {answer!r} (a {kind}).").format(
            answer=task, kind=type(task).__name__))
    module = getattr(task, "__module__", None) or ""
    name = task_name(task)
    if module == "conclib" or module.startswith("conclib."):
        return wrong(_("{name} comes with conclib ({module}). Write your own function into a module "
                       "(%%writefile something.py), import it, and run that.").format(name=name, module=module))
    if module == "__main__":
        return wrong(_("{name} was defined in a notebook cell, so a worker process may not find it. Write it "
                       "into a module with %%writefile something.py, then `from something import ...`.").format(
            name=name))
    return None


def _run_problem(run: Any, name: str) -> Verdict | None:
    """What is wrong with ``my_run``, the processes run of the task called ``name``, or None."""
    __tracebackhide__ = HIDE_FRAMES
    from .. import Run

    if blank(run):
        return missing(_('Set `my_run` to the result of conclib.run("processes", my_task, [N // 10] * 2).'))
    if inspect.isfunction(run) or isinstance(run, str):
        return wrong(_('`my_run` must be what conclib.run(...) returns, got {answer!r}: '
                       'my_run = conclib.run("processes", my_task, [N // 10] * 2).').format(answer=run))
    if not isinstance(run, Run):
        return wrong(_("`my_run` must be what conclib.run(...) returns (a conclib.Run), got a {kind}.").format(
            kind=type(run).__name__))
    if run.model != "processes":
        return wrong(_('This run used model={model!r}; the exercise is about model="processes".').format(
            model=run.model))
    if run.task != name:
        return wrong(_("my_run ran {task!r}, but my_task is {name!r}: run your own function, "
                       'conclib.run("processes", my_task, [N // 10] * 2).').format(task=run.task, name=name))
    if run.status != "ok":
        return wrong(_("The run ended with status {status!r}; look at my_run.to_frame() for the error.").format(
            status=run.status))
    if run.n_jobs < 2:
        return wrong(ngettext("Give at least two jobs, so two processes run your task; this run had {n}.",
                              "Give at least two jobs, so two processes run your task; this run had {n}.",
                              run.n_jobs).format(n=run.n_jobs))
    if any(job.pid == os.getpid() for job in run.jobs):
        return wrong(_('A job ran in this notebook\'s own process; under model="processes" it should not.'))
    return None


def own_task(task: Any = None, run: Any = None) -> Verdict:
    """Exercise 3: ``task`` is the learner's function from their own module, ``run`` its processes run."""
    __tracebackhide__ = HIDE_FRAMES
    from .._base import task_name

    if blank(task) and blank(run):
        return missing(_('Set `my_task` to your function and `my_run` to conclib.run("processes", my_task, jobs).'))
    if blank(task):
        return missing(_("Set `my_task` to your own function, the one you imported from your module."))
    problem = _task_problem(task)  # a Verdict, which is falsy when wrong: compare with None, never `or`
    if problem is None:
        problem = _run_problem(run, task_name(task))
    if problem is not None:
        return problem
    name, module = task_name(task), getattr(task, "__module__", None) or ""
    pids = sorted({job.pid for job in run.jobs})
    return passed(ngettext("Your function {name!r} from {module} ran in {n} worker process with PIDs "
                           "{pids}, none of them this notebook's ({pid}).",
                           "Your function {name!r} from {module} ran in {n} worker processes with PIDs "
                           "{pids}, none of them this notebook's ({pid}).", len(pids)).format(
        name=name, module=module, n=len(pids), pids=pids, pid=os.getpid()))
