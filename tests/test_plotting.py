"""The plots: each returns its Axes, draws one lane per job or worker, copes with empty and failed runs."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

import conclib  # noqa: E402
from conclib import plotting, scaling  # noqa: E402
from conclib._base import JobRecord, JobStatus, Run, RunStatus  # noqa: E402

PNG = b"\x89PNG"


@pytest.fixture(autouse=True)
def _no_show_and_same_style(monkeypatch: pytest.MonkeyPatch):
    """No test may call plt.show() or leave matplotlib's global settings changed."""
    def show(*args: object, **kwargs: object) -> None:
        raise AssertionError("plt.show() was called")

    monkeypatch.setattr(plt, "show", show)
    before = dict(matplotlib.rcParams)
    yield
    plt.close("all")
    assert dict(matplotlib.rcParams) == before


def job(i: int, start: float, end: float, *, worker: str = "", status: JobStatus = "ok", step: float = 0.0005,
        cpu: float | None = None, gaps: tuple[tuple[float, float], ...] = ()) -> JobRecord:
    """A hand-made job: samples every ``step`` seconds from start to end, none inside ``gaps``."""
    times = [t for t in np.arange(start, end, step) if not any(a < t < b for a, b in gaps)]
    samples = tuple((float(t), float(k)) for k, t in enumerate(times))
    return JobRecord(job=i, args=(len(times),), pid=1, thread_id=i, start=start, end=end,
                     cpu=end - start if cpu is None else cpu, total=float(len(times)), samples=samples,
                     status=status, worker=worker or f"thread-{i}")


def make_run(jobs: tuple[JobRecord, ...], model: str = "threads", status: RunStatus = "ok",
             n_jobs: int | None = None) -> Run:
    end = max((j.end for j in jobs), default=100.0)
    return Run(model=model, task="countdown_sampled", jobs=jobs, start=100.0, end=end,
               n_jobs=len(jobs) if n_jobs is None else n_jobs, status=status, machine={"switch_interval": 0.005})


TWO = make_run((job(0, 100.0, 100.1, gaps=((100.02, 100.025),)), job(1, 100.0, 100.1)))
FAILED = make_run((job(0, 100.0, 100.05, status="failed"), job(1, 100.0, 100.04, status="stopped")),
                  status="failed")
EMPTY = make_run((), status="interrupted", n_jobs=2)
TABLE = pd.DataFrame({"median": [2.0, 2.1, 1.1, 2.0], "min": [1.9, 2.0, 1.0, 1.9], "max": [2.2, 2.3, 1.3, 2.1],
                      "speedup": [1.0, 0.95, 1.8, 1.0], "runs": [3] * 4, "cpu_utilisation": [1.0, 1.0, 1.9, 1.0]},
                     index=pd.Index(conclib.MODELS[:4], name="model"))


def lanes(ax: Axes) -> int:
    return len(ax.get_yticks())


# --------------------------------------------------------------------------- race and timeline


@pytest.mark.parametrize("run", [TWO, FAILED, EMPTY], ids=["ok", "failed", "empty"])
def test_race_and_timeline_return_axes_with_a_lane_per_job(run: Run) -> None:
    ax = plotting.race(run)
    assert isinstance(ax, Axes) and lanes(ax) == max(run.n_jobs, len(run.jobs))
    ax = plotting.timeline(run)
    assert isinstance(ax, Axes) and lanes(ax) == len({j.worker for j in run.jobs})


def test_plots_draw_into_the_given_axes() -> None:
    fig, axes = plt.subplots(1, 2)
    assert plotting.race(TWO, ax=axes[0]) is axes[0]
    assert plotting.timeline(TWO, ax=axes[1]) is axes[1]


def test_timeline_puts_jobs_of_one_worker_in_one_lane() -> None:
    pool = make_run((job(0, 100.0, 100.05, worker="thread-0"), job(1, 100.05, 100.1, worker="thread-0"),
                     job(2, 100.0, 100.1, worker="thread-1")))
    ax = plotting.timeline(pool)
    assert lanes(ax) == 2
    assert [t.get_text() for t in ax.get_yticklabels()] == ["thread-0", "thread-1\njob 2"]


