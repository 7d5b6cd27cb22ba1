"""Dask: the jobs run in the worker processes of a Dask cluster, on this computer or on many.

    this process (the client)          the scheduler                the worker processes
    -------------------------          -------------                --------------------
    submit(job i)  --- the task --->   picks a free worker  ------>  run_job(task, i, args)
    live progress  <-- "conclib" events, at most every 0.2 s  <----  probe.tick(...)
    stop           --- client.run(_stop_run) on every worker ----->  this run's stop flag
    Outcome        <-- the result -----------------------------  <-  record: worker, pid, thread,
                                                                     start, end, CPU time

With no address, conclib starts a ``distributed.LocalCluster`` on this computer (one worker
process per usable CPU, one thread each) and keeps it for the next runs; it is closed when
this Python exits. With ``cluster="tcp://host:8786"`` (or ``$CONCLIB_DASK_ADDRESS``) conclib
connects to a scheduler that is already running. Dask is imported on first use.

Every worker needs the same Python packages as this process, conclib included: Dask sends the
task by reference (module and name) when it can, and by value (cloudpickle) otherwise, so a
function defined in a notebook cell works too.

It is longer than 300 lines: a cluster has parts the local models do not (starting and
closing a local cluster, connecting to a scheduler, naming a worker that died, stopping jobs
on other machines, reading the workers' clocks), and they are read together.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import dataclasses
import os
import re
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ._base import Control, JobRecord, Outcome, python_note, run_job
from .i18n import _
from .machine import usable_cpus

__all__ = ["ADDRESS_VARIABLE", "validate_cluster", "client", "close", "connect", "execute"]

#: Environment variable with the scheduler address to use when ``cluster=`` is not given.
ADDRESS_VARIABLE = "CONCLIB_DASK_ADDRESS"
#: Seconds to wait for a scheduler before giving up with a clear error.
CONNECT_TIMEOUT = 4.0
#: Seconds between two progress events that one job sends to this process.
PROGRESS_EVERY = 0.2
#: Seconds between two looks at the running jobs.
POLL = 0.05
#: The event topic that carries the jobs' progress from the workers.
TOPIC = "conclib-progress"
#: Exit code of a worker process that conclib stopped because its job ignored the stop flag.
KILLED_EXIT_CODE = 75
#: Seconds that jobs get to stop by themselves before their worker processes are ended.
KILL_AFTER = 1.0
#: Seconds to wait until the scheduler has seen those worker processes go.
KILL_WAIT = 3.0

_ADDRESS = re.compile(r"([a-z]+://)?[^\s/:]+:\d+")


# --------------------------------------------------------------------------- input checks


def validate_cluster(cluster: Any, workers: int | None = None) -> str | None:
    """The scheduler address to use (``cluster``, else ``$CONCLIB_DASK_ADDRESS``), or None for a local cluster.

    Raises:
        TypeError, ValueError: ``cluster`` is not an address, or ``workers`` is given with one.
    """
    name = "cluster"
    if cluster is None:
        cluster = os.environ.get(ADDRESS_VARIABLE, "").strip() or None
        name = ADDRESS_VARIABLE
    if cluster is None:
        return None
    if not isinstance(cluster, str):
        raise TypeError(_("{name} must be None (a local Dask cluster on this computer) or a scheduler "
                          "address like 'tcp://192.168.1.10:8786', got {value!r} ({type})")
                        .format(name=name, value=cluster, type=type(cluster).__name__))
    if not _ADDRESS.fullmatch(cluster.strip()):
        raise ValueError(_("{name} must be a scheduler address like 'tcp://192.168.1.10:8786' "
                           "(protocol://host:port), got {value!r}").format(name=name, value=cluster))
    if workers is not None:
        raise ValueError(_("workers={workers!r} cannot be used with {name}={value!r}: a running cluster has "
                           "the workers that were started for it. Start more or fewer `dask worker` processes, "
                           "or leave out the address to get a local cluster of {workers} workers")
                         .format(workers=workers, name=name, value=cluster))
    return cluster.strip()


# --------------------------------------------------------------------------- connections


@dataclasses.dataclass
class _RunState:
    """What the client's event handlers learn about one run while it is going on."""

    control: Control
    keys: dict[str, int]  # Dask key -> job
    started: dict[int, str] = dataclasses.field(default_factory=dict)  # job -> address of its worker
    lost: dict[int, str] = dataclasses.field(default_factory=dict)  # job -> address of the worker that left
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


