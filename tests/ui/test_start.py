"""The window's start loads what its first paint needs: NumPy comes with the first report
or score, the keyring with the first team-server password."""

import subprocess
import sys

SCRIPT = """
import sys
import ui.app, ui.views.main_window
print("LATER:", sorted(m for m in ("numpy", "keyring") if m in sys.modules))
"""


def test_the_windows_modules_load_neither_numpy_nor_the_keyring():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "LATER: []" in result.stdout
