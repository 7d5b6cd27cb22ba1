"""The three words of the cheat-sheet's title, drawn: concurrency, parallelism, asynchrony.

Each picture is a small timeline of a coffee shop, read like ``conclib.plotting.timeline``: one lane
per worker, time from left to right, a solid bar where a worker is busy, a hatched bar where something
only waits (here: the coffee brews, and nobody has to watch it). It draws a fixed story, not a measurement.
"""

from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes

__all__ = ["CONCEPTS", "concept"]

#: The three concepts, with the picture's title.
CONCEPTS: dict[str, str] = {
    "concurrency": "Concurrency: one cashier serves two queues, taking turns",
    "parallelism": "Parallelism: two cashiers serve the two queues at the same time",
    "asynchrony": "Asynchrony: the cashier takes the next order while the coffee brews",
}
_QUEUE_COLOURS = {"A": "#0072B2", "B": "#E69F00", "C": "#009E73"}  # Okabe-Ito, as in conclib.plotting

# (lane, start, length, label, waiting): one bar of the story, time in minutes.
_STORIES: dict[str, list[tuple[str, float, float, str, bool]]] = {
    "concurrency": [("cashier", t, 1, f"{q}{i}", False)
                    for t, (q, i) in enumerate([("A", 1), ("B", 1), ("A", 2), ("B", 2), ("A", 3), ("B", 3)])],
    "parallelism": [("cashier 1", float(t), 1.0, f"A{t + 1}", False) for t in range(3)]
                   + [("cashier 2", float(t), 1.0, f"B{t + 1}", False) for t in range(3)],
    "asynchrony": [("cashier", t, 1, f"order {q}", False) for t, q in enumerate("ABC")]
                  + [("coffee machine", t + 1, 3, f"brewing {q}", True) for t, q in enumerate("ABC")]
                  + [("cashier", 4 + t, 0.6, f"give {q}", False) for t, q in enumerate("ABC")],
}


def _lanes(story: list[tuple[str, float, float, str, bool]]) -> list[str]:
    lanes: list[str] = []
    for lane, *_ in story:
        if lane not in lanes:
            lanes.append(lane)
    return lanes


def concept(name: str, ax: Axes | None = None) -> Axes:
    """Draw one of :data:`CONCEPTS` as a coffee-shop timeline and return the ``Axes``.

    Raises:
        ValueError: ``name`` is not one of ``CONCEPTS``.
    """
    if name not in CONCEPTS:
        raise ValueError(f"name must be one of {', '.join(map(repr, CONCEPTS))}, got {name!r}")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 1.9))
    story = _STORIES[name]
    lanes = _lanes(story)
    lane_y = {lane: len(lanes) - 1 - i for i, lane in enumerate(lanes)}
    brews: dict[str, Any] = {}
    for lane, start, length, label, waiting in story:
        queue = label.split()[-1][0]
        colour = _QUEUE_COLOURS[queue]
        style: dict[str, Any] = (
            {"facecolor": "none", "edgecolor": colour, "hatch": "///"} if waiting
            else {"facecolor": colour, "edgecolor": "white"})
        # brewing bars of one machine overlap in time: stack them thinly inside the lane
        height, offset = (0.25, 0.3 - 0.3 * len(brews)) if waiting else (0.7, 0.0)
        if waiting:
            brews[label] = True
        ax.barh(lane_y[lane] + offset, length, left=start, height=height, **style)
        box = {"facecolor": "white", "edgecolor": "none", "pad": 0.5} if waiting else None
        ax.text(start + length / 2, lane_y[lane] + offset, label, ha="center", va="center",
                fontsize=8, color="black" if waiting else "white", bbox=box)
    ax.set_yticks(list(lane_y.values()), list(lane_y))
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    ax.set_xlim(0, 7)
    ax.set_xlabel("time (minutes)")
    ax.set_title(CONCEPTS[name], fontsize=10, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
