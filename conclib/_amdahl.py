"""Amdahl's law and its fit: arithmetic on speedups, which measures nothing.

Public as ``conclib.scaling.amdahl`` and ``conclib.scaling.amdahl_fit``. It lives
apart so that the plots can draw the law without importing what runs the measurements.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike


def amdahl(workers: Any, serial: Any, cpus: float | None = None) -> Any:
    """Amdahl's law: speedup = 1 / (serial + (1 - serial) / p), with p capped at ``cpus`` if given."""
    p = np.asarray(workers, dtype=float)
    if cpus is not None:
        p = np.minimum(p, cpus)
    return 1.0 / (serial + (1.0 - serial) / p)


def amdahl_fit(workers: ArrayLike, speedup: ArrayLike, cpus: float | None = None) -> float:
    """The serial fraction (0 to 1) whose Amdahl curve is closest to the measured speedups.

    A least-squares fit of one parameter, by a fine grid search (no scipy needed).
    With ``cpus``, more workers than CPUs count as ``cpus`` (they cannot run at once).
    """
    w, s = np.asarray(workers, dtype=float), np.asarray(speedup, dtype=float)
    if w.shape != s.shape or w.size == 0:
        raise ValueError(f"workers and speedup must be two lists of the same, non-zero length; "
                         f"got {w.size} and {s.size} values")
    if np.any(w < 1) or not np.all(np.isfinite(s)):
        raise ValueError("workers must be >= 1 and every speedup a finite number")
    grid = np.linspace(0.0, 1.0, 10_001)
    errors = ((amdahl(w[None, :], grid[:, None], cpus) - s[None, :]) ** 2).sum(axis=1)
    return float(grid[int(np.argmin(errors))])