def test_timeline_zooms_and_notes_the_switch_interval() -> None:
    ax = plotting.timeline(TWO, window=(0.01, 0.04))
    assert ax.get_xlim() == (0.01, 0.04)
    assert any("getswitchinterval" in t.get_text() for t in ax.texts)


def test_timeline_draws_sparse_low_cpu_jobs_as_waiting() -> None:
    waits = make_run((job(0, 100.0, 100.5, step=0.05, cpu=0.001), job(1, 100.0, 100.3, step=0.05, cpu=0.001)))
    ax = plotting.timeline(waits)
    assert legend_texts(ax) == ["waiting (I/O, no CPU)"]


def test_timeline_keeps_busy_jobs_that_got_little_cpu_as_running() -> None:
    crowded = make_run((job(0, 100.0, 100.1, cpu=0.005), job(1, 100.0, 100.1, cpu=0.005)))  # a loaded machine
    ax = plotting.timeline(crowded)
    assert legend_texts(ax) == ["running (taking progress samples)"]


def test_jobs_sharing_one_thread_take_turns() -> None:
    a = dataclasses.replace(job(0, 0.0, 0.004), samples=((0.0, 0), (0.002, 1)))
    b = dataclasses.replace(job(1, 0.0, 0.004), samples=((0.001, 0), (0.003, 1)))
    spans = plotting.one_thread_intervals([a, b])  # a, b, a, b: each ran in the other's gaps
    assert spans == {0: [(0.001, 0.002)], 1: [(0.0, 0.001), (0.002, 0.003)]}


def test_running_intervals_split_at_long_gaps() -> None:
    times = [0.0, 0.001, 0.002, 0.003, 0.010, 0.011, 0.012]
    assert plotting.running_intervals(times) == [(0.0, 0.003), (0.010, 0.012)]
    assert plotting.running_intervals([1.0]) == []


@pytest.mark.parametrize("window", [(1.0, 0.5), (0, float("inf"))])
def test_a_bad_window_is_refused_with_its_value(window: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="window"):
        plotting.timeline(TWO, window=window)


def test_a_non_run_is_refused() -> None:
    with pytest.raises(TypeError, match="run must be a conclib Run"):
        plotting.race({"model": "threads"})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- tables


def legend_texts(ax: Axes) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None, "the plot has no legend"
    return [t.get_text() for t in legend.get_texts()]


def test_comparison_marks_the_cheatsheet_only_for_its_own_job() -> None:
    ax = plotting.comparison(TABLE, n=100_000_000, n_jobs=2, capacity=2)
    assert isinstance(ax, Axes) and len(ax.patches) == 4
    assert any("another machine" in t for t in legend_texts(ax))
    assert any("ideal" in t and "1.00 s" in t for t in legend_texts(ax))  # 2.0 s / min(2 jobs, 2 CPUs)
    ax = plotting.comparison(TABLE, n=1_000_000, n_jobs=2, capacity=2)
    assert not any("another machine" in t for t in legend_texts(ax))


def test_comparison_draws_the_capacity_the_runs_recorded_and_measures_nothing(monkeypatch) -> None:
    def no_measuring(*args: object, **kwargs: object) -> None:
        raise AssertionError("a plot measured the machine")

    monkeypatch.setattr(conclib.machine, "parallel_capacity", no_measuring)
    monkeypatch.setattr(conclib.machine, "machine_info", no_measuring)
    table = TABLE.copy()
    table.attrs["machine"] = {"usable_cpus": 4, "parallel_capacity": 1.0}
    ax = plotting.comparison(table, n_jobs=2)
    assert any("ideal" in t and "2.00 s" in t for t in legend_texts(ax))  # 2.0 s / min(2 jobs, 1 CPU)
    table.attrs["machine"] = {"usable_cpus": 4, "parallel_capacity": 3.9}
    ax = plotting.comparison(table, n_jobs=2)
    assert any("ideal" in t and "1.00 s" in t for t in legend_texts(ax))  # 2.0 s / min(2 jobs, 3.9 CPUs)


