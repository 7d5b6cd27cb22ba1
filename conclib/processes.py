"""Processes: one ``multiprocessing.Process`` per job (as in the cheat-sheet), or a process pool.

Diff ``execute`` against ``threads.execute``: it is the same shape. What processes need and
threads do not sits below it::

    caller's process                                  worker process (one per job)
    ----------------                                  ----------------------------
    execute  --- task, args, Control (pickled) --->   run_job(task, i, args, control)
    Outbox.collect  <--- Outcome (pickled) ---------  results queue (SimpleQueue)
                    <--- stderr lines (pipe) -------  what the worker writes to stderr
    Control.fractions, Control.stop_flag  <========>  shared memory: progress and the stop request
    kill hook: terminate()  ---- SIGTERM --------->   a worker that did not stop in time

It is longer than 300 lines: the plumbing (collecting outcomes, passing on and keeping the
workers' stderr, naming why a worker died, killing, quieting fork warnings, checking that the
task can be sent and that a script has its main guard) belongs to processes alone, and each
piece is short.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait
from typing import Any

from ._base import Control, JobRecord, Outcome, run_job, task_name
from .i18n import _

__all__ = ["Outbox", "Pool", "execute", "lost", "picklable", "quiet_fork", "run_job_in_pool", "terminate",
           "validate_main_guard", "validate_task"]


def execute(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], control: Control,
            workers: int | None = None) -> list[Outcome]:
    """Run the jobs in worker processes: each has its own memory, its own GIL, its own core."""
    if workers is None:
        outbox = Outbox(jobs, control)
        runners = [control.context.Process(target=outbox.run_job, args=(task, i, args),
                   name=f"conclib-job-{i}", daemon=True) for i, args in enumerate(jobs)]
        for runner in runners:
            outbox.start(runner)
        return outbox.collect(runners)
    with Pool(workers, control) as pool:
        futures = [pool.submit(run_job_in_pool, task, i, args) for i, args in enumerate(jobs)]
        return [pool.result(future, i, jobs[i]) for i, future in enumerate(futures)]


#: Lines of a dead worker's stderr that its error shows.
STDERR_LINES = 8
#: Each worker's stderr passes through a pipe to the parent (POSIX file descriptors only).
CAPTURE_STDERR = sys.platform != "win32"
#: Windows waits for at most 63 objects at once: a run with more workers looks every POLL seconds there.
WAIT_LIMIT = 60
#: Seconds between two looks, only where the parent cannot sleep until something happens (see above and
#: STOP_NOTICE); the caller's thread has its own, longer ``runner.POLL``.
POLL = 0.05
#: Seconds a worker that ended without an outcome waits to be counted as stopped by Ctrl+C, not failed.
STOP_NOTICE = 0.5


class Outbox:
    """Where the worker processes leave their outcomes: a queue through a pipe, so they must pickle.

    Each worker's stderr goes through a pipe of its own too: the parent passes it on to
    its own stderr as it comes, and keeps the last lines to explain a worker that dies.
    The parent sleeps until one of these pipes has news or a worker ends: it does not poll,
    so it takes no core from the workers while they compute.
    """

    def __init__(self, jobs: Sequence[tuple[Any, ...]], control: Control) -> None:
        self.jobs, self.control = jobs, control
        # A SimpleQueue writes in the worker's own thread: once a worker has ended, its outcome is in the pipe.
        self.queue = control.context.SimpleQueue()
        pipes = [control.context.Pipe(duplex=False) for _ in jobs] if CAPTURE_STDERR else []
        self.stderr_in = [r for r, _ in pipes]  # read here
        self.stderr_out = [w for _, w in pipes]  # written by the workers
        self.stderr_open = list(self.stderr_in)
        self.stderr_seen: list[bytes] = [b""] * len(jobs)
        self.started = 0

    def __getstate__(self) -> dict[str, Any]:  # what a worker process gets
        return {"queue": self.queue, "control": self.control, "stderr_out": self.stderr_out}

    def run_job(self, task: Callable[..., Any], i: int, args: tuple[Any, ...]) -> None:
        """In the worker process: run the job, put its outcome in the queue."""
        if self.stderr_out:
            os.dup2(self.stderr_out[i].fileno(), 2)
        try:
            outcome = run_job(task, i, args, self.control, clock=time.process_time)
        except KeyboardInterrupt:  # Ctrl+C in a terminal reaches the workers too; the parent reports it
            return
        self.queue.put(picklable(outcome))

    def start(self, p: Any) -> None:
        """Start the next worker with its stderr already on its pipe.

        A spawned worker imports your script before it runs any of conclib's code, so an
        error there goes to the stderr it was started with: for the few milliseconds of
        ``start()`` this process's own stderr is that pipe. (A forkserver worker inherits
        the fork server's stderr instead: it reaches its pipe only once the job starts.)
        """
        i = self.started
        self.started += 1
        with quiet_fork(self.control.context.get_start_method()), _stderr_on(self.stderr_out, i):
            p.start()

    def collect(self, procs: list[Any]) -> list[Outcome]:
        """Read one outcome per worker; a worker that ends without one is recorded as lost."""
        self.control.kill_hooks.append(lambda: terminate(procs))
        for w in self.stderr_out:
            w.close()  # the workers have their own copies
        outcomes: dict[int, Outcome] = {}
        while len(outcomes) < len(procs):
            self._wait_for_news([p.sentinel for i, p in enumerate(procs) if i not in outcomes])
            self._pass_on_stderr()
            while self.queue._reader.poll():  # every outcome that has arrived, before any worker is called lost
                outcome = self.queue.get()
                outcomes[outcome.record.job] = outcome
            ended = [i for i, p in enumerate(procs) if i not in outcomes and p.exitcode is not None]
            if ended:  # and their outcomes are not in the pipe
                self._wait_for_stop_flag()
                self._pass_on_stderr()  # what they wrote before they died
            for i in ended:
                outcomes[i] = lost(i, self.jobs[i], self.control, self._died(i, procs[i]), pid=procs[i].pid)
        for p in procs:
            p.join()
            p.close()  # frees its file descriptor now, not when garbage-collected
        self._pass_on_stderr(until_closed=True)
        for r in self.stderr_open:
            r.close()
        self.queue.close()
        return [outcomes[i] for i in sorted(outcomes)]

    def _wait_for_stop_flag(self) -> None:
        """A worker ended without an outcome. If Ctrl+C ended it, this process got it too: give the
        caller's thread a moment to raise the stop flag, so that the job counts as stopped, not failed."""
        until = time.perf_counter() + STOP_NOTICE
        while not self.control.stopping and time.perf_counter() < until:
            time.sleep(POLL)

    def _wait_for_news(self, sentinels: list[Any]) -> None:
        """Sleep until an outcome or some stderr arrives, or a worker ends.

        (``concurrent.futures`` waits on its result queue's ``_reader`` the same way. Windows
        waits for at most 63 objects at once: beyond that, look every POLL seconds.)
        """
        ready = [self.queue._reader, *self.stderr_open, *sentinels]
        if sys.platform == "win32" and len(ready) > WAIT_LIMIT:
            wait(ready[:WAIT_LIMIT], timeout=POLL)
        else:
            wait(ready)

    def _pass_on_stderr(self, until_closed: bool = False) -> None:
        """Copy what the workers wrote to stderr to this process's stderr; keep the last lines."""
        while self.stderr_open:
            ready = wait(self.stderr_open, timeout=0.5 if until_closed else 0)
            if not ready:
                return
            for i in [self.stderr_in.index(r) for r in ready]:
                pipe = self.stderr_in[i]
                data = os.read(pipe.fileno(), 65536)
                if not data:  # every copy of the other end is closed: the worker has ended
                    pipe.close()
                    self.stderr_open.remove(pipe)
                    continue
                self.stderr_seen[i] = (self.stderr_seen[i] + data)[-16384:]
                os.write(2, data)  # where the worker's stderr went before: a terminal, or Jupyter's capture

    def _died(self, i: int, p: Any) -> ChildProcessError:
        """The error for a worker that ended before it reported: why, what it wrote, what to do."""
        code = p.exitcode
        name = _signal_name(-code) if code < 0 else None
        if name:
            how = _("the worker process of job {job} (args {args!r}) was killed by signal {signal} before it "
                    "reported a result.").format(job=i, args=self.jobs[i], signal=name)
        else:
            how = _("the worker process of job {job} (args {args!r}) exited with code {code} before it "
                    "reported a result.").format(job=i, args=self.jobs[i], code=code)
        lines = self.stderr_seen[i].decode(errors="replace").rstrip().splitlines()[-STDERR_LINES:]
        method = self.control.context.get_start_method()
        if lines:
            said = _("The last lines it wrote to stderr:") + "\n    " + "\n    ".join(lines)
        elif method == "forkserver":
            said = _("It wrote nothing to stderr after its job started (what a forkserver worker writes "
                     "before that goes to the fork server's stderr: your terminal, or the notebook server's log).")
        else:
            said = _("It wrote nothing to stderr.")
        return ChildProcessError(f"{how}\n{said}\n{_advice(code, lines, method)}")


