"""The product as the window shows it: its name, version and icon."""

from importlib.metadata import version

import pytest
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMessageBox

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
