"""The checks the way a learner meets them: the notebook's own setup and check cells, in a real kernel.

Each test runs the notebook's setup cell, then answer cells as a learner types them,
each followed by the notebook's own check cell, and reads what the check cell shows.
Only here can one see what a plain function call cannot: an answer cell never run
(a ``NameError`` turned into a hint), a thread still running when its cell ended
(IPython's ``post_run_cell``), ``%%writefile``, and the kernel's own event loop.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from .learner import cell, notebook, solutions

pytestmark = pytest.mark.slow

EXECUTE = """
import sys, nbformat
from nbclient import NotebookClient
book = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(book, timeout=120, kernel_name="python3", allow_errors=True).execute()
nbformat.write(book, sys.argv[1])
"""


def run_in_kernel(name: str, cells: list[str], tmp_path: Path) -> list[str]:
    """Run ``name``'s setup cell and then ``cells`` in a fresh kernel; the text each of ``cells`` shows."""
    nb = notebook(name)
    setup = next(c.source for c in nb.cells if c.cell_type == "code")
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(source) for source in [setup, *cells]]
    path = tmp_path / "answers.ipynb"
    nbformat.write(book, path)
    # in a child process: the kernel client's sockets would outlive the test in this one
    subprocess.run([sys.executable, "-c", EXECUTE, str(path)], check=True, timeout=300, cwd=tmp_path)
    book = nbformat.read(path, as_version=4)
    shown = []
    for c in book.cells[1:]:
        text = []
        for out in c.outputs:
            if out.output_type == "stream":
                text.append(out.text)
            elif out.output_type == "error":
                text.append("\n".join(out.traceback))
            elif "text/plain" in out.get("data", {}):
                text.append(out.data["text/plain"])
        shown.append(re.sub(r"\x1b\[[0-9;]*m", "", "".join(text)))
    return shown


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCLIB_SCALE", "quick")


def test_02_in_a_kernel(tmp_path: Path) -> None:
    nb = notebook("02-working-with-threads.ipynb")
    check = cell(nb, "da286454")  # check.start_and_join(threads)
    make = "threads = [threading.Thread(target=check.countdown, args=(N // 100,)) for _ in range(3)]\n"
    (solution,) = solutions(nb)[0][1]
    shown = run_in_kernel("02-working-with-threads.ipynb", [
        check,  # the answer cell was never run
        make + "for t in threads:\n    t.start()",  # join() forgotten: the cell ends while they run
        check,
        make + "for t in threads:\n    t.start()\n    t.join()",
        check,
        "threads = [threading.Thread(target=check.countdown, args=(N // 100)) for _ in range(3)]\n"
        "for t in threads:\n    t.start()\nfor t in threads:\n    t.join()",
        check,
        solution,
        check,
        "answer = b",
        cell(nb, "b5bed888"),  # check.why_no_faster(answer)
    ], tmp_path)
    assert "✋ Not answered yet. `threads` is not defined: run the cell above" in shown[0]
    assert "NameError" not in shown[0], "the hint replaces the traceback"
    assert "were still running when your cell ended" in shown[2]
    assert "ran one after another" in shown[4]
    assert "a tuple of one item needs a comma" in shown[6]
    assert shown[8].startswith("✅ Right. All 3 threads were running at the same time")
    assert 'Write the letter as a string: answer = "b"' in shown[9]


def test_03_in_a_kernel(tmp_path: Path) -> None:
    nb = notebook("03-working-with-processes.ipynb")
    writefile, use = solutions(nb)[2][1]
    shown = run_in_kernel("03-working-with-processes.ipynb", [
        cell(nb, "b4b46d09"),  # check.amdahl(speedup), never answered
        "speedup = 0.9 * 4",
        cell(nb, "b4b46d09"),
        writefile,
        use,
        cell(nb, "82d9caa2"),  # check.own_task(my_task, my_run)
    ], tmp_path)
    assert "`speedup` is not defined" in shown[0]
    assert "Not a product" in shown[2]
    assert shown[5].startswith("✅ Right. Your function 'count_down_by_two' from evens ran in")


def test_04_in_a_kernel(tmp_path: Path) -> None:
    nb = notebook("04-threads-or-processes.ipynb")
    answers = cell(nb, "9f12ea4a").replace("...", "'I/O-bound'")
    shown = run_in_kernel("04-threads-or-processes.ipynb", [
        cell(nb, "1e7aa73f"),  # check.classify(kinds), never answered
        answers,
        cell(nb, "1e7aa73f"),
    ], tmp_path)
    assert "`kinds` is not defined" in shown[0]
    assert "4 of 8 right" in shown[2] and "is CPU-bound" in shown[2]


