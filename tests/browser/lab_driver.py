"""Drive a real JupyterLab in headless Chromium: start the server, run a notebook, read what is on screen."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nbformat
import psutil

#: Chromium flags: no sandbox (it refuses to start as root without it), and no calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-quic", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
LIVE_MARK = "live=True"
RAISES_MARK = "# NBVAL_RAISES_EXCEPTION"
RAISES_TAG = "raises-exception"
QUIET = 2.0  # seconds without a kernel message after which an idle kernel is done with Run All
#: A live plot whose frames span at least this long must show a frame between its first and its last. A
#: shorter run (a quick-size cell) may legitimately show only those two: after its first frame the live
#: race skips frames that would take more than its drawing budget (4% of the elapsed time).
MOTION_SPAN = 2.0
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on screen

#: JupyterLab user settings: no autosave (the notebook on disk stays as it was), every cell in the DOM
#: (no windowing, so every output can be read), no news or update checks.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}

#: Records, per watched cell, every distinct image the page renders (hash and pixel size) and the
#: smallest height of the cell's output once the first image is there (a drop means the plot flashes).
WATCH_IMAGES_JS = """(indexes) => {
  const notebook = document.querySelector('NOTEBOOK .jp-Notebook');
  const cells = [...notebook.querySelectorAll('.jp-Cell')];
  const seen = window.__labImages = {};
  const hash = (s) => { let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
                        return s.length + ':' + h; };
  const look = () => {
    for (const i of indexes) {
      const cell = cells[i];
      if (!cell) continue;
      const record = seen[i] = seen[i] || {frames: [], times: [], sizes: [], minHeight: null};
      for (const img of cell.querySelectorAll('.jp-OutputArea img')) {
        const key = hash(img.getAttribute('src') || '');
        if (!record.frames.includes(key)) { record.frames.push(key); record.times.push(performance.now() / 1000); }
        if (img.complete && img.naturalWidth) {
          const size = img.naturalWidth + 'x' + img.naturalHeight;
          if (!record.sizes.includes(size)) record.sizes.push(size);
        }
      }
    }
  };
  // Heights are read just before each paint, so they are what the screen shows.
  const measure = () => {
    for (const i of indexes) {
      const record = seen[i], output = cells[i] && cells[i].querySelector('.jp-Cell-outputWrapper');
      if (record && record.sizes.length && output) {  // from the first image that finished loading on
        const h = output.getBoundingClientRect().height;
        record.minHeight = record.minHeight === null ? h : Math.min(record.minHeight, h);
      }
    }
    window.__labFrame = requestAnimationFrame(measure);
  };
  measure();
  new MutationObserver(look).observe(notebook, {subtree: true, childList: true, attributes: true});
  window.__labTimer = setInterval(look, 50);
  look();
}""".replace("NOTEBOOK", NOTEBOOK)

#: What each cell shows once the run is over: its prompt, error outputs and images. JupyterLab renders an
#: error output (a traceback) like a stderr stream: mime type application/vnd.jupyter.stderr.
READ_CELLS_JS = r"""() => {
  const all = (node, selector) => [...node.querySelectorAll(selector)];
  const output = (mime) => `.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.${mime}"]`;
  return all(document, 'NOTEBOOK .jp-Notebook .jp-Cell').map((cell) => ({
    code: cell.classList.contains('jp-CodeCell'),
    prompt: all(cell, '.jp-InputArea-prompt, .jp-OutputArea-prompt')
      .map((p) => p.textContent.trim()).filter((t) => t).concat([''])[0],
    errors: all(cell, output('stderr')).map((o) => o.textContent)
      .filter((t) => /Traceback|Error\b|Exception\b/.test(t)),
    images: all(cell, '.jp-OutputArea img').length,
    distinct: new Set(all(cell, '.jp-OutputArea img').map((i) => i.getAttribute('src'))).size,
    height: cell.querySelector('.jp-Cell-outputWrapper')?.getBoundingClientRect().height ?? 0,
    widgets: all(cell, '.jp-OutputArea-output > .jupyter-widgets').length,
    brokenWidgets: all(cell, '.jp-OutputArea-output')
      .filter((o) => /^(Error displaying widget|Loading widget)/.test(o.textContent.trim())).length,
    text: all(cell, '.jp-OutputArea-output').map((o) => o.textContent).join('\n'),
  }));
}""".replace("NOTEBOOK", NOTEBOOK)


@dataclasses.dataclass
class CellReport:
    """One cell after Run All: did it run, what errors and images it shows, how often its plot changed."""

    index: int
    source: str
    code: bool
    prompt: str  # "[3]:" once it ran; "" when JupyterLab shows none (input collapsed, no output)
    errors: list[str]
    images: int
    distinct: int  # different images among them (fewer than ``images``: a plot shown twice)
    height: float  # the output's final height (pixels)
    widgets: int  # ipywidgets on screen
    broken_widgets: int  # ipywidgets that did not render (an error or "Loading widget..." in their place)
    text: str
    tags: list[str]
    frames: int  # distinct images seen while the notebook ran (live cells only)
    span: float  # seconds from the first of them to the last
    sizes: list[str]  # their pixel sizes, "640x480"
    min_height: float | None  # the output's smallest height once it showed an image (pixels)

    @property
    def executed(self) -> bool:
        return any(ch.isdigit() for ch in self.prompt)

    @property
    def live(self) -> bool:
        return LIVE_MARK in self.source

    @property
    def raises_on_purpose(self) -> bool:
        return RAISES_MARK in self.source or RAISES_TAG in self.tags


@dataclasses.dataclass
class NotebookReport:
    """What Run All left on screen, cell by cell, and how long it took."""

    name: str
    seconds: float
    cells: list[CellReport]
    screenshots: list[Path]

    def code_cells(self) -> list[CellReport]:
        return [c for c in self.cells if c.code and c.source.strip()]

    def problems(self) -> list[str]:
        """Everything a learner would see go wrong, one line each (empty when all is well)."""
        out = []
        for cell in self.code_cells():
            where = f"{self.name}, cell {cell.index} ({cell.source.strip().splitlines()[0][:60]!r})"
            if cell.prompt and not cell.executed:
                failed = [c for c in self.code_cells() if c.index < cell.index and c.errors]
                after = (f"after cell {failed[-1].index} failed" if failed else "before it")
                hint = (f"; a cell that fails on purpose needs the tag {RAISES_TAG!r} for Run All to go on"
                        if failed and failed[-1].raises_on_purpose and RAISES_TAG not in failed[-1].tags else "")
                out.append(f"{where} and the cells after it never ran: Run All stopped {after}{hint}")
                break  # the cells below did not run either
            if cell.errors and not cell.raises_on_purpose:
                out.append(f"{where} shows an error:\n{cell.errors[0][-1500:]}")
            expected = 3 if cell.span >= MOTION_SPAN else 2  # the first frame, one in between, the last
            if cell.live and cell.frames < expected:
                out.append(f"{where} is a live plot, but its image changed {max(cell.frames - 1, 0)} time(s) in "
                           f"{cell.span:.2f} s (at least {expected - 1} expected: a run of {MOTION_SPAN} s or more "
                           f"shows a frame between the first and the last)")
            if cell.live and cell.images == 0:
                out.append(f"{where} is a live plot with no image at the end")
            if cell.broken_widgets:
                out.append(f"{where} has {cell.broken_widgets} widget(s) that did not render")
            if cell.distinct < cell.images:
                out.append(f"{where} shows the same image {cell.images - cell.distinct + 1} times (a plot shown twice)")
            if cell.live and len(cell.sizes) > 1:
                out.append(f"{where} is a live plot whose image changes size while it runs ({cell.sizes}): it jumps")
            if cell.live and cell.min_height is not None and cell.min_height < 0.5 * cell.height:
                out.append(f"{where} is a live plot whose output shrank to {cell.min_height:.0f} px between frames "
                           f"(final {cell.height:.0f} px): it flashes")
        return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclasses.dataclass
class Lab:
    """A running JupyterLab server: its base URL, token and root folder."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen[bytes]

    def api(self, path: str, method: str = "GET") -> Any:
        request = urllib.request.Request(f"{self.url}api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernel_of(self, path: str) -> dict[str, Any] | None:
        for session in self.api("sessions"):
            if session.get("path") == path and session.get("kernel"):
                return session  # type: ignore[no-any-return]
        return None


@contextlib.contextmanager
def jupyterlab(root: Path, home: Path, env: dict[str, str], timeout: float = 60) -> Iterator[Lab]:
    """Start ``jupyter lab`` on 127.0.0.1 with a random port and token, settings under ``home``; stop it after."""
    for plugin, values in LAB_SETTINGS.items():
        file = home / "lab-settings" / f"{plugin}.jupyterlab-settings"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(json.dumps(values))
    dirs = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_RUNTIME_DIR": "runtime", "JUPYTER_DATA_DIR": "data",
            "JUPYTERLAB_SETTINGS_DIR": "lab-settings", "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
            "IPYTHONDIR": "ipython"}
    full_env = {**os.environ, **{k: str(home / v) for k, v in dirs.items()}, **env}
    port, token = free_port(), secrets.token_hex(16)
    log = (home / "jupyterlab.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=", *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        env=full_env, stdout=log, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}/", token, root, process)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with code {process.returncode}; see {home / 'jupyterlab.log'}")
            with contextlib.suppress(OSError):
                lab.api("status")
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not answer within {timeout} s; see {home / 'jupyterlab.log'}")
            time.sleep(0.2)
        yield lab
    finally:
        stop_process_tree(process)
        log.close()


