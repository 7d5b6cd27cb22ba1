"""Benchmarks of the core: fidelity to the cheat-sheet, instrumentation overhead, fixed costs.

Run on an otherwise idle machine: ``python benchmarks/core.py [--n N] [--repeat R]``.
Every comparison takes pairs in alternating order (A B, B A, ...) and reports the
median ratio, so a slow drift of a shared machine favours neither side; the
fidelity runs put conclib and the cheat-sheet's programs each in a fresh Python. Results: benchmarks/results/core.json.

The processes model is measured once per start method, each against the cheat-sheet's
program run with that same start method (``multiprocessing.set_start_method`` before the
program runs, the program itself unchanged), and once with conclib's default against the
program as published (which uses the platform's default).
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import conclib

HERE = Path(__file__).resolve().parent
SCRIPTS = {"sequential": "sequential_countdown.py", "threads": "threads_countdown.py",
           "processes": "processes_countdown.py"}


#: Runs a program as ``__main__`` after choosing the start method (the program is not changed).
WITH_START_METHOD = ("import multiprocessing, runpy, sys; multiprocessing.set_start_method(sys.argv[1]); "
                     "sys.argv = sys.argv[2:]; runpy.run_path(sys.argv[0], run_name='__main__')")


def script_seconds(model: str, n: int, start_method: str | None = None) -> float:
    """Run the cheat-sheet's program as-is in a fresh Python and read the seconds it prints."""
    program = [str(HERE / "cheatsheet" / SCRIPTS[model]), str(n)]
    prefix = [] if start_method is None else ["-c", WITH_START_METHOD, start_method]
    out = subprocess.run([sys.executable, *prefix, *program], capture_output=True, text=True, check=True).stdout
    return float(re.search(r"took ([0-9.e-]+) seconds", out).group(1))


def conclib_seconds(model: str, n: int, start_method: str | None = None) -> float:
    """``conclib.run(model, countdown, [n, n])`` in a fresh Python, like the script: its ``elapsed``."""
    code = (f"import conclib; print(conclib.run({model!r}, conclib.countdown, [{n}, {n}], "
            f"start_method={start_method!r}).elapsed)")
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def _abba(first: Callable[[], float], second: Callable[[], float], repeat: int) -> list[float]:
    """Ratios second/first from pairs taken in A B, B A order, so a slow drift favours neither."""
    ratios = []
    for i in range(repeat):
        gc.collect()
        if i % 2 == 0:
            a, b = first(), second()
        else:
            b, a = second(), first()
        ratios.append(b / a)
    return ratios


def _report(name: str, ratios: list[float]) -> dict:
    print(f"{name} = {statistics.median(ratios):.3f}  ({', '.join(f'{r:.3f}' for r in ratios)})", flush=True)
    return {"median_ratio": statistics.median(ratios), "ratios": ratios}


