"""``python -m conclib``: the cheat-sheet's experiment from a terminal.

It speaks the learner's language: ``--lang ru`` (or ``en``), else what the locale variables say
(``LANG=ru_RU.UTF-8``, see :mod:`conclib.i18n`). The CSV file keeps English column names: it is data.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
from collections.abc import Sequence
from typing import Any

from . import reading, tasks
from ._base import ALL_MODELS, MODELS, Run
from .course import CHEATSHEET_JOBS, CHEATSHEET_N, CHEATSHEET_SECONDS
from .i18n import LANGUAGES, N_, _, gettext, ngettext, set_language
from .machine import START_METHOD_VARIABLE, machine_info
from .runner import measure, summarize

TASKS = {"countdown": tasks.countdown, "countdown_sampled": tasks.countdown_sampled}
#: The table's column names as the terminal shows them (the CSV file keeps the English names).
COLUMNS = {"model": N_("model"), "median": N_("median"), "min": N_("min"), "max": N_("max"),
           "speedup": N_("speedup"), "runs": N_("runs"), "cpu_utilisation": N_("cpu_utilisation"),
           "cheat-sheet": N_("cheat-sheet")}


class _Bar:
    """A tqdm progress bar on stderr over all runs, advanced by each run's fractions."""

    def __init__(self, total_runs: int) -> None:
        from tqdm.auto import tqdm

        tqdm.monitor_interval = 0  # no monitor thread: the bar is refreshed from update()
        self.bar = tqdm(total=total_runs, unit="run", file=sys.stderr, leave=False, delay=1.0,
                        bar_format=_("{l_bar}{bar}| {n:.1f}/{total} runs [{elapsed}<{remaining}]"))
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


def _reading(runs: Sequence[Run], jobs: int, workers: int | None, info: dict[str, Any]) -> list[str]:
    """Plain sentences on what was measured, each computed by :mod:`conclib.reading`."""
    times: dict[str, list[float]] = {}
    for r in runs:
        times.setdefault(r.model, []).append(r.elapsed)
    lines = []
    pairs = [(m, "sequential") for m in ("threads", "processes", "asyncio")] + [("processes", "threads")]
    for subject, baseline in pairs:
        if subject in times and baseline in times:
            comparison = reading.compare_times(times[subject], times[baseline], subject, baseline)
            lines.append(_("Reading: {reading}.").format(reading=comparison))
    capacity = info.get("parallel_capacity")
    if "processes" in times and "sequential" in times and capacity:
        spreads = [reading.spread(times[m]) for m in ("processes", "sequential")]
        spread = None if None in spreads else max(s for s in spreads if s is not None)
        speedup = statistics.median(times["sequential"]) / statistics.median(times["processes"])
        at_once = min(jobs, workers or jobs)
        lines.append(_("Reading: {reading}").format(reading=reading.read_speedup(speedup, at_once, capacity, spread)))
    lines.append(_("The tolerance is the larger of {least:.0%} and the widest range of the runs, "
                   "(max - min) / median; {one_run:.0%} if a model ran only once.")
                 .format(least=reading.MIN_TOLERANCE, one_run=reading.ONE_RUN_TOLERANCE))
    return lines


def _table(table: Any, n: int, jobs: int) -> str:
    shown = table.copy()
    if n == CHEATSHEET_N and jobs == CHEATSHEET_JOBS:
        shown["cheat-sheet"] = [CHEATSHEET_SECONDS.get(m) for m in shown.index]
    shown = shown.rename(columns=lambda c: gettext(COLUMNS[c]) if c in COLUMNS else c)
    shown.index.name = gettext(COLUMNS["model"])
    return shown.to_string(float_format=lambda x: f"{x:.3f}", na_rep="-")


def _summary(task: str, n: int, jobs: int, repeat: int, info: dict[str, Any]) -> str:
    """The line above the table: what ran, how often, on what."""
    cpus = info["usable_cpus"]
    return ", ".join([
        ngettext("{task}(n={n:_}) x {jobs} job", "{task}(n={n:_}) x {jobs} jobs", jobs).format(task=task, n=n,
                                                                                            jobs=jobs),
        ngettext("{runs} run per model", "{runs} runs per model", repeat).format(runs=repeat),
        ngettext("{cpus} usable CPU", "{cpus} usable CPUs", cpus).format(cpus=cpus),
        _("parallel capacity {capacity}").format(capacity=info["parallel_capacity"]),
    ])


def _info() -> str:
    info = machine_info()
    width = max(map(len, info))
    facts = [f"{key:<{width}}  {value}" for key, value in info.items()]
    return "\n".join([*facts, "", reading.describe_capacity(info)])


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(_("must be >= 1, got {value}").format(value=value))
    return value


def _count(text: str) -> int:
    value = int(text.replace("_", ""))
    if value < 0:
        raise argparse.ArgumentTypeError(_("must be >= 0, got {value}").format(value=value))
    return value


