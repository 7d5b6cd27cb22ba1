"""The shared contract: job records, runs, progress probes and input checks."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import difflib
import functools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, MutableSequence, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import pandas as pd

MODELS: tuple[str, ...] = ("sequential", "threads", "processes", "asyncio")
#: Every model, also those that need more than this computer alone ("dask" starts or joins a cluster).
ALL_MODELS: tuple[str, ...] = (*MODELS, "dask")

class JobStopped(Exception):
    """Raised inside a job when the run was asked to stop (interrupt, timeout, failure)."""


# --------------------------------------------------------------------------- records


@dataclasses.dataclass(frozen=True)
class JobRecord:
    """What one job did and when. Times are ``time.perf_counter()`` seconds.

    ``perf_counter`` reads a system-wide monotonic clock on Linux, macOS and
    Windows, so times taken in different processes can be compared.
    """

    job: int
    args: tuple[Any, ...]
    pid: int
    thread_id: int
    start: float
    end: float
    cpu: float
    total: float | None = None
    samples: tuple[tuple[float, float], ...] = ()
    status: str = "ok"  # "ok", "failed", "stopped"
    error: str | None = None
    worker: str = ""

    @property
    def wall(self) -> float:
        """Wall-clock seconds from the job's start to its end."""
        return self.end - self.start


@dataclasses.dataclass(frozen=True)
class Run:
    """One call of :func:`conclib.run`: the model, the wall time and every job's record."""

    model: str
    task: str
    jobs: tuple[JobRecord, ...]
    start: float
    end: float
    n_jobs: int
    workers: int | None = None
    start_method: str | None = None
    status: str = "ok"  # "ok", "failed", "stopped", "timeout", "interrupted"
    machine: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    @property
    def elapsed(self) -> float:
        """Wall-clock seconds of the whole run, start-up and shut-down included."""
        return self.end - self.start

    @property
    def cpu(self) -> float:
        """CPU seconds that the jobs used, summed over all jobs."""
        return sum(job.cpu for job in self.jobs)

    @property
    def utilisation(self) -> float:
        """CPU seconds per wall second: about 1 for one busy core, 2 for two."""
        return self.cpu / self.elapsed if self.elapsed > 0 else 0.0

    def to_frame(self) -> pd.DataFrame:
        """One row per job; times in seconds from the start of the run."""
        import pandas as pd

        rows = [
            {
                "model": self.model,
                "job": job.job,
                "worker": job.worker,
                "pid": job.pid,
                "thread_id": job.thread_id,
                "start": job.start - self.start,
                "end": job.end - self.start,
                "wall": job.wall,
                "cpu": job.cpu,
                "status": job.status,
                "error": job.error,
            }
            for job in self.jobs
        ]
        columns = ["model", "job", "worker", "pid", "thread_id", "start", "end", "wall", "cpu", "status", "error"]
        return pd.DataFrame(rows, columns=columns)

    def samples_frame(self) -> pd.DataFrame:
        """One row per progress sample: job, worker, time from run start, fraction done."""
        import pandas as pd

        rows = [
            {"job": job.job, "worker": job.worker, "time": t - self.start, "done": done,
             "fraction": done / job.total if job.total else 1.0}
            for job in self.jobs
            for t, done in job.samples
        ]
        return pd.DataFrame(rows, columns=["job", "worker", "time", "done", "fraction"])


class Outcome(NamedTuple):
    """A job's record and the exception it raised, if any."""

    record: JobRecord
    error: BaseException | None


# --------------------------------------------------------------------------- control


class _Flag:
    """A stand-in for ``multiprocessing.Value`` inside one process."""

    def __init__(self) -> None:
        self.value = 0


class Control:
    """What the runner shares with every job: live progress and the stop flag.

    Inside one process plain Python objects do; for worker processes the same
    two fields live in shared memory made by the run's multiprocessing context.
    """

    def __init__(self, n_jobs: int, context: Any = None) -> None:
        self.context = context
        self.fractions: MutableSequence[float]
        if context is None:
            self.fractions = [0.0] * n_jobs
            self.stop_flag: Any = _Flag()
        else:
            self.fractions = context.RawArray("d", n_jobs)
            self.stop_flag = context.RawValue("b", 0)
        self.kill_hooks: list[Callable[[], None]] = []

    def __getstate__(self) -> dict[str, Any]:
        # Only the shared memory travels to a worker process.
        return {"fractions": self.fractions, "stop_flag": self.stop_flag}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, context=None, kill_hooks=[])

    @property
    def stopping(self) -> bool:
        return bool(self.stop_flag.value)

    def stop(self) -> None:
        """Ask every job to stop at its next progress sample."""
        self.stop_flag.value = 1

    def kill(self) -> None:
        """Stop what does not stop by itself (worker processes, event-loop tasks)."""
        self.stop()
        for hook in list(self.kill_hooks):
            hook()


# --------------------------------------------------------------------------- probes


class Probe:
    """Records a job's progress samples; the instrumented tasks call it every chunk."""

    def __init__(self, job: int = 0, control: Control | None = None) -> None:
        self.job = job
        self.control = control if control is not None else Control(job + 1)
        self.total: float | None = None
        self.samples: list[tuple[float, float]] = []

    def begin(self, total: float) -> None:
        """Say how much work the job has (any unit) and take the first sample."""
        self.total = total
        self.tick(0)

    def tick(self, done: float) -> None:
        """Take a sample; raise :class:`JobStopped` if the run was asked to stop."""
        self.samples.append((time.perf_counter(), done))
        self.control.fractions[self.job] = done / self.total if self.total else 1.0
        if self.control.stop_flag.value:
            raise JobStopped(f"job {self.job} was stopped")


_current_probe: contextvars.ContextVar[Probe] = contextvars.ContextVar("conclib_probe")


