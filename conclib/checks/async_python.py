"""Checks for 05-async-python: run coroutines concurrently, and keep the event loop free.

The checks are plain functions (``check.concurrent(main)``, no ``await``): each runs the
learner's coroutine on an event loop of its own, in a thread of its own, and waits
for it at most ``limit`` seconds. So a coroutine that waits forever, or blocks its
loop with ``time.sleep``, cannot hang the notebook: the check says what happened.

It is longer than 300 lines: most of it is the list of beginners' asyncio mistakes that
the two checks name (a coroutine not awaited, a list given to ``gather``, ``asyncio.run``
in a notebook, milliseconds for seconds, a blocked loop), each with its own message.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import inspect
import threading
import time
import warnings
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..i18n import N_, ngettext
from ..i18n import gettext as _
from . import HIDE_FRAMES, Verdict, blank, missing, passed, register_answers, wrong

__all__ = ["MAX_PAUSE", "PAGES", "REPORT_SECONDS", "URLS", "LoopWatch", "concurrent", "download",
           "nonblocking", "slow_report", "watch_loop"]

register_answers({
    "main": N_("run the cell above that defines `main` (your answer), then this check again."),
    "fixed_report": N_("run the cell above that defines `fixed_report` (your answer), then this check again."),
})

#: The pages of the download exercise and how many seconds each one takes to arrive.
PAGES: dict[str, float] = {"index.html": 0.3, "news.html": 0.4, "about.html": 0.2, "contact.html": 0.1}
URLS: list[str] = list(PAGES)

#: Every download: (url, start, end) in ``time.perf_counter()`` seconds.
_downloads: list[tuple[str, float, float]] = []


async def download(url: str) -> str:
    """Pretend to download ``url``: wait as long as :data:`PAGES` says, without blocking the loop."""
    if url not in PAGES:
        raise ValueError(_("{name} must be one of {allowed}, got {value!r}").format(name="url", allowed=URLS,
                                                                                     value=url))
    start = time.perf_counter()
    await asyncio.sleep(PAGES[url])
    _downloads.append((url, start, time.perf_counter()))
    return f"<contents of {url}>"


# --------------------------------------------------------------------------- running the learner's coroutine


@dataclasses.dataclass
class _Outcome:
    """What happened to the learner's coroutine: its value, or why there is none."""

    value: Any = None
    error: str | None = None  # "TypeError: ..." of what it raised
    timed_out: bool = False  # still awaiting after ``limit`` seconds: cancelled
    stuck: bool = False  # did not even react to the cancellation: it blocks its loop
    never_awaited: list[str] = dataclasses.field(default_factory=list)  # coroutines it dropped
    longest_pause: float = 0.0  # the longest time the loop did not run (a heartbeat's longest gap)


def _run_bounded(make: Callable[[], Awaitable[Any]], limit: float) -> _Outcome:
    """Await ``make()`` on a new loop in a new thread, for at most ``limit`` seconds (plus one to clean up)."""
    outcome = _Outcome()
    loop = asyncio.new_event_loop()
    executor = ThreadPoolExecutor(4, thread_name_prefix="conclib-check")
    loop.set_default_executor(executor)
    # the learner's leftovers ("Task was destroyed", "exception was never retrieved") are the check's to tidy up
    loop.set_exception_handler(lambda _loop, _context: None)
    tasks: list[asyncio.Task[Any]] = []

    async def heartbeat() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.05)
            now = time.perf_counter()
            outcome.longest_pause = max(outcome.longest_pause, now - last)
            last = now

    async def bounded() -> Any:
        tasks.append(asyncio.current_task())  # type: ignore[arg-type]
        beat = asyncio.create_task(heartbeat())
        await asyncio.sleep(0)  # the heartbeat's first step, before the learner's code can block the loop
        try:
            return await asyncio.wait_for(make(), limit)
        finally:
            beat.cancel()

    def body() -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RuntimeWarning)
            try:
                outcome.value = loop.run_until_complete(bounded())
            except TimeoutError:
                outcome.timed_out = True
            except BaseException as exc:  # noqa: BLE001 - the learner's code may raise anything
                outcome.error = f"{type(exc).__name__}: {exc}"
            finally:
                left = asyncio.all_tasks(loop)
                for task in left:
                    task.cancel()
                with contextlib.suppress(BaseException):
                    loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
                loop.close()
                executor.shutdown(wait=False, cancel_futures=True)
                gc.collect()  # coroutines the learner dropped warn now, inside this block
        outcome.never_awaited = [str(w.message) for w in caught if "never awaited" in str(w.message)]

    thread = threading.Thread(target=body, name="conclib-check-loop", daemon=True)
    thread.start()
    thread.join(limit + 1)
    if thread.is_alive():
        outcome.stuck = True
        if tasks:
            with contextlib.suppress(RuntimeError):  # the loop may close meanwhile
                loop.call_soon_threadsafe(tasks[0].cancel)
    return outcome


