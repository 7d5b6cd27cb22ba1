"""The shared contract: job records, runs, the executor protocol, progress probes and input validation.

Every other conclib module builds on this one, and it imports none of them but ``i18n``. It is
longer than 300 lines: the records, the contract and the code every model shares to
keep it (``Control``, ``Probe``, ``JobScope``) are read together, so they stay together.
A model module (``sequential``, ``threads``, ``processes``, ``coroutines``) is a
function ``execute`` that follows :class:`Executor`; the runner calls it.
"""

from __future__ import annotations

import contextvars
import dataclasses
import difflib
import functools
import importlib.util
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, MutableSequence, Sequence
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from . import i18n
from .i18n import _

if TYPE_CHECKING:
    import pandas as pd

MODELS: tuple[str, ...] = ("sequential", "threads", "processes", "asyncio") + (
    ("interpreters",) if sys.version_info >= (3, 14) and importlib.util.find_spec("concurrent.interpreters")
    else ())  # subinterpreters: CPython 3.14+ (PEP 734)
#: Hide conclib's own frames from a learner's traceback in IPython (``__tracebackhide__``), so a refused
#: call shows conclib's message, not its internals; ``CONCLIB_FULL_TRACEBACK=1`` shows them (for bug reports).
HIDE_FRAMES = not os.environ.get("CONCLIB_FULL_TRACEBACK", "").strip()

#: Every model, also those that need more than this computer alone ("dask" starts or joins a cluster).
ALL_MODELS: tuple[str, ...] = (*MODELS, "dask")

#: How one job ended: it returned, it raised, or it was asked to stop (or killed) first; or it could not
#: be stopped and still computes (``running``: a thread or a coroutine that never looks at the stop flag).
JobStatus = Literal["ok", "failed", "stopped", "running"]
#: How a whole run ended: as a job (``failed``: a job raised), or cut short by a timeout or Ctrl+C.
RunStatus = Literal["ok", "failed", "stopped", "timeout", "interrupted"]

class JobStopped(Exception):
    """Raised inside a job when the run was asked to stop (interrupt, timeout, failure)."""