def current_probe() -> Probe:
    """The probe of the job that is running here, or a fresh one outside ``conclib.run``."""
    try:
        return _current_probe.get()
    except LookupError:
        probe = Probe()
        _current_probe.set(probe)
        return probe


class JobScope:
    """Run one job: install its probe, time it, and turn what it raised into an :class:`Outcome`.

    ``with JobScope(...) as scope: scope.check_stop(); task(*args)``, then read
    ``scope.outcome``. An
    ``Exception`` from the job is caught and stops the other jobs; ``JobStopped``
    marks the job as stopped; ``KeyboardInterrupt`` and friends pass through.
    """

    def __init__(self, job: int, args: tuple[Any, ...], control: Control,
                 clock: Callable[[], float] = time.thread_time) -> None:
        self.job, self.args, self.control, self.clock = job, args, control, clock
        self.probe = Probe(job, control)
        self.outcome: Outcome | None = None

    def __enter__(self) -> JobScope:
        self._token = _current_probe.set(self.probe)
        self.start, self.cpu0 = time.perf_counter(), self.clock()
        return self

    def check_stop(self) -> None:
        """Raise :class:`JobStopped` (inside the ``with``) if the run is already stopping."""
        if self.control.stopping:
            raise JobStopped(f"job {self.job} was stopped before it started")

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        end, cpu = time.perf_counter(), self.clock() - self.cpu0
        _current_probe.reset(self._token)
        if exc is None:
            status, error = "ok", None
            self.control.fractions[self.job] = 1.0
        elif isinstance(exc, (JobStopped, asyncio.CancelledError)):  # we asked it to stop
            status, error = "stopped", None
        elif isinstance(exc, Exception):
            status, error = "failed", exc
            self.control.stop()  # one failure stops the other jobs
        else:
            return False  # KeyboardInterrupt, SystemExit: not ours to keep
        probe = self.probe
        record = JobRecord(
            job=self.job, args=self.args, pid=os.getpid(), thread_id=threading.get_native_id(),
            start=self.start, end=end, cpu=cpu, total=probe.total, samples=tuple(probe.samples),
            status=status, error=None if error is None else f"{type(error).__name__}: {error}",
        )
        self.outcome = Outcome(record, error)
        return True


def run_job(task: Callable[..., Any], job: int, args: tuple[Any, ...], control: Control,
            clock: Callable[[], float] = time.thread_time) -> Outcome:
    """Run one job in this thread and record it. Every synchronous model calls this."""
    scope = JobScope(job, args, control, clock)
    with scope:
        scope.check_stop()
        task(*args)
    assert scope.outcome is not None
    return scope.outcome


# --------------------------------------------------------------------------- task metadata


def task_info(*, check: Callable[..., None] | None = None,
              sync_twin: Callable[..., Any] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a task function with an argument check and (for a coroutine) its sync twin.

    ``conclib.run`` calls ``check(*args)`` for every job before any job starts, and
    gives a coroutine function's sync twin to the models that cannot await.
    """

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.__conclib_check__ = check  # type: ignore[attr-defined]
        fn.__conclib_sync_twin__ = sync_twin  # type: ignore[attr-defined]
        return fn

    return mark


def task_name(task: Callable[..., Any]) -> str:
    if isinstance(task, functools.partial):
        return task_name(task.func)
    return getattr(task, "__qualname__", None) or repr(task)


# --------------------------------------------------------------------------- input checks


def check_count(name: str, value: Any) -> None:
    """Raise if ``value`` is not a whole number >= 0 (the countdown would never end)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a whole number (int) >= 0, got {value!r} ({type(value).__name__})")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}: a countdown from a negative number never reaches 0")


def check_seconds(name: str, value: Any, *, allow_zero: bool = True) -> None:
    """Raise unless ``value`` is a real, finite number of seconds (> 0 unless allow_zero)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, got {value!r} ({type(value).__name__})")
    if not (value >= 0 if allow_zero else value > 0) or value != value or value == float("inf"):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number of seconds {bound}, got {value!r}")


def check_model(model: Any) -> str:
    if model in ALL_MODELS:
        return str(model)
    close = difflib.get_close_matches(str(model), ALL_MODELS, n=1, cutoff=0.4)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(f"model must be one of {', '.join(map(repr, ALL_MODELS))}; got {model!r}.{hint}")


def check_workers(workers: Any) -> int | None:
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise TypeError(f"workers must be None (one worker per job) or a whole number >= 1, got {workers!r}")
    if workers < 1:
        raise ValueError(f"workers must be None (one worker per job) or >= 1, got {workers!r}")
    return workers


def check_jobs(jobs: Any) -> list[tuple[Any, ...]]:
    """Turn ``jobs`` into a list of argument tuples; one job per element."""
    if isinstance(jobs, (str, bytes)) or not isinstance(jobs, Iterable):
        raise TypeError(
            f"jobs must be a list with one element per job (an argument or a tuple of arguments), got {jobs!r}"
        )
    out = [job if isinstance(job, tuple) else (job,) for job in jobs]
    if not out:
        raise ValueError("jobs must not be empty: give one element per job, e.g. jobs=[100_000_000] * 2")
    return out


def check_task_args(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]]) -> None:
    check = getattr(task, "__conclib_check__", None)
    if check is not None:
        for args in jobs:
            check(*args)


def python_note(exc: BaseException, note: str) -> None:
    """``exc.add_note(note)`` on Python 3.11+, the same attribute on 3.10."""
    if sys.version_info >= (3, 11):
        exc.add_note(note)
    else:  # pragma: no cover - Python 3.10
        exc.__notes__ = [*getattr(exc, "__notes__", []), note]  # type: ignore[attr-defined]
