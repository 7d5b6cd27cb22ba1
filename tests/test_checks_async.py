"""The checks of 05-async-python: right answers pass, wrong and missing ones explain."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from conclib.checks import async_lessons as al


def check(coro: Any) -> Any:  # a Verdict, or what watch_loop returns
    return asyncio.run(coro)


def test_concurrent_reference_passes(capsys: pytest.CaptureFixture[str]) -> None:
    verdict = check(al.concurrent(al.download_all))
    assert verdict and "all the downloads waited at the same time" in verdict.message
    assert "✅" in capsys.readouterr().out


def test_concurrent_with_create_task_passes() -> None:
    async def main() -> list[str]:
        tasks = [asyncio.create_task(al.download(url)) for url in al.URLS]
        return [await t for t in tasks]

    assert check(al.concurrent(main))


def test_concurrent_sequential_is_explained() -> None:
    verdict = check(al.concurrent(al.download_all_sequentially))
    assert not verdict and "ran one after another" in verdict.message and "asyncio.gather" in verdict.message


def test_concurrent_missing_and_not_async() -> None:
    assert "Not answered yet" in check(al.concurrent(None)).message
    assert "plain function" in check(al.concurrent(lambda: None)).message
    assert "coroutine function" in check(al.concurrent(42)).message


def test_concurrent_forgot_to_await_or_return() -> None:
    async def returns_coroutines() -> list[object]:
        return [al.download(url) for url in al.URLS]

    async def returns_nothing() -> None:
        await asyncio.gather(*(al.download(url) for url in al.URLS))

    assert "returned coroutines" in check(al.concurrent(returns_coroutines)).message
    assert "returned None" in check(al.concurrent(returns_nothing)).message


def test_concurrent_wrong_order_missing_pages_and_errors() -> None:
    async def as_completed() -> list[str]:
        return [await f for f in asyncio.as_completed([al.download(url) for url in al.URLS])]

    async def three_pages() -> list[str]:
        return list(await asyncio.gather(*(al.download(url) for url in al.URLS[:3])))

    async def nested_run() -> list[str]:
        coro = al.download_all()
        try:
            return asyncio.run(coro)
        finally:
            coro.close()

    async def takes_args(urls: list[str]) -> list[str]:
        return []

    assert "not in the order of URLS" in check(al.concurrent(as_completed)).message
    assert "never downloaded: ['contact.html']" in check(al.concurrent(three_pages)).message
    assert "asyncio.run()" in check(al.concurrent(nested_run)).message
    assert "take no arguments" in check(al.concurrent(takes_args)).message


def test_concurrent_time_limit() -> None:
    async def forever() -> None:
        await asyncio.Event().wait()

    verdict = check(al.concurrent(forever, limit=0.1))
    assert not verdict and "still running after" in verdict.message


@pytest.mark.parametrize("solution", [al.fixed_report, al.fixed_report_in_thread])
def test_nonblocking_reference_passes(solution: Any) -> None:
    verdict = check(al.nonblocking(solution, seconds=0.3))
    assert verdict and "the heartbeat kept ticking" in verdict.message


def test_nonblocking_blocking_report_is_measured() -> None:
    verdict = check(al.nonblocking(al.slow_report, seconds=0.3))
    assert not verdict and "the event loop was blocked for up to" in verdict.message
    assert "asyncio.sleep" in verdict.message and "asyncio.to_thread" in verdict.message


def test_nonblocking_missing_plain_skipped_and_wrong_result() -> None:
    def plain(seconds: float) -> str:
        time.sleep(seconds)
        return "report ready"

    async def skips_the_wait(seconds: float) -> str:
        return "report ready"

    async def forgets_result(seconds: float) -> None:
        await asyncio.sleep(seconds)

    async def raises(seconds: float) -> str:
        raise ValueError("boom")

    assert "Not answered yet" in check(al.nonblocking(None)).message
    assert "plain function" in check(al.nonblocking(plain)).message  # type: ignore[arg-type]
    assert "keep it" in check(al.nonblocking(skips_the_wait, seconds=0.2)).message
    assert "returned None" in check(al.nonblocking(forgets_result, seconds=0.2)).message  # type: ignore[arg-type]
    assert "raised ValueError: boom" in check(al.nonblocking(raises)).message


def test_watch_loop_sees_a_free_and_a_blocked_loop() -> None:
    free = check(al.watch_loop(asyncio.sleep(0.2, result="done")))
    blocked = check(al.watch_loop(al.slow_report(0.2)))
    assert free.result == "done" and blocked.result == "report ready"
    assert free.longest_pause < blocked.longest_pause
    assert blocked.longest_pause >= 0.2 and free.beats > blocked.beats


def test_download_rejects_unknown_url() -> None:
    with pytest.raises(ValueError, match="url must be one of"):
        check(al.download("nope.html"))
