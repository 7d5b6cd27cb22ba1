"""Interpreters (Python 3.14+): one subinterpreter per job, or an ``InterpreterPoolExecutor``.

A subinterpreter is a second Python inside the same process, with its own modules,
its own objects and its own GIL (PEP 684, PEP 734). Each job runs in one, in a
thread of its own, so CPU-bound jobs run in parallel like processes, but without
starting a new process. Like a worker process, a subinterpreter shares no Python
objects with the caller: what crosses is copied (pickled) or is a buffer of raw bytes::

    this interpreter (conclib's conductor thread)      one subinterpreter per job (own thread, own GIL)
    ---------------------------------------------      ------------------------------------------------
    (task, job, args)                  -- pickled -->  unpickled: the task is imported by module and name
    fractions: 8 bytes per job      <-- memoryview -->  the job's Probe writes how much is done
    stop: 1 byte                    <-- memoryview -->  the Probe reads it: stop at the next sample
    unpickle the Outcome                 <-- bytes --  pickle the Outcome (record + exception)

Starting a subinterpreter and importing conclib in it takes time (measured in
``benchmarks/interpreters.py``); the jobs start together once every subinterpreter is
ready, so the start-up shows as time before the first job, as one block.
The conductor copies the shared fractions into ``control.fractions`` (which the
live plot reads) and the stop request into the shared byte, every ``RELAY`` seconds.

As with threads, nothing can stop a job from outside: a job stops at its next progress
sample, so a task that takes none (``countdown``) runs to its end. Do not leave one
running when Python exits: CPython cannot shut down cleanly while a subinterpreter runs.
"""

from __future__ import annotations

import pickle
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent import futures
from typing import Any

from ._base import Control, JobRecord, Outcome, run_job, task_name
from .i18n import _

__all__ = ["available", "execute", "require", "validate_task"]

#: The first Python with ``concurrent.interpreters`` (PEP 734).
REQUIRED = (3, 14)
#: Seconds between two copies of progress and stop requests across the interpreters.
RELAY = 0.02


def available() -> bool:
    """True where this Python has ``concurrent.interpreters`` (CPython 3.14+)."""
    try:
        import concurrent.interpreters  # noqa: F401
    except ImportError:
        return False
    return True


def require() -> None:
    """Raise ``RuntimeError`` naming the Python version needed, where subinterpreters are missing."""
    if not available():
        raise RuntimeError(
            _("model='interpreters' needs Python {required} or newer (the module concurrent.interpreters); "
              "this is Python {version}. Use 'threads' or 'processes' here, or install Python 3.14+ "
              "(e.g. `uv python install 3.14`).").format(required=f"{REQUIRED[0]}.{REQUIRED[1]}",
                                                          version=sys.version.split()[0])
        )


def execute(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], control: Control,
            workers: int | None = None) -> list[Outcome]:
    """Run the jobs in subinterpreters of this process: own modules, own GIL, one thread each."""
    require()
    shared = _Shared(len(jobs))
    path = tuple(sys.path)  # a new interpreter starts with the default sys.path, not ours
    outcomes: dict[int, Outcome] = {}
    if workers is None:
        ready = [threading.Event() for _ in jobs]
        go = threading.Event()

        def work(i: int) -> None:
            outcomes[i] = _call_in_new_interpreter(task, i, jobs[i], shared, path, control, ready[i], go)

        threads = [threading.Thread(target=work, args=(i,), name=f"conclib-interpreter-{i}", daemon=True)
                   for i in range(len(jobs))]
        for t in threads:
            t.start()
        while alive := [t for t in threads if t.is_alive()]:
            shared.relay(control)
            if all(event.is_set() for event in ready) or control.stopping:
                go.set()  # every subinterpreter has started: the jobs start together
            alive[0].join(RELAY)
    else:
        from concurrent.futures import InterpreterPoolExecutor  # type: ignore[attr-defined,unused-ignore]

        with InterpreterPoolExecutor(workers, thread_name_prefix="conclib-interpreter",
                                     initializer=_set_path, initargs=(path,)) as pool:
            pending = {pool.submit(_job_in_interpreter, task, i, args, shared.fractions, shared.stop): i
                       for i, args in enumerate(jobs)}
            while pending:
                shared.relay(control)
                done, _not_done = futures.wait(pending, timeout=RELAY)
                for future in done:
                    i = pending.pop(future)
                    outcomes[i] = _unpack(i, jobs[i], future, control)
    shared.relay(control)
    return [outcomes[i] for i in sorted(outcomes)]


