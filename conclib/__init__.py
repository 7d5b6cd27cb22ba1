"""conclib: the cheat-sheet's tasks under four execution models, measured and drawn (and on a Dask cluster).

    >>> import conclib
    >>> run = conclib.run("threads", conclib.countdown, [1_000_000] * 2)
    >>> run.to_frame()          # one row per job: worker, pid, thread id, start, end, CPU
    >>> conclib.set_language("ru")  # messages, checks and plots in Russian (English is the default)
"""

import typing as _typing

from ._base import (
    ALL_MODELS,
    MODELS,
    JobRecord,
    JobStopped,
    Probe,
    Run,
    StillRunningWarning,
    current_probe,
    task_info,
)
from .course import problem_size, scale
from .i18n import set_language
from .machine import default_start_method, machine_info, parallel_capacity, usable_cpus
from .tasks import (
                    countdown,
                    countdown_blocking,
                    countdown_cooperative,
                    countdown_sampled,
                    fail_after,
                    io_wait,
                    io_wait_async,
)

if _typing.TYPE_CHECKING:
    from .runner import Observer, arun, compare, measure, run, summarize

#: Submodules loaded on first use (``conclib.plotting`` imports matplotlib, ``conclib.iotasks`` aiohttp).
_LAZY = ("checks", "cluster", "coroutines", "interpreters", "ioserver", "iotasks", "plotting", "processes",
         "runner", "scaling", "sequential", "threads")
#: The runner is loaded on first use too (it imports asyncio): a worker process, which imports
#: conclib only to run its job, starts sooner without it (measured: 0.17 s to 0.12 s for two
#: spawned workers of n = 0; the cheat-sheet's program takes 0.09 s).
_FROM_RUNNER = ("Observer", "arun", "compare", "measure", "run", "summarize")


def __getattr__(name: str) -> object:
    import importlib

    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    if name in _FROM_RUNNER:
        runner = importlib.import_module(".runner", __name__)
        runner.Observer.__module__ = __name__
        globals().update({n: getattr(runner, n) for n in _FROM_RUNNER})
        return globals()[name]
    raise AttributeError(f"module 'conclib' has no attribute {name!r}")


def __dir__() -> list[str]:
    """What tab completion offers: the public names and the submodules loaded on first use."""
    return sorted({*__all__, *_LAZY, *(name for name in globals() if not name.startswith("_"))})


__all__ = [
    "ALL_MODELS",
    "MODELS",
    "JobRecord",
    "JobStopped",
    "Observer",
    "Probe",
    "Run",
    "StillRunningWarning",
    "arun",
    "compare",
    "countdown",
    "countdown_blocking",
    "countdown_cooperative",
    "countdown_sampled",
    "current_probe",
    "default_start_method",
    "fail_after",
    "io_wait",
    "io_wait_async",
    "machine_info",
    "measure",
    "parallel_capacity",
    "problem_size",
    "run",
    "scale",
    "set_language",
    "summarize",
    "task_info",
    "usable_cpus",
]

# The public classes present themselves as ``conclib.Run``, where you find them,
# not as ``conclib._base.Run`` (as httpx does). Pickle finds them there too.
for _cls in (JobRecord, JobStopped, Probe, Run):  # and Observer, when the runner is loaded
    _cls.__module__ = __name__
del _cls
