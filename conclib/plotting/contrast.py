"""Runs of the same jobs under different models, one above the other on one time axis.

The cheat-sheet's headline is a contrast: two countdowns took 5.33 s in two threads and 2.90 s
in two processes. :func:`side_by_side` draws the learner's own runs of it as timelines that share
the time axis, so the shorter run is visibly shorter, and its lanes visibly overlap.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes

from .._base import Run
from ..i18n import _, ngettext
from .lanes import timeline
from .theme import _figsize, _validate_run

__all__ = ["side_by_side"]


def side_by_side(runs: Sequence[Run], axes: Sequence[Axes] | None = None) -> list[Axes]:
    """One timeline per run, stacked, all on the time axis of the longest run.

    Args:
        runs: finished runs to contrast, e.g. ``[threads_run, processes_run]``.
        axes: one Axes per run to draw into (default: a new figure with one row per run).
    Returns:
        The Axes, in the order of ``runs``.
    Raises:
        ValueError: ``runs`` is empty, or ``axes`` does not hold one Axes per run.
    """
    if isinstance(runs, Run) or not isinstance(runs, Sequence):
        raise TypeError(_("{name} must be a list of conclib Runs, e.g. [threads_run, processes_run], got {value!r}")
                        .format(name="runs", value=runs))
    runs = [_validate_run(r) for r in runs]
    if not runs:
        raise ValueError(_("{name} must hold at least one finished run").format(name="runs"))
    if axes is None:
        import matplotlib.pyplot as plt

        height = _figsize()[1] * 0.75 * len(runs)
        _figure, grid = plt.subplots(len(runs), 1, figsize=_figsize(height), layout="constrained", squeeze=False,
                                     sharex=True)
        axes = list(grid[:, 0])
    axes = list(axes)
    if len(axes) != len(runs) or not all(isinstance(a, Axes) for a in axes):
        raise ValueError(_("{name} must hold one matplotlib Axes per run ({runs}), got {value!r}")
                         .format(name="axes", runs=len(runs), value=axes))
    end = max(r.elapsed for r in runs) * 1.02
    for k, (run, ax) in enumerate(zip(runs, axes, strict=True)):
        timeline(run, ax=ax)
        ax.set_xlim(0, max(end, 1e-6))
        ax.set_title("")  # one title per panel: the model and its time, on the left
        title = ngettext("{model}: {n} job of {task}, {seconds:.2f} s", "{model}: {n} jobs of {task}, {seconds:.2f} s",
                         run.n_jobs)
        ax.set_title(title.format(model=run.model, n=run.n_jobs, task=run.task, seconds=run.elapsed), loc="left")
        ax.axvline(run.elapsed, color="0.2", ls="--", lw=1.2)
        if k < len(runs) - 1:
            ax.set_xlabel("")
            ax.tick_params(labelbottom=True)  # every panel shows its times
    return axes