class _Connection:
    """A Dask client (and the local cluster it started, if any), with the event handlers of conclib's runs."""

    def __init__(self, client: Any, cluster: Any = None, n_workers: int | None = None) -> None:
        self.client, self.cluster, self.n_workers = client, cluster, n_workers
        self.runs: dict[str, _RunState] = {}
        self.one_run = threading.Lock()  # runs from this process take turns on a cluster
        self.removed: set[str] = set()  # addresses of workers that left the cluster
        client.subscribe_topic(TOPIC, self._on_progress)
        client.subscribe_topic("all", self._on_cluster_event)  # the scheduler's own events

    @property
    def alive(self) -> bool:
        return bool(self.client.status == "running")

    def _on_progress(self, event: tuple[float, Any]) -> None:
        run_id, job, fraction, address = event[1]
        state = self.runs.get(run_id)
        if state is not None and 0 <= job < len(state.control.fractions):
            with state.lock:
                state.started[job] = address
            state.control.fractions[job] = fraction

    def _on_cluster_event(self, event: tuple[float, Any]) -> None:
        message = event[1]
        if not isinstance(message, dict) or message.get("action") != "remove-worker":
            return
        keys = set(message.get("processing-tasks") or ())
        self.removed.add(str(message.get("worker")))
        for state in list(self.runs.values()):
            with state.lock:
                for key in keys & state.keys.keys():
                    state.lost.setdefault(state.keys[key], str(message.get("worker", "?")))

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already closed, or the scheduler is gone
            # else the scheduler would send this client the event of its own leaving, as it leaves
            self.client.unsubscribe_topic("all")
            self.client.unsubscribe_topic(TOPIC)
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()


_lock = threading.Lock()
_connections: dict[str, _Connection] = {}  # scheduler address, or "local" for our own cluster
_LOCAL = "local"
_closes_at_exit: list[bool] = []


def _connect(address: str | None, workers: int | None) -> _Connection:
    with _lock:
        key = address or _LOCAL
        conn = _connections.get(key)
        wanted = None if address else (workers or usable_cpus())
        if conn is not None and (not conn.alive or conn.n_workers != wanted):
            _connections.pop(key).close()
            conn = None
        if conn is None:
            conn = _connections[key] = _start_local(wanted) if wanted else _open(key)
            if not _closes_at_exit:
                atexit.register(close)  # registered after Dask's own exit handlers, so it runs before them
                _closes_at_exit.append(True)
        return conn


def _open(address: str) -> _Connection:
    from distributed import Client

    try:
        if address.startswith(("tcp://", "tls://")) or "://" not in address:
            # a plain connection first: it fails at once where nothing listens, and leaves nothing behind
            host, _colon, port = address.split("://")[-1].rpartition(":")
            socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT).close()
        return _Connection(Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False))
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(
            _("cannot reach a Dask scheduler at cluster={address!r} within {seconds:g} s. Is "
              "`dask scheduler` running there, and can this computer reach that host and port? ({error})")
            .format(address=address, seconds=CONNECT_TIMEOUT, error=exc)
        ) from None


def _start_local(n_workers: int) -> _Connection:
    import logging

    import dask
    from distributed import Client, LocalCluster

    # allowed-failures 0: a job whose worker dies fails at once, Dask does not run it again elsewhere
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
    try:
        client = Client(cluster, set_as_default=False)
        client.register_plugin(_worker_setup(), name="conclib-ignore-interrupts")
        return _Connection(client, cluster, n_workers)
    except BaseException:
        cluster.close()
        raise


