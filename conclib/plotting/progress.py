"""Plots that let you watch the models: live progress race, timeline, comparison, scaling, CPU use.

Every function takes ``ax=None`` (a new figure is made when it is None), returns
the ``Axes``, never calls ``plt.show()`` and never changes matplotlib's global style.
This is the only conclib module that imports matplotlib.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import sys
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .._amdahl import amdahl, amdahl_fit
from .._base import MODELS, JobRecord, Run, check_model, check_seconds
from ..machine import usable_cpus

if TYPE_CHECKING:
    import pandas as pd

#: One colour per model, the same in every plot (Okabe-Ito: safe for colour-blind readers).
COLOURS: dict[str, str] = {
    "sequential": "#000000",  # black
    "threads": "#D55E00",  # vermillion
    "processes": "#0072B2",  # blue
    "asyncio": "#009E73",  # bluish green
}
#: The cheat-sheet's published wall times for two jobs of countdown(100_000_000), from another machine.
CHEATSHEET: dict[str, Any] = {"n": 100_000_000, "n_jobs": 2, "seconds": {"threads": 5.33, "processes": 2.90}}

#: Running intervals are split where two samples are further apart than GAP_FACTOR typical spacings.
GAP_FACTOR = 4.0
#: A job whose samples are this far apart (s) and that used less CPU than WAITING_CPU_SHARE
#: of its wall time was mostly waiting (I/O, sleep); CPU-bound tasks sample every ~0.5 ms.
WAITING_SPACING = 0.01
WAITING_CPU_SHARE = 0.2

_STATUS_MARK = {"failed": "X", "stopped": "|"}

_STYLES: dict[str, Any] = {
    "notebook": {},
    "classroom": {
        "font.size": 16, "axes.titlesize": 19, "axes.labelsize": 17, "xtick.labelsize": 15,
        "ytick.labelsize": 15, "legend.fontsize": 14, "lines.linewidth": 3.0, "lines.markersize": 10,
        "axes.linewidth": 1.5, "figure.figsize": (11, 6), "figure.dpi": 100, "grid.linewidth": 1.0,
    },
}


def colour(model: str) -> str:
    """The colour of ``model`` in every conclib plot."""
    return COLOURS[check_model(model)]


@contextlib.contextmanager
def style(name: str = "classroom") -> Iterator[None]:
    """``with conclib.plotting.style("classroom"):`` big fonts and thick lines for a projector.

    Plots made inside the block keep the style; matplotlib's settings are restored on exit.
    """
    if name not in _STYLES:
        raise ValueError(f"style name must be one of {', '.join(map(repr, _STYLES))}, got {name!r}")
    with matplotlib.rc_context(_STYLES[name]):
        yield


def _new_axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    """``ax`` itself, or the Axes of a new figure that pyplot does not track (no duplicate display)."""
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes or None, got {ax!r}")
        return ax
    import matplotlib.pyplot as plt

    fig, new = plt.subplots(figsize=figsize or _figsize(), layout="constrained")
    return new


def _figsize(height: float | None = None) -> tuple[float, float]:
    width, default_height = matplotlib.rcParams["figure.figsize"]
    return (max(width, 8.0), height if height is not None else default_height)


def _check_run(run: Any) -> Run:
    if not isinstance(run, Run):
        raise TypeError(f"run must be a conclib Run (what conclib.run returns), got {run!r}")
    return run


def _title(run: Run, what: str) -> str:
    note = "" if run.status == "ok" else f" [{run.status}]"
    return f"{what}: {run.model}, {run.n_jobs} job(s) of {run.task}, {run.elapsed:.2f} s{note}"


# --------------------------------------------------------------------------- the race


def _job_curve(job: JobRecord, t0: float) -> tuple[np.ndarray, np.ndarray]:
    """(seconds from run start, fraction done) for one job: its samples, else start and end."""
    if job.samples and job.total:
        t = np.array([s[0] for s in job.samples]) - t0
        f = np.array([s[1] for s in job.samples]) / job.total
        if job.status == "ok":
            t, f = np.append(t, job.end - t0), np.append(f, 1.0)
        return t, f
    done = 1.0 if job.status == "ok" else 0.0
    return np.array([job.start - t0, job.end - t0]), np.array([0.0, done])


def _race_frame(ax: Axes, model: str, n_jobs: int) -> None:
    ax.set_ylim(-0.15, n_jobs)
    ax.set_yticks([i + 0.4 for i in range(n_jobs)], [f"job {i}" for i in range(n_jobs)])
    ax.set_xlabel("time since the run started (s)")
    ax.set_ylabel("jobs (each lane: 0 to 100% done)")
    ax.grid(axis="x", alpha=0.3)
    for i in range(n_jobs):
        ax.axhline(i, color="0.85", lw=0.8, zorder=0)
        ax.axhline(i + 0.8, color="0.85", lw=0.8, ls=":", zorder=0)


def _draw_race(ax: Axes, run: Run) -> None:
    """The final frame: every job's real progress samples, lane by lane."""
    ax.clear()
    _race_frame(ax, run.model, max(run.n_jobs, len(run.jobs)))
    c = COLOURS.get(run.model, "0.3")
    end = max(run.elapsed, 1e-6)
    labels = []
    for job in run.jobs:
        t, f = _job_curve(job, run.start)
        y = job.job + 0.8 * f
        ax.fill_between(t, job.job, y, color=c, alpha=0.25, lw=0, step="post")
        ax.plot(t, y, color=c, lw=1.8, drawstyle="steps-post")
        if job.status in _STATUS_MARK:
            ax.plot(t[-1], y[-1], marker=_STATUS_MARK[job.status], color="black", ms=10, mew=2)
            ax.annotate(job.status, (t[-1], y[-1]), xytext=(6, 0), textcoords="offset points", va="center")
        labels.append(f"job {job.job}\n{job.worker}" if job.worker else f"job {job.job}")
    if run.jobs:
        ax.set_yticks([j.job + 0.4 for j in run.jobs], labels)
    ax.set_xlim(0, end * 1.05)
    ax.set_title(_title(run, "Progress race"))
    handles = [Patch(color=c, alpha=0.5, label=f"{run.model}: fraction done")]
    if any(j.status != "ok" for j in run.jobs):
        handles.append(Patch(color="white", label="X failed, | stopped"))
    ax.legend(handles=handles, loc="upper left", frameon=False)


