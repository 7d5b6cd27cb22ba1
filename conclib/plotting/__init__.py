"""Plots that let you watch the models: live progress race, timeline, comparison, scaling, CPU use.

Every function takes ``ax=None`` (a new figure is made when it is None), returns
the ``Axes``, never calls ``plt.show()`` and never changes matplotlib's global style.
Plots draw what a :class:`conclib.Run` holds or what they are given: they never run
or measure anything. This package is the only part of conclib that imports matplotlib.

Its modules, by what they draw:

- ``theme``: one colour per model, the classroom style, the shared axes helpers;
- ``progress``: the progress race, finished (``race``) or live (``LiveRace``);
- ``lanes``: the timeline, one lane per worker;
- ``intervals``: when each job really ran, from its samples (arithmetic, no matplotlib);
- ``charts``: comparison, utilisation, scaling and throughput charts of measured tables;
- ``contrast``: runs of the same jobs under different models on one time axis (``side_by_side``);
- ``bars``: a progress bar over the runs of a measurement (``RunsBar``), gone when it is done;
- ``concepts``: the three words of the cheat-sheet's title drawn as coffee-shop pictures (no measurement).
"""

from .bars import RunsBar
from .charts import CHEATSHEET, comparison, save_comparison, scaling, throughput, utilisation
from .concepts import CONCEPTS, concept
from .contrast import side_by_side
from .intervals import GAP_FACTOR, WAITING_CPU_SHARE, WAITING_SPACING, one_thread_intervals, running_intervals
from .lanes import timeline
from .progress import LiveRace, in_jupyter, race
from .theme import COLOURS, colour, style

__all__ = [
    "CHEATSHEET",
    "CONCEPTS",
    "COLOURS",
    "GAP_FACTOR",
    "WAITING_CPU_SHARE",
    "WAITING_SPACING",
    "LiveRace",
    "RunsBar",
    "colour",
    "comparison",
    "concept",
    "in_jupyter",
    "one_thread_intervals",
    "race",
    "running_intervals",
    "save_comparison",
    "scaling",
    "side_by_side",
    "style",
    "throughput",
    "timeline",
    "utilisation",
]

for _cls in (LiveRace, RunsBar):
    _cls.__module__ = __name__  # shown as conclib.plotting.LiveRace, where you find it
del _cls