class Pool(ProcessPoolExecutor):
    """A process pool whose workers see the run's ``Control`` and can be killed by the stop button."""

    def __init__(self, workers: int, control: Control) -> None:
        super().__init__(workers, mp_context=control.context, initializer=_init_pool_worker,
                         initargs=(control,))
        self.control = control
        control.kill_hooks.append(self.kill)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with quiet_fork(self.control.context.get_start_method()):  # a pool starts its processes on submit
            return super().submit(fn, *args, **kwargs)

    def result(self, future: Future[Outcome], i: int, args: tuple[Any, ...]) -> Outcome:
        try:
            return future.result()
        except BrokenProcessPool as exc:  # a worker was killed, by us or by a crash
            return lost(i, args, self.control, exc)

    def kill(self) -> None:
        if hasattr(self, "terminate_workers"):  # Python 3.14+
            self.terminate_workers()
        else:  # older Pythons have no public way to stop a busy pool worker
            terminate(list((getattr(self, "_processes", None) or {}).values()))


# ---------------------------------------------------------------- checks before any process starts


def validate_task(task: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], start_method: str) -> None:
    """Raise ``TypeError`` now if worker processes could not load ``task`` or its arguments."""
    name = task_name(task)
    fix = _("Move the function into a module (a .py file next to the notebook) and import it, "
            "or use a task from conclib.tasks.")
    main = sys.modules.get("__main__")
    if (start_method != "fork" and getattr(task, "__module__", None) == "__main__"
            and not getattr(main, "__file__", None)):
        raise TypeError(
            _("task={task!r} is defined in a notebook cell or an interactive session. Under the "
              "{method!r} start method each worker process starts a fresh Python that imports "
              "the task by module and name, and it cannot import a notebook cell.").format(task=name,
                                                                                            method=start_method)
            + " " + fix
        )
    if start_method != "fork":
        validate_main_guard(start_method, jobs)
    try:
        pickle.dumps(task)
    except Exception as exc:
        raise TypeError(
            _("task={task!r} cannot be sent to worker processes (pickle says: {error}). "
              "Lambdas and functions defined inside other functions cannot be pickled.").format(task=name, error=exc)
            + " " + fix
        ) from None
    try:
        pickle.dumps(list(jobs))
    except Exception as exc:
        raise TypeError(_("jobs cannot be sent to worker processes (pickle says: {error}); "
                          "use numbers, strings, tuples and other picklable values").format(error=exc)) from None


