"""conclib's own messages in Russian: bad input, timeouts, the live race, the timeline and the CLI.

``test_i18n`` checks the catalogue and how the language is chosen; these tests check that what a
learner sees from the library itself follows the language. Every test starts in English (conftest).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import matplotlib
import pytest
from babel.messages.pofile import read_po

import conclib
from conclib import i18n

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402  (after choosing the backend)

from conclib import plotting  # noqa: E402

BIG = 10**9  # a countdown_sampled this long never ends by itself in a test: it is stopped


@pytest.fixture
def russian() -> None:
    conclib.set_language("ru")  # undone after the test by conftest's _english


def _png(figure: Figure) -> bytes:
    """Render the figure; a glyph missing from the font would warn, and warnings are errors here."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def test_the_catalogue_compiles_without_errors() -> None:
    """``make messages`` fails on a translation whose %-placeholders Babel finds incompatible."""
    with (i18n.LOCALE_DIR / "ru" / "LC_MESSAGES" / "conclib.po").open("rb") as f:
        catalog = read_po(f)
    problems = [(message.id, errors) for message, errors in catalog.check()]
    assert problems == []


@pytest.mark.usefixtures("russian")
@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"jobs": [-1]}, ValueError, "n: ожидается число >= 0, получено -1: обратный отсчёт от отрицательного числа"),
    ({"jobs": [1.5]}, TypeError, r"n: ожидается целое число \(int\) >= 0, получено 1.5 \(float\)"),
    ({"jobs": []}, ValueError, "jobs: список не должен быть пустым"),
    ({"jobs": [1], "workers": 0}, ValueError, "workers: ожидается None .* или число >= 1, получено 0"),
    ({"jobs": [1], "timeout": -1}, ValueError, "timeout: ожидается конечное число секунд > 0, получено -1"),
])
def test_bad_input_in_russian(kwargs: dict[str, object], error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        conclib.run("threads", conclib.countdown, **kwargs)  # type: ignore[arg-type]


@pytest.mark.usefixtures("russian")
def test_a_misspelt_model_in_russian() -> None:
    with pytest.raises(ValueError, match=r"model: допустимые значения — .*получено 'thread'\. "
                                         r"Может быть, вы имели в виду 'threads'\?"):
        conclib.run("thread", conclib.countdown, [1])


@pytest.mark.usefixtures("russian")
@pytest.mark.parametrize(("n_jobs", "words"), [(1, "1 задача завершилась"), (2, "2 задачи завершились")])
def test_a_timeout_in_russian(n_jobs: int, words: str) -> None:
    with pytest.raises(TimeoutError) as info:
        conclib.run("threads", conclib.countdown_sampled, [BIG] * n_jobs, timeout=0.2)
    assert str(info.value) == f"timeout=0.2 с истёк раньше, чем {words} в модели 'threads'. Задачи остановлены."


def test_a_timeout_in_english_is_unchanged() -> None:
    with pytest.raises(TimeoutError, match=r"^timeout=0.2 s passed before the 2 jobs finished under the 'threads' "
                                           r"model\. The jobs were stopped\.$"):
        conclib.run("threads", conclib.countdown_sampled, [BIG] * 2, timeout=0.2)


@pytest.mark.usefixtures("russian")
def test_a_failed_job_is_noted_in_russian() -> None:
    with pytest.raises(RuntimeError, match="эта задача нарочно завершилась с ошибкой") as info:
        conclib.run("threads", conclib.fail_after, [0.0, 5.0])
    assert info.value.__notes__ == ["исключение возникло в задаче 0 (аргументы (0.0,)) в модели 'threads'; "
                                    "остальные задачи остановлены"]


@pytest.mark.usefixtures("russian")
def test_a_notebook_cell_function_under_spawn_in_russian(monkeypatch: pytest.MonkeyPatch) -> None:
    def cell(n: int) -> None:  # as if defined in a notebook cell: __main__ without a file
        pass

    cell.__module__ = "__main__"
    monkeypatch.delattr(sys.modules["__main__"], "__file__", raising=False)
    with pytest.raises(TypeError, match=r"функция task='.*cell' определена в ячейке ноутбука.*"
                                        r"При способе запуска 'spawn'.*Перенесите функцию в модуль"):
        conclib.run("processes", cell, [1], start_method="spawn")


@pytest.mark.usefixtures("russian")
def test_the_live_race_in_russian() -> None:
    race = plotting.LiveRace(frames=False)
    race.start("threads", 2)
    assert race.ax is not None
    assert race.ax.get_title() == "Живая гонка: threads, 2 задачи, выполняются"
    run = conclib.run("threads", conclib.countdown_sampled, [20_000] * 2, observer=race)
    ax = race.ax
    assert ax.get_title() == f"Живая гонка: threads, 2 задачи countdown_sampled, {run.elapsed:.2f} с"
    assert ax.get_xlabel() == "время от начала запуска (с)"
    assert ax.get_ylabel() == "задачи (каждая дорожка: от 0 до 100%)"
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == [f"задача {job.job}\nпоток {job.worker.split('-')[1]}" for job in run.jobs]
    legend = ax.get_legend()
    assert legend is not None and [t.get_text() for t in legend.get_texts()] == ["threads: доля выполненного"]
    assert _png(race.fig).startswith(b"\x89PNG")


@pytest.mark.usefixtures("russian")
def test_the_live_race_marks_a_failure_in_russian() -> None:
    race = plotting.LiveRace(frames=False)
    with pytest.raises(RuntimeError):
        conclib.run("threads", conclib.fail_after, [0.0], observer=race)
    assert race.ax is not None
    assert race.ax.get_title().endswith(" [ошибка]")
    assert "ошибка" in {t.get_text() for t in race.ax.texts}


@pytest.mark.usefixtures("russian")
def test_the_timeline_in_russian() -> None:
    run = conclib.run("threads", conclib.countdown_sampled, [200_000] * 2)
    figure = Figure(layout="constrained")
    ax = plotting.timeline(run, ax=figure.add_subplot())
    assert ax.get_title() == f"Временная диаграмма: threads, 2 задачи countdown_sampled, {run.elapsed:.2f} с"
    assert ax.get_xlabel() == "время от начала запуска (с)"
    assert ax.get_ylabel() == "исполнитель"
    lanes = [t.get_text().split("\n") for t in ax.get_yticklabels()]
    assert sorted(lane[0] for lane in lanes) == ["поток 0", "поток 1"]
    assert sorted(lane[1] for lane in lanes) == ["задача 0", "задача 1"]
    legend = ax.get_legend()
    assert legend is not None and "работает (отмечает прогресс)" in [t.get_text() for t in legend.get_texts()]
    zoomed = plotting.timeline(run, ax=Figure().add_subplot(), window=(0.0, 0.05))
    assert zoomed.get_xlabel() == "время от начала запуска (с), показаны 50 мс"
    assert _png(figure).startswith(b"\x89PNG")


def test_plot_labels_stay_english_by_default() -> None:
    run = conclib.run("threads", conclib.countdown_sampled, [20_000] * 2)
    ax = plotting.timeline(run, ax=Figure().add_subplot())
    assert ax.get_title().startswith("Timeline: threads, 2 jobs of countdown_sampled, ")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("time since the run started (s)", "worker")
    assert {t.get_text().split("\n")[0] for t in ax.get_yticklabels()} == {"thread-0", "thread-1"}


@pytest.mark.usefixtures("russian")
@pytest.mark.parametrize(("cpus", "words"), [(1, "1 процессор"), (2, "2 процессора"), (5, "5 процессоров"),
                                             (1.5, "1.5 процессора")])
def test_cpu_counts_are_russian_plurals(cpus: float, words: str) -> None:
    from conclib.plotting import charts

    assert charts._cpus(cpus) == words


# ----------------------------------------------------------------------------- the command line


def _cli(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if key not in (i18n.LANGUAGE_VARIABLE, *i18n.LOCALE_VARIABLES)}
    return subprocess.run([sys.executable, "-m", "conclib", *args], capture_output=True, text=True, timeout=120,
                          env={**env, **environment})


@pytest.mark.parametrize("where", ["before", "after"])
def test_the_cli_speaks_russian_with_lang_ru(where: str) -> None:
    options = ["compare", "--n", "1000", "--repeat", "1", "--models", "sequential,threads"]
    args = ["--lang", "ru", *options] if where == "before" else [*options, "--lang", "ru"]
    result = _cli(*args)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("countdown(n=1_000) x 2 задачи, 1 запуск на модель, ")
    assert "доступн" in lines[0] and "параллельная ёмкость" in lines[0]
    assert lines[1].split() == ["медиана", "мин", "макс", "ускорение", "запусков", "загрузка_CPU"]
    assert lines[2].split() == ["модель"]
    assert any(line.startswith("Вывод: threads") for line in lines)
    assert lines[-1].startswith("Допуск — большее из двух: 10%")


def test_the_cli_reads_the_locale_variables() -> None:
    russian = _cli("info", LANG="ru_RU.UTF-8")
    assert russian.returncode == 0 and russian.stdout.strip().splitlines()[-1].startswith("Этот Python может")
    english = _cli("--lang", "en", "info", LANG="ru_RU.UTF-8")  # --lang wins over the locale
    assert english.returncode == 0 and english.stdout.strip().splitlines()[-1].startswith("This Python may use")


def test_the_cli_bad_input_in_russian() -> None:
    result = _cli("compare", "--lang", "ru", "--jobs", "0")
    assert result.returncode == 2
    assert "--jobs: ожидается число >= 1, получено 0" in result.stderr and "Traceback" not in result.stderr
    help_text = _cli("--lang", "ru", "compare", "--help").stdout
    assert "сколько задач (по умолчанию: 2)" in help_text


def test_the_cli_refuses_a_language_it_does_not_speak() -> None:
    result = _cli("--lang", "fr", "info")
    assert result.returncode == 2 and "--lang" in result.stderr and "invalid choice" in result.stderr
