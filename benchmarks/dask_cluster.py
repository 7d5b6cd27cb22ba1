"""Benchmark of the "dask" model against "processes": the same countdowns, and the fixed cost per task.

Run: ``python benchmarks/dask_cluster.py [--n N] [--repeat R]`` (about 10 minutes at full size on 2 cores).
The local Dask cluster (one worker process per usable CPU) is started once before the timings, as a
notebook would keep it. Each comparison takes pairs in alternating order (A B, B A, ...) and reports
the median ratio dask/processes, so a slow drift of a shared machine favours neither side.
Results: benchmarks/results/dask_cluster.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import conclib

HERE = Path(__file__).resolve().parent


def _pairs(first: Callable[[], float], second: Callable[[], float], repeat: int) -> dict:
    """Seconds of both and the ratios second/first, from pairs taken in A B, B A order."""
    a_times, b_times = [], []
    for i in range(repeat):
        gc.collect()
        if i % 2 == 0:
            a, b = first(), second()
        else:
            b, a = second(), first()
        a_times.append(a)
        b_times.append(b)
    ratios = [b / a for a, b in zip(a_times, b_times, strict=True)]
    return {"median_ratio": statistics.median(ratios), "ratios": ratios,
            "processes_median_s": statistics.median(a_times), "dask_median_s": statistics.median(b_times)}


def _elapsed(model: str, jobs: list[int], workers: int | None = None) -> float:
    return conclib.run(model, conclib.countdown, jobs, workers=workers).elapsed


def countdowns(n: int, n_jobs: int, repeat: int) -> dict:
    """n_jobs countdowns of n: processes (one process per job, as the cheat-sheet) against dask."""
    jobs = [n] * n_jobs
    result = _pairs(lambda: _elapsed("processes", jobs), lambda: _elapsed("dask", jobs), repeat)
    print(f"{n_jobs:>4} x countdown({n:_}): dask/processes = {result['median_ratio']:.3f} "
          f"(medians {result['dask_median_s']:.2f} s / {result['processes_median_s']:.2f} s; "
          f"ratios {', '.join(f'{r:.3f}' for r in result['ratios'])})", flush=True)
    return result


def per_task(n_tasks: int, repeat: int) -> dict:
    """n_tasks jobs of n=0: the cost of one task, dask against a pool of worker processes of the same size."""
    pool = conclib.usable_cpus()
    jobs = [0] * n_tasks
    result = _pairs(lambda: _elapsed("processes", jobs, pool), lambda: _elapsed("dask", jobs), repeat)
    result |= {"n_tasks": n_tasks, "pool": pool,
               "processes_ms_per_task": 1000 * result["processes_median_s"] / n_tasks,
               "dask_ms_per_task": 1000 * result["dask_median_s"] / n_tasks}
    print(f"{n_tasks} x countdown(0): dask {result['dask_ms_per_task']:.2f} ms per task, processes pool of "
          f"{pool} {result['processes_ms_per_task']:.2f} ms per task; dask/processes = "
          f"{result['median_ratio']:.2f} (ratios {', '.join(f'{r:.2f}' for r in result['ratios'])})", flush=True)
    return result


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=100_000_000, help="countdown per job (default: the cheat-sheet's)")
    p.add_argument("--repeat", type=int, default=4, help="pairs per comparison (default: %(default)s)")
    p.add_argument("--out", type=Path, default=HERE / "results" / "dask_cluster.json")
    args = p.parse_args()
    started = time.perf_counter()
    conclib.cluster.connect()  # once, as in a notebook; not part of any timing
    startup = time.perf_counter() - started
    print(f"local cluster of {conclib.usable_cpus()} workers started in {startup:.1f} s (once)", flush=True)
    for model in ("processes", "dask"):  # warm up: first runs are slower
        conclib.run(model, conclib.countdown, [0, 0])
    results = {"n": args.n, "repeat": args.repeat, "machine": conclib.machine_info(),
               "cluster_start_s": startup,
               "countdown_2_jobs": countdowns(args.n, 2, args.repeat),
               "countdown_16_jobs": countdowns(args.n, 16, max(2, args.repeat // 2)),
               "per_task_1000": per_task(1000, args.repeat)}
    results["seconds"] = time.perf_counter() - started
    conclib.cluster.close()
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out} after {results['seconds']:.0f} s")


if __name__ == "__main__":
    main()
