"""The free-threaded build: find one, and run the GIL experiments in any Python, GIL on or off.

The experiments run in a fresh Python (a subprocess), so the same code can run in
the Python that runs this notebook and in a free-threaded one such as ``python3.14t``,
with ``PYTHON_GIL=0`` or ``PYTHON_GIL=1``. This file uses the standard library only,
so any Python 3 can run it as a script::

    python3.14t conclib/freethreading.py countdown 20000000
    PYTHON_GIL=1 python3.14t conclib/freethreading.py countdown 20000000
    python3.14t conclib/freethreading.py counter 1000000
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
import time
from typing import Any

__all__ = ["AT_ONCE", "CANDIDATES", "IN_TURNS", "TIMEOUT", "VARIABLE", "Account", "countdown", "deposit",
           "deposit_locked", "describe", "find_free_threaded_python", "gil_ab", "one_and_two_threads", "plus_one",
           "relation", "run_experiment", "two_depositors", "two_threads_sentence"]

#: Names a free-threaded CPython has on PATH (python.org's installers, uv, Linux packages).
CANDIDATES = ("python3.15t", "python3.14t", "python3.13t")
#: An environment variable that names a free-threaded Python (a command or a path) to use.
VARIABLE = "CONCLIB_FREE_THREADED_PYTHON"
#: Seconds an experiment may take before it is stopped.
TIMEOUT = 600.0

_ASK = ("import sys, sysconfig; print(bool(sysconfig.get_config_var('Py_GIL_DISABLED')), "
        "getattr(sys, '_is_gil_enabled', lambda: True)(), sys.version.split()[0])")


def _(message: str) -> str:
    """``message`` in the learner's language (conclib.i18n), or as it is where conclib cannot be imported.

    This file also runs as a plain script in a Python without conclib: there it speaks English.
    """
    try:
        from conclib.i18n import gettext
    except ImportError:
        return message
    return gettext(message)


# ---------------------------------------------------------------- the experiments (any Python)


def countdown(n: int) -> None:
    """The cheat-sheet's task: count ``n`` down to zero."""
    while n:
        n -= 1


def one_and_two_threads(n: int) -> dict[str, Any]:
    """Seconds for one countdown(n) in one thread, then for two at once in two threads."""
    start = time.perf_counter()
    countdown(n)
    one = time.perf_counter() - start
    threads = [threading.Thread(target=countdown, args=(n,)) for _ in range(2)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"one_thread": one, "two_threads": time.perf_counter() - start}


class Account:
    """A balance that two threads add to."""

    def __init__(self) -> None:
        self.balance = 0


def plus_one(value: int) -> int:
    return value + 1


def deposit(account: Account, times: int) -> None:
    """Read the balance, compute the new one, write it back: no lock."""
    for _ in range(times):
        account.balance = plus_one(account.balance)


def deposit_locked(account: Account, times: int, lock: threading.Lock) -> None:
    """The same, with the read-compute-write inside a lock: one thread at a time."""
    for _ in range(times):
        with lock:
            account.balance = plus_one(account.balance)


def two_depositors(times: int, locked: bool) -> dict[str, Any]:
    """Two threads each deposit 1 ``times`` times; the final balance and the seconds it took."""
    account, lock = Account(), threading.Lock()
    target, extra = (deposit_locked, (lock,)) if locked else (deposit, ())
    threads = [threading.Thread(target=target, args=(account, times, *extra)) for _ in range(2)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"locked": locked, "expected": 2 * times, "balance": account.balance,
            "seconds": time.perf_counter() - start}


