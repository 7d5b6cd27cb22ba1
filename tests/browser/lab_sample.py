"""A small sample notebook with every kind of cell the browser checks look at."""

from __future__ import annotations

import importlib.util

import nbformat
from lab_driver import RAISES_MARK, RAISES_TAG
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

#: A live display made by hand: one figure, updated in place a few times, closed at the end (no duplicate).
HAND_MADE_LIVE = '''\
import time

import matplotlib.pyplot as plt
from IPython.display import display


def race(steps: int = 5, live: bool = False) -> None:
    fig, ax = plt.subplots(figsize=(6, 1.8), layout="constrained")
    bars = ax.barh(["job 0", "job 1"], [0, 0])
    ax.set_xlim(0, steps)
    handle = display(fig, display_id=True) if live else None
    for step in range(1, steps + 1):
        time.sleep(0.3)
        bars[0].set_width(step)
        bars[1].set_width(step / 2)
        if handle is not None:
            handle.update(fig)
    plt.close(fig)


race(live=True)'''


def sample_notebook() -> nbformat.NotebookNode:
    """A small notebook with every kind of cell the checks look at."""
    cells = [
        new_markdown_cell("# A sample lesson\n\nIt exercises the browser checks."),
        new_code_cell("import conclib\n\nprint('scale:', conclib.scale())"),
        new_code_cell(HAND_MADE_LIVE),
    ]
    if importlib.util.find_spec("conclib.plotting") is not None:  # the library's own live race
        # a fixed size, a second or two: long enough for a few frames between the first and the last
        cells.append(new_code_cell('run = conclib.run("threads", conclib.countdown_sampled, [30_000_000] * 2, '
                                   'live=True)'))
    cells += [
        new_code_cell("import ipywidgets\n\nipywidgets.IntProgress(value=3, max=5, description='widget')"),
        new_code_cell(f'{RAISES_MARK}\nraise ValueError("raised on purpose, as a lesson")',
                      metadata={"tags": [RAISES_TAG]}),
        new_code_cell("print('Run All went on after the error')"),
    ]
    return new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})
