"""Checks for 01-threads-and-processes: what threads and processes share."""

from __future__ import annotations

from typing import Any

from ..i18n import gettext as _
from . import HIDE_FRAMES, Verdict, missing, passed, wrong

__all__ = ["same_pid"]


def same_pid(threads: Any = None, processes: Any = None) -> Verdict:
    """Do two threads / two processes of one run have the same PID as this notebook? (True or False)"""
    __tracebackhide__ = HIDE_FRAMES
    if threads is None or processes is None:
        return missing(_("Set both answers to True or False, e.g. same_pid(threads=..., processes=...)."))
    for name, value in (("threads", threads), ("processes", processes)):
        if not isinstance(value, bool):
            return wrong(_("{name} must be True or False, got {value!r}.").format(name=name, value=value))
    if threads is not True:
        return wrong(_("Look at the pid column of the threads run again: every thread lives inside this "
                       "notebook's process, so each one reports the same PID as os.getpid()."))
    if processes is not False:
        return wrong(_("Look at the pid column of the processes run again: each worker process is a new "
                       "program with its own PID, different from os.getpid()."))
    return passed(_("Threads run inside one process (one PID, one memory); every process gets its own PID "
                    "and its own memory."))
