"""One API over the four models: ``run``, ``arun``, ``measure``, ``summarize``, ``compare``."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import inspect
import statistics
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from . import cluster as dask_cluster
from . import coroutines, processes, sequential, threads
from ._base import (
    ALL_MODELS,
    Control,
    Outcome,
    Run,
    check_jobs,
    check_model,
    check_seconds,
    check_task_args,
    check_workers,
    python_note,
    task_name,
)
from .machine import check_start_method, default_start_method, machine_info

if TYPE_CHECKING:
    import pandas as pd

POLL = 0.05  # seconds between two looks at the running jobs
REDRAW = 0.25  # seconds between two progress updates sent to an observer
GRACE = 1.0  # seconds a job gets to stop by itself before its worker is killed

_EXECUTORS = {"sequential": sequential.execute, "threads": threads.execute,
              "processes": processes.execute, "asyncio": coroutines.execute, "dask": dask_cluster.execute}
_WORKER_KIND = {"sequential": "main", "threads": "thread", "processes": "process", "asyncio": "task",
                "dask": "worker"}


class Observer(Protocol):
    """Watches a run from the caller's thread (a live plot, a progress bar)."""

    def start(self, model: str, n_jobs: int) -> None: ...

    def update(self, elapsed: float, fractions: Sequence[float]) -> None: ...

    def finish(self, run: Run) -> None: ...


def resolve_task(model: str, task: Any) -> Callable[..., Any]:
    """The function this model will run: a coroutine function's sync twin outside asyncio."""
    if not callable(task):
        raise TypeError(f"task must be a function, e.g. conclib.countdown; got {task!r}")
    if model == "asyncio" or not inspect.iscoroutinefunction(task):
        return task  # type: ignore[no-any-return]
    twin = getattr(task, "__conclib_sync_twin__", None)
    if twin is None:
        raise TypeError(
            f"task={task_name(task)!r} is a coroutine function (async def), which only the 'asyncio' "
            f"model can await; give model={model!r} a plain function instead"
        )
    return twin  # type: ignore[no-any-return]


class _Session:
    """Checks the input, runs the model in a conductor thread, and turns the outcome into a Run."""

    def __init__(self, model: Any, task: Any, jobs: Any, workers: Any, timeout: Any,
                 start_method: Any, observer: Observer | None, cluster: Any = None) -> None:
        self.model = check_model(model)
        self.jobs = check_jobs(jobs)
        self.workers = check_workers(workers)
        if timeout is not None:
            check_seconds("timeout", timeout, allow_zero=False)
        self.timeout: float | None = timeout
        self.task = resolve_task(self.model, task)
        check_task_args(self.task, self.jobs)
        self.start_method: str | None = None
        context = None
        if self.model == "processes":
            self.start_method = (default_start_method() if start_method is None
                                 else check_start_method(start_method))
            processes.check_task(self.task, self.jobs, self.start_method)
            context = processes.context(self.start_method)
        elif start_method is not None:
            check_start_method(start_method)
        self.execute = _EXECUTORS[self.model]
        self.cluster = dask_cluster.check_cluster(cluster, self.workers) if self.model == "dask" else None
        if cluster is not None and self.model != "dask":
            raise ValueError(f"cluster={cluster!r} is for model='dask' only; "
                             f"model={self.model!r} runs on this computer")
        if self.model == "dask":
            self.execute = functools.partial(dask_cluster.execute, cluster=self.cluster)
        self.control = Control(len(self.jobs), context)
        self.observer = observer
        self.status = "ok"
        self.outcomes: list[Outcome] = []
        self.crash: BaseException | None = None
        self.conductor: threading.Thread | None = None
        self.machine: dict[str, Any] = {}
        self.t0 = self.t1 = time.perf_counter()

    def start(self) -> None:
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

    def poll(self) -> bool:
        """Check the deadline, feed the observer; True while the jobs are still running."""
        now = time.perf_counter()
        if self.deadline is not None and now > self.deadline and self.status == "ok":
            self.stop("timeout")
        if self.observer is not None and now >= self.next_draw:
            self.observer.update(now - self.t0, list(self.control.fractions))
            self.next_draw = now + REDRAW
        return self.conductor is not None and self.conductor.is_alive()

    def wait(self, seconds: float) -> None:
        if self.conductor is not None:
            self.conductor.join(seconds)

    def stop(self, status: str) -> None:
        """Ask the jobs to stop; kill the workers that have not stopped after GRACE seconds."""
        self.status = status
        self.control.stop()
        if self.conductor is None:  # interrupted before anything started
            return
        self.conductor.join(GRACE)
        if self.conductor.is_alive():
            self.control.kill()
            self.conductor.join(GRACE)
        if self.conductor.is_alive():  # threads running code that never checks the stop flag
            self.t1 = time.perf_counter()

    def finish(self) -> Run:
        """The Run as far as it got; the observer draws its final frame from it."""
        records = [o.record for o in self.outcomes]
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
        run = self.finish()
        errors = sorted((o for o in self.outcomes if o.error is not None), key=lambda o: o.record.end)
        if self.crash is not None:
            raise self.crash
        if errors and self.status == "ok":
            failed = errors[0]
            exc = failed.error
            assert exc is not None
            python_note(exc, f"raised by job {failed.record.job} (args {failed.record.args!r}) "
                             f"under the {self.model!r} model; the other jobs were stopped")
            exc.job = failed.record.job  # type: ignore[attr-defined]
            exc.run = run  # type: ignore[attr-defined]
            raise exc
        if self.status == "timeout":
            exc = TimeoutError(f"timeout={self.timeout!r} s passed before the {len(self.jobs)} job(s) "
                               f"finished under the {self.model!r} model; the jobs were stopped")
            exc.run = run  # type: ignore[attr-defined]
            raise exc
        return run


