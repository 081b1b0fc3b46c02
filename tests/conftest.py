"""Every test runs offscreen, on temporary databases, with a temporary data folder."""

import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# One fixed clock for the whole suite and every process it starts (workbench.clock): no
# test depends on the day it runs. The demo below is made three hours before it, so its
# scores are as of the suite's day. Local time is UTC, so 'today' is the same everywhere.
SUITE_NOW = datetime(2026, 11, 23, 12, 0)
os.environ["WORKBENCH_NOW"] = SUITE_NOW.isoformat()
os.environ["TZ"] = "UTC"
time.tzset()

from workbench import cli, demo  # noqa: E402
from workbench.store.leads import Store  # noqa: E402

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


@pytest.fixture
def db_copy(demo_db: Path, tmp_path: Path) -> Path:
    """A copy of the shared demo, for a test that changes it."""
    path = tmp_path / "demo-copy.db"
    shutil.copy(demo_db, path)
    return path


@pytest.fixture(autouse=True)
def no_unexpected_message_box(monkeypatch: pytest.MonkeyPatch) -> None:
    """Offscreen, a message box nobody answers waits forever: one that a test does not
    expect (and patch itself) fails the test at once instead of hanging the suite."""
    from PySide6.QtWidgets import QMessageBox

    def unexpected(*args, **_kwargs):
        raise AssertionError(f"an unexpected message box: {args[1:3]}")

    for name in ("warning", "critical", "information", "question"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(unexpected))


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def workbench(capsys, monkeypatch):
    """Run `workbench ARGS` in this process; env_dir is the data folder for that run."""

    def run(*args, env_dir=None):
        if env_dir is not None:
            monkeypatch.setenv("WORKBENCH_DATA_DIR", str(env_dir))
        capsys.readouterr()  # what came before is not this command's
        code = cli.main([str(a) for a in args])
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


@pytest.fixture
def open_window(qtbot, tmp_path):
    """Open a window on a database (a name: NAME.db in tmp_path; or a path), shown; each
    is closed with its store after the test, unless it was closed for another database's
    window (File › Open…), which deletes it."""
    from shiboken6 import isValid

    from ui.views.main_window import MainWindow

    opened = []

    def open_on(where):
        store = Store.open(where if isinstance(where, Path) else tmp_path / f"{where}.db")
        window = MainWindow(store)
        window.show()
        qtbot.waitExposed(window)
        opened.append((window, store))
        return window

    yield open_on
    for window, store in opened:
        if isValid(window):
            # a rescore begun at opening (a new database's scores) hands its result back
            # before the database closes
            qtbot.waitUntil(lambda window=window: not window.operations.running(),
                            timeout=30_000)
            if window.first_day.you_dialog is not None:
                window.first_day.you_dialog.close()
            window.close()
        store.close()
