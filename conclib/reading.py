"""Measurements into words: faster, slower or about the same, with a stated tolerance for noise.

Two runs of the same program never take exactly the same time, least of all on a busy or shared
machine. So a sentence such as "threads were faster" is printed only when the difference is larger
than the noise. The rule, used everywhere in the course:

- The *speedup* of A over B is ``median(B times) / median(A times)``: 2.0 means A took half the time.
- The *tolerance* is the largest of :data:`MIN_TOLERANCE` and the run-to-run range of each
  sample, ``(max - min) / median``. With only one run of A or of B the range is unknown, and
  :data:`ONE_RUN_TOLERANCE` is used instead.
- A is "faster" if the speedup is above ``1 + tolerance``, "slower" if it is below
  ``1 / (1 + tolerance)``, and "about the same" otherwise (a tie is always "about the same").

>>> from conclib import reading
>>> str(reading.compare_times([1.0, 1.02, 0.99], [2.0, 2.05, 1.98], "processes", "sequential"))
'processes were 2.00x faster than sequential (more than the 10% run-to-run tolerance)'
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .i18n import _, ngettext

__all__ = ["MIN_TOLERANCE", "ONE_RUN_TOLERANCE", "SIDE_BY_SIDE", "FASTER", "SLOWER", "SAME",
           "Comparison", "CapacityReading", "spread", "tolerance", "verdict", "compare_times",
           "compare_ratio", "compare_rows", "read_speedup", "describe_capacity", "where_time_went"]

#: Differences smaller than this share (10%) are never called faster or slower.
MIN_TOLERANCE = 0.10
#: The tolerance when A or B ran only once, so their run-to-run range is unknown (20%).
ONE_RUN_TOLERANCE = 0.20
#: A parallel capacity of at least this means more than one busy process really ran at once.
SIDE_BY_SIDE = 1.5

FASTER, SLOWER, SAME = "faster", "slower", "about the same"


def _times(name: str, times: Any) -> list[float]:
    """``times`` as a list of positive finite seconds, or a clear error naming ``name``."""
    values = [times] if isinstance(times, (int, float)) else times
    try:
        values = list(values)
    except TypeError:
        raise TypeError(_("{name} must be a number of seconds or a list of them, got {value!r}")
                        .format(name=name, value=times)) from None
    if not values:
        raise ValueError(_("{name} must hold at least one time in seconds, got an empty list").format(name=name))
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(_("{name} must hold numbers of seconds, got {value!r}").format(name=name, value=value))
        if not (math.isfinite(value) and value > 0):
            raise ValueError(_("{name} must hold times > 0 seconds (finite), got {value!r}")
                             .format(name=name, value=value))
    return [float(v) for v in values]


def _fraction(name: str, value: Any, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(_("{name} must be a number >= 0 (0.1 means 10%), got {value!r}")
                         .format(name=name, value=value))
    return float(value)


def spread(times: Iterable[float]) -> float | None:
    """The run-to-run range ``(max - min) / median`` of repeated times; None for a single run."""
    values = _times("times", times)
    if len(values) < 2:
        return None
    return (max(values) - min(values)) / statistics.median(values)


def tolerance(*spreads: float | None) -> float:
    """The tolerance for a comparison whose samples have these ranges (None: one run only)."""
    known = [float(s) for s in spreads if s is not None]
    floor = ONE_RUN_TOLERANCE if len(known) < len(spreads) or not spreads else MIN_TOLERANCE
    return max([floor, *known])


def verdict(speedup: float, tol: float) -> str:
    """:data:`FASTER`, :data:`SLOWER` or :data:`SAME` for a speedup of A over B and a tolerance."""
    if isinstance(speedup, bool) or not isinstance(speedup, (int, float)) \
            or not (math.isfinite(speedup) and speedup > 0):
        raise ValueError(_("{name} must be a number > 0 (time of B / time of A), got {value!r}")
                         .format(name="speedup", value=speedup))
    _fraction("tolerance", tol)
    if speedup > 1 + tol:
        return FASTER
    if speedup < 1 / (1 + tol):
        return SLOWER
    return SAME


@dataclass(frozen=True)
class Comparison:
    """A measured comparison of A against B, and the sentence that reads it."""

    subject: str  #: what was measured (A), e.g. "threads"
    baseline: str  #: what it is compared with (B), e.g. "sequential"
    speedup: float  #: median time of B / median time of A
    tolerance: float  #: the noise tolerance used (0.1 means 10%)
    verdict: str  #: FASTER, SLOWER or SAME

    def __str__(self) -> str:
        if self.verdict == FASTER:
            text = _("{subject} were {speedup:.2f}x faster than {baseline} "
                     "(more than the {tolerance:.0%} run-to-run tolerance)")
        elif self.verdict == SLOWER:
            text = _("{subject} took {ratio:.2f}x the time of {baseline}: "
                     "slower (more than the {tolerance:.0%} run-to-run tolerance)")
        else:
            text = _("{subject} and {baseline} took about the same time "
                     "({speedup:.2f}x, within the {tolerance:.0%} run-to-run tolerance)")
        return text.format(subject=self.subject, baseline=self.baseline, speedup=self.speedup,
                           ratio=1 / self.speedup, tolerance=self.tolerance)


def compare_times(subject_times: Any, baseline_times: Any, subject: str = "A",
                  baseline: str = "B", min_tolerance: float | None = None) -> Comparison:
    """Compare repeated times of A (``subject_times``) with those of B (``baseline_times``).

    Args:
        subject_times, baseline_times: seconds, one per run (a single number is one run).
        subject, baseline: names used in the sentence.
        min_tolerance: replaces :data:`MIN_TOLERANCE` (and the one-run tolerance) if given.
    Raises:
        ValueError, TypeError: a list is empty, or holds a time that is not a number > 0.
    """
    a, b = _times("subject_times", subject_times), _times("baseline_times", baseline_times)
    floor = _fraction("min_tolerance", min_tolerance, allow_none=True)
    spreads = [spread(a), spread(b)]
    tol = tolerance(*spreads) if floor is None else max([floor, *(s or 0.0 for s in spreads)])
    speedup = statistics.median(b) / statistics.median(a)
    return Comparison(subject, baseline, speedup, tol, verdict(speedup, tol))


def compare_ratio(speedup: float, spread_: float | None = None, subject: str = "A",
                  baseline: str = "B") -> Comparison:
    """Read a speedup of A over B when only the ratio (and perhaps its range) is known.

    ``spread_`` is the run-to-run range of the ratio, ``(max - min) / median``; None means one run.
    """
    tol = tolerance(_fraction("spread_", spread_, allow_none=True))
    return Comparison(subject, baseline, float(speedup), tol, verdict(speedup, tol))


def compare_rows(table: Any, subject: str, baseline: str) -> Comparison:
    """Compare two rows of a :func:`conclib.summarize` table (its median, min, max and runs columns)."""
    for name in (subject, baseline):
        if name not in table.index:
            raise ValueError(_("the table has no row {name!r}; its rows are {rows}")
                             .format(name=name, rows=list(table.index)))
    spreads = []
    for name in (subject, baseline):
        row = table.loc[name]
        spreads.append(None if row["runs"] < 2 else (row["max"] - row["min"]) / row["median"])
    tol = tolerance(*spreads)
    speedup = float(table.loc[baseline, "median"] / table.loc[subject, "median"])
    return Comparison(subject, baseline, speedup, tol, verdict(speedup, tol))


@dataclass(frozen=True)
class CapacityReading:
    """A speedup read against what the machine could run at once."""

    speedup: float  #: measured speedup of the workers over the same jobs one after the other
    workers: int  #: how many workers ran
    capacity: float  #: measured parallel capacity (busy processes that really ran at once)
    possible: float  #: the best speedup these workers could reach here: min(workers, capacity)
    tolerance: float
    verdict: str  #: "as high as possible", "below what was possible" or "above the measured capacity"

    @property
    def share(self) -> float:
        """The achieved share of the possible speedup (1.0: all of it)."""
        return self.speedup / self.possible

    def __str__(self) -> str:
        head = ngettext("the speedup of {workers} worker over one after the other was {speedup:.2f}x; busy "
                        "processes got about {capacity:.1f} CPUs between them when the machine was measured, "
                        "so at most {possible:.1f}x was possible",
                        "the speedup of {workers} workers over one after the other was {speedup:.2f}x; busy "
                        "processes got about {capacity:.1f} CPUs between them when the machine was measured, "
                        "so at most {possible:.1f}x was possible", self.workers)
        if self.verdict == "below what was possible":
            tail = _("They reached only {share:.0%} of it (the tolerance is {tolerance:.0%}): some time "
                     "went to other things, such as starting the workers, waiting for the slower job, "
                     "or other programs.")
        elif self.verdict == "above the measured capacity":
            tail = _("They did better than that: the machine was less busy during the run than when "
                     "the capacity was measured.")
        else:
            tail = _("They reached all of it (within the {tolerance:.0%} tolerance).")
        values = {"workers": self.workers, "speedup": self.speedup, "capacity": self.capacity,
                  "possible": self.possible, "share": self.share, "tolerance": self.tolerance}
        return f"{head.format(**values)}. {tail.format(**values)}"


def read_speedup(speedup: float, workers: int, capacity: float,
                 spread_: float | None = None) -> CapacityReading:
    """Read a measured speedup of ``workers`` workers against the measured parallel ``capacity``.

    The best possible speedup is ``min(workers, capacity)``; the tolerance is the same as for
    :func:`compare_ratio`.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(_("{name} must be a whole number >= 1, got {value!r}").format(name="workers", value=workers))
    if isinstance(capacity, bool) or not isinstance(capacity, (int, float)) \
            or not (math.isfinite(capacity) and capacity > 0):
        raise ValueError(_("{name} must be a number > 0 (e.g. machine_info()['parallel_capacity']), got {value!r}")
                         .format(name="capacity", value=capacity))
    if isinstance(speedup, bool) or not isinstance(speedup, (int, float)) \
            or not (math.isfinite(speedup) and speedup > 0):
        raise ValueError(_("{name} must be a number > 0, got {value!r}").format(name="speedup", value=speedup))
    tol = tolerance(_fraction("spread_", spread_, allow_none=True))
    possible = max(1.0, min(float(workers), float(capacity)))
    if speedup > possible * (1 + tol):
        word = "above the measured capacity"
    elif speedup < possible / (1 + tol):
        word = "below what was possible"
    else:
        word = "as high as possible"
    return CapacityReading(float(speedup), workers, float(capacity), possible, tol, word)


