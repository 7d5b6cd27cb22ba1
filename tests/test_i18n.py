"""conclib speaks English or Russian: the catalogue is complete and current, and the language follows the learner.

The catalogue tests read whatever is in ``conclib/locale``, so they keep holding as more modules
wrap their messages: run ``make messages``, translate what is new, and they pass again.
"""

from __future__ import annotations

import ast
import io
import multiprocessing
import os
import string
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

import conclib
from conclib import i18n, reading

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "conclib"
LANGUAGES = [language for language in i18n.LANGUAGES if language != i18n.DEFAULT_LANGUAGE]


def catalogue_path(language: str, suffix: str) -> Path:
    return i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}{suffix}"


def load_po(language: str) -> Catalog:
    with catalogue_path(language, ".po").open("rb") as f:
        return read_po(f)


def forms(text: object) -> list[str]:
    """A message's id or translation as a list: one element, or one per plural form."""
    return [text] if isinstance(text, str) else [str(t) for t in text or ()]  # type: ignore[attr-defined]


def messages(catalog: Catalog) -> dict[object, object]:
    """msgid (a tuple for a plural message) -> translation (a tuple of forms for a plural message)."""
    return {tuple(forms(m.id)): tuple(forms(m.string)) for m in catalog if m.id}


@pytest.fixture
def russian() -> None:
    conclib.set_language("ru")  # undone after the test by conftest's _english


# ----------------------------------------------------------------------------- the catalogue


def test_every_language_has_a_catalogue() -> None:
    assert i18n.DEFAULT_LANGUAGE == "en" and i18n.LANGUAGES == ("en", "ru")
    for language in LANGUAGES:
        assert catalogue_path(language, ".po").is_file() and catalogue_path(language, ".mo").is_file()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_translation(language: str) -> None:
    catalog = load_po(language)
    assert len(catalog) > 0
    untranslated = [m.id for m in catalog if m.id and not all(forms(m.string))]
    guessed = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"translate these in {catalogue_path(language, '.po')}: {untranslated}"
    assert not guessed, f"check these guessed ('fuzzy') translations, then remove the fuzzy mark: {guessed}"
    wrong = [m.id for m in catalog if m.pluralizable and len(forms(m.string)) != catalog.num_plurals]
    assert not wrong, f"a plural message needs {catalog.num_plurals} forms in {language}: {wrong}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_up_to_date(language: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, load_po(language))  # what `pybabel compile` (make messages) writes
    compiled.seek(0)
    with catalogue_path(language, ".mo").open("rb") as f:
        committed = read_mo(f)
    assert messages(committed) == messages(read_mo(compiled)), "run `make messages` and commit the .mo"
    assert committed.mime_headers == read_mo(io.BytesIO(compiled.getvalue())).mime_headers


def test_the_catalogue_is_up_to_date_with_the_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = tmp_path / "conclib.pot"
    monkeypatch.chdir(ROOT)  # pybabel reads its options from [tool.babel.*] in pyproject.toml
    CommandLineInterface().run(["pybabel", "--quiet", "extract", "--output-file", str(template)])
    with template.open("rb") as f:
        source = set(messages(read_po(f)))
    assert source, "no messages extracted from conclib"
    for language in LANGUAGES:
        catalogue = set(messages(load_po(language)))
        assert source - catalogue == set(), f"new messages: run `make messages`, then translate them ({language})"
        assert catalogue - source == set(), f"messages no longer in the code: run `make messages` ({language})"


def _fields(text: str) -> Counter[tuple[str, str, str]]:
    """The replacement fields of a str.format template: (name, conversion, format spec), counted."""
    return Counter((name, conversion or "", spec or "")
                   for _, name, spec, conversion in string.Formatter().parse(text) if name is not None)


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language: str) -> None:
    for message in load_po(language):
        if not message.id:
            continue
        wanted = set(_fields(forms(message.id)[-1]))  # the plural form's fields
        for translation in forms(message.string):
            assert set(_fields(translation)) == wanted, (
                f"{message.id!r}: the translation {translation!r} must keep the placeholders {sorted(wanted)}")


