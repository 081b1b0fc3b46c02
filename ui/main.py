"""The `workbench` program: the headless subcommands, and with none of them, the window.

Qt is imported only when the window opens, so subcommands start without it.

A start makes some 100,000 objects that live as long as the program: modules, then the
window's widgets and models. Python's cyclic collector would scan them again and again
while they are made (40-70 ms of the window's start at a million leads), so it waits until
they exist; from then on they are left out of every collection (gc.freeze)."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

# BLAS on one thread, set before NumPy loads: a thread per core made NumPy's load take
# 70-150 ms instead of 40-70 (the first lead's score explanation loads it as the window
# opens), the model fits limit BLAS to one thread anyway (TECH-NOTES), and the rescore's
# worker processes would each start a thread per core. A value set by the user stays.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def collect_from_now() -> None:
    """The collector runs again, and never scans what exists now."""
    gc.freeze()
    gc.enable()


def open_window(path: Path, screenshot: Path | None) -> int:
    gc.disable()
    try:
        from ui.app import run

        return run(path, screenshot=screenshot, shown=collect_from_now)
    finally:
        collect_from_now()


def main(argv: Sequence[str] | None = None) -> int:
    gc.disable()
    try:
        from workbench import cli
    finally:
        collect_from_now()
    return cli.main(argv, open_window=open_window)


if __name__ == "__main__":
    sys.exit(main())