def stop_process_tree(process: subprocess.Popen[bytes], grace: float = 10) -> None:
    """Terminate a process and everything it started (kernels), killing what outlives ``grace`` seconds."""
    children = []
    with contextlib.suppress(psutil.Error):
        children = psutil.Process(process.pid).children(recursive=True)
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    _, alive = psutil.wait_procs(children, timeout=grace)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(alive, timeout=grace)


def chromium_path() -> str | None:
    """Chromium on this machine (Debian's ``chromium``, or another name it goes by), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def wait_for(condition: Any, timeout: float, what: str, every: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up after {timeout} s waiting for {what}")
        time.sleep(every)


def full_page_screenshot(page: Any, target: Path, limit: int = 16_000) -> Path:
    """The whole notebook in one picture: the window made as tall as the notebook, then put back."""
    extra = page.evaluate("""() => {
      const outer = document.querySelector('NOTEBOOK .jp-WindowedPanel-outer');
      return outer ? outer.scrollHeight - outer.clientHeight : 0; }""".replace("NOTEBOOK", NOTEBOOK))
    page.set_viewport_size({**VIEWPORT, "height": min(VIEWPORT["height"] + max(extra, 0), limit)})
    page.wait_for_timeout(500)  # let JupyterLab lay the panels out again
    page.locator(f"{NOTEBOOK} .jp-WindowedPanel-outer").first.evaluate("e => e.scrollTo(0, 0)")
    page.screenshot(path=str(target))
    page.set_viewport_size(VIEWPORT)
    return target


def run_notebook(lab: Lab, context: Any, path: str, shots: Path, timeout: float = 240) -> NotebookReport:
    """Open ``path`` (relative to the lab's root) in a new tab, Run All Cells, and report what the page shows."""
    nb = nbformat.read(lab.root / path, as_version=4)
    sources = [cell.source for cell in nb.cells]
    tags = [list(cell.metadata.get("tags", [])) for cell in nb.cells]
    live = [i for i, source in enumerate(sources) if LIVE_MARK in source]
    stem = Path(path).stem if Path(path).parent.name != "ru" else f"ru-{Path(path).stem}"  # both editions
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(f"{lab.url}lab/tree/{path}?reset&token={lab.token}")  # reset: no tabs from before
        page.locator(f"{NOTEBOOK} .jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        session = wait_for(lambda: lab.kernel_of(path), 60, f"a kernel for {path}")
        kernel = f"kernels/{session['kernel']['id']}"
        wait_for(lambda: lab.api(kernel)["execution_state"] == "idle", 60, f"the kernel of {path} to start")
        page.evaluate(WATCH_IMAGES_JS, live)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel", has_text="Run All Cells").first.click()

        def finished() -> bool:
            """No cell queued or running, and the kernel idle and silent for a while.

            The prompts alone do not tell: once a cell fails, JupyterLab clears the ``[*]`` of the queued cells,
            yet the kernel runs them when the failing cell had the tag ``raises-exception``.
            """
            busy = page.evaluate("() => [...document.querySelectorAll('NOTEBOOK .jp-InputArea-prompt')]"
                                 ".some((p) => p.textContent.includes('*'))".replace("NOTEBOOK", NOTEBOOK))
            state = lab.api(kernel)
            if state["execution_state"] == "dead":
                raise RuntimeError(f"the kernel of {path} died during Run All")
            quiet = datetime.now(UTC) - datetime.fromisoformat(state["last_activity"].replace("Z", "+00:00"))
            return not busy and state["execution_state"] == "idle" and quiet.total_seconds() > QUIET

        wait_for(finished, timeout, f"Run All in {path} to finish", every=0.25)
        seconds = time.perf_counter() - t0
        seen = page.evaluate("() => { clearInterval(window.__labTimer); cancelAnimationFrame(window.__labFrame); "
                             "return window.__labImages; }")
        shown = page.evaluate(READ_CELLS_JS)
        if len(shown) != len(sources):
            raise RuntimeError(f"{path} has {len(sources)} cells, the page shows {len(shown)}")
        cells = []
        for i, c in enumerate(shown):
            watched = seen.get(str(i), {})
            times = watched.get("times") or [0.0]
            cells.append(CellReport(
                i, sources[i], c["code"], c["prompt"], c["errors"], c["images"], c["distinct"], c["height"],
                c["widgets"], c["brokenWidgets"], c["text"], tags[i], len(watched.get("frames", [])),
                max(times) - min(times), watched.get("sizes", []), watched.get("minHeight")))
        saved = []
        dom_cells = page.locator(f"{NOTEBOOK} .jp-Notebook .jp-Cell")
        for i in live:
            target = shots / f"{stem}-cell{i:02d}.png"
            dom_cells.nth(i).scroll_into_view_if_needed()
            dom_cells.nth(i).screenshot(path=str(target))
            saved.append(target)
        saved.append(full_page_screenshot(page, shots / f"{stem}-page.png"))
        with contextlib.suppress(urllib.error.URLError):
            lab.api(f"sessions/{session['id']}", method="DELETE")  # stop the kernel now, not at server exit
        return NotebookReport(stem, seconds, cells, saved)
    finally:
        page.close()
