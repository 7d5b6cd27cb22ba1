"""Processes: one ``multiprocessing.Process`` per job (as in the cheat-sheet), or a process pool."""

from __future__ import annotations

import contextlib
import pickle
import queue
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from ._base import Control, JobRecord, Outcome, run_job, task_name

__all__ = ["execute", "validate_task"]


def execute(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], control: Control,
            workers: int | None = None) -> list[Outcome]:
    """Run the jobs in worker processes: each has its own memory, its own GIL, its own core."""
    ctx = control.context
    if workers is None:
        results = ctx.Queue()
        procs = [ctx.Process(target=_job_in_child, args=(task, i, args, control, results),
                             name=f"conclib-job-{i}", daemon=True)
                 for i, args in enumerate(jobs)]
        control.kill_hooks.append(lambda: _terminate(procs))
        with _quiet_fork(ctx.get_start_method()):
            for p in procs:
                p.start()
        outcomes = _collect(procs, results, control)
        for p in procs:
            p.join()
            p.close()  # frees its file descriptor now, not when garbage-collected
        results.close()
        results.join_thread()
        return outcomes
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_pool_worker,
                             initargs=(control,)) as pool:
        control.kill_hooks.append(lambda: _kill_pool(pool))
        with _quiet_fork(ctx.get_start_method()):  # a pool starts its processes on submit
            futures = [pool.submit(_job_in_pool, task, i, args) for i, args in enumerate(jobs)]
        outcomes = []
        for i, future in enumerate(futures):
            try:
                outcomes.append(future.result())
            except BrokenProcessPool as exc:  # a worker was killed, by us or by a crash
                outcomes.append(_lost(i, jobs[i], control, exc))
        return outcomes


def validate_task(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], start_method: str) -> None:
    """Raise ``TypeError`` now if worker processes could not load ``task`` or its arguments."""
    name = task_name(task)
    fix = ("Move the function into a module (a .py file next to the notebook) and import it, "
           "or use a task from conclib.tasks.")
    main = sys.modules.get("__main__")
    if (start_method != "fork" and getattr(task, "__module__", None) == "__main__"
            and not getattr(main, "__file__", None)):
        raise TypeError(
            f"task={name!r} is defined in a notebook cell or an interactive session. Under the "
            f"{start_method!r} start method each worker process starts a fresh Python that imports "
            f"the task by module and name, and it cannot import a notebook cell. {fix}"
        )
    try:
        pickle.dumps(task)
    except Exception as exc:
        raise TypeError(
            f"task={name!r} cannot be sent to worker processes (pickle says: {exc}). "
            f"Lambdas and functions defined inside other functions cannot be pickled. {fix}"
        ) from None
    try:
        pickle.dumps(list(jobs))
    except Exception as exc:
        raise TypeError(f"jobs cannot be sent to worker processes (pickle says: {exc}); "
                        f"use numbers, strings, tuples and other picklable values") from None


# ---------------------------------------------------------------- inside the worker processes

_pool_control: Control | None = None


def _init_pool_worker(control: Control) -> None:
    global _pool_control
    _pool_control = control


def _job_in_pool(task: Callable[..., Any], i: int, args: tuple[Any, ...]) -> Outcome:
    assert _pool_control is not None
    return _picklable(run_job(task, i, args, _pool_control, clock=time.process_time))


def _job_in_child(task: Callable[..., Any], i: int, args: tuple[Any, ...], control: Control,
                  results: Any) -> None:
    try:
        outcome = run_job(task, i, args, control, clock=time.process_time)
    except KeyboardInterrupt:  # Ctrl+C in a terminal reaches the children too; the parent reports it
        return
    results.put(_picklable(outcome))


def _picklable(outcome: Outcome) -> Outcome:
    """Exceptions must pickle to travel back; replace one that does not by a RuntimeError."""
    try:
        pickle.dumps(outcome.error)
        return outcome
    except Exception:
        return outcome._replace(error=RuntimeError(outcome.record.error))


# ---------------------------------------------------------------- in the parent


def _collect(procs: list[Any], results: Any, control: Control) -> list[Outcome]:
    """Read one outcome per process; a process that dies without one is recorded as lost."""
    outcomes: dict[int, Outcome] = {}
    dead_before: set[int] = set()
    while len(outcomes) < len(procs):
        try:
            outcome = results.get(timeout=0.05)
            outcomes[outcome.record.job] = outcome
            continue
        except queue.Empty:
            pass
        dead = {i for i, p in enumerate(procs) if i not in outcomes and p.exitcode is not None}
        for i in dead & dead_before:  # dead twice in a row: nothing more can arrive
            exc = ChildProcessError(f"worker process for job {i} exited with code {procs[i].exitcode}")
            outcomes[i] = _lost(i, (), control, exc, pid=procs[i].pid)
        dead_before = dead
    return [outcomes[i] for i in sorted(outcomes)]


def _lost(i: int, args: tuple[Any, ...], control: Control, exc: BaseException, pid: int = 0) -> Outcome:
    now = time.perf_counter()
    stopped = control.stopping
    record = JobRecord(job=i, args=args, pid=pid or 0, thread_id=0, start=now, end=now, cpu=0.0,
                       status="stopped" if stopped else "failed", error=None if stopped else str(exc))
    if not stopped:
        control.stop()
    return Outcome(record, None if stopped else exc)


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    if hasattr(pool, "terminate_workers"):  # Python 3.14+
        pool.terminate_workers()
    else:  # older Pythons have no public way to stop a busy pool worker
        _terminate(list((getattr(pool, "_processes", None) or {}).values()))


def _terminate(procs: list[Any]) -> None:
    for p in procs:
        with contextlib.suppress(ValueError):  # ValueError: already closed, nothing to stop
            if p.is_alive():
                p.terminate()


@contextlib.contextmanager
def _quiet_fork(start_method: str) -> Iterator[None]:
    """Silence Python 3.12+'s warning about forking a multi-threaded process, for fork only.

    conclib starts processes from its conductor thread, so the process always has
    threads (a Jupyter kernel has several anyway). Forking copies locks held by
    other threads, which can deadlock the child: that is why conclib's default is
    forkserver or spawn, and why fork is used only when you ask for it.
    """
    with warnings.catch_warnings():
        if start_method == "fork":
            warnings.filterwarnings("ignore", message=r".*use of fork\(\) may lead to deadlocks",
                                    category=DeprecationWarning)
        yield
