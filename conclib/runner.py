"""One API over the four models: ``run``, ``arun``, ``measure``, ``summarize``, ``compare``.

How a run works
---------------

Two threads of the caller's process take part, and they share one :class:`Control`::

    caller's thread                    conductor thread                 workers
    (conclib.run / arun)               ("conclib-conductor")            (per model)
    ====================               =====================            ===========

    validate the input
    machine_info(), observer.start
    start the conductor  ------------> execute(task, jobs, control) --> job 0: task(*jobs[0])
                                          (the model's module)     --> job 1: task(*jobs[1])
    when something is due:                                               ...
      read control.fractions  <-------------- Probe.tick() writes ------+
      observer.update (every REDRAW)                                    |
      past the timeout? control.stop() ------ stop flag, read by -------+
      after GRACE: control.kill() ----------- kill_hooks end workers ---+
                                           list of Outcome, by job
    conductor ended  <---------------------  (or the exception it raised)
    Run(...), observer.finish(run)
    raise the first job error, or TimeoutError, or return the Run

Why a conductor thread: the caller's thread stays free to notice Ctrl+C, to keep the
timeout, and to draw (matplotlib and IPython want one thread, the caller's). The
model itself never sees the observer; it only writes progress into ``Control``.
Every model's ``execute`` follows the :class:`conclib._base.Executor` protocol.

``_Session`` holds one run's state; :func:`run` and :func:`arun` differ only in how
they wait for the next thing due (``threading.Event.wait``, or ``await`` on an
``asyncio.Event`` that the conductor sets when the jobs are done).

This module is longer than 300 lines: the diagram above and the docstrings of the
public functions are a third of it, and the session's steps read best side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import inspect
import os
import statistics
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from . import cluster as dask_cluster
from . import coroutines, interpreters, processes, sequential, threads
from ._base import (
    ALL_MODELS,
    HIDE_FRAMES,
    Control,
    Executor,
    JobRecord,
    JobScope,
    Outcome,
    Run,
    RunStatus,
    StillRunningWarning,
    python_note,
    task_name,
    validate_jobs,
    validate_model,
    validate_seconds,
    validate_task_args,
    validate_workers,
)
from .i18n import _, ngettext
from .machine import default_start_method, machine_info, process_context, validate_start_method

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "GRACE",
    "POLL",
    "REDRAW",
    "Observer",
    "arun",
    "compare",
    "measure",
    "resolve_task",
    "run",
    "summarize",
    "validate_models",
]

#: The longest the caller's thread sleeps between two looks at a run. It wakes sooner when
#: the run ends, a redraw is due, or the timeout passes; in between it stays asleep, since
#: every wake-up takes a core from a worker for a moment (measured: at 20 wake-ups a
#: second, forked workers' countdowns took 3-5% more CPU time).
POLL = 0.5
REDRAW = 0.25  # seconds between two progress updates sent to an observer
GRACE = 0.5  # seconds a job gets to stop by itself before its worker is killed; as long again after that

#: Conductor threads of earlier runs that could not be stopped, and what they still run.
_left_running: list[tuple[threading.Event, str]] = []

_EXECUTORS: dict[str, Executor] = {"sequential": sequential.execute, "threads": threads.execute,
                                   "processes": processes.execute, "asyncio": coroutines.execute,
                                   "interpreters": interpreters.execute, "dask": dask_cluster.execute}
#: Workers are named by kind and number: "task" means the function a job runs, so an asyncio worker is a coroutine.
#: (A Dask worker is named by the cluster: host:port.)
_WORKER_KIND = {"sequential": "main", "threads": "thread", "processes": "process", "asyncio": "coroutine",
                "interpreters": "interpreter", "dask": "worker"}


class Observer(Protocol):
    """Watches a run from the caller's thread (a live plot, a progress bar).

    Every method is called in the caller's thread, never while it holds anything
    the jobs need; a slow observer delays only the next look at the jobs.
    ``conclib.plotting.LiveRace`` is one; ``live=True`` makes one for you.
    """

    def start(self, model: str, n_jobs: int) -> None:
        """Called once, before the first job starts."""
        ...

    def update(self, elapsed: float, fractions: Sequence[float]) -> None:
        """Called every ``REDRAW`` seconds: seconds since the start, each job's fraction done."""
        ...

    def finish(self, run: Run) -> None:
        """Called once with the finished (or stopped) :class:`Run`."""
        ...


