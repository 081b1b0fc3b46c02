"""The domain package is a plain library: using it, even running a command, loads no Qt."""

import subprocess
import sys

SCRIPT = """
import importlib, pkgutil, sys
import workbench
for found in pkgutil.walk_packages(workbench.__path__, "workbench."):
    if "migrations" not in found.name:  # Alembic runs them, with its context
        importlib.import_module(found.name)
import ui.main  # the `workbench` program itself: Qt only when the window opens
code = ui.main.main(["demo", "--db", sys.argv[1], "--leads", "50"])
code |= ui.main.main(["stats", "--db", sys.argv[1], "--json"])
loaded = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6", "ui.app",
                                                        "ui.views")))
print("QT:", loaded)
sys.exit(code)
"""


def test_workbench_and_its_commands_never_import_qt(tmp_path):
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "x.db")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "QT: []" in result.stdout
