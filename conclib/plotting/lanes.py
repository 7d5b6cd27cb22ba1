"""The timeline: one lane per worker, showing when each job really ran and when it waited."""

from __future__ import annotations

import math
import sys
from typing import Any

from matplotlib.axes import Axes
from matplotlib.patches import Patch

from .._base import JobRecord, Run
from ..i18n import _
from .intervals import mostly_waiting, one_thread_intervals, running_intervals
from .theme import _STATUS_MARK, COLOURS, _figsize, _new_axes, _title, _validate_run, _worker

__all__ = ["timeline"]


def _validate_window(window: Any) -> tuple[float, float] | None:
    if window is None:
        return None
    try:
        t0, t1 = (float(x) for x in window)
    except (TypeError, ValueError):
        raise TypeError(_("{name} must be None or (t0, t1) in seconds from the run's start, got {value!r}")
                        .format(name="window", value=window)) from None
    if not (math.isfinite(t0) and math.isfinite(t1) and t0 < t1):
        raise ValueError(_("{name} must be (t0, t1) with t0 < t1, both finite seconds, got {value!r}")
                         .format(name="window", value=window))
    return t0, t1


def timeline(run: Run, ax: Axes | None = None, window: tuple[float, float] | None = None) -> Axes:
    """One lane per worker: when each job really ran (solid) or waited for I/O (hatched).

    Running intervals come from the progress samples: a gap much longer than the
    usual spacing between two samples is time the job did not run (a thread
    waiting for the GIL, a coroutine waiting for the event loop).

    Args:
        run: a finished :class:`Run`.
        window: ``(t0, t1)`` seconds from the run's start to zoom in on, e.g. ``(1.0, 1.05)``
            shows the ~5 ms GIL hand-offs between threads.
    """
    run = _validate_run(run)
    window = _validate_window(window)
    by_worker: dict[str, list[JobRecord]] = {}
    for job in run.jobs:
        by_worker.setdefault(job.worker or f"job-{job.job}", []).append(job)
    workers = sorted(by_worker, key=_worker_order)
    ax = _new_axes(ax, _figsize(2.0 + 0.9 * max(len(workers), 1)))
    c = COLOURS.get(run.model, "0.3")
    kinds: set[str] = set()
    busy = [job for job in run.jobs if not mostly_waiting(job)]
    if run.model in ("asyncio", "sequential"):  # one thread: the samples of all jobs tell who ran when
        intervals = one_thread_intervals(busy)
    else:
        intervals = {job.job: running_intervals([t for t, _ in job.samples]) for job in busy}
    for y, worker in enumerate(workers):
        shared = len(by_worker[worker]) > 1
        for k, job in enumerate(by_worker[worker]):
            shade = 0.6 if shared and k % 2 else 1.0  # tell apart consecutive jobs on one worker
            kinds |= _draw_job(ax, run, job, y, intervals.get(job.job, []), colour=c, shade=shade,
                               name_it=shared and window is None)
    labels = [_worker(w) if len(by_worker[w]) > 1
              else _worker(w) + "\n" + _("job {job}").format(job=by_worker[w][0].job) for w in workers]
    ax.set_yticks(range(len(workers)), labels)
    ax.set_ylim(-0.7 if window else -0.5, len(workers) + 0.2)  # room on top for the notes
    ax.set_xlabel(_("time since the run started (s)") if window is None
                  else _("time since the run started (s), zoomed in on {ms:g} ms")
                  .format(ms=(window[1] - window[0]) * 1e3))
    ax.set_ylabel(_("worker"))
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlim(*(window or (0, max(run.elapsed, 1e-6) * 1.02)))
    ax.set_title(_title(run, "timeline"))
    if run.model == "threads" and "running" in kinds and len(workers) > 1:
        _switch_interval_note(ax, run, window)
    if run.model == "asyncio" and "running" in kinds and len(workers) > 1:
        ax.text(0.01, 0.99, _("one thread, one event loop: a coroutine runs until it awaits, then another gets a turn"),
                transform=ax.transAxes, va="top", ha="left", fontsize="x-small",
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.8"})
    legend = {"running": Patch(facecolor=c, label=_("running (taking progress samples)")),
              "waiting": Patch(facecolor="none", edgecolor=c, hatch="///", label=_("waiting (I/O, no CPU)")),
              "unsampled": Patch(facecolor=c, alpha=0.3, label=_("start to end (no samples)")),
              "failed": Patch(color="white", label=_("X failed")),
              "stopped": Patch(color="white", label=_("| stopped"))}
    handles = [legend[k] for k in legend if k in kinds]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=len(handles) or 1,
              fontsize="small", frameon=False)  # under the axis: the notes keep the top
    return ax


def _draw_job(ax: Axes, run: Run, job: JobRecord, y: int, intervals: list[tuple[float, float]], *,
              colour: str, shade: float, name_it: bool) -> set[str]:
    """Draw one job in lane ``y``; return what the legend must explain ("running", "failed", ...)."""
    kinds = set()
    spans = [(a - run.start, b - a) for a, b in intervals]
    waiting = mostly_waiting(job)
    if waiting:
        kinds.add("waiting")
        ax.broken_barh([(job.start - run.start, job.wall)], (y - 0.35, 0.7), facecolor="none",
                       edgecolor=colour, hatch="///", lw=1.2, alpha=shade)
    elif spans:
        kinds.add("running")
        ax.broken_barh(spans, (y - 0.35, 0.7), facecolor=colour, edgecolor="none", alpha=shade)
    else:
        kinds.add("unsampled")
        ax.broken_barh([(job.start - run.start, job.wall)], (y - 0.35, 0.7), facecolor=colour, alpha=0.3)
    if job.status in _STATUS_MARK:
        ax.plot(job.end - run.start, y, marker=_STATUS_MARK[job.status], color="black", ms=10, mew=2, zorder=3)
        kinds.add(job.status)
    if name_it:
        mid = job.start - run.start + job.wall / 2
        ax.annotate(_("job {job}").format(job=job.job), (mid, y), ha="center", va="center", fontsize="small",
                    color="white" if spans and not waiting else "black")
    return kinds


def _worker_order(name: str) -> tuple[str, int]:
    kind, _dash, number = name.rpartition("-")
    return (kind, int(number)) if number.isdigit() else (name, -1)


def _switch_interval_note(ax: Axes, run: Run, window: tuple[float, float] | None) -> None:
    interval = float(run.machine.get("switch_interval") or sys.getswitchinterval())
    text = _("sys.getswitchinterval() = {ms:g} ms: a thread waiting for the GIL asks for it after this long,\n"
             "so the running thread hands it over: the gaps in each lane").format(ms=interval * 1e3)
    if window is None:
        text += "\n" + _("(zoom in to see them: window=(t, t + {seconds:g}))").format(seconds=20 * interval)
    else:  # a scale bar one switch interval long
        t0, t1 = window
        x = t0 + 0.02 * (t1 - t0)
        ax.plot([x, x + interval], [-0.55, -0.55], color="black", lw=3, solid_capstyle="butt")
        ax.annotate(_("{ms:g} ms").format(ms=interval * 1e3), (x + interval, -0.55), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize="small")
    ax.text(0.01, 0.99, text, transform=ax.transAxes, va="top", ha="left", fontsize="x-small",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.8"})
