"""Every test runs offscreen, on temporary databases, with a temporary data folder."""

import os
from datetime import datetime
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from workbench import demo  # noqa: E402
from workbench.store import Store  # noqa: E402

DEMO_AS_OF = datetime(2026, 11, 23, 9, 0)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "test.db") as opened:
        yield opened


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2,000-lead demo shared by read-only tests; copy it before changing it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    demo.create_database(path, leads=2000, seed=11, as_of=DEMO_AS_OF)
    return path