def test_summarize_keeps_the_machine_facts_of_the_runs() -> None:
    run = dataclasses.replace(TWO, machine={"usable_cpus": 2, "parallel_capacity": 1.5})
    assert conclib.summarize([run]).attrs["machine"] == {"usable_cpus": 2, "parallel_capacity": 1.5}


def test_comparison_refuses_a_table_without_its_columns() -> None:
    with pytest.raises(ValueError, match="median"):
        plotting.comparison(pd.DataFrame({"seconds": [1.0]}))


def test_utilisation_draws_one_bar_per_model_and_both_references() -> None:
    ax = plotting.utilisation(TABLE, cpus=2)
    assert len(ax.patches) == 4
    assert [round(float(np.asarray(line.get_ydata())[0]), 6) for line in ax.lines] == [1, 2]


def test_amdahl_fit_finds_the_serial_fraction() -> None:
    workers = np.arange(1, 9)
    assert scaling.amdahl_fit(workers, scaling.amdahl(workers, 0.2)) == pytest.approx(0.2, abs=1e-3)
    assert scaling.amdahl_fit(workers, np.ones(8)) == pytest.approx(1.0)  # no speedup at all: all serial
    assert scaling.amdahl_fit(workers, scaling.amdahl(workers, 0.0, cpus=2), cpus=2) == pytest.approx(0.0)


def test_split_keeps_the_total() -> None:
    assert scaling.split(10, 3) == [4, 3, 3]
    assert scaling.split(1.5, 3) == [0.5, 0.5, 0.5]
    with pytest.raises(ValueError, match="parts"):
        scaling.split(10, 0)


@pytest.mark.timeout(60)
def test_measure_scaling_then_plot() -> None:
    table = scaling.measure_scaling(["sequential", "threads"], conclib.countdown_sampled, 400_000,
                                    workers=[1, 2], repeat=1)
    assert list(table.columns) == ["model", "workers", "median", "min", "max", "runs", "speedup"]
    assert len(table) == 4 and (table[table["workers"] == 1]["speedup"] == 1).all()
    ax = plotting.scaling(table, cpus=2)
    assert isinstance(ax, Axes)
    assert sum("Amdahl fit: p = " in t for t in legend_texts(ax)) == 2
    assert any("1 / ((1 - p) + p / k)" in t for t in legend_texts(ax))  # one notation with the lessons
    with pytest.raises(ValueError, match="include 1"):
        scaling.measure_scaling(["threads"], conclib.countdown_sampled, 10, workers=[2, 3])


def test_scaling_over_a_wide_range_of_workers_uses_a_log_axis_with_plain_numbers() -> None:
    wide = pd.DataFrame({"model": ["dask"] * 5, "workers": [1, 2, 8, 64, 512], "speedup": [1, 1.9, 1.8, 0.9, 0.3]})
    ax = plotting.scaling(wide, cpus=2)
    ax.figure.canvas.draw()
    assert ax.get_xscale() == "log"  # 1, 2 and 8 would overlap on a linear axis that reaches 512
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "8", "64", "512"]
    narrow = wide.iloc[:3]
    assert plotting.scaling(narrow, cpus=2).get_xscale() == "linear"


# --------------------------------------------------------------------------- style


def test_classroom_style_is_bigger_and_goes_away() -> None:
    size = matplotlib.rcParams["font.size"]
    with plotting.style("classroom"):
        assert matplotlib.rcParams["font.size"] > size
        ax = plotting.race(TWO)
    assert matplotlib.rcParams["font.size"] == size
    assert ax.title.get_fontsize() > size
    with pytest.raises(ValueError, match="'classroom'"), plotting.style("poster"):
        pass


