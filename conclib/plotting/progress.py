"""The progress race: each job's fraction done against time, drawn live while the run is in flight.

:class:`LiveRace` is an observer (see ``conclib.runner.Observer``): the runner calls
it from the caller's thread; it draws from what it is given and measures nothing.
"""

from __future__ import annotations

import io
import math
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .._base import JobRecord, Run
from ..i18n import _, ngettext
from .theme import _STATUS_MARK, COLOURS, _figsize, _new_axes, _status, _title, _validate_run, _worker

__all__ = ["LiveRace", "in_jupyter", "race"]


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
    ax.set_yticks([i + 0.4 for i in range(n_jobs)], [_("job {job}").format(job=i) for i in range(n_jobs)])
    ax.set_xlabel(_("time since the run started (s)"))
    ax.set_ylabel(_("jobs (each lane fills from 0 to 100%)"))
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
            ax.annotate(_status(job.status), (t[-1], y[-1]), xytext=(6, 0), textcoords="offset points",
                        va="center")
        name = _("job {job}").format(job=job.job)
        labels.append(f"{name}\n{_worker(job.worker)}" if job.worker else name)
    if run.jobs:
        ax.set_yticks([j.job + 0.4 for j in run.jobs], labels)
    ax.set_xlim(0, end * 1.05)
    ax.set_title(_title(run, "race"))
    handles = [Patch(color=c, alpha=0.5, label=_("{model}: fraction done").format(model=run.model))]
    if any(j.status != "ok" for j in run.jobs):
        handles.append(Patch(color="white", label=_("X failed, | stopped")))
    ax.legend(handles=handles, loc="upper left", frameon=False)


def race(run: Run, ax: Axes | None = None) -> Axes:
    """Each job's fraction done against time, one lane per job, for a finished run."""
    run = _validate_run(run)
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
            raise TypeError(_("{name} must be a matplotlib Axes or None, got {value!r}").format(name="ax", value=ax))
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 < budget <= 1:
            raise ValueError(_("{name} must be a share of the run's time, 0 < budget <= 1, got {value!r}")
                             .format(name="budget", value=budget))
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
        ax.set_title(ngettext("Progress race: {model}, {n} job, running", "Progress race: {model}, {n} jobs, running",
                              n_jobs).format(model=model, n=n_jobs))
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
        self.clock.set_text(_("{seconds:.1f} s").format(seconds=elapsed))
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
        text = ngettext("progress race: {model}, {n} job", "progress race: {model}, {n} jobs", self.n_jobs)
        bundle = {"image/png": png, "text/plain": "<" + text.format(model=self.model, n=self.n_jobs) + ">"}
        if first or self._handle is None:
            from IPython.display import display

            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)


def _nice_limit(seconds: float) -> float:
    """The next of 1, 2, 5, 10, 20, 50, ... at or above ``seconds``."""
    step = 10.0 ** math.floor(math.log10(max(seconds, 1e-3)))
    return next(k * step for k in (1, 2, 5, 10) if k * step >= seconds)