def describe_capacity(info: Mapping[str, Any]) -> str:
    """One plain sentence on what this machine can run at once, from :func:`conclib.machine_info`."""
    usable, logical = info.get("usable_cpus"), info.get("logical_cpus")
    capacity = info.get("parallel_capacity")
    count = logical if isinstance(logical, int) else 2  # which plural form the sentence takes
    if capacity is None:
        text = ngettext("This Python may use {usable} of the {logical} logical CPU, and the number that really "
                        "run at once could not be measured.",
                        "This Python may use {usable} of the {logical} logical CPUs, and the number that really "
                        "run at once could not be measured.", count)
    elif capacity >= SIDE_BY_SIDE:
        text = ngettext("This Python may use {usable} of the {logical} logical CPU, and right now about "
                        "{capacity:.1f} busy processes really run at once.",
                        "This Python may use {usable} of the {logical} logical CPUs, and right now about "
                        "{capacity:.1f} busy processes really run at once.", count)
    else:
        text = ngettext("This Python may use {usable} of the {logical} logical CPU, and right now busy processes "
                        "get only about {capacity:.1f} CPUs between them, so they mostly take turns instead of "
                        "running at once (the other CPUs are busy with other work, or there is only one).",
                        "This Python may use {usable} of the {logical} logical CPUs, and right now busy processes "
                        "get only about {capacity:.1f} CPUs between them, so they mostly take turns instead of "
                        "running at once (the other CPUs are busy with other work, or there is only one).", count)
    if info.get("gil_enabled", True):
        gil = _("Threads of one process run Python code one at a time (the GIL is on).")
    else:
        gil = _("Threads can run Python code at the same time too (this Python has no GIL).")
    return f"{text.format(usable=usable, logical=logical, capacity=capacity)} {gil}"


