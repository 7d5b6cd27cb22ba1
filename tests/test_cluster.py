"""The "dask" model: the behaviour of the other models, on a local Dask cluster and on a real one."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

import conclib
from conclib import tasks

from .conftest import _children, _fds

pytest.importorskip("distributed")

N = 200_000
BIG = 10**10  # a countdown that would run for minutes
ROOT = Path(__file__).resolve().parent.parent
DASK = str(Path(sys.executable).with_name("dask"))


@pytest.fixture(scope="module", autouse=True)
def _dask_helpers() -> Iterator[None]:
    """Start and close one cluster first: Dask keeps one helper thread for the rest of the session."""
    conclib.run("dask", conclib.countdown, [0])
    conclib.cluster.close()
    yield
    conclib.cluster.close()


def _worker_pids(client) -> dict[str, int]:
    return {address.split("://")[-1]: pid for address, pid in client.run(os.getpid).items()}


@pytest.fixture(scope="class")
def cluster() -> Iterator[dict[str, int]]:
    """One local cluster for a whole class, started before each test's hygiene check: worker address -> pid.

    Its scheduler runs in this process and keeps a pool of connections that may grow during a
    test, so file descriptors are checked here, once the cluster is closed, not after each test.
    """
    fds = _fds()
    client = conclib.cluster.client()
    pids = _worker_pids(client)
    # the client fetches results from each worker over a connection that it then keeps: open them now
    client.gather([client.submit(os.getpid, workers=[w], pure=False) for w in client.scheduler_info()["workers"]])
    conclib.run("dask", conclib.countdown_sampled, [N] * 2 * len(pids))  # and those of the first events
    yield pids
    conclib.cluster.close()
    deadline = time.monotonic() + 5
    while _fds() > fds and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _fds() <= fds, f"{_fds() - fds} file descriptor(s) left open by the closed cluster"


class TestOnTheLocalCluster:
    """The behaviour suite of the other models, on one local cluster kept for the class."""

    @pytest.fixture(autouse=True)
    def hygiene(self) -> Iterator[None]:
        """conftest's check of threads and child processes (for file descriptors see ``cluster``)."""
        threads, children = set(threading.enumerate()), _children()
        yield
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            extra = [t.name for t in threading.enumerate() if t not in threads and t.is_alive()]
            more = _children() - children
            if not extra and not more:
                return
            time.sleep(0.05)
        pytest.fail(f"threads left running: {extra}; child processes left running: {sorted(more)}")

    def test_each_job_runs_once_and_is_recorded(self, cluster: dict[str, int]) -> None:
        run = conclib.run("dask", conclib.countdown_sampled, [N, N, N])
        assert run.model == "dask" and run.status == "ok" and run.n_jobs == 3
        assert [job.job for job in run.jobs] == [0, 1, 2]
        for job in run.jobs:
            assert job.status == "ok" and job.error is None
            assert run.start <= job.start <= job.end <= run.end
            assert job.samples[0][1] == 0 and job.samples[-1][1] == N == job.total
            times = [t for t, _ in job.samples]
            assert times == sorted(times)
            assert 0 <= job.cpu <= job.wall * 1.5 + 0.01

    def test_workers_are_the_clusters_processes_named_host_port(self, cluster: dict[str, int]) -> None:
        run = conclib.run("dask", conclib.countdown, [N] * 4)
        assert len(cluster) == conclib.usable_cpus()
        for job in run.jobs:
            assert job.worker in cluster and job.pid == cluster[job.worker] != os.getpid()
            assert job.worker.startswith("127.0.0.1:")
            assert job.thread_id > 0

    def test_to_frame_is_one_row_per_job(self, cluster: dict[str, int]) -> None:
        run = conclib.run("dask", conclib.countdown_sampled, [N, N])
        frame = run.to_frame()
        assert len(frame) == 2 and set(frame["worker"]) <= set(cluster)
        assert (frame["start"] >= 0).all() and (frame["end"] >= frame["start"]).all()
        samples = run.samples_frame()
        assert set(samples["job"]) == {0, 1} and samples["fraction"].between(0, 1).all()

    def test_io_waits_overlap_on_the_workers(self, cluster: dict[str, int]) -> None:
        run = conclib.run("dask", tasks.io_wait, [0.5] * len(cluster))
        assert max(job.start for job in run.jobs) < min(job.end for job in run.jobs)
        assert run.cpu < 0.5 * sum(job.wall for job in run.jobs)

    def test_the_async_tasks_run_as_their_sync_twins(self, cluster: dict[str, int]) -> None:
        run = conclib.run("dask", conclib.countdown_cooperative, [N, N])
        assert all(job.status == "ok" and job.total == N for job in run.jobs)

    def test_a_function_from_a_notebook_cell_is_sent_by_value(self, cluster: dict[str, int]) -> None:
        def in_a_cell(n: int) -> None:  # neither spawn nor forkserver processes could load this
            conclib.countdown(n)

        in_a_cell.__module__ = "__main__"
        assert conclib.run("dask", in_a_cell, [10, 10]).status == "ok"

    def test_a_job_error_reaches_the_caller_with_its_type_the_job_and_the_worker(self, cluster) -> None:
        with pytest.raises(RuntimeError, match="boom") as info:
            conclib.run("dask", tasks.fail_after, [(0.0, "boom")], timeout=20)
        assert info.value.job == 0 and info.value.run.status == "failed"  # type: ignore[attr-defined]
        notes = " ".join(getattr(info.value, "__notes__", []))
        worker = info.value.run.jobs[0].worker  # type: ignore[attr-defined]
        assert "job 0" in notes and f"Dask worker {worker}" in notes and worker in cluster

    def test_a_failure_stops_the_other_jobs(self, cluster: dict[str, int]) -> None:
        with pytest.raises(RuntimeError, match="first failure") as info:
            conclib.run("dask", _fail_or_wait, [(0, 0.2), (1, 10.0)], timeout=20)
        run = info.value.run  # type: ignore[attr-defined]
        assert run.elapsed < 5  # job 1 did not wait its 10 s
        assert {job.job: job.status for job in run.jobs} == {0: "failed", 1: "stopped"}

    def test_timeout_stops_the_jobs_and_raises(self, cluster: dict[str, int]) -> None:
        with pytest.raises(TimeoutError, match="timeout=0.3") as info:
            conclib.run("dask", tasks.io_wait, [10.0, 10.0], timeout=0.3)
        run = info.value.run  # type: ignore[attr-defined]
        assert run.status == "timeout" and run.elapsed < 3
        assert all(job.status == "stopped" for job in run.jobs)

    def test_a_stopped_run_leaves_the_workers_free(self, cluster: dict[str, int]) -> None:
        async def interrupted() -> None:
            await asyncio.wait_for(conclib.arun("dask", conclib.countdown_sampled, [BIG] * 2), 0.5)

        with pytest.raises(TimeoutError):  # wait_for cancels arun, as the stop button does in Jupyter
            asyncio.run(interrupted())
        run = conclib.run("dask", conclib.countdown, [N] * 2)
        assert run.status == "ok" and run.elapsed < 5
        assert _worker_pids(conclib.cluster.client()) == cluster  # the flag stopped them: no worker restarted

    def test_progress_reaches_an_observer_as_jobs_report_it(self, cluster: dict[str, int]) -> None:
        seen: list[list[float]] = []

        class Spy:
            def start(self, model: str, n_jobs: int) -> None: ...

            def update(self, elapsed: float, fractions) -> None:
                seen.append(list(fractions))

            def finish(self, run: conclib.Run) -> None: ...

        conclib.run("dask", tasks.io_wait, [1.5, 1.5], observer=Spy())
        between = [f for frame in seen for f in frame if 0.05 < f < 0.95]
        assert between, f"no progress between start and end was seen: {seen}"

    def test_compare_with_the_local_models(self, cluster: dict[str, int]) -> None:
        table = conclib.compare(["processes", "dask"], conclib.countdown, [N, N], repeat=1)
        assert list(table.index) == ["processes", "dask"] and (table["median"] > 0).all()


