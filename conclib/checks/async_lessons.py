"""Checks for 05-async-python: run coroutines concurrently, and keep the event loop free.

Both checks are coroutines, so a notebook awaits them: ``await async_lessons.concurrent(main)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any

from . import Verdict, missing, passed, wrong

#: The pages of the download exercise and how many seconds each one takes to arrive.
PAGES: dict[str, float] = {"index.html": 0.3, "news.html": 0.4, "about.html": 0.2, "contact.html": 0.1}
URLS: list[str] = list(PAGES)

#: Every download: (url, start, end) in ``time.perf_counter()`` seconds.
_downloads: list[tuple[str, float, float]] = []


async def download(url: str) -> str:
    """Pretend to download ``url``: wait as long as :data:`PAGES` says, without blocking the loop."""
    if url not in PAGES:
        raise ValueError(f"url must be one of {URLS}, got {url!r}")
    start = time.perf_counter()
    await asyncio.sleep(PAGES[url])
    _downloads.append((url, start, time.perf_counter()))
    return f"<contents of {url}>"


async def download_all_sequentially() -> list[str]:
    """The exercise's starting point: one ``await`` after the other."""
    pages = []
    for url in URLS:
        pages.append(await download(url))
    return pages


async def download_all() -> list[str]:
    """The reference solution: all downloads at once with ``asyncio.gather``."""
    return list(await asyncio.gather(*(download(url) for url in URLS)))


def _close(value: Any) -> None:
    """Close coroutines and cancel futures the learner returned instead of awaiting them."""
    for item in value if isinstance(value, (list, tuple)) else [value]:
        if inspect.iscoroutine(item):
            item.close()
        elif isinstance(item, asyncio.Future):
            item.cancel()


def _not_a_coroutine_function(fn: Any, name: str) -> Verdict | None:
    if fn is None:
        return missing(f"Define `{name}` with `async def` (replace `{name} = None`).")
    if not callable(fn):
        return wrong(f"`{name}` should be a coroutine function (`async def {name}(...)`), "
                     f"got {type(fn).__name__}.")
    if not inspect.iscoroutinefunction(fn):
        return wrong(f"`{name}` is a plain function: write `async def {name}(...)`, so that calling it "
                     "makes a coroutine the event loop can pause and resume.")
    return None