def test_every_model_has_its_own_colour() -> None:
    assert len({plotting.colour(m) for m in conclib.MODELS}) == len(conclib.MODELS)


# --------------------------------------------------------------------------- live race


def test_live_race_renders_frames_and_keeps_a_final_one(tmp_path) -> None:
    live = plotting.LiveRace(save=tmp_path / "race.png", frames=True, budget=1)
    live.start("threads", 2)
    for k in range(1, 5):
        live.update(0.25 * k, [0.2 * k, 0.1 * k])
    assert live.frames_drawn == 4 and live.last_frame is not None and live.last_frame.startswith(PNG)
    live.finish(FAILED)  # a partial run still leaves its final frame
    assert live.last_frame.startswith(PNG) and (tmp_path / "race.png").read_bytes().startswith(PNG)
    assert live.ax is not None and lanes(live.ax) == 2 and "failed" in live.ax.get_title()


def test_live_race_keeps_to_its_drawing_budget() -> None:
    live = plotting.LiveRace(frames=True, budget=0.01)
    live.start("processes", 2)
    for k in range(1, 81):
        live.update(0.25 * k, [k / 80, k / 80])  # 80 frames in 20 s; 1% of 20 s is 0.2 s of drawing
    assert 1 <= live.frames_drawn < 80
    assert live.drawing_time <= 0.01 * 20 * 1.5  # within budget, give or take one misjudged frame


def test_live_race_outside_jupyter_draws_nothing_by_default() -> None:
    live = plotting.LiveRace()
    assert not live.jupyter and not live.frames
    run = conclib.run("threads", conclib.countdown_sampled, [50_000] * 2, observer=live)
    assert live.frames_drawn == 0 and live.last_frame is None
    assert live.ax is not None and lanes(live.ax) == run.n_jobs


def test_run_live_true_works_outside_jupyter() -> None:
    run = conclib.run("sequential", conclib.countdown_sampled, [50_000] * 2, live=True)
    assert run.status == "ok"