MAIN_GUARD = 'if __name__ == "__main__":'


def validate_main_guard(start_method: str, jobs: Sequence[tuple[Any, ...]] = ()) -> None:
    """Raise ``RuntimeError`` if a script starts processes from its top level without the main guard.

    Under spawn and forkserver every worker imports the script again; without the guard it
    would start the run again, and die before it reports. Called from a worker that is
    importing the script, it raises too, with the same advice, which the parent then shows.
    """
    fix = _("Put the code that starts the run under `{guard}` at the end of your script, "
            "so that the worker processes, which import the script, do not run it again.").format(guard=MAIN_GUARD)
    if getattr(multiprocessing.current_process(), "_inheriting", False):  # a worker importing the script
        raise RuntimeError(_("conclib.run() was called while a worker process imported your script.") + " " + fix)
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    frame = inspect.currentframe()
    while frame is not None and not (frame.f_globals is vars(main) and frame.f_code.co_name == "<module>"):
        frame = frame.f_back
    if frame is None or not path:
        return  # not called from a script's top level
    line = frame.f_lineno
    try:
        with open(path, encoding="utf-8") as source:
            tree = ast.parse(source.read())
    except (OSError, SyntaxError, ValueError):
        return  # cannot tell: say nothing rather than something wrong
    # Any `if` around the call may be a guard of its own making: only an unguarded call is refused.
    ifs = [node for node in ast.walk(tree) if isinstance(node, ast.If)]
    if not any(node.lineno <= line <= (node.end_lineno or line) for node in ifs):
        raise RuntimeError(_("{file}, line {line}, starts worker processes (for the jobs {jobs!r}) from the top "
                             "level of the script, without the main guard. Under the {method!r} start method "
                             "each worker imports your script again, so it would start the run again and die.")
                           .format(file=os.path.basename(path), line=line, jobs=list(jobs), method=start_method)
                           + " " + fix)