async def concurrent(main: Any, limit: float = 10.0) -> Verdict:
    """Await the learner's top-level ``main()`` and check it downloaded every page at once."""
    problem = _not_a_coroutine_function(main, "main")
    if problem is not None:
        return problem
    _downloads.clear()
    start = time.perf_counter()
    try:
        result = await asyncio.wait_for(main(), limit)
    except TimeoutError:
        return wrong(f"main() was still running after {limit:.0f} s; the downloads take "
                     f"{sum(PAGES.values()):.1f} s even one after the other. Is something waiting forever?")
    except RuntimeError as exc:
        if "running event loop" in str(exc):
            return wrong("main() called asyncio.run(), which cannot start a second loop inside a running one. "
                         "Inside a coroutine, write `await asyncio.gather(...)` instead.")
        return wrong(f"main() raised RuntimeError: {exc}")
    except TypeError as exc:
        return wrong(f"main() raised TypeError: {exc}. It should take no arguments and use URLS itself.")
    except Exception as exc:
        return wrong(f"main() raised {type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - start
    expected = [f"<contents of {url}>" for url in URLS]
    total, slowest = sum(PAGES.values()), max(PAGES.values())
    if inspect.isawaitable(result) or (isinstance(result, (list, tuple))
                                       and any(inspect.isawaitable(r) for r in result)):
        _close(result)
        return wrong("main() returned coroutines (or a future) instead of pages: `await` them, "
                     "e.g. `return await asyncio.gather(*coroutines)`.")
    if result is None:
        return wrong("main() returned None: return the list of pages that `await asyncio.gather(...)` gives you.")
    done = [url for url, _, _ in _downloads]
    absent = [url for url in URLS if url not in done]
    if absent:
        return wrong(f"These pages were never downloaded: {absent}. Make one download(url) per url in URLS.")
    if len(done) > len(URLS):
        return wrong(f"main() made {len(done)} downloads for {len(URLS)} pages: download each page once.")
    if list(result) != expected:
        if sorted(map(str, result)) == sorted(expected):
            return wrong("The right pages, but not in the order of URLS: gather returns the results "
                         "in the order you passed the coroutines, whichever finishes first.")
        return wrong(f"main() returned {result!r}; expected the pages in the order of URLS: {expected}.")
    overlap = max(s for _, s, _ in _downloads) < min(e for _, _, e in _downloads)
    if not overlap or elapsed > 0.75 * total:
        return wrong(f"The downloads ran one after another: main() took {elapsed:.2f} s, about the sum of "
                     f"the delays ({total:.1f} s). Awaiting each download in turn waits for it before the "
                     "next one starts; create all the coroutines first, then wait for all of them at once "
                     "with `await asyncio.gather(*coroutines)`.")
    return passed(f"main() took {elapsed:.2f} s for pages whose delays add up to {total:.1f} s: all the "
                  f"downloads waited at the same time, so the slowest one ({slowest:.1f} s) set the pace.")


# --------------------------------------------------------------------------- blocking the loop

#: How long the report exercise waits, and the longest pause of the loop that still counts as free.
REPORT_SECONDS = 0.5
MAX_PAUSE = 0.15


async def slow_report(seconds: float) -> str:
    """The exercise's starting point: a coroutine that blocks the event loop while it waits."""
    time.sleep(seconds)  # a blocking call: nothing else runs on this loop meanwhile
    return "report ready"


async def fixed_report(seconds: float) -> str:
    """The reference solution: wait with ``await asyncio.sleep``, the loop stays free."""
    await asyncio.sleep(seconds)
    return "report ready"


async def fixed_report_in_thread(seconds: float) -> str:
    """Another solution: keep the blocking call, but run it in a thread with ``asyncio.to_thread``."""
    await asyncio.to_thread(time.sleep, seconds)
    return "report ready"


@dataclasses.dataclass(frozen=True)
class LoopWatch:
    """What :func:`watch_loop` saw: the awaited result, the wall time, and the loop's longest pause."""

    result: Any
    elapsed: float
    longest_pause: float
    beats: int


async def watch_loop(awaitable: Awaitable[Any], interval: float = 0.01) -> LoopWatch:
    """Await ``awaitable`` while a heartbeat coroutine ticks every ``interval`` seconds.

    The longest gap between two ticks is how long the event loop was blocked:
    about ``interval`` when the loop is free, the whole blocking call when it is not.
    """
    beats: list[float] = []

    async def heartbeat() -> None:
        while True:
            beats.append(time.perf_counter())
            await asyncio.sleep(interval)

    ticker = asyncio.create_task(heartbeat())
    await asyncio.sleep(0)  # the heartbeat's first tick
    start = time.perf_counter()
    try:
        result = await awaitable
    finally:
        end = time.perf_counter()
        ticker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ticker
    ticks = [start, *(b for b in beats if start < b < end), end]
    pause = max(b - a for a, b in zip(ticks[:-1], ticks[1:], strict=True))
    return LoopWatch(result=result, elapsed=end - start, longest_pause=pause, beats=len(ticks) - 2)


async def nonblocking(report: Callable[[float], Awaitable[str]] | None,
                      seconds: float = REPORT_SECONDS) -> Verdict:
    """Run the learner's ``fixed_report(seconds)`` next to a heartbeat; check the loop stayed free."""
    problem = _not_a_coroutine_function(report, "fixed_report")
    if problem is not None:
        return problem
    assert report is not None
    try:
        watch = await watch_loop(report(seconds))
    except Exception as exc:
        return wrong(f"fixed_report({seconds}) raised {type(exc).__name__}: {exc}")
    blocked = f"the event loop was blocked for up to {watch.longest_pause * 1000:.0f} ms"
    if watch.longest_pause > MAX_PAUSE:
        return wrong(f"While fixed_report({seconds}) ran, {blocked}: no other coroutine could run. "
                     "time.sleep() holds the whole loop; write `await asyncio.sleep(seconds)`, or keep a "
                     "blocking call but run it in a thread: `await asyncio.to_thread(time.sleep, seconds)`.")
    if watch.elapsed < 0.8 * seconds:
        return wrong(f"fixed_report({seconds}) returned after {watch.elapsed:.2f} s: the wait stands for real "
                     "work (a slow call), so keep it; only make it stop blocking the loop.")
    if watch.result != "report ready":
        return wrong(f"fixed_report returned {watch.result!r}; keep `return \"report ready\"` from slow_report.")
    return passed(f"fixed_report waited {watch.elapsed:.2f} s and {blocked}: the heartbeat kept "
                  f"ticking ({watch.beats} ticks), so other coroutines could run all the while.")