def _fail_or_wait(kind: int, seconds: float) -> None:
    """Kind 0 fails after ``seconds``; kind 1 waits ``seconds``."""
    if kind == 0:
        tasks.fail_after(seconds, "first failure")
    else:
        tasks.io_wait(seconds)


def _exit(code: int) -> None:
    os._exit(code)


# --------------------------------------------------------------------------- each with its own cluster


def test_a_timeout_ends_jobs_that_never_look_at_the_stop_flag() -> None:
    try:
        conclib.cluster.connect()  # not timed: the cluster starts once and is kept
        started = time.perf_counter()
        with pytest.raises(TimeoutError) as info:
            conclib.run("dask", conclib.countdown, [BIG, BIG], timeout=0.5)
        assert time.perf_counter() - started < 0.5 + 2 * conclib.runner.GRACE + 1
        assert all(job.status == "stopped" for job in info.value.run.jobs)  # type: ignore[attr-defined]
        run = conclib.run("dask", conclib.countdown, [N, N], timeout=60)  # the workers are back
        assert run.status == "ok"
    finally:
        conclib.cluster.close()


def test_a_worker_that_dies_mid_job_is_reported_not_retried() -> None:
    try:
        with pytest.raises(ChildProcessError, match="died .* while job 0 was on it") as info:
            conclib.run("dask", _exit, [3], timeout=30)
        assert info.value.run.jobs[0].status == "failed"  # type: ignore[attr-defined]
        assert "Dask worker 127.0.0.1:" in str(info.value)
    finally:
        conclib.cluster.close()


