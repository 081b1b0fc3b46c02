"""What the workbench promises when things go wrong (README, Reliability): no command writes
over the database, files are replaced whole, and faults end with one line and exit 1."""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing, contextmanager

import pytest

from tests.test_cli import run_process
from workbench.files.safe import UnsafeTarget, replacing
from workbench.services import export
from workbench.store.db import read_only_uri
from workbench.store.leads import Store

LEADS_CSV = "First name,Last name,Email\nAda,Lovelace,ada@example.com\nBad,Row,not-an-email\n"


def digest(*paths):
    return [hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None for p in paths]


@pytest.fixture
def db(demo_db, tmp_path):
    copy = tmp_path / "sm.db"
    shutil.copy(demo_db, copy)
    with Store.open(copy) as store:
        store.stats()  # a first use turns on WAL: later ones leave the file byte for byte
    (tmp_path / "f.csv").write_text(LEADS_CSV)
    return copy


def _link(kind, target, name):
    (os.symlink if kind == "symlink" else os.link)(target, name)
    return name


@pytest.mark.parametrize("args", [
    ["import", "{dir}/f.csv", "--save-mapping", "{db}"],
    ["import", "{dir}/f.csv", "--save-mapping", "{db}-wal"],
    ["import", "{dir}/f.csv", "--save-mapping", "{db}-journal"],
    ["import", "{dir}/f.csv", "--save-mapping", "{symlink}"],
    ["import", "{dir}/f.csv", "--save-mapping", "{hardlink}"],
    ["export", "--out", "{symlink}"],
    ["export", "--out", "{hardlink}"],
    ["criteria", "export", "{db}"],
    ["criteria", "export", "{db}-shm"],
    ["criteria", "export", "{symlink}"],
    ["import", "{dir}/f.csv"],  # its errors file f.errors.csv is a link to the database
])
def test_no_command_writes_over_the_database(db, tmp_path, args):
    links = {"symlink": _link("symlink", db, tmp_path / "link.csv"),
             "hardlink": _link("hardlink", db, tmp_path / "hard.csv")}
    _link("symlink", db, tmp_path / "f.errors.csv")
    before = digest(db)
    result = run_process(*[a.format(db=db, dir=tmp_path, **links) for a in args], "--db", db)
    assert result.returncode == 1, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "choose another file. Nothing was written." in result.stderr
    assert digest(db) == before
    with Store.open(db) as store:
        assert store.stats().leads == 2000  # the import was refused before it began
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["sm.db", "f.csv", "f.errors.csv", "link.csv", "hard.csv"])


def test_an_export_through_a_link_replaces_the_file_it_points_to(db, tmp_path):
    target = tmp_path / "leads.csv"
    target.write_text("old")
    link = _link("symlink", target, tmp_path / "latest.csv")
    assert run_process("export", "--out", link, "--db", db).returncode == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8-sig").startswith("External id")


def test_a_failed_export_leaves_the_old_file_whole_and_no_partial_file(db, tmp_path,
                                                                        monkeypatch):
    target = tmp_path / "leads.csv"
    target.write_text("the export of yesterday")

    rows = export._rows

    def rows_then_a_full_disk(records, custom):
        yield from rows(records, custom)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_rows", rows_then_a_full_disk)
    with Store.open(db) as store, pytest.raises(export.ExportError, match="No space left"):
        export.export_leads(store, target)
    assert target.read_text() == "the export of yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv", "leads.csv", "sm.db"]


def test_a_replaced_file_gets_the_permissions_of_a_new_file(tmp_path):
    with replacing(tmp_path / "a.txt", None) as temporary:
        temporary.write_text("x")
    fresh = tmp_path / "b.txt"
    fresh.write_text("x")
    assert (tmp_path / "a.txt").stat().st_mode == fresh.stat().st_mode


def test_the_database_files_are_refused_even_before_they_exist(tmp_path):
    database = tmp_path / "team.db"
    with pytest.raises(UnsafeTarget, match="the wal file of the database"), \
            replacing(tmp_path / "team.db-wal", database):
        pass
    assert list(tmp_path.iterdir()) == []



# -- faults: one line on stderr, exit status 1, nothing changed --------------------------

def contents(path):
    with closing(sqlite3.connect(read_only_uri(path), uri=True)) as conn:
        return [conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in ("leads", "stage_changes", "qualifications", "criteria_versions")]


