"""The product as the window shows it: its name, version and icon."""

import gc
from importlib.metadata import version

import pytest
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMessageBox

import ui.main
from ui.app import application


def test_about_shows_the_package_version(window, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "about",
                        staticmethod(lambda _parent, title, text: shown.append((title, text))))
    window.actions_by_id["about"].trigger()
    [(title, text)] = shown
    assert title == "About Lead Workbench"
    assert text.startswith(f"Lead Workbench {version('lead-workbench')}:")
    assert window.windowTitle() == f"Lead Workbench — {window.store.path.name}"


@pytest.fixture
def app(qapp):
    before = qapp.applicationName(), qapp.organizationName()
    yield application()
    # the other tests' application as it was
    qapp.setApplicationName(before[0])
    qapp.setOrganizationName(before[1])
    qapp.setWindowIcon(QIcon())
    qapp.setDesktopFileName("")


def test_the_application_has_its_name_icon_and_desktop_entry(app):
    assert app.applicationName() == "Lead Workbench"
    # the sizes a taskbar, a title bar and a launcher pick from
    assert {size.width() for size in app.windowIcon().availableSizes()} >= {16, 32, 48, 256}
    assert app.desktopFileName() == "lead-workbench"  # packaging/lead-workbench.desktop


@pytest.fixture
def collector():
    """The collector as the other tests had it: running, nothing frozen."""
    yield
    gc.enable()
    gc.unfreeze()


def test_the_collector_runs_again_after_a_subcommand_and_a_screenshot(collector, db_copy,
                                                                      tmp_path, capsys):
    """The program pauses Python's collector while it starts; a command that then ran
    without it would never free cyclic garbage (an import of a large file grows)."""
    assert ui.main.main(["stats", "--db", str(db_copy)]) == 0
    assert gc.isenabled()
    assert ui.main.main(["--db", str(db_copy), "--screenshot", str(tmp_path / "w.png")]) == 0
    assert gc.isenabled()
    assert (tmp_path / "w.png").stat().st_size > 0
