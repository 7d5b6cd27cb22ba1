"""``python -m conclib``: the cheat-sheet's experiment from a terminal."""

from __future__ import annotations

import argparse
import multiprocessing
import sys
from collections.abc import Sequence
from typing import Any

from . import tasks
from ._base import ALL_MODELS, MODELS, Run
from .machine import START_METHOD_VARIABLE, machine_info
from .runner import measure, summarize

#: The cheat-sheet's published figures (two jobs of n=100_000_000, on its author's machine).
CHEATSHEET_N = 100_000_000
CHEATSHEET_SECONDS = {"threads": 5.33, "processes": 2.90}
TASKS = {"countdown": tasks.countdown, "countdown_sampled": tasks.countdown_sampled}


class _Bar:
    """A tqdm progress bar on stderr over all runs, advanced by each run's fractions."""

    def __init__(self, total_runs: int) -> None:
        from tqdm.auto import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: the bar is refreshed from update()
        self.bar = tqdm(total=total_runs, unit="run", file=sys.stderr, leave=False, delay=1.0,
                        bar_format="{l_bar}{bar}| {n:.1f}/{total} runs [{elapsed}<{remaining}]")
        self.done = 0

    def start(self, model: str, n_jobs: int) -> None:
        self.bar.set_description(model)

    def update(self, elapsed: float, fractions: Sequence[float]) -> None:
        self.bar.n = self.done + sum(fractions) / len(fractions)
        self.bar.refresh()

    def finish(self, run: Run) -> None:
        self.done += 1
        self.bar.n = self.done
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()


def _reading(table: Any, info: dict[str, Any]) -> str:
    """One line on what this machine shows, against the cheat-sheet's claim."""
    if not {"threads", "processes"} <= set(table.index):
        return ""
    ratio = table.loc["threads", "median"] / table.loc["processes", "median"]
    capacity = info["parallel_capacity"]
    if ratio > 1.3:
        return (f"Reading: processes beat threads {ratio:.1f}x here, as in the cheat-sheet "
                f"(measured parallel capacity {capacity}).")
    if capacity < 1.5:
        return (f"Reading: processes were not faster ({ratio:.2f}x), and this machine can run only "
                f"{capacity} busy processes at once: it has no spare core to show the speedup.")
    return (f"Reading: processes took {1 / ratio:.2f}x the time of threads although {capacity} processes "
            f"can run at once: the jobs are too small to pay for starting processes.")


def _table(table: Any, n: int, jobs: int) -> str:
    shown = table.copy()
    if n == CHEATSHEET_N and jobs == 2:
        shown["cheat-sheet"] = [CHEATSHEET_SECONDS.get(m) for m in shown.index]
    return shown.to_string(float_format=lambda x: f"{x:.3f}", na_rep="-")


def _info() -> str:
    info = machine_info()
    width = max(map(len, info))
    return "\n".join(f"{key:<{width}}  {value}" for key, value in info.items())


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _count(text: str) -> int:
    value = int(text.replace("_", ""))
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m conclib", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare", help="run the countdown under each model and print a table",
                       description="Run the cheat-sheet's countdown under each model, interleaved and "
                                   "rotating the order each round (A B C D, B C D A, ...), and print "
                                   "median/min/max seconds, speedup against sequential and CPU utilisation "
                                   "(CPU seconds per wall second).")
    c.add_argument("--n", type=_count, default=CHEATSHEET_N, help="countdown start per job (default: %(default)s)")
    c.add_argument("--jobs", type=_positive, default=2, help="how many jobs (default: %(default)s)")
    c.add_argument("--workers", type=_positive, default=None,
                   help="pool size (default: one thread/process per job, as in the cheat-sheet)")
    c.add_argument("--models", default=",".join(MODELS),
                   help=f"comma-separated models, of {','.join(ALL_MODELS)} (default: %(default)s)")
    c.add_argument("--task", choices=sorted(TASKS), default="countdown", help="the job (default: %(default)s)")
    c.add_argument("--repeat", type=_positive, default=3, help="runs per model (default: %(default)s)")
    c.add_argument("--start-method", choices=multiprocessing.get_all_start_methods(), default=None,
                   help=f"for processes (default: ${START_METHOD_VARIABLE}, else forkserver or spawn)")
    c.add_argument("--cluster", metavar="ADDRESS", default=None,
                   help="for the dask model: a scheduler address like tcp://192.168.1.10:8786 (default: "
                        "$CONCLIB_DASK_ADDRESS, else a local cluster of one worker process per usable CPU)")
    c.add_argument("--timeout", type=float, default=None, help="seconds before a run is stopped")
    c.add_argument("--csv", metavar="PATH", help="also write the table to this CSV file")
    c.add_argument("--plot", metavar="PATH", help="also save the comparison plot to this PNG file")
    sub.add_parser("info", help="print what this machine can run at once")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.command == "info":
        print(_info())
        return 0
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if args.cluster is not None and "dask" not in models:
        p.error(f"--cluster is for the dask model; add it to --models (got --models {args.models})")
    bar = _Bar(len(models) * args.repeat)
    try:
        runs = measure(models, TASKS[args.task], [args.n] * args.jobs, repeat=args.repeat,
                       workers=args.workers, timeout=args.timeout, start_method=args.start_method,
                       observer=bar, cluster=args.cluster)
    except (ValueError, TypeError) as exc:
        bar.close()
        p.exit(2, f"{p.prog}: error: {exc}\n")
    except (TimeoutError, ConnectionError) as exc:
        bar.close()
        p.exit(1, f"{p.prog}: {exc}\n")
    except KeyboardInterrupt:
        bar.close()
        p.exit(130, f"{p.prog}: interrupted; all workers were stopped\n")
    bar.close()
    table = summarize(runs)
    info = runs[0].machine
    print(f"{args.task}(n={args.n:_}) x {args.jobs} jobs, {args.repeat} runs per model, "
          f"{info['usable_cpus']} usable CPUs, parallel capacity {info['parallel_capacity']}")
    print(_table(table, args.n, args.jobs))
    if args.n == CHEATSHEET_N and args.jobs == 2:
        print("cheat-sheet: seconds published in the cheat-sheet, measured on another machine")
    print(_reading(table, info))
    if args.csv:
        table.to_csv(args.csv)
    if args.plot:
        from .plotting import save_comparison

        save_comparison(table, args.plot, n=args.n, n_jobs=args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