def race(run: Run, ax: Axes | None = None) -> Axes:
    """Each job's fraction done against time, one lane per job, for a finished run."""
    run = _check_run(run)
    ax = _new_axes(ax, _figsize(1.5 + 1.2 * max(run.n_jobs, 1)))
    _draw_race(ax, run)
    return ax


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (not in a plain ``python`` or ``ipython`` terminal)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class LiveRace:
    """An Observer that draws the progress race while the run is in flight.

    In Jupyter one figure is displayed once and updated in place (about four
    times a second, as the runner calls ``update``); elsewhere nothing is shown
    unless ``frames=True``. The final frame, drawn from the run's real samples,
    stays. Drawing happens in the caller's thread only. So that the plot does not
    slow down what it measures, a frame redraws only the progress lines over a
    cached background, and after the first frame, frames are skipped while drawing
    has used more than ``budget`` of the elapsed time (CPU time of the drawing thread).

    Args:
        ax: draw into this Axes (default: a new figure).
        save: a PNG file written with the final frame.
        frames: render every frame to PNG (default: only in Jupyter); the last is ``last_frame``.
        budget: the largest share of the elapsed time spent drawing live frames.
    """

    def __init__(self, ax: Axes | None = None, save: str | os.PathLike[str] | None = None, *,
                 frames: bool | None = None, budget: float = 0.04) -> None:
        if ax is not None and not isinstance(ax, Axes):
            raise TypeError(f"ax must be a matplotlib Axes or None, got {ax!r}")
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 < budget <= 1:
            raise ValueError(f"budget must be a share of the run's time, 0 < budget <= 1, got {budget!r}")
        self.ax, self.save, self.budget = ax, save, float(budget)
        self.jupyter = in_jupyter()
        self.frames = self.jupyter if frames is None else bool(frames)
        self.frames_drawn = 0
        self.drawing_time = 0.0
        self.last_frame: bytes | None = None
        self._handle: Any = None

    # -- the Observer protocol

    def start(self, model: str, n_jobs: int) -> None:
        self.model, self.n_jobs = model, n_jobs
        self.frames_drawn, self.drawing_time = 0, 0.0
        if self.ax is None:  # a figure pyplot does not track: shown only by us, never twice
            self.ax = Figure(figsize=_figsize(1.5 + 1.2 * n_jobs), layout="constrained").add_subplot()
        self.fig: Figure = self.ax.figure  # type: ignore[assignment]  # our Axes sit on a Figure
        if self.jupyter and "matplotlib.pyplot" in sys.modules:  # we display it: the inline backend must not
            sys.modules["matplotlib.pyplot"].close(self.fig)
        self.history_t: list[float] = [0.0]
        self.history_f: list[list[float]] = [[0.0] * n_jobs]
        ax = self.ax
        ax.clear()
        _race_frame(ax, model, n_jobs)
        c = COLOURS.get(model, "0.3")
        self.lines = [ax.plot([0], [i], color=c, lw=1.8, animated=True)[0]
                      for i in range(n_jobs)]
        self.texts = [ax.text(0, i + 0.4, "", va="center", fontsize="small", animated=True) for i in range(n_jobs)]
        self.clock = ax.text(0.99, 0.02, "", transform=ax.transAxes, ha="right", va="bottom", animated=True)
        ax.set_title(f"Progress race: {model}, {n_jobs} job(s), running")
        self._background: Any = None
        self._xmax = 1.0
        ax.set_xlim(0, self._xmax)
        if self.frames:
            began = time.thread_time()
            self._publish(self._frame(0.0), first=True)  # before the run's clock starts
            self._redraw_cost = time.thread_time() - began
            self._blit_cost = self._redraw_cost / 4  # a first guess, measured from the first blit on

    def update(self, elapsed: float, fractions: Sequence[float]) -> None:
        self.history_t.append(elapsed)
        self.history_f.append(list(fractions))
        if not self.frames:
            return
        redraw = elapsed > 0.9 * self._xmax
        cost = self._redraw_cost if redraw else self._blit_cost
        if self.frames_drawn and self.drawing_time + cost > self.budget * elapsed:
            return  # this frame would go over the drawing budget: skip it, keep the data
        began = time.thread_time()
        self._publish(self._frame(elapsed))
        spent = time.thread_time() - began
        if redraw:
            self._redraw_cost = spent
        else:
            self._blit_cost = spent
        self.frames_drawn += 1
        self.drawing_time += spent

    def finish(self, run: Run) -> None:
        if not hasattr(self, "fig"):  # finish without start: draw the run anyway
            self.start(run.model, run.n_jobs)
        assert self.ax is not None  # set by start()
        _draw_race(self.ax, run)
        if self.save is not None:
            self.fig.savefig(self.save)
        if self.frames:
            buffer = io.BytesIO()
            self.fig.savefig(buffer, format="png")
            self._publish(buffer.getvalue())

    # -- drawing

    def _frame(self, elapsed: float) -> bytes:
        """Draw the lines over the cached background (redrawn when the time axis grows); PNG bytes."""
        f = np.array(self.history_f)
        for i, (line, text) in enumerate(zip(self.lines, self.texts, strict=True)):
            line.set_data(self.history_t, i + 0.8 * f[:, i])
            text.set_position((elapsed, i + 0.4))
            text.set_text(f" {f[-1, i]:.0%}")
        self.clock.set_text(f"{elapsed:.1f} s")
        assert self.ax is not None  # set by start()
        canvas: Any = self.fig.canvas
        if not hasattr(canvas, "copy_from_bbox"):  # a canvas that cannot blit: use an Agg one
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            canvas = FigureCanvasAgg(self.fig)
        if self._background is None or elapsed > 0.9 * self._xmax:
            self._xmax = _nice_limit(max(2 * self._xmax, 1.15 * self._eta(elapsed)))
            self.ax.set_xlim(0, self._xmax)
            canvas.draw()  # everything but the animated artists
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in (*self.lines, *self.texts, self.clock):
            self.ax.draw_artist(artist)
        from PIL import Image

        buffer = io.BytesIO()
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        image.convert("RGB").save(buffer, format="png", compress_level=1)  # RGB, fast: half the time
        return buffer.getvalue()

    def _eta(self, elapsed: float) -> float:
        """The run's expected length: elapsed time over the share of all work done."""
        done = float(np.mean(self.history_f[-1])) if self.n_jobs else 0.0
        return elapsed / done if done > 0.05 else elapsed

    def _publish(self, png: bytes, first: bool = False) -> None:
        self.last_frame = png
        if not self.jupyter:
            return
        bundle = {"image/png": png, "text/plain": f"<progress race: {self.model}, {self.n_jobs} job(s)>"}
        if first or self._handle is None:
            from IPython.display import display

            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)


