"""``nox -s tests``: the library tests and every notebook on each CPython from 3.11 to 3.15 that is installed.

The library tests, then every notebook at quick size under the default start method and under ``spawn``
(``make test`` also runs the library tests under ``spawn``, on one Python).
``nox -s tests-3.13 -- tests/test_models.py`` runs only the given tests (library, default start method).
"""

import nox

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
    session.run(*PYTEST, *LIBRARY)
    session.run(*PYTEST, *NOTEBOOKS, env={"CONCLIB_SCALE": "quick"})
    session.run(*PYTEST, *NOTEBOOKS, env={"CONCLIB_SCALE": "quick", "CONCLIB_START_METHOD": "spawn"})
