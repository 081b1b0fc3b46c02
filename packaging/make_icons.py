"""Renders resources/icons/lead-workbench.svg to the PNG sizes desktops ask for. Run it
again after changing the drawing: .venv/bin/python packaging/make_icons.py"""

import os
import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication(sys.argv)  # noqa: F841 (QPainter needs one)
    renderer = QSvgRenderer(str(ICONS / "lead-workbench.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.save(str(ICONS / f"lead-workbench-{size}.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
