"""How the same total work speeds up with more workers, and Amdahl's law fitted to it."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._amdahl import amdahl, amdahl_fit
from .i18n import _
from .machine import usable_cpus

__all__ = ["amdahl", "amdahl_fit", "measure_scaling", "split"]

if TYPE_CHECKING:
    import pandas as pd

    from .runner import Observer


def split(total_work: float, parts: int) -> list[Any]:
    """``total_work`` in ``parts`` nearly equal jobs (whole numbers stay whole): split(10, 3) == [4, 3, 3]."""
    if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
        raise ValueError(_("{name} must be a whole number >= 1, got {value!r}").format(name="parts", value=parts))
    if isinstance(total_work, bool) or not isinstance(total_work, (int, float)) or not total_work >= 0:
        raise ValueError(_("{name} must be a number >= 0 (countdown size or seconds), got {value!r}")
                         .format(name="total_work", value=total_work))
    if isinstance(total_work, int):
        q, r = divmod(total_work, parts)
        return [q + (1 if i < r else 0) for i in range(parts)]
    return [total_work / parts] * parts


def measure_scaling(models: Sequence[str], task: Callable[..., Any], total_work: float, *,
                    workers: Iterable[int] | None = None, repeat: int = 3,
                    observer: Observer | None = None) -> pd.DataFrame:
    """Split ``total_work`` into one job per worker, for 1 to 2x the CPUs workers, and time each model.

    Runs are interleaved (every model and worker count once, then again, each round starting
    one place later), so noise and a process's slower first runs hit all alike.

    ``observer`` watches every run (e.g. ``conclib.plotting.RunsBar``, with
    ``len(models) * len(workers) * repeat`` runs).

    Returns:
        One row per (model, workers): ``median``, ``min``, ``max`` seconds and ``speedup``
        (the model's median time with 1 worker divided by this one).
    """
    import pandas as pd

    from .runner import run, validate_models

    models = validate_models(models)
    counts = sorted(set(range(1, 2 * usable_cpus() + 1) if workers is None else workers))
    if not counts or any(isinstance(c, bool) or not isinstance(c, int) or c < 1 for c in counts):
        raise ValueError(_("{name} must be whole numbers >= 1, got {value!r}").format(name="workers", value=workers))
    if 1 not in counts:
        raise ValueError(_("{name} must include 1 (the baseline for the speedup), got {value}")
                         .format(name="workers", value=counts))
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(_("{name} must be a whole number >= 1, got {value!r}").format(name="repeat", value=repeat))
    times: dict[tuple[str, int], list[float]] = {}
    combos = [(model, count) for count in counts for model in models]
    for r in range(repeat):  # interleaved, and rotated so that no combination always goes first
        k = r % len(combos)
        for model, count in combos[k:] + combos[:k]:
            elapsed = run(model, task, split(total_work, count), observer=observer).elapsed
            times.setdefault((model, count), []).append(elapsed)
    rows = [{"model": m, "workers": c, "median": statistics.median(t), "min": min(t), "max": max(t), "runs": len(t)}
            for (m, c), t in times.items()]
    table = pd.DataFrame(rows).sort_values(["model", "workers"], kind="stable").reset_index(drop=True)
    base = table[table["workers"] == 1].set_index("model")["median"]
    table["speedup"] = table["model"].map(base) / table["median"]
    return table