def _nice_limit(seconds: float) -> float:
    """The next of 1, 2, 5, 10, 20, 50, ... at or above ``seconds``."""
    step = 10.0 ** math.floor(math.log10(max(seconds, 1e-3)))
    return next(k * step for k in (1, 2, 5, 10) if k * step >= seconds)


# --------------------------------------------------------------------------- timeline


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


def _waiting(job: JobRecord) -> bool:
    """Mostly waiting: little CPU and few samples (a busy job on a loaded machine also gets little CPU)."""
    if job.wall <= 0 or job.cpu >= WAITING_CPU_SHARE * job.wall:
        return False
    times = [t for t, _ in job.samples]
    return len(times) < 3 or float(np.median(np.diff(times))) > WAITING_SPACING


def _check_window(window: Any) -> tuple[float, float] | None:
    if window is None:
        return None
    try:
        t0, t1 = (float(x) for x in window)
    except (TypeError, ValueError):
        raise TypeError(f"window must be None or (t0, t1) in seconds from the run's start, got {window!r}") from None
    if not (math.isfinite(t0) and math.isfinite(t1) and t0 < t1):
        raise ValueError(f"window must be (t0, t1) with t0 < t1, both finite seconds, got {window!r}")
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
    run = _check_run(run)
    window = _check_window(window)
    by_worker: dict[str, list[JobRecord]] = {}
    for job in run.jobs:
        by_worker.setdefault(job.worker or f"job-{job.job}", []).append(job)
    workers = sorted(by_worker, key=_worker_order)
    ax = _new_axes(ax, _figsize(2.0 + 0.9 * max(len(workers), 1)))
    c = COLOURS.get(run.model, "0.3")
    kinds: set[str] = set()
    busy = [job for job in run.jobs if not _waiting(job)]
    if run.model in ("asyncio", "sequential"):  # one thread: the samples of all jobs tell who ran when
        intervals = one_thread_intervals(busy)
    else:
        intervals = {job.job: running_intervals([t for t, _ in job.samples]) for job in busy}
    for y, worker in enumerate(workers):
        shared = len(by_worker[worker]) > 1
        for k, job in enumerate(by_worker[worker]):
            shade = 0.6 if shared and k % 2 else 1.0  # tell apart consecutive jobs on one worker
            spans = [(a - run.start, b - a) for a, b in intervals.get(job.job, [])]
            if _waiting(job):
                kinds.add("waiting")
                ax.broken_barh([(job.start - run.start, job.wall)], (y - 0.35, 0.7), facecolor="none",
                               edgecolor=c, hatch="///", lw=1.2, alpha=shade)
            elif spans:
                kinds.add("running")
                ax.broken_barh(spans, (y - 0.35, 0.7), facecolor=c, edgecolor="none", alpha=shade)
            else:
                kinds.add("unsampled")
                ax.broken_barh([(job.start - run.start, job.wall)], (y - 0.35, 0.7), facecolor=c, alpha=0.3)
            if job.status in _STATUS_MARK:
                ax.plot(job.end - run.start, y, marker=_STATUS_MARK[job.status], color="black", ms=10, mew=2,
                        zorder=3)
                kinds.add(job.status)
            mid = job.start - run.start + job.wall / 2
            if shared and window is None:
                ax.annotate(f"job {job.job}", (mid, y), ha="center", va="center", fontsize="small",
                            color="white" if spans and not _waiting(job) else "black")
    labels = [w if len(by_worker[w]) > 1 else f"{w}\njob {by_worker[w][0].job}" for w in workers]
    ax.set_yticks(range(len(workers)), labels)
    ax.set_ylim(-0.7 if window else -0.5, len(workers) + 0.2)  # room on top for the notes
    ax.set_xlabel("time since the run started (s)" if window is None
                  else f"time since the run started (s), zoomed in on {(window[1] - window[0]) * 1e3:g} ms")
    ax.set_ylabel("worker")
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlim(*(window or (0, max(run.elapsed, 1e-6) * 1.02)))
    ax.set_title(_title(run, "Timeline"))
    if run.model == "threads" and "running" in kinds and len(workers) > 1:
        _switch_interval_note(ax, run, window)
    if run.model == "asyncio" and "running" in kinds and len(workers) > 1:
        ax.text(0.01, 0.99, "one thread, one event loop: a coroutine runs until it awaits, then another gets a turn",
                transform=ax.transAxes, va="top", ha="left", fontsize="x-small",
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.8"})
    legend = {"running": Patch(facecolor=c, label="running (taking progress samples)"),
              "waiting": Patch(facecolor="none", edgecolor=c, hatch="///", label="waiting (I/O, no CPU)"),
              "unsampled": Patch(facecolor=c, alpha=0.3, label="start to end (no samples)"),
              "failed": Patch(color="white", label="X failed"), "stopped": Patch(color="white", label="| stopped")}
    handles = [legend[k] for k in legend if k in kinds]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=len(handles) or 1,
              fontsize="small", frameon=False)  # under the axis: the notes keep the top
    return ax


