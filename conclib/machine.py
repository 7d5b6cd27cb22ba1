"""What this machine can really run at once: CPUs, quotas, measured parallel capacity, GIL."""

from __future__ import annotations

import functools
import math
import multiprocessing
import os
import platform
import queue
import sys
import sysconfig
import time
from pathlib import Path
from typing import Any

from .i18n import _

__all__ = [
    "START_METHOD_VARIABLE",
    "cgroup_cpu_quota",
    "default_start_method",
    "free_threaded_build",
    "gil_enabled",
    "machine_info",
    "parallel_capacity",
    "process_context",
    "usable_cpus",
    "validate_start_method",
]

START_METHOD_VARIABLE = "CONCLIB_START_METHOD"


def default_start_method() -> str:
    """``$CONCLIB_START_METHOD`` if set; else the platform's default, with fork replaced by forkserver.

    Forking a process that runs threads (a Jupyter kernel does) can deadlock, and
    Python 3.12+ warns about it; Python 3.14 makes forkserver Linux's default too.
    """
    chosen = os.environ.get(START_METHOD_VARIABLE, "").strip()
    if chosen:
        return validate_start_method(chosen, name=START_METHOD_VARIABLE)
    method = multiprocessing.get_start_method(allow_none=True) or multiprocessing.get_context().get_start_method()
    if method == "fork" and "forkserver" in multiprocessing.get_all_start_methods():
        return "forkserver"
    return method


def process_context(start_method: str | None) -> Any:  # a multiprocessing context (its type differs per method)
    """The multiprocessing context for ``start_method``: every conclib worker process comes from one."""
    ctx = multiprocessing.get_context(start_method)
    if ctx.get_start_method() == "forkserver":
        # The fork server imports conclib and its worker code once; each worker is a cheap fork of
        # it. It does not import your script (Python's default does): a script without the main
        # guard would run inside the fork server and kill it. Each worker imports the script itself,
        # as under spawn, so such a script fails in a worker, which conclib can explain. (Only
        # before the server has started.)
        ctx.set_forkserver_preload(["conclib.processes"])  # and with it conclib
    return ctx


def validate_start_method(method: Any, name: str = "start_method") -> str:
    allowed = multiprocessing.get_all_start_methods()
    if method not in allowed:
        raise ValueError(_("{name} must be one of {allowed} on this platform, got {value!r}")
                         .format(name=name, allowed=", ".join(map(repr, allowed)), value=method))
    return str(method)


def cgroup_cpu_quota() -> float | None:
    """CPUs allowed by a Linux cgroup CPU quota (Docker ``--cpus``, Binder), or None if unlimited."""
    v2 = Path("/sys/fs/cgroup/cpu.max")
    v1 = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
    try:
        if v2.exists():
            quota, period = v2.read_text().split()[:2]
        elif v1[0].exists():
            quota, period = v1[0].read_text().strip(), v1[1].read_text().strip()
        else:
            return None
    except (OSError, ValueError):
        return None
    if quota in ("max", "-1"):
        return None
    return int(quota) / int(period)


def usable_cpus() -> int:
    """CPUs this process may use: the affinity mask, capped by a cgroup quota."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13+
        count = os.process_cpu_count() or 1
    elif hasattr(os, "sched_getaffinity"):
        count = len(os.sched_getaffinity(0))
    else:
        count = os.cpu_count() or 1
    quota = cgroup_cpu_quota()
    return max(1, min(count, math.ceil(quota))) if quota else count


def _spin(start_at: float, window: float, results: Any) -> None:
    """Busy-loop for ``window`` seconds from ``start_at`` (from now, if started late) and
    report the share of a core this process got meanwhile."""
    while time.perf_counter() < start_at:
        pass
    begin, cpu0 = time.perf_counter(), time.process_time()
    while time.perf_counter() - begin < window:
        pass
    results.put((time.process_time() - cpu0) / (time.perf_counter() - begin))


@functools.cache
def parallel_capacity(processes: int | None = None, window: float = 0.3) -> float:
    """Measure how many busy processes really run at once (about 2.0 on two free cores).

    Starts ``processes`` (default: the usable CPUs) busy processes for ``window``
    seconds and sums the share of a core each one got. Cached per session.
    """
    count = processes or usable_cpus()
    ctx = process_context(default_start_method())  # the same context (and fork-server preload) as the runs
    results = ctx.Queue()
    start_at = time.perf_counter() + 0.4  # time for the processes to start
    procs = [ctx.Process(target=_spin, args=(start_at, window, results), daemon=True)
             for _ in range(count)]
    for p in procs:
        p.start()
    shares: list[float] = []
    try:
        while len(shares) < count:
            try:
                shares.append(results.get(timeout=0.1))
            except queue.Empty:
                if sum(p.exitcode is not None for p in procs) > len(shares) + results.qsize():
                    raise RuntimeError(_("a capacity-test process exited without reporting")) from None
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
                p.join()
        results.close()
        results.join_thread()
    return round(min(sum(shares), count), 2)


def _capacity_or_none() -> float | None:
    try:
        return parallel_capacity()
    except RuntimeError:  # e.g. worker processes cannot start from this __main__
        return None


def gil_enabled() -> bool:
    """False only on a free-threaded build (3.13t+) running with the GIL off."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


def free_threaded_build() -> bool:
    """True on a free-threaded build of CPython (``python3.13t``, ``python3.14t``...), GIL on or off."""
    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def machine_info(measure: bool = True) -> dict[str, Any]:
    """Facts needed to read a timing honestly; ``measure=False`` skips the ~0.7 s capacity test."""
    return {
        "logical_cpus": os.cpu_count(),
        "usable_cpus": usable_cpus(),
        "cpu_quota": cgroup_cpu_quota(),
        "parallel_capacity": _capacity_or_none() if measure else None,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "free_threaded_build": free_threaded_build(),  # built without the GIL (PEP 703)
        "gil_enabled": gil_enabled(),  # is the GIL on now? (PYTHON_GIL=1 turns it on in a free-threaded build)
        "switch_interval": sys.getswitchinterval(),
        "start_method": default_start_method(),
        "platform": platform.platform(terse=True),
    }
