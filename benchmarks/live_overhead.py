"""Does the live plot slow down what it measures? Elapsed time with and without live drawing.

Each model runs the same jobs alternately without and with a LiveRace that
renders every frame to PNG in memory (what Jupyter gets), A B A B ..., and the
median of the with/without ratios is reported. The target is at most 1.05.

    python benchmarks/live_overhead.py                 # the cheat-sheet's size, 5 pairs
    python benchmarks/live_overhead.py --n 20000000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import conclib

# Worker processes import this file again: matplotlib is imported in measure() only, so they start fast.

TARGET = 1.05
RESULTS = Path(__file__).parent / "results" / "live_overhead.json"


def measure(model: str, n: int, jobs: int, repeat: int) -> dict[str, object]:
    """``repeat`` pairs of runs (without, with live drawing); the median ratio of their times."""
    import matplotlib

    matplotlib.use("Agg")
    from conclib.plotting import LiveRace

    plain, live, frames, share = [], [], [], []
    for _ in range(repeat):
        plain.append(conclib.run(model, conclib.countdown_sampled, [n] * jobs).elapsed)
        observer = LiveRace(frames=True)
        live.append(conclib.run(model, conclib.countdown_sampled, [n] * jobs, observer=observer).elapsed)
        frames.append(observer.frames_drawn)
        share.append(observer.drawing_time / live[-1])
    ratios = [b / a for a, b in zip(plain, live, strict=True)]
    return {"model": model, "without_s": plain, "with_s": live, "frames": frames, "drawing_share": share,
            "median_ratio": statistics.median(ratios), "ok": statistics.median(ratios) <= TARGET}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=conclib.course.CHEATSHEET_N, help="countdown size per job")
    parser.add_argument("--jobs", type=int, default=2, help="jobs per run")
    parser.add_argument("--repeat", type=int, default=5, help="pairs of runs per model")
    parser.add_argument("--models", nargs="+", default=["threads", "processes"], choices=conclib.MODELS)
    args = parser.parse_args()
    results = [measure(model, args.n, args.jobs, args.repeat) for model in args.models]
    report = {"n": args.n, "jobs": args.jobs, "repeat": args.repeat, "target_ratio": TARGET,
              "machine": conclib.machine_info(), "results": results}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    for r in results:
        verdict = "ok" if r["ok"] else f"over the {TARGET:.2f} target"
        print(f"{r['model']:>10}: with/without live drawing = {r['median_ratio']:.3f} "
              f"(median of {args.repeat} pairs, {statistics.median(r['frames']):.0f} frames/run, "
              f"drawing took {statistics.median(r['drawing_share']):.1%} of the time): {verdict}")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
