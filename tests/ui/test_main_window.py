import subprocess
import sys

NONE_REFCOUNT = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for i in range(20000):
    label.setText(str(i))
print("survived")
"""


def test_the_installed_pyside6_does_not_corrupt_none(tmp_path):
    # PySide6 6.12.0 on Python 3.11 aborts here with "none_dealloc" (pinned below 6.12)
    result = subprocess.run([sys.executable, "-c", NONE_REFCOUNT], capture_output=True,
                            text=True, timeout=120,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived" in result.stdout