def test_workers_sets_the_size_of_the_local_cluster() -> None:
    try:
        run = conclib.run("dask", conclib.countdown, [N] * 3, workers=1)
        assert len({job.worker for job in run.jobs}) == 1 and len(_worker_pids(conclib.cluster.client(workers=1))) == 1
    finally:
        conclib.cluster.close()


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"cluster": 8786}, TypeError, "cluster must be None .* or a scheduler address"),
    ({"cluster": "localhost"}, ValueError, "cluster must be a scheduler address like 'tcp://"),
    ({"cluster": "tcp://127.0.0.1:8786", "workers": 2}, ValueError, "workers=2 cannot be used with cluster="),
    ({"model": "threads", "cluster": "tcp://127.0.0.1:8786"}, ValueError, "is for model='dask' only"),
    ({"model": "dsk"}, ValueError, "Did you mean 'dask'"),
])
def test_bad_arguments_name_the_parameter(kwargs: dict, error: type, words: str) -> None:
    model = kwargs.pop("model", "dask")
    started = time.perf_counter()
    with pytest.raises(error, match=words):
        conclib.run(model, conclib.countdown, [10], **kwargs)
    assert time.perf_counter() - started < 1  # refused before anything starts


def test_a_bad_address_in_the_environment_names_the_variable(monkeypatch) -> None:
    monkeypatch.setenv("CONCLIB_DASK_ADDRESS", "my-laptop")
    with pytest.raises(ValueError, match="CONCLIB_DASK_ADDRESS must be a scheduler address"):
        conclib.run("dask", conclib.countdown, [10])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_scheduler_is_a_clear_error_within_5_s() -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    started = time.perf_counter()
    with pytest.raises(ConnectionError, match=f"cannot reach a Dask scheduler at cluster='{address}'"):
        conclib.run("dask", conclib.countdown, [10], cluster=address)
    assert time.perf_counter() - started < 5


def test_import_conclib_does_not_load_dask() -> None:
    code = "import sys, conclib; print(sorted(m for m in ('dask', 'distributed') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr


