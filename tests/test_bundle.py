"""The bundle from `make bundle`, run as on a rep's machine: outside the virtual environment,
no PYTHONPATH, no Python on PATH, data in the platform's data folder. Only `make
bundle-test` runs these (marker `bundle`, left out of the default run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.old_databases import first_schema_database
from workbench.files.split import PARALLEL_MIN_BYTES
from workbench.services.scoring import PARALLEL_FROM
from workbench.store import db

BUNDLE = Path(__file__).resolve().parent.parent / "dist" / "lead-workbench"
WORKER = "--multiprocessing-fork"  # the command line of a spawned worker, frozen

pytestmark = [pytest.mark.bundle,
              pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="the bundle is built and tested on Linux here")]


@pytest.fixture(scope="module")
def workbench() -> Path:
    program = BUNDLE / "workbench"
    if not program.exists():
        pytest.fail(f"{program} is missing: run `make bundle` first")
    return program


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def desktop_env(home: Path) -> dict[str, str]:
    """What a desktop session gives a program, and nothing of the test run's Python."""
    empty = home / "no-python"
    empty.mkdir(parents=True, exist_ok=True)
    return {"HOME": str(home), "PATH": str(empty), "LANG": "C.UTF-8", "TZ": "UTC",
            "QT_QPA_PLATFORM": "offscreen", "WORKBENCH_NOW": os.environ["WORKBENCH_NOW"]}


def run(workbench: Path, home: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(workbench), *args], env=desktop_env(home), cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def run_watching_workers(workbench: Path, home: Path, *args: str,
                         cwd: Path) -> tuple[subprocess.CompletedProcess, set[int]]:
    """Run the bundle, noting the spawned workers it starts (their process ids)."""
    process = subprocess.Popen([str(workbench), *args], env=desktop_env(home), cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()
    while process.poll() is None:
        workers |= _workers_of(process.pid)
        time.sleep(0.05)
    out, err = process.communicate()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err), workers


def _workers_of(parent: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile
        if ppid == parent and WORKER.encode() in cmdline:
            found.add(int(stat.parent.name))
    return found


def test_help_answers(workbench, home, tmp_path):
    result = run(workbench, home, "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: workbench")
    assert "Lead Workbench" in result.stdout


def test_the_window_opens_on_the_demo_in_the_data_folder(workbench, home, tmp_path):
    result = run(workbench, home, "--demo", "--screenshot", "board.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (home / ".local" / "share" / "lead-workbench" / "demo.db").is_file()
    image = QImage(str(tmp_path / "board.png"))
    assert (image.width(), image.height()) == (1440, 900)
    # a painted board, not an empty window: cards, scores and text in many colours
    colours = {image.pixel(x, y) for x in range(0, 1440, 7) for y in range(0, 900, 7)}
    assert len(colours) > 100


def test_an_older_database_is_migrated_with_a_backup(workbench, home, tmp_path):
    path = tmp_path / "old.db"
    first_schema_database(path)

    result = run(workbench, home, "--db", "old.db", "lead", "show", "1", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == "Ada Byron"
    [backup] = tmp_path.glob("old.before-20261123_0001-*.db")
    assert db.inspect_file(backup) == "20261123_0001"
    assert db.inspect_file(path) == db.head_revision()


def test_rescoring_and_a_large_import_run_in_spawned_workers(workbench, home, tmp_path):
    made = run(workbench, home, "demo", "--db", "big.db", "--leads", str(PARALLEL_FROM),
               cwd=tmp_path)
    assert made.returncode == 0, made.stderr

    scored, workers = run_watching_workers(workbench, home, "--db", "big.db", "score",
                                           "--json", cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    assert json.loads(scored.stdout)["leads"] == PARALLEL_FROM
    assert workers, "the rescore started no worker process"
    assert scored.stderr == ""  # a worker that ran the command line instead would complain

    exported = run(workbench, home, "--db", "big.db", "export", "--out", "big.csv",
                   cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "big.csv").stat().st_size > PARALLEL_MIN_BYTES
    run(workbench, home, "demo", "--db", "into.db", "--leads", "10", cwd=tmp_path)
    imported, helpers = run_watching_workers(workbench, home, "--db", "into.db", "import",
                                             "big.csv", "--no-score", "--json", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["rows"] == PARALLEL_FROM
    assert helpers, "the import started no helper process"


def test_install_puts_it_in_the_applications_menu(home, tmp_path):
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(["sh", str(BUNDLE / "install.sh")], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    share = home / ".local" / "share"
    entry = (share / "applications" / "lead-workbench.desktop").read_text()
    assert f'Exec="{BUNDLE}/workbench"\n' in entry
    assert f'Exec="{BUNDLE}/workbench" --demo\n' in entry
    for size in (16, 32, 48, 256):
        assert (share / "icons" / "hicolor" / f"{size}x{size}" / "apps" /
                "lead-workbench.png").is_file()
