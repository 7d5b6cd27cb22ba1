"""The look shared by every conclib plot: one colour per model, the classroom style, new axes, titles."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import matplotlib
from matplotlib.axes import Axes

from .._base import Run, validate_model
from ..i18n import N_, _, gettext, ngettext

__all__ = ["COLOURS", "colour", "style"]

#: One colour per model, the same in every plot (Okabe-Ito: safe for colour-blind readers).
COLOURS: dict[str, str] = {
    "sequential": "#000000",  # black
    "threads": "#D55E00",  # vermillion
    "processes": "#0072B2",  # blue
    "asyncio": "#009E73",  # bluish green
    "interpreters": "#CC79A7",  # reddish purple
    "dask": "#E69F00",  # orange
}

_STATUS_MARK = {"failed": "X", "stopped": "|"}
#: How a job or a run ended, as a plot writes it ("ok" is not written).
_STATUS_WORDS = {"failed": N_("failed"), "stopped": N_("stopped"), "running": N_("running"),
                 "timeout": N_("timeout"), "interrupted": N_("interrupted")}
#: A worker's name as the runner gives it ("thread-0"), as a plot writes it.
_WORKER_WORDS = {"thread": N_("thread-{number}"), "process": N_("process-{number}"),
                 "coroutine": N_("coroutine-{number}"), "interpreter": N_("interpreter-{number}"),
                 "job": N_("job-{number}")}

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
    return COLOURS[validate_model(model)]


@contextlib.contextmanager
def style(name: str = "classroom") -> Iterator[None]:
    """``with conclib.plotting.style("classroom"):`` big fonts and thick lines for a projector.

    Plots made inside the block keep the style; matplotlib's settings are restored on exit.
    """
    if name not in _STYLES:
        raise ValueError(_("{name} must be one of {allowed}, got {value!r}")
                         .format(name="style name", allowed=", ".join(map(repr, _STYLES)), value=name))
    with matplotlib.rc_context(_STYLES[name]):
        yield


def _new_axes(ax: Axes | None, figsize: tuple[float, float] | None = None) -> Axes:
    """``ax`` itself, or the Axes of a new figure that pyplot does not track (no duplicate display)."""
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(_("{name} must be a matplotlib Axes or None, got {value!r}").format(name="ax", value=ax))
        return ax
    import matplotlib.pyplot as plt

    fig, new = plt.subplots(figsize=figsize or _figsize(), layout="constrained")
    return new


def _figsize(height: float | None = None) -> tuple[float, float]:
    width, default_height = matplotlib.rcParams["figure.figsize"]
    return (max(width, 8.0), height if height is not None else default_height)


def _validate_run(run: Any) -> Run:
    if not isinstance(run, Run):
        raise TypeError(_("{name} must be a conclib Run (what conclib.run returns), got {value!r}")
                        .format(name="run", value=run))
    return run


def _status(status: str) -> str:
    """A job's or a run's status in the learner's language."""
    return gettext(_STATUS_WORDS[status]) if status in _STATUS_WORDS else status


def _worker(name: str) -> str:
    """A worker's name in the learner's language: 'thread-0' is 'поток 0' in Russian; a Dask host:port stays."""
    if name == "main":
        return _("main")
    kind, _dash, number = name.rpartition("-")
    return gettext(_WORKER_WORDS[kind]).format(number=number) if kind in _WORKER_WORDS and number.isdigit() else name


def _title(run: Run, plot: str) -> str:
    """The title of a plot of one run: ``plot`` is "race" or "timeline"."""
    if plot == "race":
        text = ngettext("Progress race: {model}, {n} job of {task}, {seconds:.2f} s",
                        "Progress race: {model}, {n} jobs of {task}, {seconds:.2f} s", run.n_jobs)
    else:
        text = ngettext("Timeline: {model}, {n} job of {task}, {seconds:.2f} s",
                        "Timeline: {model}, {n} jobs of {task}, {seconds:.2f} s", run.n_jobs)
    text = text.format(model=run.model, n=run.n_jobs, task=run.task, seconds=run.elapsed)
    return text if run.status == "ok" else f"{text} [{_status(run.status)}]"