# ---------------------------------------------------------------- inside the worker processes

_pool_control: Control | None = None


def _init_pool_worker(control: Control) -> None:
    global _pool_control
    _pool_control = control
    multiprocessing.current_process().name = f"conclib-worker-{os.getpid()}"


def run_job_in_pool(task: Callable[..., Any], i: int, args: tuple[Any, ...]) -> Outcome:
    assert _pool_control is not None
    return picklable(run_job(task, i, args, _pool_control, clock=time.process_time))


def picklable(outcome: Outcome) -> Outcome:
    """Exceptions must pickle to travel back; replace one that does not by a RuntimeError."""
    try:
        pickle.dumps(outcome.error)
        return outcome
    except Exception:
        return outcome._replace(error=RuntimeError(outcome.record.error))


# ---------------------------------------------------------------- in the parent


def lost(i: int, args: tuple[Any, ...], control: Control, exc: BaseException, pid: int = 0) -> Outcome:
    """The outcome of a job whose worker ended without reporting: stopped if we killed it, else failed."""
    now = time.perf_counter()
    stopped = control.stopping
    record = JobRecord(job=i, args=args, pid=pid or 0, thread_id=0, start=now, end=now, cpu=0.0,
                       status="stopped" if stopped else "failed", error=None if stopped else str(exc))
    if not stopped:
        control.stop()
    return Outcome(record, None if stopped else exc)


def _signal_name(number: int) -> str | None:
    try:
        return signal.Signals(number).name
    except ValueError:
        return None


def _advice(code: int, lines: list[str], start_method: str) -> str:
    """What a learner can do about a worker that died, from how it died and what it said."""
    text = "\n".join(lines)
    main = sys.modules.get("__main__")
    if "bootstrapping phase" in text or "freeze_support" in text or MAIN_GUARD in text:
        return _("Your script starts processes without the main guard: put the code that calls "
                 "conclib.run() under `{guard}`.").format(guard=MAIN_GUARD)
    if code == 1 and not lines and start_method != "fork" and getattr(main, "__file__", None):
        return _("A {method} worker that exits with code 1 before its job starts most often could not "
                 "import your script (its error is printed above). Check that the code that calls "
                 "conclib.run() is under `{guard}`.").format(method=start_method, guard=MAIN_GUARD)
    if ("AttributeError" in text or "ModuleNotFoundError" in text) and not getattr(main, "__file__", None):
        return _("A worker could not load the task: move the function into a module (a .py file next "
                 "to the notebook) and import it from there.")
    if code == -signal.SIGKILL:
        return _("SIGKILL comes from outside Python: someone killed the process, or the system ran out of "
                 "memory (Linux's out-of-memory killer sends it).")
    if code < 0:
        return _("A signal ended the worker: it was killed from outside, or it crashed inside C code.")
    return _("The worker ended on purpose (sys.exit or os._exit in the task?) or crashed while it started.")


_STDERR_LOCK = threading.Lock()


@contextlib.contextmanager
def _stderr_on(pipes: list[Any], i: int) -> Iterator[None]:
    """Point file descriptor 2 of this process at ``pipes[i]`` meanwhile (nothing if there are no pipes)."""
    if not pipes:
        yield
        return
    with _STDERR_LOCK:
        saved = os.dup(2)
        os.dup2(pipes[i].fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def terminate(procs: list[Any]) -> None:
    for p in procs:
        with contextlib.suppress(ValueError):  # ValueError: already closed, nothing to stop
            if p.is_alive():
                p.terminate()


@contextlib.contextmanager
def quiet_fork(start_method: str) -> Iterator[None]:
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
