"""Draw the sample images in docs/img from a real run of every plot (a modest problem size).

    python docs/make_images.py            # n = 20_000_000 per job; --n to change it
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import conclib

# Worker processes import this file again: matplotlib is imported in main() only, so they start fast.
OUT = Path(__file__).parent / "img"


def save(ax: Any, name: str) -> None:
    import matplotlib.pyplot as plt

    ax.figure.savefig(OUT / name)
    plt.close(ax.figure)
    print("wrote", OUT / name)


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from conclib import plotting
    from conclib.scaling import measure_scaling

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000_000, help="countdown size per job")
    args = parser.parse_args()
    n, jobs = args.n, [args.n] * 2
    OUT.mkdir(parents=True, exist_ok=True)
    conclib.run("processes", conclib.countdown, [0])  # start the fork server now, not inside the first race

    for model in ("threads", "processes"):
        conclib.run(model, conclib.countdown_sampled, jobs, observer=plotting.LiveRace(save=OUT / f"race-{model}.png"))
        print("wrote", OUT / f"race-{model}.png")
    conclib.run("asyncio", conclib.countdown_blocking, jobs,
                observer=plotting.LiveRace(save=OUT / "race-asyncio-blocking.png"))
    print("wrote", OUT / "race-asyncio-blocking.png")

    threads = conclib.run("threads", conclib.countdown_sampled, jobs)
    middle = threads.elapsed / 2
    interval = threads.machine["switch_interval"]
    save(plotting.timeline(threads), "timeline-threads.png")
    save(plotting.timeline(threads, window=(middle, middle + 12 * interval)), "timeline-threads-zoom.png")
    cooperative = conclib.run("asyncio", conclib.countdown_cooperative, jobs)
    middle = cooperative.elapsed / 2
    save(plotting.timeline(cooperative, window=(middle, middle + 0.005)), "timeline-asyncio-cooperative-zoom.png")
    save(plotting.timeline(conclib.run("processes", conclib.countdown_sampled, jobs)), "timeline-processes.png")
    save(plotting.timeline(conclib.run("threads", conclib.io_wait, [0.5, 0.3, 0.4])), "timeline-io-threads.png")
    save(plotting.timeline(conclib.run("asyncio", conclib.io_wait_async, [0.5, 0.3, 0.4])), "timeline-io-asyncio.png")
    save(plotting.timeline(conclib.run("sequential", conclib.io_wait, [0.5, 0.3, 0.4])),
         "timeline-io-sequential.png")

    table = conclib.compare(conclib.MODELS, conclib.countdown_sampled, jobs, repeat=3)
    save(plotting.comparison(table, n=n, n_jobs=len(jobs)), "comparison.png")
    save(plotting.utilisation(table), "utilisation.png")
    scaling = measure_scaling(["sequential", "threads", "processes"], conclib.countdown_sampled, n, repeat=2)
    save(plotting.scaling(scaling), "scaling.png")
    with plotting.style("classroom"):
        save(plotting.comparison(table, n=n, n_jobs=len(jobs)), "comparison-classroom.png")


if __name__ == "__main__":
    main()