def test_the_local_cluster_closes_cleanly_when_python_exits(tmp_path: Path) -> None:
    script = tmp_path / "script.py"
    script.write_text(
        "import warnings\nwarnings.simplefilter('error')\nimport conclib\n"
        "if __name__ == '__main__':\n"
        "    run = conclib.run('dask', conclib.countdown, [1000] * 4)\n"
        "    print(sorted({job.pid for job in run.jobs}))\n"
    )
    result = subprocess.run([sys.executable, "-W", "error", str(script)], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for word in ("Warning", "Traceback", "leaked", "CRITICAL", "ERROR"):
        assert word not in result.stderr, result.stderr
    pids = [int(p) for p in result.stdout.strip().strip("[]").split(",")]
    deadline = time.monotonic() + 5
    while any(psutil.pid_exists(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(psutil.pid_exists(p) for p in pids), "a worker process outlived the script"


@pytest.mark.parametrize(("args", "words"), [
    (["--cluster", "tcp://127.0.0.1:8786"], "--cluster is for the dask model; add it to --models"),
    (["--models", "dask", "--cluster", "my-laptop"], "cluster must be a scheduler address"),
    (["--models", "dask", "--cluster", "tcp://127.0.0.1:8786", "--workers", "2"], "workers=2 cannot be used"),
])
def test_the_cli_refuses_a_bad_cluster_in_one_line(args: list[str], words: str) -> None:
    result = subprocess.run([sys.executable, "-m", "conclib", "compare", "--n", "10", *args],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr


def test_the_cli_names_an_unreachable_scheduler() -> None:
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = subprocess.run([sys.executable, "-m", "conclib", "compare", "--n", "10", "--models", "dask",
                             "--cluster", address], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and f"cannot reach a Dask scheduler at cluster='{address}'" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_cli_compares_with_dask(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "conclib", "compare", "--n", "1000", "--repeat", "1",
                             "--models", "processes,dask"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "dask" in result.stdout and "processes" in result.stdout
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr


# --------------------------------------------------------------------------- a real cluster


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([DASK, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
                            text=True)


def _stop(procs: list[subprocess.Popen[str]]) -> None:
    for p in reversed(procs):  # workers first, then the scheduler
        p.terminate()
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            for child in psutil.Process(p.pid).children(recursive=True):
                child.kill()
            p.kill()
            p.wait()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_a_real_scheduler_and_two_workers_on_127_0_0_1() -> None:
    port, ports = _free_port(), [_free_port(), _free_port()]
    address = f"tcp://127.0.0.1:{port}"
    procs = [_start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")]
    try:
        for name, worker_port in zip(("w0", "w1"), ports, strict=True):
            procs.append(_start("worker", address, "--host", "127.0.0.1", "--worker-port", str(worker_port),
                                "--nthreads", "1", "--name", name, "--no-dashboard"))
        deadline = time.monotonic() + 60
        while True:  # the scheduler may take a few seconds to start
            try:
                client = conclib.cluster.client(address)
                break
            except ConnectionError:
                if time.monotonic() > deadline:
                    raise
        client.wait_for_workers(2, timeout=60)

        run = conclib.run("dask", conclib.countdown_sampled, [N] * 4, cluster=address)
        assert run.status == "ok"
        assert {job.worker for job in run.jobs} <= {f"127.0.0.1:{p}" for p in ports}

        victim = f"127.0.0.1:{ports[0]}"
        victim_pid = _worker_pids(client)[victim]

        class KillOneWorkerMidJob:
            killed = False

            def start(self, model: str, n_jobs: int) -> None: ...

            def update(self, elapsed: float, fractions) -> None:
                if not self.killed and all(f > 0 for f in fractions):  # both jobs are running
                    psutil.Process(victim_pid).kill()
                    self.killed = True

            def finish(self, run: conclib.Run) -> None: ...

        spy = KillOneWorkerMidJob()
        with pytest.raises(ChildProcessError, match=f"Dask worker {victim} died") as info:
            conclib.run("dask", conclib.countdown_sampled, [BIG, BIG], cluster=address, observer=spy,
                        timeout=120)
        statuses = {job.worker: job.status for job in info.value.run.jobs}  # type: ignore[attr-defined]
        assert spy.killed and statuses[victim] == "failed" and list(statuses.values()).count("stopped") == 1
    finally:
        conclib.cluster.close()
        _stop(procs)
    assert all(p.poll() is not None for p in procs)


# --------------------------------------------------------------------------- the stop button


def _descendants(pid: int) -> list[psutil.Process]:
    return [c for c in psutil.Process(pid).children(recursive=True)
            if not any(h in " ".join(c.cmdline()) for h in ("resource_tracker", "forkserver"))]


def _busy_cpu(procs: list[psutil.Process], seconds: float = 0.5) -> float:
    def total() -> float:
        out = 0.0
        for p in procs:
            try:
                t = p.cpu_times()
                out += t.user + t.system
            except psutil.Error:
                pass
        return out

    before = total()
    time.sleep(seconds)
    return (total() - before) / seconds


@pytest.fixture(scope="module")
def kernel() -> Iterator[tuple]:
    """A Jupyter kernel with its local Dask cluster started; at the end, its workers must go with it."""
    from jupyter_client.manager import start_new_kernel

    from .test_safety import _execute

    km, kc = start_new_kernel(kernel_name="python3")
    workers: list[psutil.Process] = []
    try:
        reply = _execute(kc, "import conclib; conclib.cluster.connect(); _ = conclib.machine_info()", timeout=120)
        assert reply["status"] == "ok", reply
        yield km, kc
        workers = _descendants(km.provisioner.pid)  # type: ignore[union-attr]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert workers and not alive, f"worker processes outlived their kernel: {alive}"


@pytest.mark.slow
class TestTheStopButton:
    @pytest.fixture(autouse=True)
    def hygiene(self, kernel) -> Iterator[None]:
        """conftest's check, except for the kernel's own processes: their nannies restart the workers
        that a stop ended, and the ``kernel`` fixture checks that they all go with the kernel."""
        km = kernel[0]

        def children() -> set[int]:
            return _children() - {p.pid for p in psutil.Process(km.provisioner.pid).children(recursive=True)}

        threads, before, fds = set(threading.enumerate()), children(), _fds()
        yield
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            extra = [t.name for t in threading.enumerate() if t not in threads and t.is_alive()]
            more, extra_fds = children() - before, _fds() - fds
            if not extra and not more and extra_fds <= 0:
                return
            time.sleep(0.05)
        pytest.fail(f"threads left running: {extra}; child processes left running: {sorted(more)}; "
                    f"{extra_fds} more file descriptor(s)")

    @pytest.mark.timeout(180)
    @pytest.mark.parametrize("task", ["countdown", "countdown_sampled"])
    def test_the_stop_button_frees_the_workers_and_the_kernel_lives_on(self, kernel, task: str) -> None:
        _stop_button(kernel, task)


def _stop_button(kernel, task: str) -> None:
    from .test_safety import _execute

    km, kc = kernel
    # stop_on_error=False: the error this cell ends with must not make ipykernel abort the next cell
    # when it arrives soon after (as in test_safety)
    msg_id = kc.execute(f"conclib.run('dask', conclib.{task}, [{BIG}] * 2)", stop_on_error=False)
    time.sleep(2)
    km.interrupt_kernel()
    interrupted = time.monotonic()
    while True:
        reply = kc.get_shell_msg(timeout=20)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - interrupted < 5  # GRACE, then the busy workers end
    code = "r = conclib.run('dask', conclib.countdown, [1000] * 2, timeout=60); assert r.status == 'ok'"
    reply = _execute(kc, code, timeout=120)  # the next run works (on fresh workers, for countdown)
    assert reply["status"] == "ok", reply
    assert _busy_cpu(_descendants(km.provisioner.pid), 1.0) < 0.5, "a worker is still counting down"
