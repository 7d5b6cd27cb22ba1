"""One behaviour suite, run against each of the four execution models."""

from __future__ import annotations

import itertools
import os
import sys
import threading

import pandas as pd
import pytest

import conclib
from conclib import tasks

from .jobs import fail_or_wait as _fail_or_wait

N = 200_000  # about 5-10 ms of countdown: enough for several samples, fast everywhere


@pytest.fixture(params=conclib.MODELS)
def model(request: pytest.FixtureRequest) -> str:
    return request.param


def test_each_job_runs_once_and_is_recorded(model: str) -> None:
    run = conclib.run(model, conclib.countdown_sampled, [N, N, N])
    assert run.model == model and run.status == "ok" and run.n_jobs == 3
    assert [job.job for job in run.jobs] == [0, 1, 2]
    for job in run.jobs:
        assert job.status == "ok" and job.error is None
        assert run.start <= job.start <= job.end <= run.end
        assert job.samples[0][1] == 0 and job.samples[-1][1] == N == job.total
        times = [t for t, _ in job.samples]
        assert times == sorted(times)
        assert 0 <= job.cpu <= job.wall * 1.5 + 0.01  # one job uses at most about one core


def test_pids_and_threads_match_the_model(model: str) -> None:
    run = conclib.run(model, conclib.countdown, [N, N])
    pids = {job.pid for job in run.jobs}
    threads = {job.thread_id for job in run.jobs}
    if model == "processes":
        assert len(pids) == 2 and os.getpid() not in pids
    else:
        assert pids == {os.getpid()}
    if model in ("threads", "interpreters"):
        assert len(threads) == 2 and threading.get_native_id() not in threads
    if model in ("sequential", "asyncio"):
        assert len(threads) == 1  # one thread, all jobs


def test_worker_labels(model: str) -> None:
    run = conclib.run(model, conclib.countdown, [N, N])
    expected = {"sequential": ["main", "main"], "threads": ["thread-0", "thread-1"],
                "processes": ["process-0", "process-1"], "asyncio": ["coroutine-0", "coroutine-1"],
                "interpreters": ["interpreter-0", "interpreter-1"]}[model]
    assert sorted(job.worker for job in run.jobs) == expected


def test_pool_of_workers_shares_the_jobs(model: str) -> None:
    run = conclib.run(model, conclib.countdown, [N] * 4, workers=2)
    assert len(run.jobs) == 4 and all(job.status == "ok" for job in run.jobs)
    assert run.workers == 2
    if model in ("threads", "processes", "interpreters"):
        assert len({job.worker for job in run.jobs}) <= 2


def test_to_frame_is_one_row_per_job(model: str) -> None:
    run = conclib.run(model, conclib.countdown_sampled, [N, N])
    frame = run.to_frame()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 2
    assert {"job", "worker", "pid", "thread_id", "start", "end", "wall", "cpu"} <= set(frame.columns)
    assert (frame["start"] >= 0).all() and (frame["end"] >= frame["start"]).all()
    samples = run.samples_frame()
    assert set(samples["job"]) == {0, 1} and samples["fraction"].between(0, 1).all()


def test_io_waits_overlap_except_sequentially(model: str) -> None:
    run = conclib.run(model, tasks.io_wait_async if model == "asyncio" else tasks.io_wait, [0.3] * 3)
    starts, ends = [job.start for job in run.jobs], [job.end for job in run.jobs]
    if model == "sequential":  # each wait begins after the previous one ended
        assert all(end <= start for end, start in zip(ends[:-1], starts[1:], strict=True))
    else:  # all three were waiting at the same moment
        assert max(starts) < min(ends)
    assert run.cpu < 0.5 * sum(job.wall for job in run.jobs)  # waiting uses little CPU


def test_every_model_accepts_the_async_tasks(model: str) -> None:
    run = conclib.run(model, conclib.countdown_cooperative, [N, N])
    assert all(job.status == "ok" and job.total == N for job in run.jobs)


def test_a_job_error_reaches_the_caller_with_its_type_message_and_job(model: str) -> None:
    with pytest.raises(RuntimeError, match="boom") as info:
        conclib.run(model, tasks.fail_after, [(0.0, "boom")], timeout=10)
    assert info.value.job == 0  # type: ignore[attr-defined]  # conclib adds job and run to the exception
    assert info.value.run.status == "failed"  # type: ignore[attr-defined]
    assert any("job 0" in note for note in getattr(info.value, "__notes__", []))


def test_a_failure_stops_the_other_jobs(model: str) -> None:
    with pytest.raises(RuntimeError, match="first failure") as info:
        conclib.run(model, _fail_or_wait, [(0, 0.1), (1, 60.0)], timeout=90)
    run = info.value.run  # type: ignore[attr-defined]
    assert run.elapsed < 20  # job 1 did not wait its 60 s (about 1 s on an idle machine; 5.2 s seen at load 20)
    assert {job.job: job.status for job in run.jobs} == {0: "failed", 1: "stopped"}


def test_timeout_stops_the_jobs_and_raises(model: str) -> None:
    task = tasks.io_wait_async if model == "asyncio" else tasks.io_wait
    with pytest.raises(TimeoutError, match="timeout=0.3") as info:
        conclib.run(model, task, [10.0, 10.0], timeout=0.3)
    run = info.value.run  # type: ignore[attr-defined]
    assert run.status == "timeout" and run.elapsed < 3
    assert all(job.status == "stopped" for job in run.jobs)


@pytest.mark.skipif(sys.platform != "linux", reason="counts the process's context switches as Linux reports them")
def test_the_caller_sleeps_while_its_worker_processes_compute() -> None:
    # Each wake-up of the caller's process takes a core from a worker for a moment: when it
    # looked at the run 20 times a second from two threads, forked workers computed 4% slower.
    import resource

    conclib.machine_info()  # measured once per process: not part of what is counted
    before = resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw
    run = conclib.run("processes", tasks.io_wait, [2.0, 2.0])
    wakeups = resource.getrusage(resource.RUSAGE_SELF).ru_nvcsw - before
    # about 2 per second to look at the run, and some to start the workers and read their outcomes
    assert wakeups < 8 * run.elapsed + 20, f"the caller's process woke {wakeups} times in {run.elapsed:.1f} s"


@pytest.mark.skipif(not conclib.machine_info(measure=False)["gil_enabled"], reason="a free-threaded build has no GIL")
def test_samples_show_the_gil_hand_offs_between_two_threads() -> None:
    run = conclib.run("threads", conclib.countdown_sampled, [3_000_000] * 2)  # ~0.1 s of work per thread
    for job in run.jobs:
        times = [t for t, _ in job.samples]
        gaps = [b - a for a, b in itertools.pairwise(times)]
        # a chunk takes well under 2 ms; a thread that waited for the GIL (~5 ms switch interval) shows a gap
        assert sum(gap > 0.002 for gap in gaps) >= 3, f"{job.worker} never waited for the GIL"


def test_threads_and_processes_differ_only_where_the_lesson_is() -> None:
    """``diff threads.py processes.py`` shows what really changes: their ``execute`` bodies stay close."""
    import difflib
    import inspect

    from conclib import processes, threads

    a, b = (inspect.getsource(m.execute).splitlines() for m in (threads, processes))
    changed = [line for line in difflib.unified_diff(a, b, lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) <= 12, "\n".join(changed)
