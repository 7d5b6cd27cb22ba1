"""The course's fixed figures and its settings: the cheat-sheet's published experiment, the problem size."""

from __future__ import annotations

import os
import types
from collections.abc import Mapping

from .i18n import _

__all__ = ["CHEATSHEET_JOBS", "CHEATSHEET_N", "CHEATSHEET_SECONDS", "SCALE_VARIABLE", "SIZES", "problem_size",
           "scale"]

#: The cheat-sheet's experiment: CHEATSHEET_JOBS jobs, each a countdown from CHEATSHEET_N.
CHEATSHEET_N = 100_000_000
CHEATSHEET_JOBS = 2
#: The wall times (seconds) the cheat-sheet published for it, measured on its author's machine:
#: compare them with yours as ratios, not as seconds.
CHEATSHEET_SECONDS: Mapping[str, float] = types.MappingProxyType({"threads": 5.33, "processes": 2.90})

SCALE_VARIABLE = "CONCLIB_SCALE"

#: The countdown's ``n`` at each scale. ``full`` is the cheat-sheet's size;
#: ``quick`` keeps every notebook's relations visible in a fraction of the time (tests, CI).
SIZES = {"full": CHEATSHEET_N, "quick": 10_000_000}


def scale() -> str:
    """``$CONCLIB_SCALE`` (``full`` when unset)."""
    value = os.environ.get(SCALE_VARIABLE, "full").strip().lower() or "full"
    if value not in SIZES:
        raise ValueError(_("{name} must be one of {allowed}, got {value!r}")
                         .format(name=SCALE_VARIABLE, allowed=", ".join(map(repr, SIZES)), value=value))
    return value


def problem_size() -> int:
    """The countdown's ``n`` for this scale: 100_000_000 (the cheat-sheet's) at ``full``."""
    return SIZES[scale()]
