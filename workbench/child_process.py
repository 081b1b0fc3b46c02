"""Helper processes that end when the process that started them ends, even when it is
killed (kill -9) and cannot tell them: nobody is left waiting for their work, and each
holds tens of megabytes."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def end_with_parent() -> None:
    """Called first in a spawned process. On Linux the kernel kills it when its parent
    ends; everywhere (and for a parent that ended before this call) a thread waits for the
    parent to end and then ends the process."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_after, args=(parent,), name="parent-watch",
                         daemon=True).start()


def _exit_after(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # returns once the parent has ended, however it ended
    os._exit(1)
