"""A worker process that dies before it reports says why, with the job's arguments, and leaks nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import conclib

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and file descriptors")
SCRIPT_METHODS = [m for m in ("spawn", "forkserver") if m in conclib.processes.multiprocessing.get_all_start_methods()]


def _run_script(tmp_path: Path, source: str, method: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "course_script.py"
    script.write_text(textwrap.dedent(source))
    return subprocess.run([sys.executable, str(script), method], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)


@pytest.mark.parametrize("method", SCRIPT_METHODS)
def test_a_script_without_the_main_guard_is_told_so_before_any_worker_starts(tmp_path: Path, method: str) -> None:
    done = _run_script(tmp_path, """
        import sys
        import conclib
        conclib.run("processes", conclib.countdown, [1000, 2000], start_method=sys.argv[1])
    """, method)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("RuntimeError: course_script.py, line 4, starts worker processes")
    assert "[(1000,), (2000,)]" in last and 'if __name__ == "__main__":' in last
    assert "resource_tracker" not in done.stderr  # nothing leaked


@pytest.mark.parametrize("method", SCRIPT_METHODS)
def test_a_worker_that_dies_importing_the_script_is_explained(tmp_path: Path, method: str) -> None:
    # `if True:` is not the main guard, but it might be a guard of the author's own: conclib lets
    # it pass, and the workers die importing the script.
    done = _run_script(tmp_path, """
        import sys
        import conclib
        if True:
            conclib.run("processes", conclib.countdown, [1000, 2000], start_method=sys.argv[1])
    """, method)
    assert done.returncode == 1
    error = done.stderr[done.stderr.index("ChildProcessError"):]
    assert "exited with code 1 before it reported a result" in error
    assert "(args (1000,))" in error or "(args (2000,))" in error
    assert 'under `if __name__ == "__main__":`' in error
    if method == "spawn":  # a spawned worker's stderr is captured from its very start
        assert "RuntimeError: conclib.run() was called while a worker process imported your script" in error
    assert "resource_tracker" not in done.stderr


@pytest.mark.parametrize("method", conclib.processes.multiprocessing.get_all_start_methods())
def test_a_worker_killed_by_a_signal_is_explained(tmp_path: Path, method: str) -> None:
    done = _run_script(tmp_path, """
        import os, signal, sys
        import conclib

        def die(name, n):
            print("the last words of", name, file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

        if __name__ == "__main__":
            conclib.run("processes", die, [("x", 7)], start_method=sys.argv[1])
    """, method)
    assert done.returncode == 1
    error = done.stderr[done.stderr.index("ChildProcessError"):]
    assert "job 0 (args ('x', 7)) was killed by signal SIGKILL" in error
    assert "The last lines it wrote to stderr:\n    the last words of x" in error
    assert "out-of-memory" in error
    assert "resource_tracker" not in done.stderr


def test_a_worker_killed_by_a_signal_in_this_process() -> None:
    with pytest.raises(ChildProcessError, match=r"job 1 \(args \(1, 'SIGTERM'\)\) was killed by signal SIGTERM"):
        conclib.run("processes", _kill_self, [(0, ""), (1, "SIGTERM")], timeout=30)


def _kill_self(job: int, name: str) -> None:
    if name:
        os.kill(os.getpid(), getattr(signal, name))
    else:
        conclib.io_wait(10)
