"""A local HTTP server with a chosen latency, so I/O-bound lessons need no internet.

    >>> from conclib.iotasks import fetch_async
    >>> with latency_server(delay=0.1) as url:
    ...     conclib.run("asyncio", fetch_async, [url] * 100)

The server runs in its own process (so it does not compete with the jobs for
this process's GIL) and listens on 127.0.0.1 only. Paths:

- ``/`` (and any unknown path, which replies 404): wait ``delay`` (+ jitter), reply ``size`` bytes;
- ``/status/{code}``: wait the same, reply with that HTTP status (200-599);
- ``/delay/{seconds}``: wait ``seconds`` instead (at most ``MAX_DELAY``), reply ``size`` bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import random
import signal
from collections.abc import Iterator
from typing import Any

from ._base import validate_count, validate_seconds
from .machine import default_start_method, validate_start_method

__all__ = [
    "BACKLOG",
    "HOST",
    "MAX_DELAY",
    "OPEN_FILES",
    "STARTUP_TIMEOUT",
    "latency_server",
    "raise_open_file_limit",
    "serve",
]

HOST = "127.0.0.1"  # loopback only: nothing outside this machine can connect
BACKLOG = 2048  # connections the kernel queues before accept(): room for 1000 clients at once
STARTUP_TIMEOUT = 10.0  # seconds to wait for the server process to report its port
MAX_DELAY = 60.0  # the longest /delay/{seconds} the server accepts
OPEN_FILES = 4096  # sockets are files: raise the soft limit this far where the OS allows


def raise_open_file_limit(wanted: int = OPEN_FILES) -> int:
    """Raise this process's soft limit of open files (sockets) towards ``wanted``; return the limit.

    macOS allows 256 open files by default, too few for 1000 connections at once.
    Windows has no such limit (the function does nothing there).
    """
    try:
        import resource
    except ImportError:  # Windows
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        new = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@contextlib.contextmanager
def latency_server(delay: float = 0.1, jitter: float = 0.0, size: int = 0, *,
                   start_method: str | None = None) -> Iterator[str]:
    """Start the server in its own process; yield its URL (``http://127.0.0.1:PORT``); stop it on exit.

    Args:
        delay: seconds every reply waits before it is sent (the latency).
        jitter: up to this many extra seconds, uniformly random, per reply.
        size: bytes in each reply's body.
        start_method: how to start the server process (default: conclib's, see
            :func:`conclib.default_start_method`).

    Raises:
        TypeError, ValueError: a bad argument.
        RuntimeError: the server process did not start.
    """
    validate_seconds("delay", delay)
    validate_seconds("jitter", jitter)
    validate_count("size", size)
    method = default_start_method() if start_method is None else validate_start_method(start_method)
    ctx: Any = multiprocessing.get_context(method)
    ours, theirs = ctx.Pipe()
    proc = ctx.Process(target=serve, args=(theirs, delay, jitter, size), name="conclib-latency-server",
                       daemon=True)
    proc.start()
    theirs.close()  # the child holds its own copy; when ours closes, the child sees end-of-file
    try:
        if not ours.poll(STARTUP_TIMEOUT):
            raise RuntimeError(f"the latency server did not start within {STARTUP_TIMEOUT} s")
        try:
            kind, value = ours.recv()
        except EOFError:
            proc.join(1.0)
            kind, value = "error", f"its process exited with code {proc.exitcode}"
        if kind != "port":
            raise RuntimeError(f"the latency server could not start: {value}")
        yield f"http://{HOST}:{value}"
    finally:
        with contextlib.suppress(OSError):
            ours.send("stop")
        ours.close()
        proc.join(2.0)
        if proc.is_alive():
            proc.terminate()
            proc.join(2.0)
        if proc.is_alive():  # pragma: no cover - a server that ignores SIGTERM
            proc.kill()
            proc.join()


# ---------------------------------------------------------------- inside the server process


def serve(conn: Any, delay: float, jitter: float, size: int) -> None:
    """The server process: run the web app until the parent says stop or goes away."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle; it stops us
    raise_open_file_limit()
    try:
        asyncio.run(_serve(conn, delay, jitter, size))
    except Exception as exc:  # tell the parent why, instead of a bare exit code
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        conn.close()


async def _serve(conn: Any, delay: float, jitter: float, size: int) -> None:
    from aiohttp import web  # only the server process needs the web part of aiohttp

    body = b"x" * size

    async def wait(seconds: float) -> None:
        await asyncio.sleep(seconds + (random.uniform(0.0, jitter) if jitter else 0.0))

    async def root(request: web.Request) -> web.Response:
        await wait(delay)
        return web.Response(body=body)

    async def status(request: web.Request) -> web.Response:
        code = request.match_info["code"]
        if not code.isdigit() or not 200 <= int(code) <= 599:
            return web.Response(status=400, text=f"status must be a number from 200 to 599, got {code!r}")
        await wait(delay)
        return web.Response(status=int(code), body=body)

    async def slow(request: web.Request) -> web.Response:
        text = request.match_info["seconds"]
        try:
            seconds = float(text)
        except ValueError:
            seconds = -1.0
        if not 0.0 <= seconds <= MAX_DELAY:
            return web.Response(status=400, text=f"seconds must be from 0 to {MAX_DELAY}, got {text!r}")
        await wait(seconds)
        return web.Response(body=body)

    async def missing(request: web.Request) -> web.Response:
        await wait(delay)
        return web.Response(status=404, text=f"no such path: {request.path}")

    app = web.Application()
    app.router.add_get("/", root)
    app.router.add_get("/status/{code}", status)
    app.router.add_get("/delay/{seconds}", slow)
    app.router.add_route("*", "/{tail:.*}", missing)
    # handler_cancellation: stop waiting for a client that went away (e.g. it timed out);
    # shutdown_timeout: replies still in flight when we stop get this long to finish.
    runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.25)
    await runner.setup()
    try:
        await web.TCPSite(runner, HOST, 0, backlog=BACKLOG).start()
        conn.send(("port", runner.addresses[0][1]))
        await asyncio.to_thread(_wait_for_stop, conn)
    finally:
        await runner.cleanup()


def _wait_for_stop(conn: Any) -> None:
    """Block until the parent sends "stop" or closes its end of the pipe (it exited or crashed)."""
    with contextlib.suppress(EOFError, OSError):
        conn.recv()