def _worker_order(name: str) -> tuple[str, int]:
    kind, _, number = name.rpartition("-")
    return (kind, int(number)) if number.isdigit() else (name, -1)


def _switch_interval_note(ax: Axes, run: Run, window: tuple[float, float] | None) -> None:
    interval = float(run.machine.get("switch_interval") or sys.getswitchinterval())
    text = (f"sys.getswitchinterval() = {interval * 1e3:g} ms: a thread waiting for the GIL asks for it "
            f"after this long,\nso the running thread hands it over: the gaps in each lane")
    if window is None:
        text += f"\n(zoom in to see them: window=(t, t + {20 * interval:g}))"
    else:  # a scale bar one switch interval long
        t0, t1 = window
        x = t0 + 0.02 * (t1 - t0)
        ax.plot([x, x + interval], [-0.55, -0.55], color="black", lw=3, solid_capstyle="butt")
        ax.annotate(f"{interval * 1e3:g} ms", (x + interval, -0.55), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize="small")
    ax.text(0.01, 0.99, text, transform=ax.transAxes, va="top", ha="left", fontsize="x-small",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "0.8"})


# --------------------------------------------------------------------------- tables


def _check_table(table: Any, columns: Sequence[str], made_by: str) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be the DataFrame that {made_by} returns, got {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"table lacks the column(s) {missing}; give the DataFrame that {made_by} returns "
                         f"(columns {list(columns)})")
    return table