def where_time_went(run: Any, capacity: float | None = None) -> list[str]:
    """Where the wall time of a run of parallel jobs went, from its own records: one line per item.

    The lines give numbers, no verdict: how long the workers took to start (the first job's start),
    how long the run waited for its slowest job (last end minus first end), how many CPU seconds
    per second the jobs used, and, if given, the parallel capacity measured before the run.

    Args:
        run: a finished :class:`conclib.Run` with at least one job.
        capacity: the measured parallel capacity (``machine_info()["parallel_capacity"]``), or None.
    """
    jobs = getattr(run, "jobs", None)
    if not jobs or not hasattr(run, "elapsed"):
        raise ValueError(_("run must be a finished conclib Run with at least one job, got {run!r}").format(run=run))
    elapsed = max(float(run.elapsed), 1e-9)
    first_start = min(job.start for job in jobs) - run.start
    first_end, last_end = min(job.end for job in jobs), max(job.end for job in jobs)
    at_once = min(len(jobs), run.workers or len(jobs))
    lines = [
        _("starting: the first job began {start:.2f} s after the run started ({share:.0%} of the {elapsed:.2f} s)")
        .format(start=first_start, share=first_start / elapsed, elapsed=elapsed),
        _("the slowest job: the last job ended {wait:.2f} s after the first one ({share:.0%} of the run)")
        .format(wait=last_end - first_end, share=(last_end - first_end) / elapsed),
        ngettext("CPU use: the jobs used {used:.2f} CPU seconds per second of the run ({n} job that ran the "
                 "whole time would use {n})",
                 "CPU use: the jobs used {used:.2f} CPU seconds per second of the run ({n} jobs that all ran "
                 "side by side the whole time would use {n})", at_once)
        .format(used=run.utilisation, n=at_once),
    ]
    if capacity is not None:
        lines.append(_("other programs: before the run, busy processes got about {cpus:.1f} CPUs between them "
                       "on this machine").format(cpus=float(capacity)))
    return lines
