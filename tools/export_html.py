"""Run every notebook (full size by default) and export it, outputs included, to static HTML with an index."""

from __future__ import annotations

import argparse
import html
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter

REPO = Path(__file__).resolve().parents[1]
RAISES_MARK = "# NBVAL_RAISES_EXCEPTION"  # a cell that raises on purpose, as a lesson
RAISES_TAG = "raises-exception"  # how nbclient (and JupyterLab) learn that, so the run goes on
SCALES = ("full", "quick")


def title_of(nb: nbformat.NotebookNode, default: str) -> str:
    """The notebook's first ``# Title`` line, or ``default``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return default


def execute(path: Path, timeout: int) -> tuple[nbformat.NotebookNode, str | None]:
    """Run ``path`` in a fresh kernel started in its folder; the notebook with outputs, and the error if any."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and RAISES_MARK in cell.source:
            tags = cell.metadata.setdefault("tags", [])
            if RAISES_TAG not in tags:
                tags.append(RAISES_TAG)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as error:
        return nb, str(error)
    return nb, None


def page_name(path: Path) -> str:
    """Where a notebook's page goes in the site: ``ru/00-start-here.html`` for the Russian edition."""
    resolved = path.resolve()
    edition = resolved.parent.name == "ru" and resolved.parent.parent == (REPO / "notebooks").resolve()
    return f"ru/{path.stem}.html" if edition else f"{path.stem}.html"


def write_index(site: Path, entries: list[tuple[str, str, float, str | None]], scale: str) -> Path:
    """``index.html``: one link per notebook, in course order."""
    items = "\n".join(
        f'    <li><a href="{html.escape(href)}">{html.escape(title)}</a>'
        f" <small>({seconds:.0f} s{', <b>failed</b>' if error else ''})</small></li>"
        for href, title, seconds, error in entries)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Python concurrency: the course</title>
<style>body {{ font-family: sans-serif; max-width: 48rem; margin: 2rem auto; line-height: 1.5; }}</style></head>
<body>
  <h1>Python concurrency: the course</h1>
  <p>Every notebook run from top to bottom (problem size: <code>{html.escape(scale)}</code>), outputs included.</p>
  <ol>
{items}
  </ol>
</body>
</html>
"""
    target = site / "index.html"
    target.write_text(page, encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="default: notebooks/*.ipynb and the Russian edition, notebooks/ru/*.ipynb")
    parser.add_argument("--out", type=Path, default=REPO / "site", help="output folder (default: site/)")
    parser.add_argument("--scale", choices=SCALES, default=os.environ.get("CONCLIB_SCALE", "full"),
                        help="problem size the kernels see as CONCLIB_SCALE (default: full)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds one cell may take (default: 1800)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or [*sorted((REPO / "notebooks").glob("*.ipynb")),
                                   *sorted((REPO / "notebooks" / "ru").glob("*.ipynb"))]
    if not notebooks:
        parser.error("no notebooks given and none in notebooks/")
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        parser.error(f"notebooks not found: {', '.join(missing)}")
    os.environ["CONCLIB_SCALE"] = args.scale  # the kernels inherit it
    args.out.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    entries = []
    for path in notebooks:
        print(f"running {path.name} ({args.scale}) ...", flush=True)
        t0 = time.perf_counter()
        nb, error = execute(path.resolve(), args.timeout)
        seconds = time.perf_counter() - t0
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title_of(nb, path.stem)}})
        href = page_name(path)
        (args.out / href).parent.mkdir(parents=True, exist_ok=True)
        (args.out / href).write_text(body, encoding="utf-8")
        entries.append((href, title_of(nb, path.stem), seconds, error))
        print(f"  {'FAILED' if error else 'ok'} in {seconds:.0f} s -> {args.out / href}", flush=True)
        if error:
            print(error, file=sys.stderr)
    print(f"index: {write_index(args.out, entries, args.scale)}")
    failed = [href for href, _, _, error in entries if error]
    if failed:
        print(f"{len(failed)} notebook(s) failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