def _worker_setup() -> Any:
    """A plugin for our own local cluster's workers: they ignore Ctrl+C and Jupyter's stop button.

    Both send SIGINT to the whole process group, worker processes included, which would
    end them with a traceback. This process stops their jobs itself (stop flag, then exit).
    """
    from distributed.diagnostics.plugin import WorkerPlugin

    class IgnoreInterrupts(WorkerPlugin):
        def setup(self, worker: Any) -> None:
            if threading.current_thread() is threading.main_thread():
                signal.signal(signal.SIGINT, signal.SIG_IGN)

    return IgnoreInterrupts()


def connect(cluster: str | None = None, workers: int | None = None) -> None:
    """Start the local cluster (or connect to ``cluster``) now, so that a run does not pay for it."""
    _connect(validate_cluster(cluster, workers), workers)


def client(cluster: str | None = None, workers: int | None = None) -> Any:
    """The ``distributed.Client`` that conclib's ``"dask"`` runs use (starting the local cluster if needed).

    Use it for Dask's own tools: ``client.dashboard_link``, ``client.scheduler_info()``.
    """
    return _connect(validate_cluster(cluster, workers), workers).client


def close() -> None:
    """Close every Dask client of conclib and the local cluster it started; the next run starts anew."""
    with _lock:
        conns = list(_connections.values())
        _connections.clear()
    for conn in conns:
        conn.close()


# --------------------------------------------------------------------------- the model


def execute(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], control: Control,
            workers: int | None = None, *, cluster: str | None = None) -> list[Outcome]:
    """Run the jobs as Dask tasks: each one in a worker process of the cluster, one job per worker thread."""
    address = validate_cluster(cluster, workers)
    conn = _connect(address, workers)
    run_id = uuid.uuid4().hex
    keys = {f"conclib-{run_id}-{i}": i for i in range(len(jobs))}
    state = _RunState(control, keys)
    killed = threading.Event()
    control.kill_hooks.append(killed.set)
    with conn.one_run:  # a stopped run may still be ending its workers: wait for it
        conn.runs[run_id] = state
        try:
            return _conduct(conn, run_id, state, task, jobs, killed)
        finally:
            del conn.runs[run_id]


def _conduct(conn: _Connection, run_id: str, state: _RunState, task: Callable[..., Any],
             jobs: Sequence[tuple[Any, ...]], killed: threading.Event) -> list[Outcome]:
    client, control = conn.client, state.control
    here = _clock()
    n = len(jobs)
    submitted = client.map(_job_on_worker, [task] * n, range(n), jobs, [run_id] * n, [n] * n, key=list(state.keys))
    futures = dict(enumerate(submitted))
    outcomes: dict[int, Outcome] = {}
    stop_sent = 0.0  # when the stop flag was sent to the workers
    while len(outcomes) < len(jobs):
        _collect_done(client, state, futures, jobs, outcomes, here)
        if control.stopping and not stop_sent and not killed.is_set():
            stop_sent = time.perf_counter()
            _send_stop(client, run_id, state, futures)
        if killed.is_set() or (stop_sent and time.perf_counter() - stop_sent > KILL_AFTER):
            # jobs that never look at the stop flag: end their worker processes. Not only when
            # the runner asks (kill hook): on Python 3.11 and 3.12 a Ctrl+C during Thread.join()
            # can make this thread look finished to the runner, which then never asks.
            _end_workers(conn, run_id, state, futures, jobs, outcomes)
            break
        if len(outcomes) < len(jobs):
            time.sleep(POLL)
    return [outcomes[i] for i in sorted(outcomes)]


