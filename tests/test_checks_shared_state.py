"""The shared-counter check of notebook 02: right answers pass, the wrong answers beginners write fail."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from conclib.checks import _shared_state
from conclib.checks import working_with_threads as check
from conclib.checks._shared_state import SlowCounter

from .learner import LANGUAGES, assert_in_language, recording, speak

# ------------------------------------------------------------------ right answers

def lock_per_step(counter: SlowCounter, threads: int, increments: int) -> None:
    lock = threading.Lock()

    def add() -> None:
        for _ in range(increments):
            with lock:
                counter.write(counter.read() + 1)

    workers = [threading.Thread(target=add) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def acquire_release(counter: SlowCounter, threads: int, increments: int) -> None:
    lock = threading.RLock()

    def add() -> None:
        for _ in range(increments):
            lock.acquire()
            try:
                value = counter.read()
                counter.write(value + 1)
            finally:
                lock.release()

    workers = [threading.Thread(target=add) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def lock_around_whole_loop(counter: SlowCounter, threads: int, increments: int) -> None:
    lock = threading.Lock()

    def add() -> None:
        with lock:
            for _ in range(increments):
                counter.write(counter.read() + 1)

    workers = [threading.Thread(target=add) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


SHARED_LOCK = threading.Lock()


def add_with_args(counter: SlowCounter, lock: Any, increments: int) -> None:
    for _ in range(increments):
        with lock:
            counter.write(counter.read() + 1)


def lock_passed_as_argument(counter: SlowCounter, threads: int, increments: int) -> None:
    workers = [threading.Thread(target=add_with_args, args=(counter, SHARED_LOCK, increments))
               for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def each_thread_joined_before_the_next(counter: SlowCounter, threads: int, increments: int) -> None:
    # Correct, though nothing overlaps; the threads may even get the same ident, one after the other.
    lock = threading.Lock()

    def add() -> None:
        for _ in range(increments):
            with lock:
                counter.write(counter.read() + 1)

    for _ in range(threads):
        t = threading.Thread(target=add)
        t.start()
        t.join()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("answer", [lock_per_step, acquire_release, lock_passed_as_argument,
                                    each_thread_joined_before_the_next])
@pytest.mark.parametrize("language", LANGUAGES)
def test_right_answers_pass(answer: Any, language: str, capsys: pytest.CaptureFixture[str]) -> None:
    speak(language)
    with recording() as lookups:
        verdict = check.safe_counter(answer)
    assert verdict
    out = capsys.readouterr().out
    assert out.startswith("✅")
    assert_in_language(verdict.message, "right", lookups)
    if language == "en":
        assert "No update was lost (120 of 120)" in out


@pytest.mark.timeout(60)
def test_lock_around_the_whole_loop_passes(capsys: pytest.CaptureFixture[str]) -> None:
    # Correct (no update can be lost), so it passes; the message says what it costs. A per-step lock
    # may also let one thread run all its steps first (a Lock is not fair), so the check does not
    # tell the two apart: the message names both.
    assert check.safe_counter(lock_around_whole_loop)
    assert "whole loop is also correct" in capsys.readouterr().out


# ------------------------------------------------------------------ wrong answers

def no_lock(counter: SlowCounter, threads: int, increments: int) -> None:
    def add() -> None:
        for _ in range(increments):
            counter.write(counter.read() + 1)

    workers = [threading.Thread(target=add) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def lock_made_in_each_thread(counter: SlowCounter, threads: int, increments: int) -> None:
    def add() -> None:
        lock = threading.Lock()  # each thread its own lock: it stops nobody
        for _ in range(increments):
            with lock:
                counter.write(counter.read() + 1)

    workers = [threading.Thread(target=add) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def new_lock_every_step(counter: SlowCounter, threads: int, increments: int) -> None:
    def add() -> None:
        for _ in range(increments):
            with threading.Lock():
                counter.write(counter.read() + 1)

    workers = [threading.Thread(target=add) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def lock_around_read_only(counter: SlowCounter, threads: int, increments: int) -> None:
    lock = threading.Lock()

    def add() -> None:
        for _ in range(increments):
            with lock:
                value = counter.read()
            counter.write(value + 1)

    workers = [threading.Thread(target=add) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def lock_around_write_only(counter: SlowCounter, threads: int, increments: int) -> None:
    lock = threading.Lock()

    def add() -> None:
        for _ in range(increments):
            value = counter.read()
            with lock:
                counter.write(value + 1)

    workers = [threading.Thread(target=add) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def no_join(counter: SlowCounter, threads: int, increments: int) -> None:
    lock = threading.Lock()

    def add() -> None:
        for _ in range(increments):
            with lock:
                counter.write(counter.read() + 1)

    for _ in range(threads):
        threading.Thread(target=add).start()


def no_threads(counter: SlowCounter, threads: int, increments: int) -> None:
    for _ in range(threads * increments):
        counter.write(counter.read() + 1)


def one_thread_too_few(counter: SlowCounter, threads: int, increments: int) -> None:
    lock = threading.Lock()

    def add() -> None:
        for _ in range(increments * threads // (threads - 1) if threads > 1 else increments):
            with lock:
                counter.write(counter.read() + 1)

    workers = [threading.Thread(target=add) for _ in range(threads - 1)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def too_few_increments(counter: SlowCounter, threads: int, increments: int) -> None:
    lock = threading.Lock()

    def add() -> None:
        for _ in range(increments - 1):
            with lock:
                counter.write(counter.read() + 1)

    workers = [threading.Thread(target=add) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()


def writes_the_total(counter: SlowCounter, threads: int, increments: int) -> None:
    counter.write(threads * increments)


def raises(counter: SlowCounter, threads: int, increments: int) -> None:
    raise NameError("name 'lock' is not defined")


WRONG = [
    (no_lock, "updates were lost"),
    (lock_made_in_each_thread, "updates were lost"),
    (new_lock_every_step, "updates were lost"),
    (lock_around_read_only, "updates were lost"),
    (lock_around_write_only, "updates were lost"),
    (no_join, "call join() on every thread"),
    (no_threads, "not in new threads"),
    (one_thread_too_few, "start 3 threads"),
    (too_few_increments, "written 117 times"),
    (writes_the_total, "written 1 times"),
    (raises, "raised NameError"),
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("answer", "text"), WRONG, ids=[w[0].__name__ for w in WRONG])
@pytest.mark.parametrize("language", LANGUAGES)
def test_wrong_answers_fail_with_a_hint(answer: Any, text: str, language: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    speak(language)
    with recording() as lookups:
        verdict = check.safe_counter(answer)
    assert not verdict
    out = capsys.readouterr().out
    assert out.startswith("❌")
    assert_in_language(verdict.message, "wrong", lookups)
    if language == "en":
        assert text in out


@pytest.mark.parametrize(("answer", "text"), [
    (None, "Replace None"), (42, "must be a function"),
])
@pytest.mark.parametrize("language", LANGUAGES)
def test_missing_or_not_a_function(answer: Any, text: str, language: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    speak(language)
    with recording() as lookups:
        verdict = check.safe_counter(answer)
    assert not verdict
    assert_in_language(verdict.message, "missing" if answer is None else "wrong", lookups)
    if language == "en":
        assert text in capsys.readouterr().out


def test_an_async_function_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    async def add_in_threads(counter: SlowCounter, threads: int, increments: int) -> None:
        pass

    assert not check.safe_counter(add_in_threads)
    assert "async def" in capsys.readouterr().out


@pytest.mark.timeout(60)
def test_a_deadlock_is_reported_within_the_time_limit(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(_shared_state, "TIME_LIMIT", 0.5)
    release = threading.Event()

    def takes_the_lock_twice(counter: SlowCounter, threads: int, increments: int) -> None:
        lock = threading.Lock()
        with lock:
            lock.acquire(timeout=5)  # a plain `lock.acquire()` would wait forever; bounded for the test
        release.wait(5)

    start = time.perf_counter()
    assert not check.safe_counter(takes_the_lock_twice)
    release.set()
    assert time.perf_counter() - start < 3
    assert "did not return within" in capsys.readouterr().out


def test_the_slow_counter_loses_updates_without_a_lock() -> None:
    # The premise of the check: the write's pause lets another thread read the old value meanwhile.
    for _ in range(10):  # on a busy machine a thread may start late; the premise holds when they overlap
        counter = SlowCounter()
        no_lock(counter, 2, 20)
        assert sum(1 for _, what in counter.log() if what == "write") == 40
        if len({thread for thread, _ in counter.log()[:20]}) == 2:
            break
    assert counter.value < 40


@pytest.mark.timeout(60)
def test_the_solution_in_notebook_02_passes(capsys: pytest.CaptureFixture[str]) -> None:
    # The reference solution sits in a collapsed markdown block; run its code as a learner would paste it.
    import re
    from pathlib import Path

    import nbformat

    path = Path(__file__).resolve().parents[1] / "notebooks" / "02-working-with-threads.ipynb"
    cells = [c.source for c in nbformat.read(path, as_version=4).cells
             if c.cell_type == "markdown" and "<summary>Solution</summary>" in c.source
             and "add_in_threads" in c.source]
    assert len(cells) == 1
    code = re.search(r"```python\n(.*?)```", cells[0], re.DOTALL)
    assert code is not None
    namespace: dict[str, Any] = {"threading": threading, "check": check}
    exec(code.group(1), namespace)  # noqa: S102 - the course's own solution
    assert check.safe_counter(namespace["add_in_threads"])
    assert capsys.readouterr().out.count("✅") == 2  # the solution's own check, and this one


@pytest.mark.timeout(60)
def test_a_thread_left_running_does_not_hold_the_check(monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(_shared_state, "TIME_LIMIT", 0.5)
    stop = threading.Event()

    def starts_a_thread_that_runs_on(counter: SlowCounter, threads: int, increments: int) -> None:
        threading.Thread(target=stop.wait, args=(10,), daemon=True).start()

    start = time.perf_counter()
    assert not check.safe_counter(starts_a_thread_that_runs_on)
    stop.set()
    assert time.perf_counter() - start < 3
    assert "call join() on every thread" in capsys.readouterr().out


@pytest.mark.timeout(60)
def test_a_missing_lock_is_caught_even_if_the_first_call_had_no_overlap(capsys: pytest.CaptureFixture[str]) -> None:
    # On a busy machine a thread can start so late that the threads never overlap, and a missing lock
    # loses nothing. The check calls again while the threads ran one after the other.
    calls = []

    def late_start_then_no_lock(counter: SlowCounter, threads: int, increments: int) -> None:
        calls.append(1)

        def add() -> None:
            for _ in range(increments):
                counter.write(counter.read() + 1)

        workers = [threading.Thread(target=add) for _ in range(threads)]
        for t in workers:
            t.start()
            if len(calls) == 1:
                t.join()  # the first time: as if each thread started after the one before had ended
        for t in workers:
            t.join()

    assert not check.safe_counter(late_start_then_no_lock)
    assert len(calls) == 2 and "updates were lost" in capsys.readouterr().out