def test_05_in_a_kernel(tmp_path: Path) -> None:
    """The checks run their own loop while the kernel's loop runs the cell."""
    nb = notebook("05-async-python.ipynb")
    (solution,) = solutions(nb)[0][1]
    (report,) = solutions(nb)[1][1]
    shown = run_in_kernel("05-async-python.ipynb", [
        solution + "\nmain = main()",
        cell(nb, "7c2d3614"),  # check.concurrent(main)
        "async def main():\n    return asyncio.run(asyncio.gather(*(download(u) for u in URLS)))",
        cell(nb, "7c2d3614"),
        solution,
        cell(nb, "7c2d3614"),
        "async def fixed_report(seconds):\n    await asyncio.sleep(seconds * 1000)\n    return 'report ready'",
        cell(nb, "873192af").replace(")", ", limit=1)"),  # check.nonblocking(fixed_report)
        report,
        cell(nb, "873192af"),
    ], tmp_path)
    assert "`main = main()` called it" in shown[1]
    assert "called asyncio.run()" in shown[3]
    assert shown[5].startswith("✅ Right. main() took")
    assert "still waiting after 1 s" in shown[7] and "asyncio.sleep takes seconds" in shown[7]
    assert shown[9].startswith("✅ Right. fixed_report(0.5) waited")


def test_08_summary_in_a_kernel(tmp_path: Path) -> None:
    nb = notebook("08-summary.ipynb")
    (solution,) = solutions(nb)[0][1]
    shown = run_in_kernel("08-summary.ipynb", [
        "table = conclib.compare(['threads', 'processes'], conclib.countdown, [N // 100] * 2, repeat=1)",
        'ratio = table.loc["threads", "median"] / table.loc["processes", "median"]',
        cell(nb, "1f92cb17"),  # check.ratio(ratio, table)
        solution,
        cell(nb, "1f92cb17"),
    ], tmp_path)
    assert "turn it around" in shown[2] or "✅" in shown[2]  # a ratio of exactly 1 reads both ways
    assert shown[4].startswith("✅ Right. Processes took")


def test_06_beyond_the_gil_in_a_kernel(tmp_path: Path) -> None:
    nb = notebook("06-beyond-the-gil.ipynb")
    (count,), (letter,) = (blocks for _, blocks in solutions(nb))
    shown = run_in_kernel("06-beyond-the-gil.ipynb", [
        cell(nb, "d5c7ba66"),  # check.lost_updates(lost, counter), the answer cell never run
        "counter = freethreading.run_experiment('counter', 10_000)\nlost = '0'",
        cell(nb, "d5c7ba66"),
        count,
        "answer = b",
        letter,
    ], tmp_path)
    assert "✋ Not answered yet. `lost` is not defined: run the cell above" in shown[0]
    assert "NameError" not in shown[0], "the hint replaces the traceback"
    assert "the text '0', not a whole number" in shown[2]
    assert shown[3].startswith("✅ Right.")
    assert 'Write the letter as a string: answer = "b"' in shown[4]
    assert shown[5].startswith("✅ Right. Removing the GIL")


def test_07_beyond_one_machine_in_a_kernel(tmp_path: Path) -> None:
    nb = notebook("07-beyond-one-machine.ipynb")
    measured = "work, overhead, workers = 5.0, {'dask': 0.003}, ['tcp://127.0.0.1:1', 'tcp://127.0.0.1:2']"
    shown = run_in_kernel("07-beyond-one-machine.ipynb", [
        measured,
        cell(nb, "c20cea2e"),  # check.chunks(n_tasks, ...), the answer cell never run
        "n_tasks = workers",
        cell(nb, "c20cea2e"),
        "n_tasks = 2 * len(workers)",
        cell(nb, "c20cea2e"),
        cell(nb, "41a9e75c"),  # check.cell_function_run(cell_run), never run
    ], tmp_path)
    assert "✋ Not answered yet. `n_tasks` is not defined: run the cell above" in shown[1]
    assert "len(workers) is how many there are" in shown[3]
    assert shown[5].startswith("✅ Right. 4 task(s)")
    assert "✋ Not answered yet. `cell_run` is not defined" in shown[6]
