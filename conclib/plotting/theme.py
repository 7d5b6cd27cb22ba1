"""The look shared by every conclib plot: one colour per model, the classroom style, new axes, titles."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import matplotlib
from matplotlib.axes import Axes

from .._base import Run, validate_model

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


def _validate_run(run: Any) -> Run:
    if not isinstance(run, Run):
        raise TypeError(f"run must be a conclib Run (what conclib.run returns), got {run!r}")
    return run


def _title(run: Run, what: str) -> str:
    note = "" if run.status == "ok" else f" [{run.status}]"
    return f"{what}: {run.model}, {run.n_jobs} job(s) of {run.task}, {run.elapsed:.2f} s{note}"
