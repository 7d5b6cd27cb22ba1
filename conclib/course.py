"""Course settings read from the environment: the problem size (``CONCLIB_SCALE``)."""

from __future__ import annotations

import os

SCALE_VARIABLE = "CONCLIB_SCALE"

#: The countdown's ``n`` at each scale. ``full`` is the cheat-sheet's size;
#: ``quick`` keeps every notebook's relations visible in a fraction of the time (tests, CI).
SIZES = {"full": 100_000_000, "quick": 10_000_000}


def scale() -> str:
    """``$CONCLIB_SCALE`` (``full`` when unset)."""
    value = os.environ.get(SCALE_VARIABLE, "full").strip().lower() or "full"
    if value not in SIZES:
        raise ValueError(f"{SCALE_VARIABLE} must be one of {', '.join(map(repr, SIZES))}, got {value!r}")
    return value


def problem_size() -> int:
    """The countdown's ``n`` for this scale: 100_000_000 (the cheat-sheet's) at ``full``."""
    return SIZES[scale()]