def _children_cpu() -> float:
    """CPU seconds used so far by the finished child processes of this one (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _counting_cpu(measure: Callable[[], float], cpus: list[float]) -> Callable[[], float]:
    """``measure`` that also appends the CPU seconds its fresh Python (and its workers) used."""
    def counted() -> float:
        before = _children_cpu()
        seconds = measure()
        cpus.append(_children_cpu() - before)
        return seconds
    return counted


def _fidelity_pair(name: str, model: str, n: int, method: str | None, repeat: int) -> dict:
    """Wall-time ratios as the cheat-sheet measures them, and CPU-time ratios of the whole process
    trees with their start-up (n=0) subtracted: on a busy machine CPU time is the steadier figure.

    The CPU time of forkserver workers cannot be counted this way (the fork server, their
    parent, is never waited for), so only runs where neither side uses forkserver get it.
    """
    methods = {method or multiprocessing.get_start_method(), method or conclib.default_start_method()}
    if model == "processes" and "forkserver" in methods:
        return _report(f"fidelity  {name:<24} conclib/script",
                       _abba(partial(script_seconds, model, n, method), partial(conclib_seconds, model, n, method),
                             repeat))
    zero: dict[str, list[float]] = {"script": [], "conclib": []}
    for _ in range(3):
        _counting_cpu(partial(script_seconds, model, 0, method), zero["script"])()
        _counting_cpu(partial(conclib_seconds, model, 0, method), zero["conclib"])()
    script, lib = partial(script_seconds, model, n, method), partial(conclib_seconds, model, n, method)
    cpu: dict[str, list[float]] = {"script": [], "conclib": []}
    out = _report(f"fidelity  {name:<24} conclib/script",
                  _abba(_counting_cpu(script, cpu["script"]), _counting_cpu(lib, cpu["conclib"]), repeat))
    base = {side: statistics.median(values) for side, values in zero.items()}
    pairs = zip(cpu["script"], cpu["conclib"], strict=True)
    cpu_ratios = [(b - base["conclib"]) / (a - base["script"]) for a, b in pairs]
    out["cpu"] = _report(f"  cpu     {name:<24} conclib/script", cpu_ratios)
    out["startup_cpu"] = base
    return out


def fidelity(n: int, repeat: int, models: list[str]) -> dict:
    """conclib.run(model, countdown, [n, n]) against the cheat-sheet's program, both in a fresh Python.

    ``processes`` is conclib's default start method against the program as published;
    ``processes (fork)`` etc. are both sides with that start method.
    """
    variants = [(model, None) for model in SCRIPTS if model in models]
    if "processes" in models:
        variants += [("processes", method) for method in multiprocessing.get_all_start_methods()]
    out = {}
    for model, method in variants:
        name = model + (f" ({method})" if method else "")
        out[name] = _fidelity_pair(name, model, n, method, repeat)
    return out


def _timed(task: Callable[[int], None], n: int) -> float:
    started = time.perf_counter()
    task(n)
    return time.perf_counter() - started


def overhead(n: int, repeat: int) -> dict:
    """countdown_sampled(n) against countdown(n), in this thread: median time ratio."""
    return _report("overhead  sampled/plain",
                   _abba(partial(_timed, conclib.countdown, n), partial(_timed, conclib.countdown_sampled, n), repeat))


def fixed_costs(repeat: int) -> dict:
    """Wall time of two jobs of n=0: what starting and stopping each model costs."""
    variants = [(m, None) for m in conclib.MODELS if m != "processes"]
    variants += [("processes", method) for method in multiprocessing.get_all_start_methods()]
    times: dict[str, list[float]] = {}
    for _ in range(repeat):
        for model, method in variants:
            run = conclib.run(model, conclib.countdown, [0, 0], start_method=method)
            times.setdefault(f"{model}" + (f" ({method})" if method else ""), []).append(run.elapsed)
    out = {name: {"median_ms": 1000 * statistics.median(t)} for name, t in times.items()}
    for name, value in out.items():
        print(f"fixed cost  {name:<24} {value['median_ms']:8.2f} ms", flush=True)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=conclib.course.CHEATSHEET_N,
                   help="countdown per job (default: the cheat-sheet's)")
    p.add_argument("--repeat", type=int, default=5, help="pairs per comparison (default: %(default)s)")
    p.add_argument("--models", default=",".join(SCRIPTS),
                   help="fidelity only for these models (default: %(default)s); processes is measured "
                        "per start method")
    p.add_argument("--fidelity-only", action="store_true", help="skip the overhead and fixed-cost measurements")
    p.add_argument("--out", type=Path, default=HERE / "results" / "core.json")
    args = p.parse_args()
    models = [m.strip() for m in args.models.split(",")]
    if unknown := set(models) - set(SCRIPTS):
        p.error(f"--models: {sorted(unknown)} not among {list(SCRIPTS)}")
    results = {"n": args.n, "repeat": args.repeat, "machine": conclib.machine_info(),
               "fidelity": fidelity(args.n, args.repeat, models)}
    if not args.fidelity_only:
        results |= {"overhead": overhead(args.n, args.repeat), "fixed_costs": fixed_costs(max(args.repeat, 10))}
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
