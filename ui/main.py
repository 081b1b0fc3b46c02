"""The `workbench` program: the headless subcommands, and with none of them, the window.

Qt is imported only when the window opens, so subcommands start without it."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from workbench import cli


def open_window(path: Path, screenshot: Path | None) -> int:
    from ui.app import run

    return run(path, screenshot=screenshot)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, open_window=open_window)


if __name__ == "__main__":
    sys.exit(main())