def validate_task(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]]) -> None:
    """Raise ``TypeError`` now if a subinterpreter could not load ``task`` or its arguments."""
    name = task_name(task)
    fix = _("Move the function into a module (a .py file next to the notebook) and import it, "
            "or use a task from conclib.tasks.")
    main = sys.modules.get("__main__")
    if getattr(task, "__module__", None) == "__main__" and not getattr(main, "__file__", None):
        raise TypeError(
            _("task={task!r} is defined in a notebook cell or an interactive session. Each "
              "subinterpreter starts with fresh modules and imports the task by module and name, "
              "and it cannot import a notebook cell.").format(task=name) + " " + fix
        )
    try:
        pickle.dumps(task)
    except Exception as exc:
        raise TypeError(
            _("task={task!r} cannot be sent to a subinterpreter (pickle says: {error}). "
              "Lambdas and functions defined inside other functions cannot be pickled.").format(task=name, error=exc)
            + " " + fix
        ) from None
    try:
        pickle.dumps(list(jobs))
    except Exception as exc:
        raise TypeError(_("jobs cannot be sent to a subinterpreter (pickle says: {error}); "
                          "use numbers, strings, tuples and other picklable values").format(error=exc)) from None


# ---------------------------------------------------------------- what crosses the interpreters


class _Shared:
    """Two buffers of raw bytes that every interpreter can see: the fractions and the stop byte."""

    def __init__(self, n_jobs: int) -> None:
        self.fractions = memoryview(bytearray(8 * n_jobs)).cast("d")
        self.stop = memoryview(bytearray(1))

    def relay(self, control: Control) -> None:
        """Copy progress to ``control`` and stop requests both ways (a failed job stops the others)."""
        for i, fraction in enumerate(self.fractions):
            control.fractions[i] = fraction
        if control.stopping:
            self.stop[0] = 1
        elif self.stop[0]:
            control.stop()


class _StopByte:
    """``stop_flag.value`` of a job's Control, read from and written to the shared stop byte."""

    def __init__(self, stop: memoryview) -> None:
        self.stop = stop

    @property
    def value(self) -> int:
        return self.stop[0]

    @value.setter
    def value(self, flag: int) -> None:
        self.stop[0] = flag


# ---------------------------------------------------------------- inside a subinterpreter


def _set_path(path: tuple[str, ...]) -> None:
    """Give this interpreter the caller's ``sys.path``, so the task's module is found as there."""
    sys.path[:] = path


def _job_in_interpreter(task: Callable[..., Any], i: int, args: tuple[Any, ...], fractions: memoryview,
                        stop: memoryview) -> bytes:
    """Run one job here and return its pickled Outcome."""
    control = Control(len(fractions))
    control.fractions = fractions  # type: ignore[assignment]  # the job's Probe writes here; the caller reads it
    control.stop_flag = _StopByte(stop)
    outcome = run_job(task, i, args, control)  # thread_time: this OS thread runs only this job
    try:
        return pickle.dumps(outcome)
    except Exception:  # an exception that does not pickle travels as a RuntimeError with its text
        return pickle.dumps(outcome._replace(error=RuntimeError(outcome.record.error)))


# ---------------------------------------------------------------- in the caller


def _call_in_new_interpreter(task: Callable[..., Any], i: int, args: tuple[Any, ...], shared: _Shared,
                             path: tuple[str, ...], control: Control, ready: threading.Event,
                             go: threading.Event) -> Outcome:
    """Start a subinterpreter, say ``ready``, wait for ``go``, run job ``i`` in it (in this thread), close it."""
    from concurrent import interpreters

    future: futures.Future[bytes] = futures.Future()
    try:
        interp = interpreters.create()
    except Exception as exc:  # e.g. out of memory
        ready.set()
        future.set_exception(exc)
        return _unpack(i, args, future, control)
    try:
        try:
            interp.call(_set_path, path)  # this imports conclib there: most of the start-up time
        finally:
            ready.set()
        go.wait()
        # The task and its arguments are pickled here and unpickled there: the task is imported
        # there by module and name (a script's __main__ is loaded again, as under spawn).
        future.set_result(interp.call(_job_in_interpreter, task, i, args, shared.fractions, shared.stop))
    except Exception as exc:
        future.set_exception(exc)
    finally:
        interp.close()
    return _unpack(i, args, future, control)


def _unpack(i: int, args: tuple[Any, ...], future: futures.Future[bytes], control: Control) -> Outcome:
    """The job's Outcome; an error outside the job (e.g. its module failed to import) is a failed job."""
    try:
        return pickle.loads(future.result())  # type: ignore[no-any-return]
    except Exception as exc:
        now = time.perf_counter()
        stopped = control.stopping
        why = str(exc)
        cause = exc.__cause__ or exc.__context__
        while cause is not None:  # "args not shareable" alone does not say why: the cause does
            why += f" ({type(cause).__name__}: {str(cause).splitlines()[0] if str(cause) else ''})"
            cause = cause.__cause__ or cause.__context__
        error = RuntimeError(_("job {job} could not run in a subinterpreter: {why}").format(job=i, why=why))
        record = JobRecord(job=i, args=args, pid=0, thread_id=0, start=now, end=now, cpu=0.0,
                           status="stopped" if stopped else "failed",
                           error=None if stopped else f"RuntimeError: {error}")
        if not stopped:
            control.stop()
        return Outcome(record, None if stopped else error)
