"""Fixtures for the browser tests: one JupyterLab server and one headless Chromium for the whole module."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab_driver import CHROMIUM_ARGS, VIEWPORT, Lab, chromium_path, jupyterlab

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
REQUIRE = "CONCLIB_REQUIRE_BROWSER"


def _missing(reason: str) -> None:
    """Skip, or fail when the browser tests are required (CI sets CONCLIB_REQUIRE_BROWSER=1)."""
    if os.environ.get(REQUIRE) == "1":
        pytest.fail(f"{reason} (and {REQUIRE}=1 says the browser tests must run)", pytrace=False)
    pytest.skip(f"{reason}; install it to run the notebooks in JupyterLab (set {REQUIRE}=1 to fail instead)")


@pytest.fixture(autouse=True)
def hygiene() -> Iterator[None]:
    """The server and the browser live for the whole module; their fixtures check that they stop."""
    yield


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Python package playwright is not installed")
    executable = chromium_path()
    if executable is None:
        _missing("Chromium is not installed (no chromium on PATH)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile per notebook, with a fixed window size."""
    ctx = browser.new_context(viewport=VIEWPORT)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's root: a copy of notebooks/ (so nothing it does touches the course's files)."""
    root = tmp_path_factory.mktemp("lab-root")
    source = REPO / "notebooks"
    if source.is_dir():
        shutil.copytree(source, root / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return root


@pytest.fixture(scope="module")
def lab(browser: Any, lab_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with jupyterlab(lab_root, tmp_path_factory.mktemp("lab-home"), {"CONCLIB_SCALE": "quick"}) as server:
        yield server


@pytest.fixture(scope="module")
def shots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {ARTIFACTS}")
    return ARTIFACTS
