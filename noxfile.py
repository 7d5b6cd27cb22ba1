"""``nox -s tests``: the library's tests on every CPython from 3.10 to 3.13 that is installed."""

import nox

nox.options.error_on_missing_interpreters = False


@nox.session(python=["3.10", "3.11", "3.12", "3.13"])
def tests(session: nox.Session) -> None:
    session.install("-e", ".[dev]")
    session.run("python", "-m", "pytest", "-p", "no:cacheprovider", "tests", "--ignore=tests/browser",
                *session.posargs)