def _close(value: Any) -> None:
    """Close coroutines the learner returned instead of awaiting them, so Python does not warn."""
    for item in value if isinstance(value, (list, tuple)) else [value]:
        if inspect.iscoroutine(item):
            item.close()


def _has_awaitables(value: Any) -> bool:
    items = value if isinstance(value, (list, tuple)) else [value]
    return any(inspect.isawaitable(item) for item in items)


def _not_a_coroutine_function(fn: Any, name: str, args: str) -> Verdict | None:
    if blank(fn):
        return missing(_("Define `{name}` with `async def {name}({args}): ...` (replace `{name} = None`).").format(
            name=name, args=args))
    if inspect.iscoroutine(fn):
        fn.close()
        return wrong(_("`{name}` is a coroutine object, not the function: `{name} = {name}({args})` called it. "
                       "Keep `async def {name}({args}): ...` and hand the check the function itself.").format(
            name=name, args=args))
    if not callable(fn):
        return wrong(_("`{name}` should be a coroutine function (`async def {name}({args}): ...`), "
                       "got {answer!r} (a {kind}).").format(name=name, args=args, answer=fn, kind=type(fn).__name__))
    if not inspect.iscoroutinefunction(fn):
        return wrong(_("`{name}` is a plain function: write `async def {name}({args}):`, so that calling it "
                       "makes a coroutine the event loop can pause and resume.").format(name=name, args=args))
    return None


def _failure(outcome: _Outcome, call: str, limit: float) -> Verdict | None:
    """The verdict for a coroutine that raised, timed out or blocked; None if it returned."""
    if outcome.stuck:
        return wrong(_("{call} blocked its event loop for more than {limit:g} s, so nothing could stop it (it "
                       "goes on in the background). A blocking call such as time.sleep() holds the whole loop; "
                       "and time.sleep and asyncio.sleep both take seconds, not milliseconds.").format(
            call=call, limit=limit))
    if outcome.timed_out and outcome.longest_pause > 1:
        return wrong(_("{call} blocked its event loop for {pause:.1f} s and was not done after {limit:g} s, so the "
                       "check stopped it. A blocking call such as time.sleep() holds the whole loop; use "
                       "`await asyncio.sleep(...)` or `await asyncio.to_thread(...)`.").format(
            call=call, pause=outcome.longest_pause, limit=limit))
    if outcome.timed_out:
        return wrong(_("{call} was still waiting after {limit:g} s, so the check stopped it. asyncio.sleep takes "
                       "seconds, not milliseconds (asyncio.sleep(500) waits 500 s). Is something waiting for "
                       "what never comes?").format(call=call, limit=limit))
    error = outcome.error
    if error is None:
        return None
    if "cannot be called from a running event loop" in error:
        return wrong(_("{call} called asyncio.run(), which starts an event loop; inside a coroutine a loop is "
                       "already running. Use `await` instead: `await asyncio.gather(...)`, "
                       "`await asyncio.sleep(...)`.").format(call=call))
    if "unhashable type: 'list'" in error or "coroutine or an awaitable is required" in error:
        return wrong(_("{call} gave asyncio.gather a list ({error}). gather takes the coroutines one by one: "
                       "unpack the list with a star, `await asyncio.gather(*coroutines)`.").format(
            call=call, error=error))
    if "'NoneType' object is not callable" in error:
        return wrong(_("{call} raised {error}. `asyncio.to_thread(time.sleep(seconds))` calls time.sleep at "
                       "once, in the loop, and hands its result, None, to to_thread. Pass the function and its "
                       "argument apart: `await asyncio.to_thread(time.sleep, seconds)`.").format(
            call=call, error=error))
    if "positional argument" in error:
        return wrong(_("{call} raised {error}. Keep the signature the exercise gives.").format(call=call, error=error))
    return wrong(_("{call} raised {error}").format(call=call, error=error))