def refused_in_one_line(result, words):
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert words in result.stderr, result.stderr


@contextmanager
def tmpfs(folder, size):
    """A small file system of its own: real 'disk full' and 'read-only medium' errors."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", folder],
                      capture_output=True).returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", folder], check=True)


@pytest.mark.slow
def test_a_write_lock_held_over_5_s(db):
    before = contents(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        refused_in_one_line(run_process("lead", "bant", 5, "need=confirmed", "--db", db),
                            "is busy: another program has been writing to it for over 5 s")
        assert run_process("stats", "--db", db).returncode == 0  # reading does not wait
    finally:
        holder.close()
    assert contents(db) == before


def test_a_full_disk(db, tmp_path):
    with tmpfs(tmp_path / "disk", "4m") as disk:
        before = contents(db)
        copy = disk / "full.db"
        shutil.copy(db, copy)  # alone: no -wal or -shm file beside it
        (disk / "f.csv").write_text(LEADS_CSV)
        filler = disk / "filler"
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=4k"], capture_output=True)
        for args in (["stats"], ["lead", "bant", 5, "need=confirmed"], ["score"],
                     ["import", disk / "f.csv"], ["export", "--out", disk / "x.csv"]):
            result = run_process(*args, "--db", copy)
            assert "Traceback" not in result.stderr
            refused_in_one_line(result, "The disk holding")
        filler.unlink()
        assert contents(copy) == before
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert not (disk / "x.csv").exists()


@pytest.fixture
def read_only_db(db, tmp_path):
    """The database on a read-only medium (as root) or as a read-only file in a read-only
    folder (as anyone else)."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir()
        shutil.copy(db, folder / "ro.db")
        (folder / "ro.db").chmod(0o444)
        folder.chmod(0o555)
        yield folder / "ro.db"
        folder.chmod(0o755)
        return
    with tmpfs(tmp_path / "medium", "8m") as medium:
        shutil.copy(db, medium / "ro.db")
        subprocess.run(["mount", "-o", "remount,ro", medium], check=True)
        yield medium / "ro.db"


def test_a_read_only_database_opens_for_reading(read_only_db, tmp_path):
    before = contents(read_only_db)
    stats = run_process("stats", "--db", read_only_db, "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["leads"] == 2000
    shown = run_process("lead", "show", 5, "--db", read_only_db)
    assert shown.returncode == 0 and "Stage history" in shown.stdout, shown.stderr
    out = tmp_path / "all.csv"
    assert run_process("export", "--out", out, "--db", read_only_db).returncode == 0
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 2001
    refused_in_one_line(run_process("lead", "bant", 5, "need=confirmed", "--db", read_only_db),
                        "is read-only: it can be read but not changed")
    assert contents(read_only_db) == before


def test_an_sqlite_header_then_garbage(tmp_path):
    path = tmp_path / "garbage.db"
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    before = path.read_bytes()
    refused_in_one_line(run_process("stats", "--db", path), "is damaged")
    assert path.read_bytes() == before and sorted(tmp_path.iterdir()) == [path]


def test_an_empty_alembic_version(db):
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM alembic_version")
    before = digest(db)
    for args in (["stats"], ["lead", "bant", 5, "need=confirmed"]):
        refused_in_one_line(run_process(*args, "--db", db), "its alembic_version table is empty")
    assert digest(db) == before


@pytest.mark.parametrize("args", [["lead", "show", 2**64], ["lead", "accept", 2**63],
                                  ["merge", 1, 10**30], ["conflicts", "--resolve", 2**64,
                                                         "--keep", "sal"]])
def test_an_id_beyond_64_bits(db, args):
    before = contents(db)
    refused_in_one_line(run_process(*args, "--db", db), "There is no lead or conflict with id")
    assert contents(db) == before


def test_nul_in_search_text_separates_words(demo_db):
    with Store.open(demo_db) as store:
        name = store.lead(7).first_name
        found = store.search_ids(f"{name}\x00")
        assert 7 in found and found == store.search_ids(name)
        assert store.search_ids("\x00") is None


def test_a_relative_database_path(db):
    result = subprocess.run([sys.executable, "-m", "workbench.cli", "--db", db.name, "stats"],
                            capture_output=True, text=True, cwd=db.parent)
    assert result.returncode == 0, result.stderr
