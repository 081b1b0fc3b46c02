"""Scroll bars drawn flat. Fusion paints a scroll bar's groove and handle with gradients,
which Qt's raster engine splits across its GUI thread pool and waits for whenever a fill
is taller than about 96 rows. A triage action repaints three scroll bars (two columns and
the pane); with one pool thread on a two-core laptop, that waiting was 3-5 ms of the
action's 13-15 ms. Here the groove and the handle's body are solid fills, which Qt does
in place, and only the short ends of the handle are drawn round; Fusion still lays the
bar out and draws its arrow buttons."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QStyleOptionSlider, QWidget

from ui.theme import mix

ScrollBar = QStyle.ComplexControl.CC_ScrollBar
Part = QStyle.SubControl
ARROWS = Part.SC_ScrollBarAddLine | Part.SC_ScrollBarSubLine
INSET = 3  # between the handle and the groove's sides


class FlatScrollBars(QProxyStyle):
    def drawComplexControl(self, control: QStyle.ComplexControl, option: QStyleOption,
                           painter: QPainter, widget: QWidget | None = None) -> None:
        if control != ScrollBar or not isinstance(option, QStyleOptionSlider):
            super().drawComplexControl(control, option, painter, widget)
            return
        palette = option.palette
        ground, text = palette.window().color(), palette.windowText().color()
        painter.fillRect(option.rect, ground)
        arrows = QStyleOptionSlider(option)
        arrows.subControls = option.subControls & ARROWS
        super().drawComplexControl(control, arrows, painter, widget)
        if not option.state & QStyle.StateFlag.State_Enabled or option.maximum == option.minimum:
            return  # nothing to scroll: no handle
        handle = self.subControlRect(control, option, Part.SC_ScrollBarSlider, widget)
        held = (option.activeSubControls & Part.SC_ScrollBarSlider
                and option.state & (QStyle.StateFlag.State_Sunken
                                    | QStyle.StateFlag.State_MouseOver))
        _pill(painter, handle, mix(ground, text, 0.45 if held else 0.28),
              option.orientation == Qt.Orientation.Vertical)


def _pill(painter: QPainter, handle: QRect, colour, vertical: bool) -> None:
    """A handle with round ends: a solid body, and two short antialiased caps."""
    box = (handle.adjusted(INSET, 1, -INSET, -1) if vertical
           else handle.adjusted(1, INSET, -1, -INSET))
    radius = (box.width() if vertical else box.height()) // 2
    if radius <= 0 or min(box.width(), box.height()) <= 0:
        return
    body = (box.adjusted(0, radius, 0, -radius) if vertical
            else box.adjusted(radius, 0, -radius, 0))
    painter.fillRect(body, colour)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    size = 2 * radius
    ends = ((QRect(box.left(), box.top(), box.width(), size),
             QRect(box.left(), box.bottom() - size + 1, box.width(), size)) if vertical else
            (QRect(box.left(), box.top(), size, box.height()),
             QRect(box.right() - size + 1, box.top(), size, box.height())))
    for end in ends:
        painter.drawEllipse(end)
    painter.restore()