def resolve_task(model: str, task: Any) -> Callable[..., Any]:
    """The function this model will run: a coroutine function's sync twin outside asyncio."""
    if not callable(task):
        raise TypeError(_("{name} must be a function, e.g. conclib.countdown; got {value!r}")
                        .format(name="task", value=task))
    if model == "asyncio" or not inspect.iscoroutinefunction(task):
        return task  # type: ignore[no-any-return]
    twin = getattr(task, "__conclib_sync_twin__", None)
    if twin is None:
        raise TypeError(
            _("task={task!r} is a coroutine function (async def), which only the 'asyncio' "
              "model can await; give model={model!r} a plain function instead").format(task=task_name(task),
                                                                                         model=model)
        )
    return twin  # type: ignore[no-any-return]


class _Session:
    """Checks the input, runs the model in a conductor thread, and turns the outcome into a Run."""

    def __init__(self, model: Any, task: Any, jobs: Any, workers: Any, timeout: Any,
                 start_method: Any, observer: Observer | None, cluster: Any = None) -> None:
        __tracebackhide__ = HIDE_FRAMES
        self.model = validate_model(model)
        self.jobs = validate_jobs(jobs)
        self.workers = validate_workers(workers)
        if timeout is not None:
            validate_seconds("timeout", timeout, allow_zero=False)
        self.timeout: float | None = timeout
        self.task = resolve_task(self.model, task)
        validate_task_args(self.task, self.jobs)
        self.start_method: str | None = None
        context = None
        if self.model == "processes":
            self.start_method = (default_start_method() if start_method is None
                                 else validate_start_method(start_method))
            processes.validate_task(self.task, self.jobs, self.start_method)
            context = process_context(self.start_method)
        elif start_method is not None:
            validate_start_method(start_method)
        if self.model == "interpreters":
            interpreters.validate_task(self.task, self.jobs)
        self.execute: Executor = _EXECUTORS[self.model]
        self.cluster = dask_cluster.validate_cluster(cluster, self.workers) if self.model == "dask" else None
        if cluster is not None and self.model != "dask":
            raise ValueError(_("cluster={cluster!r} is for model='dask' only; model={model!r} runs on this computer")
                             .format(cluster=cluster, model=self.model))
        if self.model == "dask":
            self.execute = functools.partial(dask_cluster.execute, cluster=self.cluster)
        self.control = Control(len(self.jobs), context)
        self.observer = observer
        self.status: RunStatus = "ok"
        self.outcomes: list[Outcome] = []
        self.crash: BaseException | None = None
        self.conductor: threading.Thread | None = None
        # Set when the conductor is done. Not Thread.join(): on Python 3.11 and 3.12 a
        # KeyboardInterrupt inside join() can leave a running thread marked as stopped.
        self.done = threading.Event()
        self.on_done: Callable[[], None] | None = None  # arun's wake-up call, from the conductor's thread
        self.left_running: list[int] = []  # jobs that could not be stopped and still compute
        self.machine: dict[str, Any] = {}
        self.t0 = self.t1 = time.perf_counter()

    def start(self) -> None:
        _warn_left_running()
        self.machine = machine_info()
        if self.model == "dask":  # start or join the cluster now: it is kept for the next runs
            dask_cluster.connect(self.cluster, self.workers)
        if self.observer is not None:
            self.observer.start(self.model, len(self.jobs))
        self.t0 = self.t1 = time.perf_counter()
        self.next_draw = self.t0 + REDRAW
        self.deadline = None if self.timeout is None else self.t0 + self.timeout
        self.conductor = threading.Thread(target=self._conduct, name="conclib-conductor", daemon=True)
        self.conductor.start()

    def _conduct(self) -> None:
        try:
            self.outcomes = self.execute(self.task, self.jobs, self.control, self.workers)
        except BaseException as exc:  # handed to the caller's thread in result()
            self.crash = exc
        self.t1 = time.perf_counter()
        self.done.set()
        if self.on_done is not None:
            self.on_done()

    def poll(self) -> bool:
        """Check the deadline, feed the observer; True while the jobs are still running."""
        now = time.perf_counter()
        if self.deadline is not None and now > self.deadline and self.status == "ok":
            self.stop("timeout")
        if self.observer is not None and now >= self.next_draw:
            self.observer.update(now - self.t0, list(self.control.fractions))
            self.next_draw = now + REDRAW
        return self.conductor is not None and not self.done.is_set() and not self.left_running

    def until_next(self) -> float:
        """Seconds the caller's thread may sleep: until a redraw or the timeout is due, at most POLL."""
        due = [time.perf_counter() + POLL]
        if self.deadline is not None and self.status == "ok":
            due.append(self.deadline)
        if self.observer is not None:
            due.append(self.next_draw)
        return max(0.0, min(due) - time.perf_counter())

    def wait(self) -> None:
        self.done.wait(self.until_next())

    def stop(self, status: RunStatus) -> None:
        """Ask the jobs to stop; kill the workers that have not stopped after GRACE seconds.

        What still runs GRACE seconds after that is left running: threads cannot be
        killed, and a coroutine that never awaits cannot be cancelled. The call returns
        anyway, the Run marks those jobs "running", and the next run warns about them.
        """
        self.status = status
        self.control.stop()
        if self.conductor is None:  # interrupted before anything started
            return
        if not self.done.wait(GRACE) and self.control.kill_hooks:  # threads have none: they cannot be killed
            self.control.kill()
            self.done.wait(GRACE)
        if not self.done.is_set():  # code that never checks the stop flag
            self.t1 = time.perf_counter()
            self.left_running = sorted(self.control.running) or [
                i for i in range(len(self.jobs)) if i not in self.control.ended]
            _left_running.append((self.done, ngettext("job {jobs} of a {model!r} run of {task}",
                                                      "jobs {jobs} of a {model!r} run of {task}",
                                                      len(self.left_running)).format(
                jobs=_numbers(self.left_running), model=self.model, task=task_name(self.task))))

    def left_running_note(self) -> str:
        """Why the jobs in ``left_running`` go on, and what to do about it."""
        where = {"asyncio": _("They hold the event loop's thread (a plain function, or a coroutine that "
                              "never awaits, cannot be cancelled)."),
                 "processes": _("Their worker processes did not end when they were killed."),
                 }.get(self.model) or _("They run in threads of this process, and a thread cannot be killed in Python.")
        head = ngettext("Job {jobs} could not be stopped: it runs code that never checks the stop flag "
                        "(like conclib.countdown).",
                        "Jobs {jobs} could not be stopped: they run code that never checks the stop flag "
                        "(like conclib.countdown).", len(self.left_running)).format(jobs=_numbers(self.left_running))
        tail = _("They go on computing in the background until they end, and slow down what runs meanwhile. "
                 "Tasks that take progress samples (conclib.countdown_sampled) stop at once; worker processes "
                 "can be killed.")
        return f"{head} {where} {tail}"

    def _records(self) -> list[JobRecord]:
        """Every job's record: from the model, or (if it was left running) as far as it got."""
        if not self.left_running:
            return [o.record for o in self.outcomes]
        now, ended, running = time.perf_counter(), dict(self.control.ended), dict(self.control.running)
        records = []
        for i, args in enumerate(self.jobs):
            if i in ended:
                records.append(ended[i].record)
            elif i in running:
                records.append(_running_record(running[i], now))
            elif i in self.left_running:  # it runs where this interpreter cannot look in (a subinterpreter)
                records.append(JobRecord(job=i, args=args, pid=os.getpid(), thread_id=0, start=self.t0, end=now,
                                         cpu=0.0, status="running"))
            else:  # not started; it will see the stop flag when it does
                records.append(JobRecord(job=i, args=args, pid=0, thread_id=0, start=now, end=now,
                                         cpu=0.0, status="stopped"))
        return records

    def interrupted(self, exc: BaseException) -> None:
        """The stop button: stop the jobs, draw the last frame, say what could not be stopped."""
        self.stop("interrupted")
        exc.run = self.finish()  # type: ignore[attr-defined]
        if self.left_running:
            python_note(exc, self.left_running_note())

    def finish(self) -> Run:
        """The Run as far as it got; the observer draws its final frame from it."""
        records = self._records()
        failed = any(o.error is not None for o in self.outcomes)
        status = "failed" if failed and self.status == "ok" else self.status
        run = Run(model=self.model, task=task_name(self.task), jobs=_label(self.model, records),
                  start=self.t0, end=self.t1, n_jobs=len(self.jobs), workers=self.workers,
                  start_method=self.start_method, status=status, machine=self.machine)
        if self.observer is not None and self.conductor is not None:
            self.observer.finish(run)
        return run

    def result(self) -> Run:
        """The Run; raises the first job error or a TimeoutError."""
        if self.conductor is not None and not self.left_running:
            self.conductor.join()  # it is done: this takes no time
        run = self.finish()
        errors = sorted((o for o in self.outcomes if o.error is not None), key=lambda o: o.record.end)
        if self.crash is not None:
            raise self.crash
        if errors and self.status == "ok":
            failed = errors[0]
            exc = failed.error
            assert exc is not None
            python_note(exc, _("raised by job {job} (args {args!r}) under the {model!r} model; "
                               "the other jobs were stopped").format(job=failed.record.job,
                                                                     args=failed.record.args, model=self.model))
            exc.job = failed.record.job  # type: ignore[attr-defined]
            exc.run = run  # type: ignore[attr-defined]
            raise exc
        if self.status == "timeout":
            stopped = self.left_running_note() if self.left_running else _("The jobs were stopped.")
            head = ngettext("timeout={timeout!r} s passed before the {n} job finished under the {model!r} model.",
                            "timeout={timeout!r} s passed before the {n} jobs finished under the {model!r} model.",
                            len(self.jobs)).format(timeout=self.timeout, n=len(self.jobs), model=self.model)
            exc = TimeoutError(f"{head} {stopped}")
            exc.run = run  # type: ignore[attr-defined]
            raise exc
        return run


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], Any]) -> None:
    """Run ``callback`` in ``loop``'s thread, unless the loop has closed (its arun was abandoned)."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(callback)


def _numbers(jobs: Sequence[int]) -> str:
    return ", ".join(map(str, jobs))


def _running_record(scope: JobScope, now: float) -> JobRecord:
    """A job still computing: its samples so far, and its thread's CPU time where the OS tells it."""
    cpu = 0.0
    if hasattr(time, "pthread_getcpuclockid") and scope.thread.ident is not None:
        with contextlib.suppress(OSError):  # the thread may have ended just now
            clock = time.pthread_getcpuclockid(scope.thread.ident)
            cpu = time.clock_gettime(clock) - scope.thread_cpu0
    return JobRecord(job=scope.job, args=scope.args, pid=os.getpid(), thread_id=scope.thread.native_id or 0,
                     start=scope.start, end=now, cpu=cpu, total=scope.probe.total,
                     samples=tuple(scope.probe.samples), status="running")