def _language_option(p: argparse.ArgumentParser, default: Any) -> None:
    p.add_argument("--lang", choices=LANGUAGES, default=default,
                   help=_("the language of the output (default: from CONCLIB_LANGUAGE, LANGUAGE, LC_ALL, "
                          "LC_MESSAGES or LANG, else en)"))


def parser() -> argparse.ArgumentParser:
    """The command line, its help in the language chosen now (``main`` reads ``--lang`` first)."""
    p = argparse.ArgumentParser(prog="python -m conclib",
                                description=_("The cheat-sheet's experiment from a terminal."))
    _language_option(p, None)
    either = argparse.ArgumentParser(add_help=False)  # --lang also after the command, where people type it
    _language_option(either, argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compare", parents=[either], help=_("run the countdown under each model and print a table"),
                       description=_("Run the cheat-sheet's countdown under each model, interleaved and "
                                     "rotating the order each round (A B C D, B C D A, ...), and print "
                                     "median/min/max seconds, speedup against sequential and CPU utilisation "
                                     "(CPU seconds per wall second)."))
    c.add_argument("--n", type=_count, default=CHEATSHEET_N,
                   help=_("countdown start per job (default: %(default)s)"))
    c.add_argument("--jobs", type=_positive, default=CHEATSHEET_JOBS, help=_("how many jobs (default: %(default)s)"))
    c.add_argument("--workers", type=_positive, default=None,
                   help=_("pool size (default: one thread/process per job, as in the cheat-sheet)"))
    c.add_argument("--models", default=",".join(MODELS),
                   help=_("comma-separated models, of {models} (default: %(default)s)").format(
                       models=",".join(ALL_MODELS)))
    c.add_argument("--task", choices=sorted(TASKS), default="countdown", help=_("the job (default: %(default)s)"))
    c.add_argument("--repeat", type=_positive, default=3, help=_("runs per model (default: %(default)s)"))
    c.add_argument("--start-method", choices=multiprocessing.get_all_start_methods(), default=None,
                   help=_("for processes (default: ${variable}, else forkserver or spawn)").format(
                       variable=START_METHOD_VARIABLE))
    c.add_argument("--cluster", metavar="ADDRESS", default=None,
                   help=_("for the dask model: a scheduler address like tcp://192.168.1.10:8786 (default: "
                          "$CONCLIB_DASK_ADDRESS, else a local cluster of one worker process per usable CPU)"))
    c.add_argument("--timeout", type=float, default=None, help=_("seconds before a run is stopped"))
    c.add_argument("--csv", metavar="PATH", help=_("also write the table to this CSV file"))
    c.add_argument("--plot", metavar="PATH", help=_("also save the comparison plot to this PNG file"))
    sub.add_parser("info", parents=[either], help=_("print what this machine can run at once"))
    return p


def _choose_language(argv: Sequence[str]) -> None:
    """``--lang`` (anywhere on the line) decides before anything is printed, the help included."""
    first = argparse.ArgumentParser(prog="python -m conclib", add_help=False)
    _language_option(first, None)
    known, _rest = first.parse_known_args(argv)
    if known.lang is not None:
        set_language(known.lang)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _choose_language(argv)
    p = parser()
    args = p.parse_args(argv)
    if args.command == "info":
        print(_info())
        return 0
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if args.cluster is not None and "dask" not in models:
        p.error(_("--cluster is for the dask model; add it to --models (got --models {models})")
                .format(models=args.models))
    bar = _Bar(len(models) * args.repeat)
    try:
        runs = measure(models, TASKS[args.task], [args.n] * args.jobs, repeat=args.repeat,
                       workers=args.workers, timeout=args.timeout, start_method=args.start_method,
                       observer=bar, cluster=args.cluster)
    except (ValueError, TypeError) as exc:
        bar.close()
        p.exit(2, _("{prog}: error: {error}").format(prog=p.prog, error=exc) + "\n")
    except (TimeoutError, ConnectionError) as exc:
        bar.close()
        p.exit(1, f"{p.prog}: {exc}\n")
    except KeyboardInterrupt:
        bar.close()
        p.exit(130, _("{prog}: interrupted; all workers were stopped").format(prog=p.prog) + "\n")
    bar.close()
    table = summarize(runs)
    info = runs[0].machine
    print(_summary(args.task, args.n, args.jobs, args.repeat, info))
    print(_table(table, args.n, args.jobs))
    if args.n == CHEATSHEET_N and args.jobs == CHEATSHEET_JOBS:
        print(_("cheat-sheet: seconds published in the cheat-sheet, measured on another machine"))
    print("\n".join(_reading(runs, args.jobs, args.workers, info)))
    if args.csv:
        table.to_csv(args.csv)
    if args.plot:
        from .plotting import save_comparison

        save_comparison(table, args.plot, n=args.n, n_jobs=args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