def _order(models: Sequence[str]) -> list[str]:
    known = [m for m in MODELS if m in models]
    return known + [m for m in models if m not in known]


def _cpus(count: float) -> str:
    return f"{count:g} CPU" + ("" if count == 1 else "s")


def _capacity(capacity: float | None, table: pd.DataFrame) -> float:
    """CPUs that really ran at once: given, else what the runs recorded, never more than the usable CPUs.

    Drawing measures nothing: without ``capacity`` and without the runs' machine facts
    (``table.attrs["machine"]``, set by :func:`conclib.summarize`) it takes the usable CPUs.
    """
    if capacity is not None:
        if isinstance(capacity, bool) or not isinstance(capacity, (int, float)) or not capacity > 0:
            raise ValueError(f"capacity must be a number of CPUs > 0, got {capacity!r}")
        return float(capacity)
    info = table.attrs.get("machine") or {}
    usable = info.get("usable_cpus") or usable_cpus()
    measured = info.get("parallel_capacity") or usable
    return float(min(max(measured, 1.0), usable))


def comparison(table: pd.DataFrame, ax: Axes | None = None, n: int | None = None, *, n_jobs: int = 2,
               capacity: float | None = None) -> Axes:
    """Median wall time per model (min-max whiskers), the ideal time here, and the cheat-sheet's numbers.

    Args:
        table: what :func:`conclib.compare` returns.
        n: the countdown's size; with ``n == 100_000_000`` and two jobs the cheat-sheet's
            times are drawn too (they come from another machine).
        n_jobs: how many jobs each run had (for the ideal time).
        capacity: how many CPUs really run at once here (default: the parallel capacity the
            runs recorded, ``table.attrs["machine"]``, else the usable CPUs).
    """
    table = _check_table(table, ["median", "min", "max"], "conclib.compare")
    ax = _new_axes(ax)
    models = _order(list(table.index))
    x = np.arange(len(models))
    med = table.loc[models, "median"].to_numpy(float)
    low = med - table.loc[models, "min"].to_numpy(float)
    high = table.loc[models, "max"].to_numpy(float) - med
    ax.bar(x, med, color=[COLOURS.get(m, "0.5") for m in models], alpha=0.85, width=0.6,
           yerr=[low, high], capsize=6, error_kw={"lw": 1.5}, label="median here (whiskers: min to max)")
    for xi, m, top in zip(x, med, med + high, strict=True):
        ax.annotate(f"{m:.2f} s", (xi, top), xytext=(0, 4), textcoords="offset points", ha="center",
                    fontsize="small")
    if "sequential" in table.index and n_jobs >= 1:
        cpus = _capacity(capacity, table)
        ideal = float(table.loc["sequential", "median"]) / min(n_jobs, max(cpus, 1.0))
        ax.axhline(ideal, color="0.3", ls="--", lw=1.5,
                   label=f"ideal here: sequential / min({n_jobs} jobs, {_cpus(cpus)}) = {ideal:.2f} s")
    if n == CHEATSHEET["n"] and n_jobs == CHEATSHEET["n_jobs"]:
        shown = [(xi, CHEATSHEET["seconds"][m]) for xi, m in zip(x, models, strict=True) if m in CHEATSHEET["seconds"]]
        if shown:
            xs, ys = zip(*shown, strict=True)
            ax.plot(xs, ys, "D", color="white", mec="black", mew=1.5, ms=9, ls="none",
                    label="cheat-sheet's times (another machine)")
            for xi, y in shown:
                ax.annotate(f"{y:.2f} s", (xi, y), xytext=(9, 0), textcoords="offset points", va="center",
                            fontsize="small")
    ax.set_xticks(x, models)
    ax.set_ylabel("wall time (s)")
    ax.set_xlabel("model")
    runs = int(table["runs"].min()) if "runs" in table.columns and len(table) else None
    ax.set_title("Wall time per model" + (f" (median of {runs} runs)" if runs else ""))
    tops = [float(np.max(med + high))] if len(models) else [1.0]
    tops += [float(y) for line in ax.lines for y in np.atleast_1d(line.get_ydata())]
    ax.set_ylim(0, max(tops) * 1.4)  # headroom for the labels and the legend
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def utilisation(table: pd.DataFrame, ax: Axes | None = None, *, cpus: float | None = None) -> Axes:
    """CPU seconds per wall second for each model, against one core and all available cores.

    Args:
        table: what :func:`conclib.compare` returns (column ``cpu_utilisation``).
        cpus: the cores available (default: ``conclib.usable_cpus()``).
    """
    table = _check_table(table, ["cpu_utilisation"], "conclib.compare")
    ax = _new_axes(ax)
    if cpus is None:
        cpus = usable_cpus()
    models = _order(list(table.index))
    x = np.arange(len(models))
    values = table.loc[models, "cpu_utilisation"].to_numpy(float)
    ax.bar(x, values, color=[COLOURS.get(m, "0.5") for m in models], alpha=0.85, width=0.6)
    for xi, v in zip(x, values, strict=True):
        ax.annotate(f"{v:.2f}", (xi, v), xytext=(0, 3), textcoords="offset points", ha="center", fontsize="small")
    ax.axhline(1, color="0.3", ls="--", lw=1.5, label="1 core busy")
    cores = _cpus(cpus).replace("CPU", "core")
    ax.axhline(cpus, color="0.3", ls=":", lw=1.5, label=f"every available core busy ({cores})")
    ax.set_xticks(x, models)
    ax.set_xlabel("model")
    ax.set_ylabel("CPU seconds per wall second (cores busy)")
    ax.set_title("CPU utilisation: how many cores did the jobs keep busy?")
    ax.set_ylim(0, max(cpus, float(np.nanmax(values)) if len(values) else 1.0) * 1.25)
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def scaling(table: pd.DataFrame, ax: Axes | None = None, *, cpus: float | None = None) -> Axes:
    """Speedup against the number of workers per model, the ideal line and an Amdahl's-law fit.

    Args:
        table: what :func:`conclib.scaling.measure_scaling` returns
            (columns ``model``, ``workers``, ``speedup``).
        cpus: the cores available (default: ``conclib.usable_cpus()``); the ideal is min(workers, cpus).
    """
    table = _check_table(table, ["model", "workers", "speedup"], "conclib.scaling.measure_scaling")
    ax = _new_axes(ax)
    if cpus is None:
        cpus = usable_cpus()
    top = int(table["workers"].max()) if len(table) else 1
    p = np.linspace(1, max(top, 1), 200)
    ax.plot(p, np.minimum(p, cpus), color="0.4", ls="--", lw=1.5, label=f"ideal: min(workers, {_cpus(cpus)})")
    for model in _order(list(dict.fromkeys(table["model"]))):
        rows = table[table["model"] == model].sort_values("workers")
        w, s = rows["workers"].to_numpy(float), rows["speedup"].to_numpy(float)
        c = COLOURS.get(model, "0.5")
        label = model
        if len(w) >= 2:
            serial = amdahl_fit(w, s, cpus=cpus)
            ax.plot(p, amdahl(p, serial, cpus=cpus), color=c, ls=":", lw=1.5)
            label += f" (Amdahl fit: serial fraction {serial:.2f})"
        ax.plot(w, s, "o-", color=c, label=label)
    ax.plot([], [], color="0.4", ls=":", lw=1.5, label="dotted: Amdahl's law, speedup = 1 / (s + (1 - s) / p)")
    ax.axvline(cpus, color="0.7", lw=1, zorder=0)
    ax.annotate(_cpus(cpus), (cpus, 0), xytext=(4, 4), textcoords="offset points", color="0.4",
                fontsize="small")
    ax.set_xlabel("workers (one job each; the total work stays the same)")
    ax.set_ylabel("speedup (time with 1 worker / time with n)")
    ax.set_title("Scaling: does adding workers make the same work faster?")
    ax.set_xticks(sorted(set(int(v) for v in table["workers"])) if len(table) else [1])
    ax.set_ylim(0, max(cpus, float(table["speedup"].max()) if len(table) else 1.0) * 1.2)
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def throughput(runs: Sequence[Run], ax: Axes | None = None, *, delay: float | None = None) -> Axes:
    """Pool size against throughput (jobs per second) and each job's own latency, for I/O-bound runs.

    Give the runs of the same jobs with different ``workers`` (e.g. 1, 10, 100 threads). More
    workers finish more jobs per second, while each single request takes as long as before:
    concurrency buys throughput, not a faster request.

    Args:
        runs: finished runs of the same jobs, one per pool size (``run.workers``).
        delay: the server's latency in seconds; draws the ideal throughput, min(workers, jobs) / delay.
    """
    runs = sorted((_check_run(r) for r in runs), key=lambda r: r.workers or r.n_jobs)
    if not runs:
        raise ValueError("runs must hold at least one finished run")
    ax = _new_axes(ax)
    pools = np.array([r.workers or r.n_jobs for r in runs], float)
    rate = np.array([len(r.jobs) / r.elapsed for r in runs])
    latency = np.array([np.median([job.wall for job in r.jobs]) for r in runs])
    colour = COLOURS.get(runs[0].model, "0.3")
    ax.plot(pools, rate, "o-", color=colour, label=f"throughput ({runs[0].model})")
    if delay is not None:
        check_seconds("delay", delay, allow_zero=False)
        ax.plot(pools, np.minimum(pools, runs[0].n_jobs) / delay, color="0.4", ls="--", lw=1.5,
                label=f"ideal: min(workers, jobs) / {delay:g} s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(pools, [f"{p:g}" for p in pools])
    ax.set_xlabel("workers in the pool")
    ax.set_ylabel("throughput (jobs finished per second)")
    right = ax.twinx()
    right.plot(pools, latency * 1000, "s:", color="0.3", label="one job's latency (median)")
    right.set_ylabel("one job's latency (ms)")
    right.set_ylim(0, float(latency.max()) * 1000 * 1.6)
    lines = ax.get_legend_handles_labels(), right.get_legend_handles_labels()
    ax.legend(lines[0][0] + lines[1][0], lines[0][1] + lines[1][1], loc="upper left", fontsize="small",
              frameon=False)
    ax.set_title(f"{runs[0].n_jobs} I/O-bound jobs: more workers, more throughput, same latency")
    return ax


def save_comparison(table: pd.DataFrame, path: str | os.PathLike[str], n: int | None = None, *,
                    n_jobs: int = 2) -> None:
    """Draw :func:`comparison` into a new figure and write it to a PNG file (for scripts and the CLI)."""
    fig = Figure(figsize=_figsize(), layout="constrained")
    comparison(table, fig.add_subplot(), n=n, n_jobs=n_jobs)
    fig.savefig(path)