def _warn_left_running() -> None:
    """Warn once about the jobs of earlier runs that still compute in this process."""
    alive = [what for done, what in _left_running if not done.is_set()]
    _left_running.clear()
    if alive:
        warnings.warn(StillRunningWarning(
            _("Earlier runs left jobs that could not be stopped and still compute in threads of this process "
              "({jobs}): they take CPU time from this run and slow down what it measures. Wait for them to end, "
              "or restart the kernel (Python) to measure on a quiet machine.").format(jobs="; ".join(alive))),
            stacklevel=4)


def _label(model: str, records: Iterable[Any]) -> tuple[Any, ...]:
    """Name each job's worker: 'main', 'thread-0', 'process-1', 'coroutine-2' (numbered by first start)."""
    kind = _WORKER_KIND[model]
    names: dict[Any, str] = {}
    out = []
    for rec in sorted(records, key=lambda r: r.start):
        if rec.worker:  # named by the model itself (dask: the worker's host:port)
            out.append(rec)
            continue
        key = rec.job if model == "asyncio" else (rec.pid, rec.thread_id)
        if rec.pid == 0:  # a worker that never reported
            key = ("lost", rec.job)
        name = names.setdefault(key, kind if model == "sequential" else f"{kind}-{len(names)}")
        out.append(dataclasses.replace(rec, worker=name))
    return tuple(sorted(out, key=lambda r: r.job))


