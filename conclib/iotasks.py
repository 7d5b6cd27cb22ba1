"""Real I/O-bound tasks: HTTP requests (urllib, aiohttp) and file reads and writes.

    >>> from conclib.ioserver import latency_server
    >>> from conclib.iotasks import fetch, fetch_async
    >>> with latency_server(delay=0.1) as url:
    ...     conclib.run("threads", fetch, [url] * 100)        # 100 threads, each waits 0.1 s
    ...     conclib.run("asyncio", fetch_async, [url] * 100)  # 100 coroutines in one thread

Each task takes one request or one file, so ``jobs`` is a list of URLs or paths.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import urllib.error
import urllib.request
import weakref
from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ._base import current_probe, task_info, validate_count, validate_seconds
from .i18n import _

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "FILE_CHUNK",
    "SCHEMES",
    "HTTPStatusError",
    "fetch",
    "fetch_async",
    "read_file",
    "read_file_async",
    "session",
    "write_file",
    "write_file_async",
]

SCHEMES = ("http", "https")
FILE_CHUNK = 1 << 20  # bytes per write() or read() call, and per progress sample


class HTTPStatusError(Exception):
    """The server replied, but not with a success status (2xx)."""

    def __init__(self, url: str, status: int) -> None:
        try:
            phrase = f" ({HTTPStatus(status).phrase})"
        except ValueError:
            phrase = ""
        super().__init__(_("{url} replied with HTTP status {status}{phrase}").format(url=url, status=status,
                                                                                      phrase=phrase))
        self.url, self.status = url, status

    def __reduce__(self) -> tuple[Any, ...]:  # travels back from worker processes
        return type(self), (self.url, self.status), self.__dict__


# --------------------------------------------------------------------------- HTTP


def _validate_fetch(url: str, timeout: float = 10.0) -> None:
    if not isinstance(url, str):
        raise TypeError(_("{name} must be a string like 'http://127.0.0.1:8080/', got {value!r} ({type})")
                        .format(name="url", value=url, type=type(url).__name__))
    parts = urlsplit(url)
    if parts.scheme.lower() not in SCHEMES or not parts.netloc:
        raise ValueError(_("{name} must be an http:// or https:// address with a host, "
                           "e.g. 'http://127.0.0.1:8080/'; got {value!r}").format(name="url", value=url))
    validate_seconds("timeout", timeout, allow_zero=False)


# Like aiohttp's default, ignore proxy settings from the environment: the course's
# server is on this machine, and a request to 127.0.0.1 must never go to a proxy.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@task_info(validate=_validate_fetch)
def fetch(url: str, timeout: float = 10.0) -> bytes:
    """GET ``url`` with the standard library's blocking client; return the body.

    The thread waits (without the GIL) while the server takes its time.
    urllib opens a new connection for every request.

    Raises:
        ConnectionError: the server could not be reached or dropped the connection.
        TimeoutError: no reply within ``timeout`` seconds.
        HTTPStatusError: the reply's status is not 2xx (e.g. 404, 500).
    """
    _validate_fetch(url, timeout)
    probe = current_probe()
    probe.begin(1)
    try:
        with _opener.open(url, timeout=timeout) as response:
            body: bytes = response.read()
            status = response.status
    except urllib.error.HTTPError as exc:  # a 4xx or 5xx reply
        exc.close()
        raise HTTPStatusError(url, exc.code) from None
    except (OSError, http.client.HTTPException) as exc:  # URLError, TimeoutError, a dropped connection
        raise _network_error(url, timeout, getattr(exc, "reason", exc)) from exc
    if not 200 <= status < 300:
        raise HTTPStatusError(url, status)
    probe.tick(1)
    return body


def _network_error(url: str, timeout: float, reason: Any) -> Exception:
    """The one error the course shows for a failed request: it names the URL."""
    if isinstance(reason, (TimeoutError, asyncio.TimeoutError)):
        return TimeoutError(_("no reply from {url} within timeout={timeout!r} s").format(url=url, timeout=timeout))
    return ConnectionError(_("could not fetch {url}: {reason}").format(url=url, reason=reason))


_sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = weakref.WeakKeyDictionary()


async def _session_keeper() -> AsyncIterator[aiohttp.ClientSession]:
    """Hold one session open until the event loop shuts down its async generators.

    ``asyncio.run`` (and so every ``conclib.run("asyncio", ...)``) closes them before it
    closes the loop, so the session and its connections are closed properly.
    """
    import aiohttp  # imported when first needed: the other tasks do not need it

    # limit=0: no cap on connections at once (the default, 100, would queue request 101)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        yield session


async def session() -> aiohttp.ClientSession:
    """The ``aiohttp.ClientSession`` of the running event loop, shared by every job of a run.

    One session per application (here: per event loop) is aiohttp's advice: it
    pools connections and is cheaper than a session per request.
    """
    loop = asyncio.get_running_loop()
    if loop not in _sessions:
        keeper = _session_keeper()  # the loop's async-generator hooks now know it
        _sessions[loop] = keeper, asyncio.ensure_future(keeper.__anext__())
    _, opened = _sessions[loop]
    if opened.done():
        return opened.result()  # type: ignore[no-any-return]
    return await asyncio.shield(opened)  # type: ignore[no-any-return]  # a cancelled job must not cancel it


@task_info(validate=_validate_fetch, sync_twin=fetch)
async def fetch_async(url: str, timeout: float = 10.0) -> bytes:
    """GET ``url`` with aiohttp; return the body. The coroutine awaits the reply, so others run meanwhile.

    Raises:
        ConnectionError: the server could not be reached or dropped the connection.
        TimeoutError: no reply within ``timeout`` seconds.
        HTTPStatusError: the reply's status is not 2xx (e.g. 404, 500).
    """
    import aiohttp

    _validate_fetch(url, timeout)
    probe = current_probe()
    probe.begin(1)
    client = await session()
    try:
        async with client.get(url, timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            if not 200 <= response.status < 300:
                raise HTTPStatusError(url, response.status)
            body = await response.read()
    except TimeoutError as exc:
        raise _network_error(url, timeout, exc) from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise _network_error(url, timeout, exc) from exc
    probe.tick(1)
    return body


# --------------------------------------------------------------------------- files


def _validate_path(path: Any) -> None:
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise TypeError(_("{name} must be a file name (str or pathlib.Path), got {value!r}").format(name="path",
                                                                                                   value=path))


def _validate_write(path: Any, size: int = FILE_CHUNK) -> None:
    _validate_path(path)
    validate_count("size", size)


@task_info(validate=_validate_write)
def write_file(path: str | os.PathLike[str], size: int = FILE_CHUNK) -> int:
    """Write ``size`` bytes to ``path`` (replacing it), one ``FILE_CHUNK`` at a time; return ``size``."""
    _validate_write(path, size)
    probe = current_probe()
    probe.begin(size)
    block = memoryview(bytes(min(size, FILE_CHUNK)))
    done = 0
    with open(path, "wb") as file:
        while done < size:
            done += file.write(block[: size - done])
            probe.tick(done)
    return size


@task_info(validate=_validate_path)
def read_file(path: str | os.PathLike[str]) -> int:
    """Read ``path`` to the end, one ``FILE_CHUNK`` at a time; return the number of bytes read."""
    _validate_path(path)
    probe = current_probe()
    probe.begin(max(os.path.getsize(path), 1))
    done = 0
    with open(path, "rb") as file:
        while chunk := file.read(FILE_CHUNK):
            done += len(chunk)
            probe.tick(done)
    return done


@task_info(validate=_validate_write, sync_twin=write_file)
async def write_file_async(path: str | os.PathLike[str], size: int = FILE_CHUNK) -> int:
    """:func:`write_file` in a worker thread (``asyncio.to_thread``), so the event loop stays free.

    The standard library has no truly asynchronous file I/O: asyncio (like the
    aiofiles package) hands file work to a thread.
    """
    return await asyncio.to_thread(write_file, path, size)


@task_info(validate=_validate_path, sync_twin=read_file)
async def read_file_async(path: str | os.PathLike[str]) -> int:
    """:func:`read_file` in a worker thread (``asyncio.to_thread``), so the event loop stays free.

    The standard library has no truly asynchronous file I/O: asyncio (like the
    aiofiles package) hands file work to a thread.
    """
    return await asyncio.to_thread(read_file, path)