def test_the_placeholder_test_catches_a_lost_or_renamed_field() -> None:
    assert set(_fields("{name}: ожидается число, получено {value!r}")) == {("name", "", ""), ("value", "r", "")}
    assert _fields("{speedup:.2f}") != _fields("{speedup}")
    assert _fields("{speedup:.2f}") != _fields("{ratio:.2f}")


#: The functions whose calls Babel extracts: their message arguments must be plain string literals.
MARKERS = {"_": 1, "N_": 1, "ngettext": 2}


def test_messages_are_literals_that_babel_can_extract() -> None:
    """``_(f"...")`` or ``_("a" + b)`` would be skipped by the extractor and never translated."""
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in MARKERS:
                args = node.args[:MARKERS[node.func.id]]
                if len(args) < MARKERS[node.func.id] or not all(
                        isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bad, f"format after translating, _('... {{x}} ...').format(x=...), never inside: {bad}"


def test_the_wheel_ships_the_catalogues() -> None:
    import tomllib
    from fnmatch import fnmatch

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["conclib"]
    for language in LANGUAGES:
        for suffix in (".mo", ".po"):
            relative = catalogue_path(language, suffix).relative_to(PACKAGE).as_posix()
            assert any(fnmatch(relative, pattern) for pattern in patterns), f"{relative} is not package data"


# ----------------------------------------------------------------------------- choosing the language


def test_english_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in (i18n.LANGUAGE_VARIABLE, *i18n.LOCALE_VARIABLES):
        monkeypatch.delenv(variable, raising=False)
    assert i18n.get_language() == "en"
    assert str(reading.compare_ratio(2.0, 0.0, "A", "B")).startswith("A were 2.00x faster than B")


def test_set_language_switches_the_whole_process_and_back() -> None:
    conclib.set_language("ru")
    assert i18n.get_language() == "ru" and os.environ[i18n.LANGUAGE_VARIABLE] == "ru"
    assert str(reading.compare_ratio(2.0, 0.0, "процессы", "потоки")) == (
        "процессы быстрее, чем потоки, в 2.00 раза "
        "(разница больше допуска на разброс между запусками, равного 10%)")
    with pytest.raises(ValueError, match="workers: ожидается целое число >= 1, получено 0"):
        reading.read_speedup(1.5, workers=0, capacity=2.0)
    conclib.set_language("en")
    assert str(reading.compare_ratio(2.0, 0.0, "A", "B")).startswith("A were 2.00x faster than B")


@pytest.mark.parametrize("value", ["ru", "RU", "ru_RU", "ru-RU", "ru_RU.UTF-8", " ru "])
def test_set_language_accepts_a_region_or_an_encoding(value: str) -> None:
    conclib.set_language(value)
    assert i18n.get_language() == "ru"


@pytest.mark.parametrize(("value", "error"), [("fr", ValueError), ("", ValueError), ("russian", ValueError),
                                              (None, TypeError), (7, TypeError)])
def test_a_language_conclib_does_not_speak_is_a_clear_error(value: object, error: type) -> None:
    with pytest.raises(error, match=r"language must be .*'en', 'ru'.*got " + repr(value).replace("'", "'?")):
        conclib.set_language(value)  # type: ignore[arg-type]
    assert i18n.get_language() == "en"  # nothing changed


@pytest.mark.parametrize(("environment", "expected"), [
    ({"LANG": "ru_RU.UTF-8"}, "ru"),
    ({"LC_ALL": "ru_RU.UTF-8", "LANG": "en_US.UTF-8"}, "ru"),
    ({"LC_ALL": "C.UTF-8", "LANG": "ru_RU.UTF-8"}, "en"),  # LC_ALL comes first, as in gettext
    ({"LANGUAGE": "ru:en", "LANG": "en_US.UTF-8"}, "ru"),
    ({"LANGUAGE": "de:ru", "LANG": "en_US.UTF-8"}, "ru"),  # the first one conclib speaks
    ({"LC_MESSAGES": "ru_RU.UTF-8"}, "ru"),
    ({"LANG": "de_DE.UTF-8"}, "en"),  # a language conclib does not speak: English
    ({"LANG": "C"}, "en"),
    ({"CONCLIB_LANGUAGE": "ru", "LANG": "en_US.UTF-8"}, "ru"),  # conclib's own variable comes first
    ({"CONCLIB_LANGUAGE": "en", "LANG": "ru_RU.UTF-8"}, "en"),
])
def test_the_locale_variables_choose_when_set_language_was_not_called(
        environment: dict[str, str], expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in (i18n.LANGUAGE_VARIABLE, *i18n.LOCALE_VARIABLES):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    assert i18n.get_language() == expected


def test_set_language_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "ru")
    conclib.set_language("en")
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "ru")  # changed behind set_language's back
    assert i18n.get_language() == "en"


