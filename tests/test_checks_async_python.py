"""Learner-mistakes suite for 05-async-python: every answer, its verdict, and what the message says.

The checks run the learner's coroutine on a loop of their own, for at most ``limit``
seconds; the tests pass a short limit, so an answer that would wait forever (or block
its loop) is graded within a few seconds.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from conclib.checks import async_python as check

from .learner import LANGUAGES, Answer, assert_verdict, grade, speak

LIMIT = 2.0

CONCURRENT = [
    Answer("task-group", "async def main():\n    async with asyncio.TaskGroup() as group:\n"
           "        tasks = [group.create_task(download(url)) for url in URLS]\n"
           "    return [task.result() for task in tasks]", "right", "started before the first one ended"),
    Answer("create-task", "async def main():\n    tasks = [asyncio.create_task(download(url)) for url in URLS]\n"
           "    return [await task for task in tasks]", "right", "set the pace"),
    Answer("gather-list-unpacked", "async def main():\n    coroutines = [download(url) for url in URLS]\n"
           "    pages = await asyncio.gather(*coroutines)\n    return list(pages)", "right", "set the pace"),
    Answer("wait-then-results", "async def main():\n    tasks = [asyncio.ensure_future(download(u)) for u in URLS]\n"
           "    await asyncio.wait(tasks)\n    return tuple(t.result() for t in tasks)", "right", "set the pace"),
    Answer("one-by-one", "async def main():\n    return [await download(url) for url in URLS]", "wrong",
           r"ran one after another \(index\.html 0\.00-0\.3\d s.*sum of the delays"),
    Answer("gather-a-list", "async def main():\n    return await asyncio.gather([download(url) for url in URLS])",
           "wrong", r"gave asyncio\.gather a list.*\*coroutines"),
    Answer("asyncio-run-inside", "async def main():\n"
           "    return asyncio.run(asyncio.gather(*(download(url) for url in URLS)))", "wrong",
           r"called asyncio\.run\(\)"),
    Answer("no-await-returned", "async def main():\n    return [download(url) for url in URLS]", "wrong",
           "returned coroutines instead of pages"),
    Answer("no-await-dropped", "async def main():\n    for url in URLS:\n        download(url)", "wrong",
           "without `await` only makes a coroutine"),
    Answer("no-return", "async def main():\n    await asyncio.gather(*(download(url) for url in URLS))", "wrong",
           "returned None"),
    Answer("called-not-passed", "async def main():\n    return await asyncio.gather(*(download(u) for u in URLS))\n"
           "main = main()", "wrong", r"`main = main\(\)` called it"),
    Answer("plain-function", "def main():\n    return [download(url) for url in URLS]", "wrong", "plain function"),
    Answer("waits-forever", "async def main():\n    await asyncio.Event().wait()", "wrong",
           "still waiting after 2 s, so the check stopped it"),
    Answer("milliseconds", "async def main():\n    await asyncio.sleep(300)\n"
           "    return await asyncio.gather(*(download(u) for u in URLS))", "wrong", "seconds, not milliseconds"),
    Answer("blocks-the-loop", "async def main():\n    time.sleep(1.5)\n    await asyncio.sleep(300)\n"
           "    return await asyncio.gather(*(download(u) for u in URLS))", "wrong", "blocked its event loop"),
    Answer("takes-urls", "async def main(urls):\n    return await asyncio.gather(*(download(u) for u in urls))",
           "wrong", "positional argument"),
    Answer("twice", "async def main():\n    await asyncio.gather(*(download(u) for u in URLS))\n"
           "    return await asyncio.gather(*(download(u) for u in URLS))", "wrong", "8 downloads for 4 pages"),
    Answer("finishing-order", "async def main():\n    pages = []\n"
           "    for done in asyncio.as_completed([download(u) for u in URLS]):\n        pages.append(await done)\n"
           "    return pages", "wrong", "not in the order of URLS"),
    Answer("some-pages", "async def main():\n    return await asyncio.gather(*(download(u) for u in URLS[:2]))",
           "wrong", "never downloaded"),
    Answer("untouched", "main = None  # your code here: async def main(): ...", "missing", "async def main"),
]


def namespace() -> dict[str, Any]:
    return {"asyncio": asyncio, "time": time, "check": check, "URLS": check.URLS, "download": check.download}


def wait_for_check_threads() -> None:
    """An answer that blocked its loop goes on in the background: wait for it, as the hygiene check wants."""
    for t in threading.enumerate():
        if t.name.startswith("conclib-check"):
            t.join(10)


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
@pytest.mark.parametrize("answer", CONCURRENT, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_concurrent(answer: Answer, language: str) -> None:
    speak(language)
    start = time.perf_counter()
    verdict = grade(answer, f"check.concurrent(main, limit={LIMIT})", namespace())
    assert time.perf_counter() - start < LIMIT + 2, "the check is bounded in time"
    wait_for_check_threads()
    assert_verdict(verdict, answer)


NONBLOCKING = [
    Answer("to-thread", "async def fixed_report(seconds):\n    await asyncio.to_thread(time.sleep, seconds)\n"
           "    return 'report ready'", "right", "heartbeat kept ticking"),
    Answer("run-in-executor", "async def fixed_report(seconds):\n    loop = asyncio.get_running_loop()\n"
           "    await loop.run_in_executor(None, time.sleep, seconds)\n    return 'report ready'", "right",
           "blocked for up to"),
    Answer("two-halves", "async def fixed_report(seconds):\n    await asyncio.sleep(seconds / 2)\n"
           "    await asyncio.sleep(seconds / 2)\n    return 'report ready'", "right", "other coroutines could run"),
    Answer("wait-for", "async def fixed_report(seconds):\n    await asyncio.wait_for(asyncio.sleep(seconds), 10)\n"
           "    return 'report ready'", "right", "other coroutines could run"),
    Answer("time-sleep", "async def fixed_report(seconds):\n    time.sleep(seconds)\n    return 'report ready'",
           "wrong", r"blocked for up to \d+ ms \(the check allows 150 ms\).*to_thread\(time\.sleep, seconds\)"),
    Answer("no-await", "async def fixed_report(seconds):\n    asyncio.sleep(seconds)\n    return 'report ready'",
           "wrong", r"never awaited.*Write `await asyncio\.sleep\(seconds\)`"),
    Answer("to-thread-called", "async def fixed_report(seconds):\n    await asyncio.to_thread(time.sleep(seconds))\n"
           "    return 'report ready'", "wrong", r"hands its result, None, to to_thread"),
    Answer("milliseconds", "async def fixed_report(seconds):\n    await asyncio.sleep(seconds * 1000)\n"
           "    return 'report ready'", "wrong", r"still waiting after 2 s.*asyncio\.sleep takes seconds"),
    Answer("returns-a-coroutine", "async def fixed_report(seconds):\n    return asyncio.sleep(seconds)", "wrong",
           "returned a coroutine"),
    Answer("other-text", "async def fixed_report(seconds):\n    await asyncio.sleep(seconds)\n    return 'done'",
           "wrong", "keep `return \"report ready\"`"),
    Answer("no-wait", "async def fixed_report(seconds):\n    return 'report ready'", "wrong",
           r"returned after 0\.\d\d s instead of waiting about 0\.5 s"),
    Answer("plain-function", "def fixed_report(seconds):\n    time.sleep(seconds)\n    return 'report ready'",
           "wrong", "plain function"),
    Answer("slow-report-itself", "fixed_report = check.slow_report", "wrong", "slow_report itself"),
    Answer("asyncio-run-inside", "async def fixed_report(seconds):\n    asyncio.run(asyncio.sleep(seconds))\n"
           "    return 'report ready'", "wrong", r"called asyncio\.run\(\)"),
    Answer("called-not-passed", "async def fixed_report(seconds):\n    await asyncio.sleep(seconds)\n"
           "    return 'report ready'\nfixed_report = fixed_report(0.5)", "wrong", "coroutine object"),
    Answer("blocks-for-long", "async def fixed_report(seconds):\n    time.sleep(seconds * 8)\n"
           "    return 'report ready'", "wrong", "blocked its event loop for more than 2 s"),
    Answer("untouched", "fixed_report = None  # your code here", "missing", "async def fixed_report"),
]


@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
@pytest.mark.parametrize("answer", NONBLOCKING, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_nonblocking(answer: Answer, language: str) -> None:
    speak(language)
    start = time.perf_counter()
    verdict = grade(answer, f"check.nonblocking(fixed_report, limit={LIMIT})", namespace())
    assert time.perf_counter() - start < LIMIT + 2, "the check is bounded in time"
    wait_for_check_threads()
    assert_verdict(verdict, answer)


def test_the_notebook_states_the_longest_pause() -> None:
    from .learner import notebook

    text = "\n".join(c.source for c in notebook("05-async-python.ipynb").cells if c.cell_type == "markdown")
    assert f"more than {check.MAX_PAUSE} s" in text


def test_watch_loop_sees_a_blocked_loop() -> None:
    """watch_loop, which the notebook also uses directly, tells a blocked loop from a free one."""
    blocked = asyncio.run(check.watch_loop(check.slow_report(0.3)))
    free = asyncio.run(check.watch_loop(asyncio.sleep(0.3)))
    assert blocked.longest_pause > check.MAX_PAUSE > free.longest_pause
    assert blocked.result == "report ready"