def _facts() -> dict[str, Any]:
    return {"python": sys.version.split()[0],
            "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
            "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)()}


def _main(argv: list[str]) -> None:
    what, size = argv[0], int(argv[1])
    if what == "countdown":
        print(json.dumps({**_facts(), **one_and_two_threads(size)}))
    elif what == "counter":
        rows = [two_depositors(size, locked) for locked in (False, True)]
        print(json.dumps([{**_facts(), **row} for row in rows]))
    else:
        raise SystemExit(f"usage: python freethreading.py countdown|counter N (got {what!r})")


# ---------------------------------------------------------------- running them from the course


def describe(python: str) -> dict[str, Any]:
    """Ask ``python`` (a command or path) what it is: version, free-threaded build, GIL on now."""
    done = subprocess.run([python, "-c", _ASK], capture_output=True, text=True, timeout=60, check=True)
    build, gil, version = done.stdout.split()
    return {"python": version, "free_threaded_build": build == "True", "gil_enabled": gil == "True"}


def find_free_threaded_python() -> str | None:
    """A free-threaded Python on this machine, or None.

    Looks at ``$CONCLIB_FREE_THREADED_PYTHON`` first, then at the Python running
    this code, then for ``python3.15t``, ``python3.14t``, ``python3.13t`` on PATH.

    Raises:
        ValueError: the environment variable names something that is not a free-threaded Python.
    """
    chosen = os.environ.get(VARIABLE, "").strip()
    if chosen:
        path = shutil.which(chosen) or chosen
        try:
            ok = describe(path)["free_threaded_build"]
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            raise ValueError(_("{name}={value!r} could not be run as Python: {error}")
                             .format(name=VARIABLE, value=chosen, error=exc)) from None
        if not ok:
            raise ValueError(_("{name}={value!r} is a Python with the GIL built in, not a free-threaded "
                               "build; name a python3.14t (or unset the variable)").format(name=VARIABLE, value=chosen))
        return path
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        return sys.executable
    for name in CANDIDATES:
        found = shutil.which(name)
        if found is None:
            continue
        try:
            if describe(found)["free_threaded_build"]:
                return found
        except (OSError, subprocess.SubprocessError, ValueError):
            continue
    return None


def run_experiment(what: str, size: int, python: str | None = None, gil: int | None = None) -> Any:
    """Run ``countdown`` or ``counter`` in a fresh ``python`` (default: this one), with ``PYTHON_GIL=gil``.

    ``gil`` is 0 (off) or 1 (on) and needs a free-threaded Python; None leaves it as the build has it.
    """
    if what not in ("countdown", "counter"):
        raise ValueError(_("{name} must be 'countdown' or 'counter', got {value!r}").format(name="what", value=what))
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(_("{name} must be a whole number >= 1, got {value!r}").format(name="size", value=size))
    if gil not in (None, 0, 1):
        raise ValueError(_("{name} must be None, 0 (off) or 1 (on), got {value!r}").format(name="gil", value=gil))
    env = {key: value for key, value in os.environ.items() if key != "PYTHON_GIL"}
    if gil is not None:
        env["PYTHON_GIL"] = str(gil)
    done = subprocess.run([python or sys.executable, os.path.abspath(__file__), what, str(size)], env=env,
                          capture_output=True, text=True, timeout=TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(_("{python} failed to run the {what!r} experiment (PYTHON_GIL={gil}): {error}")
                           .format(python=python or sys.executable, what=what, gil=gil,
                                   error=done.stderr.strip()[-500:]))
    return json.loads(done.stdout.strip().splitlines()[-1])


def gil_ab(python: str, n: int, repeat: int = 3) -> list[dict[str, Any]]:
    """The A/B: the countdown experiment in ``python`` with ``PYTHON_GIL=0`` and ``=1``, alternated.

    Rounds alternate the order (0 1, 1 0, 0 1, ...), so a slow change of a busy machine
    hits both sides alike.
    """
    if isinstance(repeat, bool) or not isinstance(repeat, int) or repeat < 1:
        raise ValueError(_("{name} must be a whole number >= 1, got {value!r}").format(name="repeat", value=repeat))
    rows = []
    for r in range(repeat):
        for gil in ((0, 1) if r % 2 == 0 else (1, 0)):
            rows.append({"PYTHON_GIL": gil, **run_experiment("countdown", n, python, gil)})
    return rows


# ---------------------------------------------------------------- reading the measurements


# The sentences below read measurements with the course's thresholds from conclib.reading. This file
# must run as a plain script in any Python 3 (without conclib installed), so it imports reading only
# inside the functions that read, which the script never calls.

#: Two jobs in two threads: at most this many times the time of one counts as "at the same time" ...
AT_ONCE = 1.3
#: ... and at least this many times as "one after the other" (in between: not clear, e.g. a busy machine).
IN_TURNS = 1.7
# These two are not a noise tolerance around 1x, as reading's are: they place a ratio of unequal work
# (two jobs against one) between its two expected values, 1x (side by side) and 2x (in turns). AT_ONCE
# agrees with reading.SIDE_BY_SIDE: two jobs in at most 1.3x the time of one is 2 / 1.3 = 1.54 jobs' worth
# of work per unit of time, at least SIDE_BY_SIDE (a test keeps them so).


def two_threads_sentence(ratio: float, capacity: float | None = None) -> str:
    """What a measured ratio (two jobs in two threads / one job in one thread) says, in words."""
    from conclib.reading import SIDE_BY_SIDE

    if ratio <= AT_ONCE:
        return _("two jobs in two threads took {ratio:.2f}x the time of one job in one thread: "
                 "the two threads ran at the same time.").format(ratio=ratio)
    if ratio >= IN_TURNS:
        if capacity is not None and capacity < SIDE_BY_SIDE:
            return _("two jobs in two threads took {ratio:.2f}x the time of one job in one thread: the threads "
                     "took turns, one at a time (this machine runs only {capacity:.1f} CPUs at once, measured)."
                     ).format(ratio=ratio, capacity=capacity)
        return _("two jobs in two threads took {ratio:.2f}x the time of one job in one thread: "
                 "the threads took turns, one at a time.").format(ratio=ratio)
    return _("two jobs in two threads took {ratio:.2f}x the time of one job in one thread: between "
             "'at the same time' (about 1x) and 'in turns' (about 2x); on a busy machine, run it again."
             ).format(ratio=ratio)


def relation(name: str, seconds: float, other: str, other_seconds: float, tolerance: float | None = None) -> str:
    """``name`` took about the same time as ``other``, or how many times as long.

    "About the same" is :func:`conclib.reading.verdict`'s: within ``tolerance``, by default
    :data:`conclib.reading.ONE_RUN_TOLERANCE` (20%), since only one time of each side is known here.
    """
    from conclib import reading

    ratio = seconds / other_seconds
    tol = reading.ONE_RUN_TOLERANCE if tolerance is None else tolerance
    if reading.verdict(other_seconds / seconds, tol) == reading.SAME:
        return _("{name} took about the same time as {other} ({ratio:.2f}x)").format(name=name, other=other,
                                                                                      ratio=ratio)
    return _("{name} took {ratio:.2f}x the time of {other}").format(name=name, ratio=ratio, other=other)


if __name__ == "__main__":
    _main(sys.argv[1:])