def _observer(live: Any, observer: Observer | None) -> Observer | None:
    if live and observer is not None:
        raise TypeError(_("give either live=True or observer=..., not both"))
    if isinstance(live, bool) and live:
        from .plotting import LiveRace  # matplotlib only when asked for

        return LiveRace()
    if live not in (False, None):
        raise TypeError(_("{name} must be True or False, got {value!r}").format(name="live", value=live))
    return observer


def run(model: str, task: Callable[..., Any], jobs: Iterable[Any], *, workers: int | None = None,
        timeout: float | None = None, start_method: str | None = None, live: bool = False,
        observer: Observer | None = None, cluster: str | None = None) -> Run:
    """Run ``task`` once per element of ``jobs`` under ``model`` and record what happened.

    Args:
        model: one of ``conclib.ALL_MODELS``: ``conclib.MODELS`` run on this computer alone,
            ``"dask"`` on the worker processes of a Dask cluster (see ``conclib.cluster``).
        task: a function from ``conclib.tasks`` (or your own, in a module); for
            ``asyncio`` a coroutine function, or a plain function that then blocks the loop.
        jobs: one element per job: the argument, or a tuple of arguments.
        workers: None for one thread/process per job (as the cheat-sheet does), or a pool size.
        timeout: seconds after which the jobs are stopped and ``TimeoutError`` is raised.
        start_method: ``fork``, ``spawn`` or ``forkserver`` for the processes model
            (default: ``$CONCLIB_START_METHOD``, else the platform's, with fork replaced by forkserver).
        live: draw the live progress race (in Jupyter: one figure, updated in place).
        observer: anything with ``start``, ``update`` and ``finish`` methods (see ``Observer``).
        cluster: for ``"dask"``: a scheduler address like ``"tcp://192.168.1.10:8786"``
            (default: ``$CONCLIB_DASK_ADDRESS``, else a local cluster of ``workers`` or one
            worker process per usable CPU, kept for the next runs).

    Returns:
        A :class:`Run` with the wall time and one record per job.

    Raises:
        ValueError, TypeError: bad input, before any job starts.
        TimeoutError: ``timeout`` passed; ``exc.run`` holds what happened until then.
        Exception: the first exception a job raised, with the job id in ``exc.job``.
    """
    __tracebackhide__ = HIDE_FRAMES  # a refused call shows conclib's message, not its internals
    session = _Session(model, task, jobs, workers, timeout, start_method, _observer(live, observer), cluster)
    try:  # an interrupt may come at any moment once something has started
        session.start()
        while session.poll():
            session.wait()
    except KeyboardInterrupt as exc:
        session.interrupted(exc)
        raise
    return session.result()


