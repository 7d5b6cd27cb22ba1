"""Charts of measured tables and runs: wall time per model, CPU use, scaling with workers, throughput.

They draw what they are given (a table from ``conclib.compare``, ``measure_scaling`` or
a list of runs) and measure nothing; where the machine matters they read the facts
the runs recorded, or take the usable CPUs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator, ScalarFormatter

from .._amdahl import amdahl, amdahl_fit
from .._base import MODELS, Run, validate_seconds
from ..course import CHEATSHEET_JOBS, CHEATSHEET_N, CHEATSHEET_SECONDS
from ..i18n import _, ngettext
from ..machine import usable_cpus
from .theme import COLOURS, _figsize, _new_axes, _validate_run

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CHEATSHEET", "comparison", "save_comparison", "scaling", "throughput", "utilisation"]

#: The cheat-sheet's published wall times for its experiment (``conclib.course``), from another machine.
CHEATSHEET: dict[str, Any] = {"n": CHEATSHEET_N, "n_jobs": CHEATSHEET_JOBS, "seconds": dict(CHEATSHEET_SECONDS)}


def _validate_table(table: Any, columns: Sequence[str], made_by: str) -> pd.DataFrame:
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise TypeError(_("{name} must be the DataFrame that {made_by} returns, got {type}")
                        .format(name="table", made_by=made_by, type=type(table).__name__))
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(_("table lacks the column(s) {missing}; give the DataFrame that {made_by} returns "
                           "(columns {columns})").format(missing=missing, made_by=made_by, columns=list(columns)))
    return table


def _order(models: Sequence[str]) -> list[str]:
    known = [m for m in MODELS if m in models]
    return known + [m for m in models if m not in known]


def _plural(count: float) -> int:
    """The number that picks a plural form for ``count``: itself if whole; else 2 (English "1.5 CPUs",
    Russian "1.5 процессора" take the form of 2)."""
    return int(count) if count == int(count) else 2


def _cpus(count: float) -> str:
    return ngettext("{count:g} CPU", "{count:g} CPUs", _plural(count)).format(count=count)


def _cores(count: float) -> str:
    return ngettext("{count:g} core", "{count:g} cores", _plural(count)).format(count=count)


def _capacity(capacity: float | None, table: pd.DataFrame) -> float:
    """CPUs that really ran at once: given, else what the runs recorded, never more than the usable CPUs.

    Drawing measures nothing: without ``capacity`` and without the runs' machine facts
    (``table.attrs["machine"]``, set by :func:`conclib.summarize`) it takes the usable CPUs.
    """
    if capacity is not None:
        if isinstance(capacity, bool) or not isinstance(capacity, (int, float)) or not capacity > 0:
            raise ValueError(_("{name} must be a number of CPUs > 0, got {value!r}").format(name="capacity",
                                                                                          value=capacity))
        return float(capacity)
    info = table.attrs.get("machine") or {}
    usable = info.get("usable_cpus") or usable_cpus()
    measured = info.get("parallel_capacity") or usable
    return float(min(max(measured, 1.0), usable))


def comparison(table: pd.DataFrame, ax: Axes | None = None, n: int | None = None, *, n_jobs: int = 2,
               capacity: float | None = None) -> Axes:
    """Median wall time per model (a line from the fastest to the slowest run), the ideal time here, and the
    cheat-sheet's numbers.

    Args:
        table: what :func:`conclib.compare` returns.
        n: the countdown's size; with the cheat-sheet's ``n`` and number of jobs its published
            times are drawn too (they come from another machine).
        n_jobs: how many jobs each run had (for the ideal time).
        capacity: how many CPUs really run at once here (default: the parallel capacity the
            runs recorded, ``table.attrs["machine"]``, else the usable CPUs).
    """
    table = _validate_table(table, ["median", "min", "max"], "conclib.compare")
    ax = _new_axes(ax)
    models = _order(list(table.index))
    x = np.arange(len(models))
    med = table.loc[models, "median"].to_numpy(float)
    low = med - table.loc[models, "min"].to_numpy(float)
    high = table.loc[models, "max"].to_numpy(float) - med
    ax.bar(x, med, color=[COLOURS.get(m, "0.5") for m in models], alpha=0.85, width=0.6,
           yerr=[low, high], capsize=6, error_kw={"lw": 1.5}, label=_("median here (line: fastest to slowest run)"))
    for xi, m, top in zip(x, med, med + high, strict=True):
        ax.annotate(_("{seconds:.2f} s").format(seconds=m), (xi, top), xytext=(0, 4), textcoords="offset points",
                    ha="center", fontsize="small")
    if "sequential" in table.index and n_jobs >= 1:
        cpus = _capacity(capacity, table)
        ideal = float(table.loc["sequential", "median"]) / min(n_jobs, max(cpus, 1.0))
        ax.axhline(ideal, color="0.3", ls="--", lw=1.5,
                   label=ngettext("ideal here: sequential / min({n} job, {cpus}) = {ideal:.2f} s",
                                  "ideal here: sequential / min({n} jobs, {cpus}) = {ideal:.2f} s", n_jobs)
                   .format(n=n_jobs, cpus=_cpus(cpus), ideal=ideal))
    if n == CHEATSHEET["n"] and n_jobs == CHEATSHEET["n_jobs"]:
        shown = [(xi, CHEATSHEET["seconds"][m]) for xi, m in zip(x, models, strict=True) if m in CHEATSHEET["seconds"]]
        if shown:
            xs, ys = zip(*shown, strict=True)
            ax.plot(xs, ys, "D", color="white", mec="black", mew=1.5, ms=9, ls="none",
                    label=_("cheat-sheet's times (another machine)"))
            for xi, y in shown:
                ax.annotate(_("{seconds:.2f} s").format(seconds=y), (xi, y), xytext=(9, 0), textcoords="offset points",
                            va="center", fontsize="small")
    ax.set_xticks(x, models)
    ax.set_ylabel(_("wall time (s)"))
    ax.set_xlabel(_("model"))
    runs = int(table["runs"].min()) if "runs" in table.columns and len(table) else None
    ax.set_title(ngettext("Wall time per model (median of {runs} run)", "Wall time per model (median of {runs} runs)",
                          runs).format(runs=runs) if runs else _("Wall time per model"))
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
    table = _validate_table(table, ["cpu_utilisation"], "conclib.compare")
    ax = _new_axes(ax)
    if cpus is None:
        cpus = usable_cpus()
    models = _order(list(table.index))
    x = np.arange(len(models))
    values = table.loc[models, "cpu_utilisation"].to_numpy(float)
    ax.bar(x, values, color=[COLOURS.get(m, "0.5") for m in models], alpha=0.85, width=0.6)
    for xi, v in zip(x, values, strict=True):
        ax.annotate(f"{v:.2f}", (xi, v), xytext=(0, 3), textcoords="offset points", ha="center", fontsize="small")
    ax.axhline(1, color="0.3", ls="--", lw=1.5, label=_("1 core busy"))
    ax.axhline(cpus, color="0.3", ls=":", lw=1.5,
               label=_("every available core busy ({cores})").format(cores=_cores(cpus)))
    ax.set_xticks(x, models)
    ax.set_xlabel(_("model"))
    ax.set_ylabel(_("CPU seconds per wall second (cores busy)"))
    ax.set_title(_("CPU utilisation: how many cores did the jobs keep busy?"))
    ax.set_ylim(0, max(cpus, float(np.nanmax(values)) if len(values) else 1.0) * 1.25)
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return ax


def scaling(table: pd.DataFrame, ax: Axes | None = None, *, cpus: float | None = None) -> Axes:
    """Speedup against the number of workers per model, the ideal line and an Amdahl's-law fit.

    The notation is the one of the lessons: ``p`` is the share of the work that runs in parallel,
    ``k`` the number of workers, speedup = 1 / ((1 - p) + p / k). On the countdown the fitted
    ``1 - p`` is not a serial part of the task (it has none): it stands for the overheads
    (starting workers, unequal jobs, other programs) that kept the speedup down. When the largest
    number of workers is 32 or more times the smallest (1 to 512 tasks, say), the axis is logarithmic.

    Args:
        table: what :func:`conclib.scaling.measure_scaling` returns
            (columns ``model``, ``workers``, ``speedup``).
        cpus: the cores available (default: ``conclib.usable_cpus()``); the ideal is min(workers, cpus).
    """
    table = _validate_table(table, ["model", "workers", "speedup"], "conclib.scaling.measure_scaling")
    ax = _new_axes(ax)
    if cpus is None:
        cpus = usable_cpus()
    top = int(table["workers"].max()) if len(table) else 1
    wide = top >= 32 * max(int(table["workers"].min()), 1) if len(table) else False  # e.g. 1 to 512 tasks
    p = np.geomspace(1, top, 200) if wide else np.linspace(1, max(top, 1), 200)
    p = np.union1d(p, [cpus])  # the ideal line's corner
    ax.plot(p, np.minimum(p, cpus), color="0.4", ls="--", lw=1.5,
            label=_("ideal: min(workers, {cpus})").format(cpus=_cpus(cpus)))
    for model in _order(list(dict.fromkeys(table["model"]))):
        rows = table[table["model"] == model].sort_values("workers")
        w, s = rows["workers"].to_numpy(float), rows["speedup"].to_numpy(float)
        c = COLOURS.get(model, "0.5")
        label = model
        if len(w) >= 2:
            serial = amdahl_fit(w, s, cpus=cpus)
            ax.plot(p, amdahl(p, serial, cpus=cpus), color=c, ls=":", lw=1.5)
            label = _("{model} (Amdahl fit: p = {p:.2f})").format(model=model, p=1 - serial)
        ax.plot(w, s, "o-", color=c, label=label)
    ax.plot([], [], color="0.4", ls=":", lw=1.5,
            label=_("dotted: Amdahl's law, speedup = 1 / ((1 - p) + p / k), k = workers"))
    ax.axvline(cpus, color="0.7", lw=1, zorder=0)
    ax.annotate(_cpus(cpus), (cpus, 0), xytext=(4, 4), textcoords="offset points", color="0.4",
                fontsize="small")
    ax.set_xlabel(_("workers (one job each; the total work stays the same)"))
    ax.set_ylabel(_("speedup (time with 1 worker / time with n)"))
    ax.set_title(_("Scaling: does adding workers make the same work faster?"))
    if wide:  # a log axis, so that 1, 2 and 8 do not fall on one another next to 512
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xticks(sorted(set(int(v) for v in table["workers"])) if len(table) else [1])
    ax.set_ylim(0, max(cpus, float(table["speedup"].max()) if len(table) else 1.0) * 1.4)  # room for the legend
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
    runs = sorted((_validate_run(r) for r in runs), key=lambda r: r.workers or r.n_jobs)
    if not runs:
        raise ValueError(_("{name} must hold at least one finished run").format(name="runs"))
    ax = _new_axes(ax)
    pools = np.array([r.workers or r.n_jobs for r in runs], float)
    rate = np.array([len(r.jobs) / r.elapsed for r in runs])
    latency = np.array([np.median([job.wall for job in r.jobs]) for r in runs])
    colour = COLOURS.get(runs[0].model, "0.3")
    ax.plot(pools, rate, "o-", color=colour, label=_("throughput ({model})").format(model=runs[0].model))
    if delay is not None:
        validate_seconds("delay", delay, allow_zero=False)
        ax.plot(pools, np.minimum(pools, runs[0].n_jobs) / delay, color="0.4", ls="--", lw=1.5,
                label=_("ideal: min(workers, jobs) / {delay:g} s").format(delay=delay))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(pools, [f"{p:g}" for p in pools])
    ax.set_xlim(pools.min() / 1.6, pools.max() * 1.6)  # room on both sides: no line ends on an axis
    ys = [float(y) for line in ax.lines for y in np.atleast_1d(line.get_ydata())]
    ax.set_ylim(min(ys) / 2.5, max(ys) * 4)  # headroom above the ideal line for the legend
    ax.set_xlabel(_("workers in the pool (log scale)"))
    ax.set_ylabel(_("throughput (jobs finished per second, log scale)"))
    right = ax.twinx()
    right.plot(pools, latency * 1000, "s:", color="0.3", label=_("one job's latency (median)"))
    right.set_ylabel(_("one job's latency (ms, log scale)"))
    right.set_yscale("log")  # both y axes on log scales: equal steps mean equal factors on both sides
    low, high = float(latency.min()) * 1000, float(latency.max()) * 1000
    right.set_ylim(low / 10, high * 10)
    lines = ax.get_legend_handles_labels(), right.get_legend_handles_labels()
    ax.legend(lines[0][0] + lines[1][0], lines[0][1] + lines[1][1], loc="upper left", fontsize="small",
              frameon=False)
    ax.set_title(ngettext("{n} I/O-bound job: throughput and one job's latency per pool size",
                          "{n} I/O-bound jobs: throughput and one job's latency per pool size",
                          runs[0].n_jobs).format(n=runs[0].n_jobs))
    return ax


def save_comparison(table: pd.DataFrame, path: str | os.PathLike[str], n: int | None = None, *,
                    n_jobs: int = 2) -> None:
    """Draw :func:`comparison` into a new figure and write it to a PNG file (for scripts and the CLI)."""
    fig = Figure(figsize=_figsize(), layout="constrained")
    comparison(table, fig.add_subplot(), n=n, n_jobs=n_jobs)
    fig.savefig(path)
