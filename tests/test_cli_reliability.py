"""What the workbench promises when things go wrong (README, Reliability): no command writes
over the database, files are replaced whole, and faults end with one line and exit 1."""

import hashlib
import os
import shutil

import pytest

from tests.test_cli import workbench
from workbench import exporting
from workbench.safe_files import UnsafeTarget, replacing
from workbench.store import Store

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
    result = workbench(*[a.format(db=db, dir=tmp_path, **links) for a in args], "--db", db)
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
    assert workbench("export", "--out", link, "--db", db).returncode == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8-sig").startswith("External id")


def test_a_failed_export_leaves_the_old_file_whole_and_no_partial_file(db, tmp_path,
                                                                        monkeypatch):
    target = tmp_path / "leads.csv"
    target.write_text("the export of yesterday")

    rows = exporting._rows

    def rows_then_a_full_disk(records, custom):
        yield from rows(records, custom)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exporting, "_rows", rows_then_a_full_disk)
    with Store.open(db) as store, pytest.raises(exporting.ExportError, match="No space left"):
        exporting.export_leads(store, target)
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