# --------------------------------------------------------------------------- exercise 1


def _pages_problem(outcome: _Outcome) -> Verdict | None:
    """What is wrong with the pages ``main()`` downloaded and returned, or None."""
    __tracebackhide__ = HIDE_FRAMES
    result = outcome.value
    if _has_awaitables(result):
        _close(result)
        return wrong(_("main() returned coroutines instead of pages: calling download(url) only makes a "
                       "coroutine. `await` them all at once: `return await asyncio.gather(*coroutines)`."))
    done = [url for url, _start, _end in _downloads]
    if not done and outcome.never_awaited:
        return wrong(_("Nothing was downloaded: download(url) without `await` only makes a coroutine, and "
                       "nothing runs it. `await asyncio.gather(*coroutines)` runs them all at once."))
    absent = [url for url in URLS if url not in done]
    if absent:
        return wrong(_("These pages were never downloaded: {absent}. Make one download(url) per url in URLS.").format(
            absent=absent))
    if len(done) > len(URLS):
        return wrong(_("main() made {downloads} downloads for {pages} pages: download each page once.").format(
            downloads=len(done), pages=len(URLS)))
    if result is None:
        return wrong(_("main() returned None: return the list of pages, e.g. `return await asyncio.gather(...)`."))
    expected = [f"<contents of {url}>" for url in URLS]
    if not isinstance(result, (list, tuple)) or list(result) != expected:
        if isinstance(result, (list, tuple, set)) and sorted(map(str, result)) == sorted(expected):
            return wrong(_("The right pages, but not in the order of URLS: gather returns the results in the "
                           "order you passed the coroutines, whichever finishes first."))
        return wrong(_("main() returned {result!r}; expected the list of pages in the order of URLS: "
                       "{expected}.").format(result=result, expected=expected))
    return None


def concurrent(main: Any = None, limit: float = 5.0) -> Verdict:
    """Exercise 1: run the learner's ``main()`` and check it downloaded every page at the same time.

    Right: every download started before any of them ended, each page once, the pages
    returned in the order of :data:`URLS` (``gather``, ``TaskGroup`` and ``create_task`` all do).
    """
    __tracebackhide__ = HIDE_FRAMES
    problem = _not_a_coroutine_function(main, "main", "")
    if problem is not None:
        return problem
    _downloads.clear()
    start = time.perf_counter()
    outcome = _run_bounded(main, limit)
    elapsed = time.perf_counter() - start
    failure = _failure(outcome, "main()", limit)
    if failure is not None:
        return failure
    problem = _pages_problem(outcome)
    if problem is not None:
        return problem
    total, slowest = sum(PAGES.values()), max(PAGES.values())
    first = min(s for _url, s, _end in _downloads)
    spans = ", ".join(_("{url} {start:.2f}-{end:.2f} s").format(url=url, start=s - first, end=e - first)
                      for url, s, e in _downloads)
    if max(s for _url, s, _end in _downloads) >= min(e for _url, _start, e in _downloads):
        return wrong(_("The downloads ran one after another ({spans}); main() took {elapsed:.2f} s, about the "
                       "sum of the delays ({total:.1f} s). Awaiting each download in turn waits for it before "
                       "the next one starts; create all the coroutines first, then wait for all of them at once "
                       "with `await asyncio.gather(*coroutines)`.").format(spans=spans, elapsed=elapsed, total=total))
    return passed(_("main() took {elapsed:.2f} s for pages whose delays add up to {total:.1f} s: every download "
                    "started before the first one ended ({spans}), so the slowest one ({slowest:.1f} s) set "
                    "the pace.").format(elapsed=elapsed, total=total, spans=spans, slowest=slowest))