class StillRunningWarning(RuntimeWarning):
    """Jobs of an earlier run could not be stopped and still compute in threads of this process."""


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
    status: JobStatus = "ok"
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
    status: RunStatus = "ok"
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

    What it offers:

    - ``fractions[job]``: how much of each job is done, 0.0 to 1.0 (written by the
      job's :class:`Probe`, read by the runner for the live plot);
    - ``stopping`` and ``stop()``: the stop flag; a job sees it at its next progress sample;
    - ``kill_hooks``: functions that stop what does not stop by itself; ``kill()`` sets
      the flag and calls them (from the caller's thread, while ``execute`` still runs);
    - ``context``: the multiprocessing context of the run (``None`` outside the processes model).
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
        # Jobs of this process that have started and not ended, and those that ended (see JobScope).
        self.running: dict[int, JobScope] = {}
        self.ended: dict[int, Outcome] = {}

    def __getstate__(self) -> dict[str, Any]:
        # Only the shared memory travels to a worker process, and the language the worker speaks.
        return {"fractions": self.fractions, "stop_flag": self.stop_flag, "language": i18n.get_language()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        i18n.set_language(state.pop("language", i18n.DEFAULT_LANGUAGE))
        self.__dict__.update(state, context=None, kill_hooks=[], running={}, ended={})

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


# --------------------------------------------------------------------------- the contract


class Executor(Protocol):
    """What a model module's ``execute(task, jobs, control, workers)`` must do.

    The runner calls it once per run, in its conductor thread, after every input
    was validated. A new model (subinterpreters, a cluster) is one more function
    with this signature; the runner, the records and the plots need no change.

    1. Run ``task(*jobs[i])`` once for each ``i``: one worker per job when ``workers``
       is None (as the cheat-sheet does), else a pool of ``workers`` workers.
    2. Run each job inside :class:`JobScope` (:func:`run_job` does it for a plain
       function), so that it gets its :class:`Probe`, its times and its record.
    3. Return one :class:`Outcome` per job, **ordered by job** (``outcomes[i].record.job == i``),
       also for jobs that failed, were stopped or were lost with their worker.
    4. Never raise a job's exception: record it in its outcome (``Outcome.error``, and
       the record's ``status="failed"``). JobScope does this and sets the stop flag,
       so one failure stops the other jobs. Raise only for a fault of the model itself.
    5. If a job can keep running after ``control.stop()`` (a worker process, an
       event-loop task), append a function that ends it to ``control.kill_hooks``
       before the jobs start. The runner calls ``control.kill()`` from another
       thread when a job does not stop within its grace time; the hook must be
       safe to call from there.
    6. Return only when every job has ended (or its worker was killed), with every
       worker it started cleaned up.
    """

    def __call__(self, task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], control: Control,
                 workers: int | None = None) -> list[Outcome]: ...


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
            raise JobStopped(_("job {job} was stopped").format(job=self.job))


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

    ``with JobScope(...) as scope: scope.raise_if_stopping(); task(*args)``, then read
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
        self.thread, self.thread_cpu0 = threading.current_thread(), time.thread_time()
        self.start, self.cpu0 = time.perf_counter(), self.clock()
        self.control.running[self.job] = self
        return self

    def raise_if_stopping(self) -> None:
        """Raise :class:`JobStopped` (inside the ``with``) if the run is already stopping."""
        if self.control.stopping:
            raise JobStopped(_("job {job} was stopped before it started").format(job=self.job))

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        end, cpu = time.perf_counter(), self.clock() - self.cpu0
        _current_probe.reset(self._token)
        self.control.running.pop(self.job, None)
        status: JobStatus
        if exc is None:
            status, error = "ok", None
            self.control.fractions[self.job] = 1.0
        elif isinstance(exc, JobStopped) or _cancelled(exc):  # we asked it to stop
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
        self.outcome = self.control.ended[self.job] = Outcome(record, error)
        return True


def run_job(task: Callable[..., Any], job: int, args: tuple[Any, ...], control: Control,
            clock: Callable[[], float] = time.thread_time) -> Outcome:
    """Run one job in this thread and record it. Every synchronous model calls this."""
    scope = JobScope(job, args, control, clock)
    with scope:
        scope.raise_if_stopping()
        task(*args)
    assert scope.outcome is not None
    return scope.outcome


# --------------------------------------------------------------------------- task metadata


def task_info(*, validate: Callable[..., None] | None = None,
              sync_twin: Callable[..., Any] | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a task function with a validator of its arguments and (for a coroutine) its sync twin.

    ``conclib.run`` calls ``validate(*args)`` for every job before any job starts (it raises
    on bad arguments), and gives a coroutine function's sync twin to the models that cannot await.
    """

    def mark(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.__conclib_validate__ = validate  # type: ignore[attr-defined]
        fn.__conclib_sync_twin__ = sync_twin  # type: ignore[attr-defined]
        return fn

    return mark


def _cancelled(exc: BaseException) -> bool:
    """A cancelled asyncio task? (Only where asyncio is loaded: a worker process need not load it.)"""
    asyncio = sys.modules.get("asyncio")
    return asyncio is not None and isinstance(exc, asyncio.CancelledError)


def task_name(task: Callable[..., Any]) -> str:
    if isinstance(task, functools.partial):
        return task_name(task.func)
    return getattr(task, "__qualname__", None) or repr(task)


# --------------------------------------------------------------------------- input validation


def validate_count(name: str, value: Any) -> None:
    """Raise if ``value`` is not a whole number >= 0 (the countdown would never end)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(_("{name} must be a whole number (int) >= 0, got {value!r} ({type})")
                        .format(name=name, value=value, type=type(value).__name__))
    if value < 0:
        raise ValueError(_("{name} must be >= 0, got {value!r}: a countdown from a negative number never reaches 0")
                         .format(name=name, value=value))


def validate_seconds(name: str, value: Any, *, allow_zero: bool = True) -> None:
    """Raise unless ``value`` is a real, finite number of seconds (> 0 unless allow_zero)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(_("{name} must be a number of seconds, got {value!r} ({type})")
                        .format(name=name, value=value, type=type(value).__name__))
    if not (value >= 0 if allow_zero else value > 0) or value != value or value == float("inf"):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(_("{name} must be a finite number of seconds {bound}, got {value!r}")
                         .format(name=name, bound=bound, value=value))


def validate_model(model: Any) -> str:
    if model in ALL_MODELS:
        return str(model)
    if model == "interpreters":
        raise ValueError(_("model='interpreters' needs Python 3.14 or newer (concurrent.interpreters); "
                           "this is Python {version}. Use 'threads' or 'processes' here.")
                         .format(version=sys.version.split()[0]))
    close = difflib.get_close_matches(str(model), ALL_MODELS, n=1, cutoff=0.4)
    allowed = ", ".join(map(repr, ALL_MODELS))
    if close:
        raise ValueError(_("{name} must be one of {allowed}; got {value!r}. Did you mean {close!r}?")
                         .format(name="model", allowed=allowed, value=model, close=close[0]))
    raise ValueError(_("{name} must be one of {allowed}; got {value!r}.").format(name="model", allowed=allowed,
                                                                                 value=model))


def validate_workers(workers: Any) -> int | None:
    if workers is None:
        return None
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise TypeError(_("{name} must be None (one worker per job) or a whole number >= 1, got {value!r}")
                        .format(name="workers", value=workers))
    if workers < 1:
        raise ValueError(_("{name} must be None (one worker per job) or >= 1, got {value!r}")
                         .format(name="workers", value=workers))
    return workers


def validate_jobs(jobs: Any) -> list[tuple[Any, ...]]:
    """Turn ``jobs`` into a list of argument tuples; one job per element."""
    if isinstance(jobs, (str, bytes)) or not isinstance(jobs, Iterable):
        raise TypeError(_("{name} must be a list with one element per job (an argument or a tuple of arguments), "
                          "got {value!r}").format(name="jobs", value=jobs))
    out = [job if isinstance(job, tuple) else (job,) for job in jobs]
    if not out:
        raise ValueError(_("{name} must not be empty: give one element per job, e.g. jobs=[100_000_000] * 2")
                         .format(name="jobs"))
    return out


def validate_task_args(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]]) -> None:
    validate = getattr(task, "__conclib_validate__", None)
    if validate is not None:
        for args in jobs:
            validate(*args)


def python_note(exc: BaseException, note: str) -> None:
    """``exc.add_note(note)``: Python prints the note under the traceback."""
    exc.add_note(note)