async def arun(model: str, task: Callable[..., Any], jobs: Iterable[Any], *, workers: int | None = None,
               timeout: float | None = None, start_method: str | None = None, live: bool = False,
               observer: Observer | None = None, cluster: str | None = None) -> Run:
    """``await conclib.arun(...)``: :func:`run` without blocking the caller's event loop."""
    __tracebackhide__ = HIDE_FRAMES  # a refused call shows conclib's message, not its internals
    session = _Session(model, task, jobs, workers, timeout, start_method, _observer(live, observer), cluster)
    loop, ended = asyncio.get_running_loop(), asyncio.Event()
    session.on_done = functools.partial(_call_soon, loop, ended.set)
    try:
        session.start()
        while session.poll():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ended.wait(), session.until_next())
    except (KeyboardInterrupt, asyncio.CancelledError) as exc:
        session.interrupted(exc)
        raise
    return session.result()


def measure(models: Sequence[str], task: Callable[..., Any], jobs: Iterable[Any], *, repeat: int = 3,
            workers: int | None = None, timeout: float | None = None, start_method: str | None = None,
            observer: Observer | None = None, cluster: str | None = None) -> list[Run]:
    """Run every model ``repeat`` times, interleaved and rotated (A B C D, B C D A, C D A B, ...).

    Interleaving makes slow changes of a shared machine hit every model alike; rotating
    the order keeps any one model from always going first (a process's first runs are
    often slower, measured: up to 10% for the same countdown).
    """
    __tracebackhide__ = HIDE_FRAMES  # a refused call shows conclib's message, not its internals
    models = validate_models(models)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(_("{name} must be a whole number >= 1, got {value!r}").format(name="repeat", value=repeat))
    jobs = validate_jobs(jobs)
    for model in models:  # all input errors before the first (maybe long) run
        _Session(model, task, jobs, workers, timeout, start_method, None, cluster if model == "dask" else None)
    return [run(model, task, jobs, workers=workers, timeout=timeout, start_method=start_method,
                observer=observer, cluster=cluster if model == "dask" else None)
            for r in range(repeat) for model in models[r % len(models):] + models[:r % len(models)]]