@pytest.mark.parametrize("value", [0, 1.5, True])
def test_a_bad_budget_is_refused(value: float) -> None:
    with pytest.raises(ValueError, match="budget"):
        plotting.LiveRace(budget=value)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_live_race_updates_one_display_in_a_real_kernel(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    spec = tmp_path / "kernels" / "conclib-test"
    spec.mkdir(parents=True)
    spec.joinpath("kernel.json").write_text(json.dumps(
        {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": "conclib test", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    n = _countdown_for(0.75)  # two threads share one GIL: about 1.5 s for the run
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        f"import conclib\nrun = conclib.run('threads', conclib.countdown_sampled, [{n}] * 2, live=True)")]

    class Counting(nbclient.NotebookClient):  # type: ignore[name-defined]  # a module from importorskip
        updates = 0

        def process_message(self, msg, cell, cell_index):  # type: ignore[no-untyped-def]
            if msg["msg_type"] == "update_display_data":
                Counting.updates += 1
            return super().process_message(msg, cell, cell_index)

    # asyncio.run closes its event loop; the sync execute() would keep one open
    asyncio.run(Counting(nb, kernel_name="conclib-test", timeout=100).async_execute())
    outputs = nb.cells[0].outputs
    assert [o["output_type"] for o in outputs] == ["display_data"]  # one figure, updated in place
    assert outputs[0]["data"]["image/png"]
    assert Counting.updates > 1


def _countdown_for(seconds: float) -> int:
    """The countdown size that takes about ``seconds`` on this machine, alone."""
    began = time.perf_counter()
    conclib.countdown_sampled(1_000_000)
    rate = 1_000_000 / (time.perf_counter() - began)
    return int(min(max(rate * seconds, 1_000_000), 200_000_000))


def test_throughput_draws_rate_and_latency_against_pool_size() -> None:
    runs = [conclib.run("threads", conclib.io_wait, [0.05] * 8, workers=w) for w in (1, 4, 8)]
    ax = plotting.throughput(runs, delay=0.05)
    rate_line = ax.lines[0]
    assert list(np.asarray(rate_line.get_xdata())) == [1, 4, 8]
    rates = np.asarray(rate_line.get_ydata())
    assert rates[0] < rates[1] < rates[2]  # more workers, more jobs finished per second
    with pytest.raises(ValueError, match="runs must hold at least one"):
        plotting.throughput([])


def test_throughput_uses_log_scales_on_both_sides_and_keeps_lines_off_the_frame() -> None:
    runs = [conclib.run("threads", conclib.io_wait, [0.02] * 8, workers=w) for w in (1, 8)]
    ax = plotting.throughput(runs, delay=0.02)
    right = [other for other in ax.figure.axes if other is not ax][0]
    assert ax.get_yscale() == right.get_yscale() == "log"
    low, high = ax.get_ylim()
    for line in ax.lines:  # the ideal line and the measured one stay inside the frame
        ys = np.asarray(line.get_ydata(), float)
        assert low < ys.min() and ys.max() < high
    left, right_end = ax.get_xlim()
    assert left < 1 and right_end > 8


# ------------------------------------------------------------------ side_by_side, RunsBar

def test_side_by_side_shares_one_time_axis() -> None:
    slow = make_run((job(0, 100.0, 100.2), job(1, 100.0, 100.2)), model="threads")
    fast = make_run((job(0, 100.0, 100.1, worker="process-0"), job(1, 100.0, 100.1, worker="process-1")),
                    model="processes")
    axes = plotting.side_by_side([slow, fast])
    assert len(axes) == 2 and all(isinstance(a, Axes) for a in axes)
    assert axes[0].get_xlim() == axes[1].get_xlim()
    assert axes[0].get_xlim()[1] >= slow.elapsed > fast.elapsed
    assert "threads" in axes[0].get_title(loc="left") and "processes" in axes[1].get_title(loc="left")
    assert axes[0].get_title() == ""  # no second title over the left one
    with pytest.raises(ValueError, match="at least one"):
        plotting.side_by_side([])
    with pytest.raises(TypeError, match="list of conclib Runs"):
        plotting.side_by_side(slow)  # type: ignore[arg-type]
    fig, one = plt.subplots()
    with pytest.raises(ValueError, match="one matplotlib Axes per run"):
        plotting.side_by_side([slow, fast], axes=[one])


def test_runs_bar_follows_the_runs_and_closes_after_the_last() -> None:
    import io

    out = io.StringIO()
    bar = plotting.RunsBar(4, "countdown", file=out)
    runs = conclib.measure(["sequential", "threads"], conclib.countdown_sampled, [200_000] * 2, repeat=2,
                           observer=bar)
    assert len(runs) == 4 and bar.done == 4
    assert bar.bar.disable or bar.bar.n == 4
    text = out.getvalue()
    assert "runs" in text and ("sequential" in text or "threads" in text)
    bar.close()  # a second close is harmless
    with pytest.raises(ValueError, match="total must be the number of runs"):
        plotting.RunsBar(0)


def test_measure_scaling_feeds_an_observer() -> None:
    seen: list[str] = []

    class Watcher:
        def start(self, model: str, n_jobs: int) -> None:
            seen.append(f"start {model} {n_jobs}")

        def update(self, elapsed: float, fractions: object) -> None:
            pass

        def finish(self, run: object) -> None:
            seen.append("finish")

    scaling.measure_scaling(["threads"], conclib.countdown_sampled, 10_000, workers=[1, 2], repeat=1,
                            observer=Watcher())
    assert sorted(seen) == sorted(["start threads 1", "start threads 2", "finish", "finish"])


def test_save_comparison_writes_a_png(tmp_path) -> None:
    table = conclib.compare(["sequential", "threads"], conclib.countdown, [1000, 1000], repeat=1)
    path = tmp_path / "comparison.png"
    plotting.save_comparison(table, path, n=1000)
    assert path.read_bytes().startswith(b"\x89PNG")
