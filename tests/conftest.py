"""Shared fixtures: every test must leave no thread, child process or file descriptor behind."""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import sys
import threading
import time

import psutil
import pytest

import conclib

#: multiprocessing's own long-lived helpers, started once per session and kept on purpose.
HELPERS = ("forkserver", "resource_tracker")


def _children() -> set[int]:
    out = set()
    for child in psutil.Process().children(recursive=True):
        try:
            cmdline = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if not any(name in cmdline for name in HELPERS):
            out.add(child.pid)
    return out


def _fds() -> int:
    return psutil.Process().num_fds() if hasattr(psutil.Process, "num_fds") else 0


@pytest.fixture(scope="session", autouse=True)
def _warm_up() -> None:
    """Start the helpers that stay for the whole session, so the hygiene check can ignore them."""
    conclib.machine_info()
    for method in multiprocessing.get_all_start_methods():
        conclib.run("processes", conclib.countdown, [0], start_method=method)
    # matplotlib keeps the font files it has loaded open for the rest of the session
    from matplotlib.figure import Figure

    figure = Figure()
    figure.add_subplot().set_title("fonts")
    figure.savefig(io.BytesIO(), format="png")


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in English, whatever the machine's locale; a test that changes the language is undone."""
    from conclib import i18n

    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "en")
    monkeypatch.setattr(i18n, "_chosen", None)


@pytest.fixture(autouse=True)
def hygiene(request: pytest.FixtureRequest):
    """After each test: no extra thread, child process or open file descriptor."""
    threads, children_before, fds = set(threading.enumerate()), _children(), _fds()
    yield
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        # A raised exception keeps its frames, and so a run's pipes, in a reference cycle until the
        # cycle collector runs (seen after the Dask tests): that is garbage, not a leak, so collect it first.
        gc.collect()
        extra_threads = [t for t in threading.enumerate() if t not in threads and t.is_alive()]
        children, extra_fds = _children() - children_before, _fds() - fds
        if not extra_threads and not children and extra_fds <= 0:
            return
        time.sleep(0.05)
    problems = []
    if extra_threads:
        problems.append(f"threads left running: {[t.name for t in extra_threads]}")
    if children:
        problems.append(f"child processes left running: {sorted(children)}")
    if extra_fds > 0 and sys.platform != "win32":
        problems.append(f"{extra_fds} more open file descriptor(s) than before ({os.listdir('/proc/self/fd')})")
    if problems:
        pytest.fail("; ".join(problems))
