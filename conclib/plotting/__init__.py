"""Plots that let you watch the models: live progress race, timeline, comparison, scaling, CPU use."""

from .progress import (
    CHEATSHEET,
    COLOURS,
    GAP_FACTOR,
    WAITING_CPU_SHARE,
    WAITING_SPACING,
    LiveRace,
    colour,
    comparison,
    in_jupyter,
    one_thread_intervals,
    race,
    running_intervals,
    save_comparison,
    scaling,
    style,
    throughput,
    timeline,
    utilisation,
)

__all__ = [
    "CHEATSHEET", "COLOURS", "GAP_FACTOR", "WAITING_CPU_SHARE", "WAITING_SPACING", "LiveRace", "colour",
    "comparison", "in_jupyter", "one_thread_intervals", "race", "running_intervals", "save_comparison",
    "scaling", "style", "throughput", "timeline", "utilisation",
]