def _collect_done(client: Any, state: _RunState, futures: dict[int, Any], jobs: Sequence[tuple[Any, ...]],
                  outcomes: dict[int, Outcome], here: float) -> None:
    """Step 1 of a round: move every job that ended (or whose worker died) from ``futures`` to ``outcomes``."""
    control = state.control
    with state.lock:  # first: the scheduler sends the event before the task's error
        lost = [(i, worker) for i, worker in state.lost.items() if i in futures]
    for i, worker in lost:  # its worker died: report it, never let Dask run it again
        outcomes[i] = _lost(i, jobs[i], worker, control)
        futures.pop(i).cancel()
    done = [i for i, future in futures.items() if future.done()]
    finished = [i for i in done if futures[i].status == "finished"]
    for i, result in zip(finished, client.gather([futures[i] for i in finished]), strict=True):
        outcomes[i] = _outcome(result, here, control)  # one round trip for all of them
    for i in done:
        if i not in outcomes:
            outcomes[i] = _collect(futures[i], i, jobs[i], control)
        del futures[i]


def _send_stop(client: Any, run_id: str, state: _RunState, futures: dict[int, Any]) -> None:
    """Step 2, once, when the run is stopping: raise the workers' stop flag; cancel the jobs not started."""
    client.run(_stop_run, run_id, on_error="ignore")
    with state.lock:
        waiting = [futures[i] for i in futures if i not in state.started]
    client.cancel(waiting)  # never started: nothing to wait for


def _end_workers(conn: _Connection, run_id: str, state: _RunState, futures: dict[int, Any],
                 jobs: Sequence[tuple[Any, ...]], outcomes: dict[int, Outcome]) -> None:
    """Step 3, when jobs did not stop in time: end the workers that run them, and record those jobs as lost."""
    client, control = conn.client, state.control
    exiting = {w for w, yes in client.run(_exit_if_busy, run_id, on_error="ignore").items() if yes}
    client.cancel(list(futures.values()))
    with state.lock:
        for i in futures:
            outcomes[i] = _lost(i, jobs[i], state.started.get(i, ""), control)
    deadline = time.perf_counter() + KILL_WAIT  # so that the next run is not sent to them
    while not exiting <= conn.removed and time.perf_counter() < deadline:
        time.sleep(POLL / 5)


def _outcome(result: tuple[Outcome, str, float], here: float, control: Control) -> Outcome:
    """The job's Outcome from its worker, its times moved onto this process's clock."""
    outcome, host, there = result
    shift = 0.0 if host == socket.gethostname() else there - here
    rec = outcome.record
    record = dataclasses.replace(rec, start=rec.start + shift, end=rec.end + shift,
                                 samples=tuple((t + shift, done) for t, done in rec.samples))
    if outcome.error is not None:
        python_note(outcome.error, _("on the Dask worker {worker} (pid {pid})").format(worker=rec.worker, pid=rec.pid))
        control.stop()  # one failure stops the other jobs
    return Outcome(record, outcome.error)


def _collect(future: Any, i: int, args: tuple[Any, ...], control: Control) -> Outcome:
    """The Outcome of a job that Dask did not finish: cancelled, or an error of Dask's own."""
    if future.status == "cancelled" or control.stopping:
        return _lost(i, args, "", control)
    exc = future.exception()  # Dask itself failed: e.g. the task could not be loaded on the worker
    now = time.perf_counter()
    control.stop()
    record = JobRecord(job=i, args=args, pid=0, thread_id=0, start=now, end=now, cpu=0.0, status="failed",
                       error=f"{type(exc).__name__}: {exc}")
    return Outcome(record, exc)


def _lost(i: int, args: tuple[Any, ...], worker: str, control: Control) -> Outcome:
    """A job without a result: stopped (we asked for it), or failed because its worker died."""
    now = time.perf_counter()
    name = _label(worker) if worker else ""
    if control.stopping:
        return Outcome(JobRecord(job=i, args=args, pid=0, thread_id=0, start=now, end=now, cpu=0.0,
                                 status="stopped", worker=name), None)
    exc = ChildProcessError(_("the Dask worker {worker} died (or left the cluster) while job {job} was on it; "
                              "conclib reports this instead of letting Dask run the job again")
                            .format(worker=name, job=i))
    control.stop()
    return Outcome(JobRecord(job=i, args=args, pid=0, thread_id=0, start=now, end=now, cpu=0.0,
                             status="failed", error=str(exc), worker=name), exc)


