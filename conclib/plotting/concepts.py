"""The three words of the cheat-sheet's title, drawn: concurrency, parallelism, asynchrony.

Each picture is a small timeline of a coffee shop, read like ``conclib.plotting.timeline``: one lane
per worker, time from left to right, a solid bar where a worker is busy, a hatched bar where something
only waits (here: the coffee brews, and nobody has to watch it). It draws a fixed story, not a measurement.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from matplotlib.axes import Axes

from ..i18n import N_, gettext

__all__ = ["CONCEPTS", "concept"]

#: The three concepts, with the picture's title (in English; ``concept`` shows it in the current language).
CONCEPTS: dict[str, str] = {
    "concurrency": N_("Concurrency: one cashier serves two queues, taking turns"),
    "parallelism": N_("Parallelism: two cashiers serve the two queues at the same time"),
    "asynchrony": N_("Asynchrony: the cashier takes the next order while the coffee brews"),
}
_QUEUE_COLOURS = {"A": "#0072B2", "B": "#E69F00", "C": "#009E73"}  # Okabe-Ito, as in conclib.plotting


class _Bar(NamedTuple):
    """One bar of a story. ``lane`` and ``label`` are messages, shown in the current language."""

    lane: str
    start: float  # minutes
    length: float
    label: str  # {queue} and {number} are filled in when it is drawn
    queue: str  # "A", "B" or "C": the bar's colour
    number: int = 0
    waiting: bool = False  # a hatched bar: something only waits


_CASHIER, _MACHINE = N_("cashier"), N_("coffee machine")
_STORIES: dict[str, list[_Bar]] = {
    "concurrency": [_Bar(_CASHIER, t, 1, "{queue}{number}", q, i)
                    for t, (q, i) in enumerate([("A", 1), ("B", 1), ("A", 2), ("B", 2), ("A", 3), ("B", 3)])],
    "parallelism": [_Bar(N_("cashier 1"), t, 1, "{queue}{number}", "A", t + 1) for t in range(3)]
                   + [_Bar(N_("cashier 2"), t, 1, "{queue}{number}", "B", t + 1) for t in range(3)],
    "asynchrony": [_Bar(_CASHIER, t, 1, N_("order {queue}"), q) for t, q in enumerate("ABC")]
                  + [_Bar(_MACHINE, t + 1, 3, N_("brewing {queue}"), q, waiting=True) for t, q in enumerate("ABC")]
                  + [_Bar(_CASHIER, 4 + t, 0.6, N_("give {queue}"), q) for t, q in enumerate("ABC")],
}


def _lanes(story: list[_Bar]) -> list[str]:
    lanes: list[str] = []
    for bar in story:
        if bar.lane not in lanes:
            lanes.append(bar.lane)
    return lanes


def concept(name: str, ax: Axes | None = None) -> Axes:
    """Draw one of :data:`CONCEPTS` as a coffee-shop timeline and return the ``Axes``.

    Raises:
        ValueError: ``name`` is not one of ``CONCEPTS``.
    """
    if name not in CONCEPTS:
        raise ValueError(gettext("{name} must be one of {allowed}, got {value!r}")
                         .format(name="name", allowed=", ".join(map(repr, CONCEPTS)), value=name))
    if ax is None:
        import matplotlib.pyplot as plt

        _fig, ax = plt.subplots(figsize=(8, 1.9))
    story = _STORIES[name]
    lanes = _lanes(story)
    lane_y = {lane: len(lanes) - 1 - i for i, lane in enumerate(lanes)}
    brews = 0
    for bar in story:
        colour = _QUEUE_COLOURS[bar.queue]
        style: dict[str, Any] = (
            {"facecolor": "none", "edgecolor": colour, "hatch": "///"} if bar.waiting
            else {"facecolor": colour, "edgecolor": "white"})
        # brewing bars of one machine overlap in time: stack them thinly inside the lane
        height, offset = (0.25, 0.3 - 0.3 * brews) if bar.waiting else (0.7, 0.0)
        brews += bar.waiting
        y = lane_y[bar.lane] + offset
        ax.barh(y, bar.length, left=bar.start, height=height, **style)
        box = {"facecolor": "white", "edgecolor": "none", "pad": 0.5} if bar.waiting else None
        ax.text(bar.start + bar.length / 2, y, gettext(bar.label).format(queue=bar.queue, number=bar.number),
                ha="center", va="center", fontsize=8, color="black" if bar.waiting else "white", bbox=box)
    ax.set_yticks(list(lane_y.values()), [gettext(lane) for lane in lane_y])
    ax.set_ylim(-0.6, len(lanes) - 0.4)
    ax.set_xlim(0, 7)
    ax.set_xlabel(gettext("time (minutes)"))
    ax.set_title(gettext(CONCEPTS[name]), fontsize=10, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