# --------------------------------------------------------------------------- exercise 2: blocking the loop

#: How long the report exercise waits, and the longest pause of the loop that still counts as free.
REPORT_SECONDS = 0.5
MAX_PAUSE = 0.15


async def slow_report(seconds: float) -> str:
    """The exercise's starting point: a coroutine that blocks the event loop while it waits."""
    time.sleep(seconds)  # a blocking call: nothing else runs on this loop meanwhile
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


def nonblocking(fixed_report: Any = None, seconds: float = REPORT_SECONDS, limit: float = 5.0) -> Verdict:
    """Exercise 2: run ``fixed_report(seconds)`` next to a heartbeat; right if it waits and the loop stays free.

    Free means no pause of the heartbeat longer than :data:`MAX_PAUSE` (0.15 s, as the notebook says).
    """
    __tracebackhide__ = HIDE_FRAMES
    problem = _not_a_coroutine_function(fixed_report, "fixed_report", "seconds")
    if problem is not None:
        return problem
    if fixed_report is slow_report:
        return wrong(_("That is slow_report itself, which blocks the loop. Write your own "
                       "`async def fixed_report(seconds):` that waits without blocking."))
    call = f"fixed_report({seconds:g})"
    outcome = _run_bounded(lambda: watch_loop(fixed_report(seconds)), limit)
    failure = _failure(outcome, call, limit)
    if failure is not None:
        return failure
    watch: LoopWatch = outcome.value
    pause, allowed = watch.longest_pause * 1000, MAX_PAUSE * 1000
    if _has_awaitables(watch.result):
        _close(watch.result)
        return wrong(_("{call} returned a coroutine, not the string: `await` what you call inside it "
                       "(`await asyncio.sleep(seconds)`), then return \"report ready\".").format(call=call))
    if watch.longest_pause > MAX_PAUSE:
        return wrong(_("While {call} ran, the event loop was blocked for up to {pause:.0f} ms (the check allows "
                       "{allowed:.0f} ms): no other coroutine could run. time.sleep() holds the whole loop; write "
                       "`await asyncio.sleep(seconds)`, or keep the blocking call but run it in a thread: "
                       "`await asyncio.to_thread(time.sleep, seconds)`.").format(call=call, pause=pause,
                                                                                 allowed=allowed))
    if watch.elapsed < 0.8 * seconds:
        if outcome.never_awaited:
            return wrong(_("{call} returned after {elapsed:.2f} s: a coroutine was never awaited. "
                           "`asyncio.sleep(seconds)` without `await` makes a coroutine and drops it, so nothing "
                           "waits. Write `await asyncio.sleep(seconds)`.").format(call=call, elapsed=watch.elapsed))
        return wrong(_("{call} returned after {elapsed:.2f} s instead of waiting about {seconds:g} s. "
                       "The wait stands for real work (a slow call), so keep it; only make it stop blocking "
                       "the loop.").format(call=call, elapsed=watch.elapsed, seconds=seconds))
    if watch.result != "report ready":
        return wrong(_("{call} returned {result!r}; keep `return \"report ready\"` from slow_report.").format(
            call=call, result=watch.result))
    return passed(ngettext("{call} waited {elapsed:.2f} s and the event loop was blocked for up to {pause:.0f} ms "
                           "(the check allows {allowed:.0f} ms): the heartbeat kept ticking ({beats} tick), so other "
                           "coroutines could run all the while.",
                           "{call} waited {elapsed:.2f} s and the event loop was blocked for up to {pause:.0f} ms "
                           "(the check allows {allowed:.0f} ms): the heartbeat kept ticking ({beats} ticks), so other "
                           "coroutines could run all the while.", watch.beats).format(
        call=call, elapsed=watch.elapsed, pause=pause, allowed=allowed, beats=watch.beats))