def _clock() -> float:
    """This process's wall clock minus its ``perf_counter``: turns one clock into the other."""
    return time.time() - time.perf_counter()


def _label(address: str) -> str:
    """'tcp://10.0.0.5:40123' -> '10.0.0.5:40123': the worker's host and port, as the timeline shows it."""
    return address.split("://", 1)[-1]


# --------------------------------------------------------------------------- inside the worker processes

_stopped: set[str] = set()  # runs asked to stop, in this worker process
_running: dict[str, int] = {}  # run -> how many of its jobs run in this worker process now
_running_lock = threading.Lock()


class _StopFlag:
    """``control.stop_flag`` on a worker: set by :func:`_stop_run`, or by a failing job of this process."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id

    @property
    def value(self) -> int:
        return int(self.run_id in _stopped)

    @value.setter
    def value(self, flag: int) -> None:
        if flag:
            _stopped.add(self.run_id)


class _Progress(list[float]):
    """``control.fractions`` on a worker: each job's fraction done, sent to the client now and then."""

    def __init__(self, n_jobs: int, send: Callable[[int, float], None]) -> None:
        super().__init__([0.0] * n_jobs)
        self.send, self.sent = send, -PROGRESS_EVERY

    def __setitem__(self, job: Any, fraction: Any) -> None:
        super().__setitem__(job, fraction)
        now = time.perf_counter()
        if now - self.sent >= PROGRESS_EVERY or fraction >= 1.0:
            self.sent = now
            self.send(job, float(fraction))


class _WorkerControl(Control):
    """The :class:`Control` that a job sees on a Dask worker."""

    def __init__(self, run_id: str, n_jobs: int, send: Callable[[int, float], None]) -> None:
        super().__init__(n_jobs)
        self.fractions = _Progress(n_jobs, send)
        self.stop_flag = _StopFlag(run_id)


def _job_on_worker(task: Callable[..., Any], i: int, args: tuple[Any, ...], run_id: str,
                   n_jobs: int) -> tuple[Outcome, str, float]:
    """Run one job in this worker's thread; return its Outcome, this host's name and its clock offset."""
    from distributed import get_worker

    from .processes import picklable

    worker = get_worker()

    def send(job: int, fraction: float) -> None:
        worker.log_event(TOPIC, [run_id, job, fraction, worker.address])

    send(i, 0.0)  # "started", also for tasks that never report progress
    with _counted(run_id):
        outcome = run_job(task, i, args, _WorkerControl(run_id, n_jobs, send))  # thread CPU time: one job here
    record = dataclasses.replace(outcome.record, worker=_label(worker.address))
    return picklable(outcome._replace(record=record)), socket.gethostname(), _clock()


@contextlib.contextmanager
def _counted(run_id: str) -> Iterator[None]:
    with _running_lock:
        _running[run_id] = _running.get(run_id, 0) + 1
    try:
        yield
    finally:
        with _running_lock:
            _running[run_id] -= 1
            if not _running[run_id]:
                del _running[run_id]


def _stop_run(run_id: str) -> None:
    """Runs in every worker's event loop (``client.run``): the jobs of ``run_id`` stop at their next sample."""
    _stopped.add(run_id)


def _exit_if_busy(run_id: str) -> bool:
    """End this worker process if a job of ``run_id`` still runs here; its nanny starts a fresh one.

    A Python thread cannot be stopped from outside, and a job that never looks at the
    stop flag (the plain countdown) would keep the worker busy for the next runs. The
    exit waits 0.1 s, so that this call's answer reaches the client first.
    """
    if run_id not in _running:
        return False
    asyncio.get_running_loop().call_later(0.1, os._exit, KILLED_EXIT_CODE)
    return True
