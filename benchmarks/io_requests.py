"""Benchmark of real I/O: 1000 HTTP requests at 100 ms latency against the local server.

Run on an otherwise idle machine: ``python benchmarks/io_requests.py [--requests N] [--repeat R]``.
The models alternate (asyncio, threads, sequential, asyncio, ...), and each figure is
the median of ``repeat`` runs, reported as a ratio to its physical limit:

- asyncio (``fetch_async``, one coroutine per request): every request at once, so one latency;
- threads (``fetch``, a pool of 100): ceil(N / 100) rounds of one latency each;
- sequential (``fetch``): N latencies; measured on a subset and extrapolated (it would take minutes).

Diagnostics for a missed target: CPU seconds of this process (the client) and of the
server process; the same requests sent with plain aiohttp, without conclib; and
conclib's own per-job cost (``io_wait_async``: the same number of jobs waiting, no network).
Results: benchmarks/results/io_requests.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil

import conclib
from conclib.ioserver import latency_server, raise_open_file_limit
from conclib.iotasks import fetch, fetch_async

HERE = Path(__file__).resolve().parent
THREADS = 100  # pool size for the threads model
TARGETS = {"asyncio": 0.5, "threads": 1.5}  # seconds for 1000 requests at 0.1 s, on 2 cores


def server_process(url: str) -> psutil.Process | None:
    """The child process that listens on the URL's port (None where psutil cannot tell)."""
    port = int(url.rsplit(":", 1)[1])
    for child in psutil.Process().children(recursive=True):
        try:
            if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in child.net_connections("tcp")):
                return child
        except psutil.Error:
            continue
    return None


def cpu_seconds(proc: psutil.Process | None) -> float:
    if proc is None:
        return float("nan")
    times = proc.cpu_times()
    return times.user + times.system


async def plain_aiohttp(url: str, n: int) -> None:
    """The same requests without conclib: one session, one coroutine per request."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def one() -> None:
            async with session.get(url) as response:
                await response.read()
                response.raise_for_status()

        await asyncio.gather(*(one() for _ in range(n)))


def variants(url: str, n: int, subset: int, delay: float) -> dict[str, Any]:
    """name -> (callable returning elapsed seconds, requests it sends, scale to n requests)."""

    def model(name: str, task: Any, count: int, workers: int | None = None) -> Any:
        def go() -> float:
            run = conclib.run(name, task, [url] * count, workers=workers)
            return run.elapsed
        return go

    def raw() -> float:
        t0 = time.perf_counter()
        asyncio.run(plain_aiohttp(url, n))
        return time.perf_counter() - t0

    def wait() -> float:
        return conclib.run("asyncio", conclib.io_wait_async, [delay] * n).elapsed

    return {
        "asyncio": (model("asyncio", fetch_async, n), n, 1.0),
        "threads": (model("threads", fetch, n, THREADS), n, 1.0),
        "sequential": (model("sequential", fetch, subset), subset, n / subset),
        "plain aiohttp (no conclib)": (raw, n, 1.0),
        "asyncio io_wait_async (no network)": (wait, n, 1.0),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--requests", type=int, default=1000, help="requests per run (default: %(default)s)")
    p.add_argument("--delay", type=float, default=0.1, help="server latency in seconds (default: %(default)s)")
    p.add_argument("--subset", type=int, default=20, help="requests the sequential model really sends")
    p.add_argument("--repeat", type=int, default=3, help="runs of each model, alternating (default: %(default)s)")
    p.add_argument("--out", type=Path, default=HERE / "results" / "io_requests.json")
    args = p.parse_args()
    n, delay = args.requests, args.delay
    raise_open_file_limit()  # every request at once is one socket each
    machine = conclib.machine_info()
    limits = {"asyncio": delay, "threads": math.ceil(n / THREADS) * delay, "sequential": n * delay,
              "plain aiohttp (no conclib)": delay, "asyncio io_wait_async (no network)": delay}
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    with latency_server(delay=delay) as url:
        server = server_process(url)
        runs = variants(url, n, args.subset, delay)
        conclib.run("asyncio", fetch_async, [url] * 10)  # warm up: imports, first connections
        conclib.run("threads", fetch, [url] * 10, workers=THREADS)
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in runs}
        for _ in range(args.repeat):
            for name, (go, _, scale) in runs.items():
                client0, server0 = time.process_time(), cpu_seconds(server)
                elapsed = go()
                samples[name].append({"elapsed": elapsed * scale, "measured": elapsed,
                                      "client_cpu": (time.process_time() - client0) * scale,
                                      "server_cpu": (cpu_seconds(server) - server0) * scale})
    results = {}
    for name, rows in samples.items():
        median = statistics.median(r["elapsed"] for r in rows)
        limit = limits[name]
        sent = runs[name][1]
        target = TARGETS.get(name)
        results[name] = {
            "requests_sent": sent, "extrapolated_to": n if sent != n else None,
            "median_s": median, "limit_s": limit, "ratio_to_limit": median / limit,
            "target_s": target, "met": None if target is None else median <= target,
            "elapsed_s": [r["elapsed"] for r in rows],
            "client_cpu_s": statistics.median(r["client_cpu"] for r in rows),
            "server_cpu_s": statistics.median(r["server_cpu"] for r in rows),
        }
        note = f" (from {sent} requests, x{n / sent:g})" if sent != n else ""
        verdict = "" if target is None else f"  target <= {target} s: {'met' if median <= target else 'MISSED'}"
        print(f"{name:<34} {median:8.3f} s{note}  = {median / limit:5.2f} x its limit {limit:g} s  "
              f"(CPU: client {results[name]['client_cpu_s']:.2f} s, server {results[name]['server_cpu_s']:.2f} s)"
              f"{verdict}", flush=True)
    out = {"requests": n, "delay": delay, "threads": THREADS, "repeat": args.repeat,
           "load_average_before": load_before,
           "load_average_after": os.getloadavg() if hasattr(os, "getloadavg") else None,
           "machine": machine, "results": results}
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
