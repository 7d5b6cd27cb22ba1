"""Learner-mistakes suite for 08-summary: every answer, its verdict, and what the message says."""

from __future__ import annotations

import pandas as pd
import pytest

from conclib.checks import summary as check

from .learner import LANGUAGES, Answer, assert_verdict, grade, speak


def table(**medians: float) -> pd.DataFrame:
    frame = pd.DataFrame({"median": medians}).rename_axis("model")
    frame["speedup"] = frame.loc["sequential", "median"] / frame["median"]
    return frame


TWO_CORES = table(sequential=4.0, threads=4.2, processes=2.31, asyncio=4.1)  # processes / threads = 0.55
ONE_CORE = table(sequential=4.0, threads=4.0, processes=4.0, asyncio=4.0)  # a tie: 1.00
RIGHT = 'ratio = table.loc["processes", "median"] / table.loc["threads", "median"]'

RATIO = [
    Answer("two-decimals", "ratio = 0.55", "right", r"0\.55x the time of threads.*finished sooner"),
    Answer("one-decimal", "ratio = 0.6", "right", "finished sooner"),
    Answer("numpy-scalar", "ratio = table['median']['processes'] / table['median']['threads']", "right",
           "0.55x"),
    Answer("tie-on-one-core", f"{RIGHT}\ntable = ONE_CORE\nratio = 1.0", "right",
           r"1\.00x.*about the same time \(within 10%\)"),
    Answer("float-of-it", f"ratio = float({RIGHT.split(' = ')[1]})", "right", "A ratio compares"),
    Answer("inverted", 'ratio = table.loc["threads", "median"] / table.loc["processes", "median"]', "wrong",
           "turn it around"),
    Answer("percentage", "ratio = 55", "wrong", "percentage"),
    Answer("cheat-sheet", "ratio = 2.90 / 5.33", "wrong", "the cheat-sheet's ratio"),
    Answer("other-models", 'ratio = table.loc["sequential", "median"] / table.loc["threads", "median"]', "wrong",
           "is sequential / threads"),
    Answer("difference", 'ratio = table.loc["processes", "median"] - table.loc["threads", "median"]', "wrong",
           "divide, do not subtract"),
    Answer("text", "ratio = '0.55'", "wrong", "without quotes"),
    Answer("a-column", 'ratio = table["median"]', "wrong", "not one number"),
    Answer("whole-number", "ratio = 1", "wrong", "not processes / threads"),
    Answer("bool", "ratio = True", "wrong", "should be a number"),
    Answer("untouched", "ratio = None  # your code here", "missing", 'the "median" of processes'),
    Answer("not-measured", "table = None\nratio = 0.55", "missing", "Run the comparison cell first"),
]


@pytest.mark.parametrize("answer", RATIO, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_ratio(answer: Answer, language: str) -> None:
    speak(language)
    namespace = {"check": check, "table": TWO_CORES, "ONE_CORE": ONE_CORE}
    assert_verdict(grade(answer, "check.ratio(ratio, table)", namespace), answer)


def ref(good: frozenset[str]) -> str:
    """The reference answer for a situation: a model every Python has ("interpreters" needs 3.14+)."""
    return min(good - {"interpreters"})


def tools_code(**overrides: str) -> str:
    lines = [f"    {s!r}: {overrides.get(s, repr(ref(good)))}," for s, (good, _) in check.SITUATIONS.items()]
    return "tools = {\n" + "\n".join(lines) + "\n}"


SITUATION = list(check.SITUATIONS)
SPELLED = {"threads": "'Threading'", "processes": "'multiprocessing'", "asyncio": "'async'",
           "sequential": "'Sequential'"}
WHICH_TOOL = [
    Answer("module-names", tools_code(**{s: SPELLED[ref(g)] for s, (g, _) in check.SITUATIONS.items()}), "right",
           "All 7 right"),
    Answer("capitals", tools_code(**{s: repr(ref(g).upper()) for s, (g, _) in check.SITUATIONS.items()}), "right",
           "All 7 right"),
    Answer("singular", tools_code(**{s: repr({"threads": "thread", "processes": "process"}.get(ref(g), ref(g)))
                                     for s, (g, _) in check.SITUATIONS.items()}), "right", "All 7 right"),
    Answer("all-threads", tools_code(**{s: "'threads'" for s in SITUATION}), "wrong", r"2 of 7 right"),
    Answer("kinds-not-tools", tools_code(**{s: "'io'" for s in SITUATION}), "wrong", "kinds of task"),
    Answer("blocking-in-coroutine-as-asyncio", tools_code(**{SITUATION[6]: "'asyncio'"}), "wrong",
           r"6 of 7 right.*asyncio\.to_thread"),
    Answer("requests-with-asyncio", tools_code(**{SITUATION[1]: "'asyncio'"}), "wrong", "no async rewrite"),
    Answer("tiny-job-in-processes", tools_code(**{SITUATION[5]: "'processes'"}), "wrong", "microseconds"),
    Answer("photos-in-threads", tools_code(**{SITUATION[2]: "'threads'"}), "wrong", "escape the GIL"),
    Answer("unknown-tool", tools_code(**{SITUATION[0]: "'aiohttp'"}), "wrong", "these are not"),
    Answer("key-typo", tools_code().replace("add up a list", "add a list"), "wrong", "exactly as given"),
    Answer("a-list", "tools = ['asyncio', 'threads']", "wrong", "should be a dict"),
    Answer("half-done", tools_code(**{SITUATION[3]: "..."}), "missing", "1 situation"),
    Answer("untouched", tools_code(**{s: "..." for s in SITUATION}), "missing", "after each situation"),
]


@pytest.mark.parametrize("answer", WHICH_TOOL, ids=lambda a: a.id)
@pytest.mark.parametrize("language", LANGUAGES)
def test_which_tool(answer: Answer, language: str) -> None:
    speak(language)
    assert_verdict(grade(answer, "check.which_tool(tools)", {"check": check}), answer)


def test_the_notebook_states_the_tie() -> None:
    from .learner import notebook

    text = "\n".join(c.source for c in notebook("08-summary.ipynb").cells if c.cell_type == "markdown")
    assert f"within {check.TIE:.0%} of 1" in text


def test_interpreters_is_right_for_cpu_bound_work_where_python_has_it() -> None:
    import conclib

    answers = {s: ref(g) for s, (g, _) in check.SITUATIONS.items()}
    verdict = check.which_tool(dict(answers, **{"resize 5,000 photos in pure Python": "interpreters"}))
    assert bool(verdict) == ("interpreters" in conclib.MODELS)
