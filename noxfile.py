"""``nox -s tests``: the library tests and every notebook on each CPython from 3.11 to 3.15 that is installed.

The library tests, then every notebook at quick size under the default start method and under ``spawn``
(``make test`` also runs the library tests under ``spawn``, on one Python). With ``CONCLIB_TEST_ALL=short``
(what CI uses, to stay within its time limit): the library tests with the lesson checks graded in English
only, and the English notebooks under the default start method; ``make test`` on the main Python covers
both languages, both editions and ``spawn``.
``nox -s tests-3.13 -- tests/test_models.py`` runs only the given tests (library, default start method).
"""

import os

import nox
from nox.command import CommandFailed

nox.options.error_on_missing_interpreters = False

PYTHONS = ["3.11", "3.12", "3.13", "3.14", "3.15"]
PYTEST = ("python", "-m", "pytest", "-p", "no:cacheprovider")
LIBRARY = ("tests", "--ignore=tests/browser")
NOTEBOOKS = ("--nbval-lax", "--nbval-current-env", "notebooks")


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("python", "-VV")
    if session.posargs:
        session.run(*PYTEST, *session.posargs)
        return
    steps = {
        "library tests": (LIBRARY, {}),
        "notebooks": (NOTEBOOKS, {"CONCLIB_SCALE": "quick"}),
        "notebooks under spawn": (NOTEBOOKS, {"CONCLIB_SCALE": "quick", "CONCLIB_START_METHOD": "spawn"}),
    }
    if os.environ.get("CONCLIB_TEST_ALL") == "short":
        steps = {
            "library tests": (LIBRARY, {"CONCLIB_TEST_LANGUAGES": "en"}),
            "notebooks": ((*NOTEBOOKS, "--ignore=notebooks/ru"), {"CONCLIB_SCALE": "quick"}),
        }
    failed = []
    for name, (args, env) in steps.items():  # all three run, so one failure does not hide another
        try:
            session.run(*PYTEST, *args, env=env)
        except CommandFailed:
            failed.append(name)
    if failed:
        session.error(f"failed on Python {session.python}: {', '.join(failed)}")
