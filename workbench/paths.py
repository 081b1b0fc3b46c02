"""Where the workbench keeps its databases: WORKBENCH_DATA_DIR first, then the platform default."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "WORKBENCH_DATA_DIR"


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("lead-workbench", appauthor=False))


def default_db_path() -> Path:
    return data_dir() / "workbench.db"


def demo_db_path() -> Path:
    return data_dir() / "demo.db"
