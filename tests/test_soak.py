"""Soak: hundreds of short runs in one real Jupyter kernel, with interrupts, timeouts and failures mixed in.

Afterwards the kernel must have no extra thread, child process, file descriptor or
semaphore, still answer, and its memory must not have grown by more than a few MB.
``CONCLIB_SOAK_RUNS=2000`` runs longer (default: 200, about half a minute).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter

import psutil
import pytest
from jupyter_client.manager import start_new_kernel

import conclib

from .conftest import HELPERS

RUNS = int(os.environ.get("CONCLIB_SOAK_RUNS", "200"))
SEED = int(os.environ.get("CONCLIB_SOAK_SEED", "20261128"))
GROWTH_MB = 8  # a few MB: arenas and caches that Python keeps once it has them

#: What the kernel reports about itself: threads, open file descriptors, semaphores mapped.
STATE = """
import gc, json, os, threading
def _fd_target(fd):
    try:
        return os.readlink("/proc/self/fd/" + fd)
    except OSError:
        return "closed"
gc.collect()
print(json.dumps({"threads": sorted(t.name for t in threading.enumerate()),
                  "fds": len(os.listdir("/proc/self/fd")),
                  "fd_targets": sorted(_fd_target(fd) for fd in os.listdir("/proc/self/fd")),
                  "semaphores": sum("/dev/shm/sem." in line for line in open("/proc/self/maps"))}))
"""

#: The long task per model that a timeout or an interrupt stops: every one looks at the stop flag.
STOPPABLE = {"sequential": "conclib.countdown_sampled", "threads": "conclib.io_wait",
             "processes": "conclib.countdown", "asyncio": "conclib.countdown_cooperative",
             "interpreters": "conclib.countdown_sampled"}  # Python 3.14+


def _execute(kc, code: str, timeout: float = 60) -> dict:
    msg_id = kc.execute(code)
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


def _stdout(kc, code: str) -> str:
    """Run ``code`` and return what it printed."""
    msg_id = kc.execute(code)
    out = []
    while True:
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(out)


def _drain(kc) -> None:
    while True:
        try:
            kc.get_iopub_msg(timeout=0)
        except Exception:  # queue.Empty
            return


def _workers(pid: int) -> list[int]:
    out = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            if not any(name in " ".join(child.cmdline()) for name in HELPERS):
                out.append(child.pid)
        except psutil.Error:
            pass
    return out


def _cell(model: str, kind: str, rng: random.Random) -> str:
    if kind == "ok":
        task = "conclib.countdown_cooperative" if model == "asyncio" else "conclib.countdown_sampled"
        return f"_ = conclib.run({model!r}, {task}, [{rng.randint(1, 200_000)}] * {rng.randint(1, 3)})"
    if kind == "fail":
        return f"conclib.run({model!r}, conclib.fail_after, [(0.0, 'soak'), ({rng.random() * 0.05:.3f}, 'soak')])"
    arg = "2.0" if STOPPABLE[model] == "conclib.io_wait" else "10**10"
    timeout = f", timeout={0.05 + rng.random() * 0.25:.3f}" if kind == "timeout" else ""
    return f"conclib.run({model!r}, {STOPPABLE[model]}, [{arg}] * 2{timeout})"


EXPECTED = {"ok": {"ok"}, "fail": {"RuntimeError"}, "timeout": {"TimeoutError"}, "interrupt": {"KeyboardInterrupt"}}


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        assert _execute(kc, "import conclib; _ = conclib.machine_info()")["status"] == "ok"
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _one(km, kc, model: str, kind: str, rng: random.Random) -> str:
    """Run one cell (interrupted at a random moment if ``kind`` says so); return its outcome."""
    msg_id = kc.execute(_cell(model, kind, rng), stop_on_error=False)
    if kind == "interrupt":
        time.sleep(0.05 + rng.random() * 0.3)  # a random moment of the run
        km.interrupt_kernel()
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    _drain(kc)
    content = reply["content"]
    outcome = content["status"] if content["status"] == "ok" else content["ename"]
    assert outcome in EXPECTED[kind], (model, kind, content.get("evalue"))
    return outcome


@pytest.mark.slow
@pytest.mark.timeout(120 + RUNS)
def test_soak_in_one_kernel(kernel) -> None:
    km, kc = kernel
    pid = km.provisioner.pid
    rng = random.Random(SEED)
    for _ in range(2):  # warm up: every model's helpers, caches and error paths exist
        for model in conclib.MODELS:
            for kind in EXPECTED:
                _one(km, kc, model, kind, rng)
    before = json.loads(_stdout(kc, STATE))
    workers_before = _workers(pid)
    rss_before = psutil.Process(pid).memory_info().rss

    counts = {"runs": 0, "ok": 0, "fail": 0, "timeout": 0, "interrupt": 0}
    for i in range(RUNS):
        model = conclib.MODELS[i % len(conclib.MODELS)]
        kind = rng.choices(["ok", "fail", "timeout", "interrupt"], weights=[6, 2, 1, 1])[0]
        _one(km, kc, model, kind, rng)
        counts["runs"] += 1
        counts[kind] += 1

    # ipykernel closes the zmq socket of a thread that wrote output every 10 s after the thread ended.
    deadline = time.monotonic() + 15
    while True:
        after = json.loads(_stdout(kc, STATE))
        settled = (after["threads"] == before["threads"] and after["fds"] <= before["fds"]
                   and after["semaphores"] <= before["semaphores"] and _workers(pid) == workers_before)
        if settled or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    rss_after = psutil.Process(pid).memory_info().rss
    print(f"\nsoak: {counts}, kernel memory {rss_before / 2**20:.1f} MB before, {rss_after / 2**20:.1f} MB after")
    assert after["threads"] == before["threads"]
    assert after["fds"] <= before["fds"], Counter(after["fd_targets"]) - Counter(before["fd_targets"])
    assert after["semaphores"] <= before["semaphores"]
    assert _workers(pid) == workers_before
    assert _execute(kc, "x = 1 + 1")["status"] == "ok"  # the kernel still answers
    assert rss_after - rss_before < GROWTH_MB * 2**20