def validate_models(models: Any) -> list[str]:
    if isinstance(models, str):
        raise TypeError(_("{name} must be a list of model names, e.g. [{value!r}], got the string {value!r}")
                        .format(name="models", value=models))
    out = [validate_model(m) for m in models]
    if not out:
        raise ValueError(_("{name} must name at least one of {allowed}").format(name="models", allowed=ALL_MODELS))
    return out


def summarize(runs: Sequence[Run]) -> pd.DataFrame:
    """One row per model: median/min/max seconds, speedup against sequential, CPU utilisation.

    ``table.attrs["machine"]`` holds the machine facts the runs recorded (``Run.machine``),
    so that a plot of the table can draw what this machine could do without measuring again.
    """
    import pandas as pd

    by_model: dict[str, list[Run]] = {}
    for r in runs:
        by_model.setdefault(r.model, []).append(r)
    rows = []
    for model, group in by_model.items():
        times = [r.elapsed for r in group]
        rows.append({"model": model, "median": statistics.median(times), "min": min(times),
                     "max": max(times), "runs": len(group),
                     "cpu_utilisation": statistics.median(r.utilisation for r in group)})
    table = pd.DataFrame(rows).set_index("model")
    base = table["median"].get("sequential")
    table.insert(3, "speedup", base / table["median"] if base is not None else float("nan"))
    table.attrs["machine"] = dict(runs[0].machine) if runs else {}  # for plots: the facts of the runs
    return table


def compare(models: Sequence[str], task: Callable[..., Any], jobs: Iterable[Any], *, repeat: int = 3,
            workers: int | None = None, timeout: float | None = None, start_method: str | None = None,
            observer: Observer | None = None, cluster: str | None = None) -> pd.DataFrame:
    """:func:`measure` then :func:`summarize`: the table that answers "which model wins here?"."""
    __tracebackhide__ = HIDE_FRAMES  # a refused call shows conclib's message, not its internals
    return summarize(measure(models, task, jobs, repeat=repeat, workers=workers, timeout=timeout,
                             start_method=start_method, observer=observer, cluster=cluster))