def test_a_bad_conclib_language_variable_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(i18n.LANGUAGE_VARIABLE, "klingon")
    with pytest.raises(ValueError, match="CONCLIB_LANGUAGE must be one of 'en', 'ru'; got 'klingon'"):
        i18n.get_language()


def test_a_new_python_inherits_the_language() -> None:
    conclib.set_language("ru")
    code = "import conclib; from conclib import i18n; print(i18n.get_language()); print(i18n.gettext('cashier'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "LANG": "en_US.UTF-8"}).stdout.split()
    assert out == ["ru", "кассир"]


# ----------------------------------------------------------------------------- worker processes


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
@pytest.mark.parametrize("workers", [None, 1])
def test_worker_processes_speak_the_parents_language(method: str, workers: int | None) -> None:
    """The job's message is made inside the worker; under spawn and forkserver that is a fresh Python.

    The session's fork server was started in English (conftest warms it up), so a worker it
    forks speaks Russian only because the run hands the language over.
    """
    for language, words in (("ru", "эта задача нарочно завершилась с ошибкой"), ("en", "this job failed on purpose")):
        conclib.set_language(language)
        with pytest.raises(RuntimeError, match=words):
            conclib.run("processes", conclib.fail_after, [0.0], workers=workers, start_method=method)


def test_threads_speak_the_language_too() -> None:
    conclib.set_language("ru")
    with pytest.raises(RuntimeError, match="эта задача нарочно завершилась с ошибкой"):
        conclib.run("threads", conclib.fail_after, [0.0])


# ----------------------------------------------------------------------------- what a learner sees


@pytest.mark.usefixtures("russian")
@pytest.mark.parametrize(("workers", "words"), [(1, "при 1 исполнителе"), (2, "при 2 исполнителях"),
                                                (5, "при 5 исполнителях"), (21, "при 21 исполнителе")])
def test_russian_plural_forms(workers: int, words: str) -> None:
    assert str(reading.read_speedup(1.0, workers=workers, capacity=2.0)).startswith(words)


@pytest.mark.usefixtures("russian")
def test_the_machine_sentence_in_russian() -> None:
    info = {"usable_cpus": 2, "logical_cpus": 2, "parallel_capacity": 1.96, "gil_enabled": True}
    assert reading.describe_capacity(info) == (
        "Этот Python может использовать 2 из 2 логических процессоров, и сейчас около 2.0 занятых процессов "
        "действительно работают одновременно. Потоки одного процесса выполняют Python-код строго по очереди "
        "(GIL включён).")
    one = reading.describe_capacity({**info, "usable_cpus": 1, "logical_cpus": 1})
    assert one.startswith("Этот Python может использовать 1 из 1 логического процессора")


@pytest.mark.usefixtures("russian")
def test_the_concept_pictures_in_russian() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from conclib import plotting

    fig, ax = plt.subplots()
    plotting.concept("asynchrony", ax=ax)
    assert ax.get_title(loc="left") == "Асинхронность: пока варится кофе, кассир принимает следующий заказ"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["кассир", "кофемашина"]
    assert ax.get_xlabel() == "время (минуты)"
    assert {t.get_text() for t in ax.texts} >= {"заказ A", "варится B", "кофе C"}
    plt.close(fig)
    with pytest.raises(ValueError, match="name: допустимые значения — 'concurrency', .* получено 'x'"):
        plotting.concept("x")
