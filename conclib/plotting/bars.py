"""A progress bar over several runs (``compare``, ``measure``, ``measure_scaling``), gone when they are done.

:class:`RunsBar` is an observer (see ``conclib.runner.Observer``): give the same bar to every
run of a measurement, and it shows which model runs, how many runs are done, and the time so
far. In Jupyter it is tqdm's notebook bar; elsewhere a text bar on stderr. It closes itself
after the last run, and leaves nothing behind (``leave=False``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO, Any

from .._base import Run
from ..i18n import _

__all__ = ["RunsBar"]


class RunsBar:
    """Progress over ``total`` runs: each run's jobs' fractions move the bar, each finished run adds one.

    Args:
        total: how many runs will report to this bar (e.g. ``len(models) * repeat``).
        description: the text before the bar (the model that runs is added to it).
        file: where a text bar goes (default: stderr); a notebook shows a widget instead.
    """

    def __init__(self, total: int, description: str = "", *, file: IO[str] | None = None) -> None:
        if isinstance(total, bool) or not isinstance(total, int) or total < 1:
            raise ValueError(_("{name} must be the number of runs, a whole number >= 1, got {value!r}")
                             .format(name="total", value=total))
        if not isinstance(description, str):
            raise TypeError(_("{name} must be a string, got {value!r}").format(name="description", value=description))
        if file is None:
            from tqdm.auto import tqdm
        else:  # a given file means text, also in Jupyter
            from tqdm import tqdm
        tqdm.monitor_interval = 0  # no monitor thread: the bar is refreshed from update()
        self.total = total
        self.description = description
        self.done = 0
        self.bar: Any = tqdm(total=total, unit="run", leave=False, file=file or sys.stderr,
                             bar_format=_("{desc}: {bar} {n:.1f}/{total} runs, {elapsed} so far"))

    def start(self, model: str, n_jobs: int) -> None:
        """A run begins: show its model."""
        self.bar.set_description_str(f"{self.description} {model}".strip())

    def update(self, elapsed: float, fractions: Sequence[float]) -> None:
        """Move the bar by the share of this run's jobs that is done."""
        share = sum(fractions) / len(fractions) if fractions else 0.0
        self.bar.n = min(self.done + share, self.total)
        self.bar.refresh()

    def finish(self, run: Run) -> None:
        """A run ended: count it; after the last one, the bar closes and disappears."""
        self.done += 1
        self.bar.n = min(self.done, self.total)
        self.bar.refresh()
        if self.done >= self.total:
            self.close()

    def close(self) -> None:
        """Remove the bar now (also safe to call twice)."""
        self.bar.close()

    def __enter__(self) -> RunsBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
