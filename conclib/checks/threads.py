"""Deprecated: notebook 01's check moved to :mod:`conclib.checks.threads_and_processes`.

Kept only until notebook 01 imports ``threads_and_processes as check`` and calls
``check.same_pid(...)``; then delete this module (its name collides with ``conclib.threads``).
"""

from __future__ import annotations

from .threads_and_processes import same_pid as check_same_pid

__all__ = ["check_same_pid"]
