"""pyproject.toml is the source of truth; environment.yml (conda, Binder) must not drift from it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _normalise(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement)
    assert match is not None, f"not a requirement: {requirement!r}"
    name, spec = match.groups()
    return f"{name.lower().replace('_', '-')}{spec.replace(' ', '')}"


def _conda_dependencies() -> tuple[set[str], list[str]]:
    """The conda packages (without python and pip) and the pip lines of environment.yml."""
    conda, pip, in_pip = set(), [], False
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("dependencies:"):].splitlines():
        item = re.match(r"^(\s*)- (.+?)\s*$", line)
        if item is None:
            continue
        indent, value = len(item.group(1)), item.group(2)
        if value == "pip:":
            in_pip = True
        elif in_pip and indent > 2:
            pip.append(value)
        elif not value.startswith(("python=", "pip")) and value != "pip":
            in_pip = False
            conda.add(_normalise(value))
    return conda, pip


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_normalise(r) for r in project["dependencies"] + project["optional-dependencies"]["course"]}
    conda, pip = _conda_dependencies()
    assert conda == wanted, f"only in environment.yml: {conda - wanted}; only in pyproject.toml: {wanted - conda}"
    assert pip == ["-e ."], "environment.yml must install the course itself with pip: - -e ."


def test_environment_yml_pins_a_python_the_project_supports() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    minimum = re.search(r">=\s*3\.(\d+)", project["requires-python"])
    pinned = re.search(r"- python=3\.(\d+)\b", (ROOT / "environment.yml").read_text())
    assert minimum is not None and pinned is not None
    assert int(pinned.group(1)) >= int(minimum.group(1))
