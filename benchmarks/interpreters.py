"""Subinterpreters beside threads and processes (Python 3.14+): the countdown, and what a worker costs to start.

Run on an otherwise idle machine: ``python3.14 benchmarks/interpreters.py [--n N] [--repeat R]``.

- countdown: ``conclib.run(model, countdown, [n, n])`` for threads, processes and interpreters,
  in rotated order each round (A B C, B C A, C A B, ...); the ratios are taken inside each round,
  so a slow drift of a shared machine favours no model, and the report gives their medians.
- start-up: two to four jobs of ``countdown(0)``, so the wall time is the cost of starting and
  stopping the workers; reported per worker. Beside it, what a bare subinterpreter costs
  (``interpreters.create()`` and ``close()``) and what importing conclib in it adds.

Results: benchmarks/results/interpreters.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import conclib

HERE = Path(__file__).resolve().parent
MODELS = ("threads", "processes", "interpreters")
PAIRS = (("interpreters", "processes"), ("interpreters", "threads"), ("processes", "threads"))


def _rounds(repeat: int) -> list[list[str]]:
    models = list(MODELS)
    return [models[r % len(models):] + models[:r % len(models)] for r in range(repeat)]


def countdown(n: int, repeat: int) -> dict:
    """Wall time of two countdown(n) jobs per model; ratios taken inside each round."""
    seconds: dict[str, list[float]] = {m: [] for m in MODELS}
    ratios: dict[str, list[float]] = {f"{a}/{b}": [] for a, b in PAIRS}
    for order in _rounds(repeat):
        this_round = {model: conclib.run(model, conclib.countdown, [n, n]).elapsed for model in order}
        for model, value in this_round.items():
            seconds[model].append(value)
        for a, b in PAIRS:
            ratios[f"{a}/{b}"].append(this_round[a] / this_round[b])
        print("  round " + ", ".join(f"{m} {this_round[m]:.2f} s" for m in order), flush=True)
    out = {"median_seconds": {m: statistics.median(v) for m, v in seconds.items()}, "seconds": seconds,
           "median_ratios": {k: statistics.median(v) for k, v in ratios.items()}, "ratios": ratios}
    for name, value in out["median_ratios"].items():
        print(f"countdown  {name:<26} {value:.3f}  ({', '.join(f'{r:.3f}' for r in ratios[name])})", flush=True)
    return out


def startup(repeat: int, workers: tuple[int, ...] = (2, 4)) -> dict:
    """Milliseconds per worker to start and stop ``k`` workers that run countdown(0)."""
    per_worker: dict[str, list[float]] = {}
    for order in _rounds(repeat):
        for k in workers:
            for model in order:
                run = conclib.run(model, conclib.countdown, [0] * k)
                per_worker.setdefault(f"{model} x{k}", []).append(1000 * run.elapsed / k)
    out = {name: {"median_ms_per_worker": statistics.median(v), "ms_per_worker": v}
           for name, v in per_worker.items()}
    for name, value in out.items():
        print(f"start-up   {name:<16} {value['median_ms_per_worker']:8.1f} ms per worker", flush=True)
    return out


def bare_interpreter(repeat: int) -> dict:
    """What one subinterpreter costs without conclib's jobs: create and close; then importing conclib in it."""
    from concurrent import interpreters

    bare, with_import = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        interp = interpreters.create()
        interp.close()
        bare.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        interp = interpreters.create()
        interp.exec("import conclib")
        interp.close()
        with_import.append(1000 * (time.perf_counter() - started))
    out = {"create_close_ms": statistics.median(bare), "create_import_conclib_close_ms": statistics.median(with_import)}
    print(f"bare       create + close {out['create_close_ms']:.1f} ms; with `import conclib` "
          f"{out['create_import_conclib_close_ms']:.1f} ms", flush=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=100_000_000, help="countdown per job (default: the cheat-sheet's)")
    p.add_argument("--repeat", type=int, default=5, help="rounds per comparison (default: %(default)s)")
    p.add_argument("--out", type=Path, default=HERE / "results" / "interpreters.json")
    args = p.parse_args()
    if "interpreters" not in conclib.MODELS:
        sys.exit(f"This benchmark needs Python 3.14 or newer (concurrent.interpreters); "
                 f"this is {sys.version.split()[0]}.")
    results = {"n": args.n, "repeat": args.repeat, "machine": conclib.machine_info(),
               "countdown": countdown(args.n, args.repeat), "startup": startup(max(args.repeat, 5)),
               "bare_interpreter": bare_interpreter(max(args.repeat, 5))}
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
