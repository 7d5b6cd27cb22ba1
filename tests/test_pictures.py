"""``conclib.plotting.concept``: the three concept pictures draw, and a wrong name is a clear error."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from conclib import plotting as pictures  # noqa: E402


@pytest.mark.parametrize(("name", "lanes"), [("concurrency", ["cashier"]),
                                             ("parallelism", ["cashier 1", "cashier 2"]),
                                             ("asynchrony", ["cashier", "coffee machine"])])
def test_each_concept_draws_its_lanes(name: str, lanes: list[str]) -> None:
    fig, ax = plt.subplots()
    assert pictures.concept(name, ax=ax) is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == lanes
    assert ax.get_title(loc="left") == pictures.CONCEPTS[name]
    assert len(ax.patches) == 6 + 3 * (name == "asynchrony")  # one bar per step of the story
    plt.close(fig)


def test_parallelism_finishes_in_half_the_time_of_concurrency() -> None:
    ends = {}
    for name in ("concurrency", "parallelism"):
        fig, ax = plt.subplots()
        pictures.concept(name, ax=ax)
        ends[name] = max(p.get_x() + p.get_width() for p in ax.patches if isinstance(p, Rectangle))
        plt.close(fig)
    assert ends["parallelism"] == ends["concurrency"] / 2


def test_bad_name() -> None:
    with pytest.raises(ValueError, match="name must be one of 'concurrency', .* got 'paralelism'"):
        pictures.concept("paralelism")
