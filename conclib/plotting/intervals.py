"""When each job really ran, from its progress samples: arithmetic only, no drawing (no matplotlib).

A job takes a progress sample every few hundred microseconds while it runs. A gap
much longer than the usual spacing is time it did not run: a thread waiting for
the GIL, a coroutine waiting for its turn in the event loop, a job waiting for I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._base import JobRecord

__all__ = ["GAP_FACTOR", "WAITING_CPU_SHARE", "WAITING_SPACING", "mostly_waiting", "one_thread_intervals",
           "running_intervals"]

#: Running intervals are split where two samples are further apart than GAP_FACTOR typical spacings.
GAP_FACTOR = 4.0
#: A job whose samples are this far apart (s) and that used less CPU than WAITING_CPU_SHARE
#: of its wall time was mostly waiting (I/O, sleep); CPU-bound tasks sample every ~0.5 ms.
WAITING_SPACING = 0.01
WAITING_CPU_SHARE = 0.2


def running_intervals(times: Sequence[float], factor: float = GAP_FACTOR) -> list[tuple[float, float]]:
    """Merge sample times into (start, end) intervals, split where a gap is ``factor`` x the typical one.

    A thread that waits for the GIL takes no samples: its samples show a gap
    much longer than the usual spacing, and the gap is time it did not run.
    """
    t = np.asarray(times, dtype=float)
    if t.size < 2:
        return []
    gaps = np.diff(t)
    limit = factor * float(np.median(gaps))
    out: list[tuple[float, float]] = []
    begin = t[0]
    for i, gap in enumerate(gaps):
        if gap > limit:
            out.append((begin, t[i]))
            begin = t[i + 1]
    out.append((begin, t[-1]))
    return [(a, b) for a, b in out if b > a]


def one_thread_intervals(jobs: Sequence[JobRecord], factor: float = GAP_FACTOR) -> dict[int, list[tuple[float, float]]]:
    """Running intervals of jobs that share one thread (asyncio, sequential): one job runs at a time.

    All samples are merged in time order; the time between two consecutive
    samples belongs to the job that took the second one (unless the gap is
    ``factor`` x longer than usual: then nobody was running).
    """
    events = sorted((t, job.job) for job in jobs for t, _ in job.samples)
    out: dict[int, list[tuple[float, float]]] = {job.job: [] for job in jobs}
    if len(events) < 2:
        return out
    limit = factor * float(np.median(np.diff([t for t, _ in events])))
    for (before, _), (t, job) in zip(events[:-1], events[1:], strict=True):
        if t - before > limit:
            continue
        spans = out[job]
        if spans and spans[-1][1] == before:
            spans[-1] = (spans[-1][0], t)
        else:
            spans.append((before, t))
    return out


def mostly_waiting(job: JobRecord) -> bool:
    """Mostly waiting: little CPU and few samples (a busy job on a loaded machine also gets little CPU)."""
    if job.wall <= 0 or job.cpu >= WAITING_CPU_SHARE * job.wall:
        return False
    times = [t for t, _ in job.samples]
    return len(times) < 3 or float(np.median(np.diff(times))) > WAITING_SPACING
