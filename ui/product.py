"""The product as a desktop shows it: its name, id, version and icon."""

from __future__ import annotations

from pathlib import Path

APP_NAME = "Lead Workbench"
# its desktop entry's and icon's name (packaging/), as its data folder's (workbench/paths.py)
APP_ID = "lead-workbench"
# beside the code in a clone and in the bundle; a wheel has no resources folder
ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"


def version() -> str:
    """The version in pyproject.toml, from the installed package's metadata (the bundle
    carries that metadata too)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    try:
        return package_version("lead-workbench")
    except PackageNotFoundError:  # run from a clone that was never installed
        return "unknown"


def app_icon():
    """The icon's PNGs, else the icon the desktop's theme has under the application's id
    (where a wheel's user installed one)."""
    from PySide6.QtGui import QIcon

    icon = QIcon()
    for png in sorted(ICONS.glob(f"{APP_ID}-*.png")):
        icon.addFile(str(png))
    return icon if not icon.isNull() else QIcon.fromTheme(APP_ID)
