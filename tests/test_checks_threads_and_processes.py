"""The check of 01-threads-and-processes."""

from __future__ import annotations

import pytest

from conclib.checks import threads_and_processes

from .learner import LANGUAGES, assert_in_language, recording, speak

KINDS = {"✅": "right", "✋": "missing", "❌": "wrong"}


@pytest.mark.parametrize(("threads_answer", "processes_answer", "mark", "text"), [
    (True, False, "✅", "one PID"),
    (None, None, "✋", "True or False"),
    (True, None, "✋", "True or False"),
    ("yes", False, "❌", "threads must be True or False"),
    (False, False, "❌", "same PID as os.getpid()"),
    (True, True, "❌", "its own PID"),
])
@pytest.mark.parametrize("language", LANGUAGES)
def test_same_pid(threads_answer: object, processes_answer: object, mark: str, text: str, language: str) -> None:
    speak(language)
    with recording() as lookups:
        verdict = threads_and_processes.same_pid(threads=threads_answer, processes=processes_answer)
    assert verdict.message.startswith(mark) and bool(verdict) is (mark == "✅")
    assert_in_language(verdict.message, KINDS[mark], lookups)
    if language == "en":
        assert text in verdict.message


def test_the_language_assertions_catch_english_in_a_russian_verdict() -> None:
    """What the Russian pass of every verdict test relies on: it fails where a learner would read English."""
    from conclib import i18n

    from .learner import Lookup

    speak("ru")
    with pytest.raises(AssertionError):  # a message that was never wrapped: the English verdict
        assert_in_language("❌ Not yet. Look at the pid column again.", "wrong", [])
    with recording() as lookups:  # wrapped, but the catalogue has no translation for it
        text = i18n.gettext("Look at the pid column once more.")
    with pytest.raises(AssertionError, match="no ru translation for"):
        assert_in_language(f"❌ Пока нет. {text}", "wrong", lookups)
    english = "every process gets its own PID and its own memory"  # words of a message of the checks
    with pytest.raises(AssertionError, match="English left"):  # a message, or half of one, left in English
        assert_in_language(f"✅ Верно. Потоки работают внутри одного процесса; {english}.", "right", [])
    kept = Lookup(("...",), f"Код `{english}` оставлен как есть", True)  # unless the translation keeps it
    assert_in_language(f"✅ Верно. Код `{english}` оставлен как есть.", "right", [kept])
    same = Lookup((english,), english, True)  # a "translation" that is the English text itself keeps nothing
    with pytest.raises(AssertionError, match="English left"):
        assert_in_language(f"✅ Верно. {english}.", "right", [same])