def _label(model: str, records: Iterable[Any]) -> tuple[Any, ...]:
    """Name each job's worker: 'main', 'thread-0', 'process-1', 'task-2' (numbered by first start)."""
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
        raise TypeError("give either live=True or observer=..., not both")
    if isinstance(live, bool) and live:
        from .plotting import LiveRace  # matplotlib only when asked for

        return LiveRace()
    if live not in (False, None):
        raise TypeError(f"live must be True or False, got {live!r}")
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
    session = _Session(model, task, jobs, workers, timeout, start_method, _observer(live, observer), cluster)
    try:  # an interrupt may come at any moment once something has started
        session.start()
        while session.poll():
            session.wait(POLL)
    except KeyboardInterrupt:
        session.stop("interrupted")
        session.finish()
        raise
    return session.result()


async def arun(model: str, task: Callable[..., Any], jobs: Iterable[Any], *, workers: int | None = None,
               timeout: float | None = None, start_method: str | None = None, live: bool = False,
               observer: Observer | None = None, cluster: str | None = None) -> Run:
    """``await conclib.arun(...)``: :func:`run` without blocking the caller's event loop."""
    session = _Session(model, task, jobs, workers, timeout, start_method, _observer(live, observer), cluster)
    try:
        session.start()
        while session.poll():
            await asyncio.sleep(POLL)
    except (KeyboardInterrupt, asyncio.CancelledError):
        session.stop("interrupted")
        session.finish()
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
    models = check_models(models)
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(f"repeat must be a whole number >= 1, got {repeat!r}")
    jobs = check_jobs(jobs)
    for model in models:  # all input errors before the first (maybe long) run
        _Session(model, task, jobs, workers, timeout, start_method, None, cluster if model == "dask" else None)
    return [run(model, task, jobs, workers=workers, timeout=timeout, start_method=start_method,
                observer=observer, cluster=cluster if model == "dask" else None)
            for r in range(repeat) for model in models[r % len(models):] + models[:r % len(models)]]


def check_models(models: Any) -> list[str]:
    if isinstance(models, str):
        raise TypeError(f"models must be a list of model names, e.g. [{models!r}], got the string {models!r}")
    out = [check_model(m) for m in models]
    if not out:
        raise ValueError(f"models must name at least one of {ALL_MODELS}")
    return out


def summarize(runs: Sequence[Run]) -> pd.DataFrame:
    """One row per model: median/min/max seconds, speedup against sequential, CPU utilisation."""
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
    return table


def compare(models: Sequence[str], task: Callable[..., Any], jobs: Iterable[Any], *, repeat: int = 3,
            workers: int | None = None, timeout: float | None = None, start_method: str | None = None,
            observer: Observer | None = None, cluster: str | None = None) -> pd.DataFrame:
    """:func:`measure` then :func:`summarize`: the table that answers "which model wins here?"."""
    return summarize(measure(models, task, jobs, repeat=repeat, workers=workers, timeout=timeout,
                             start_method=start_method, observer=observer, cluster=cluster))
