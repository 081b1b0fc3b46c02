"""A chart painted with QPainter: bars (stacked, side by side in time, or lying down) and
lines with gaps, a title, labelled axes and a legend. The report needs no more, and a
plotting library would cost the window tens of megabytes and a slower first report."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from ui.theme import mix, theme

PAD = 6
TICK = 4


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # None: no value (a line breaks there, a bar is absent)
    colour: str


def nice_top(largest: float, ticks: int = 5) -> tuple[float, float]:
    """A round upper end of a value axis and its step (1, 2 or 5 times a power of ten)."""
    if largest <= 0:
        return 1.0, 1.0 if ticks <= 1 else 0.25
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * math.ceil(largest / step), step


def _figure(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:g}"


class Chart(QWidget):
    def __init__(self, title: str, left: str, bottom: str, parent=None, *,
                 short_left: str = "") -> None:
        super().__init__(parent)
        self.title, self.left_label, self.bottom_label = title, left, bottom
        # the value axis's words where the chart is too low for left's (a 720-pixel screen)
        self.short_left = short_left or left
        self.labels: list[str] = []
        self.series: list[Series] = []
        self.kind = "bars"
        self.ticks: list[int] | None = None  # which category labels show (lines)
        self.top: float | None = None
        self.setMinimumSize(320, 160)  # two rows of charts fit a 720-pixel screen
        self.setAccessibleName(title)

    def sizeHint(self) -> QSize:
        return QSize(480, 260)

    def legend(self) -> list[str]:
        return [s.name for s in self.series] if len(self.series) > 1 else []

    def show_bars(self, labels: list[str], series: list[Series], *,
                  lying: bool = False) -> None:
        """Bars per label, the series stacked; lying bars leave room for long labels."""
        self._show("lying" if lying else "bars", labels, series, None, None)

    def show_lines(self, labels: list[str], series: list[Series], *, top: float,
                   ticks: list[int]) -> None:
        self._show("lines", labels, series, top, ticks)

    def _show(self, kind, labels, series, top, ticks) -> None:
        self.kind, self.labels, self.series, self.top, self.ticks = (kind, labels, series, top,
                                                                     ticks)
        self.update()

    # -- painting ---------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        colours = theme(self.palette())
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), colours.card)
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(colours.text)
        painter.drawText(QRectF(0, PAD, self.width(), line), Qt.AlignmentFlag.AlignCenter,
                         self.title)
        painter.setFont(self.font())
        totals = self._totals()
        top, step = (self.top, self.top / 5) if self.top else nice_top(max(totals, default=0))
        values_axis = [step * i for i in range(int(round(top / step)) + 1)]
        widest_value = max(metrics.horizontalAdvance(_figure(v)) for v in values_axis)
        if self.kind == "lying":
            left = min(150, max((metrics.horizontalAdvance(s) for s in self.labels),
                                default=0)) + 2 * PAD
        else:
            left = widest_value + TICK + PAD + (line + PAD if self.left_label else PAD)
        legend = line if self.legend() else 0  # a row under the title, never over the data
        area = QRectF(left, 2 * PAD + line + legend, self.width() - left - 2 * PAD,
                      self.height() - 4 * PAD - line - legend - 2 * line - TICK)
        if area.width() < 20 or area.height() < 20:
            painter.end()
            return
        grid = mix(colours.card, colours.text, 0.12)
        self._value_axis(painter, metrics, area, values_axis, top, grid, colours.muted)
        self._axis_labels(painter, area, line, colours.muted)
        if self.kind == "lines":
            self._lines(painter, area, top)
        else:
            self._bars(painter, area, top)
        self._category_labels(painter, metrics, area, colours.text)
        self._legend(painter, metrics, QRectF(area.left(), PAD + line + PAD / 2, area.width(),
                                              legend), colours)
        painter.end()

    def _totals(self) -> list[float]:
        if self.kind == "lines":
            return [v for s in self.series for v in s.values if v is not None]
        return [sum(s.values[i] or 0 for s in self.series) for i in range(len(self.labels))]

    def _value_axis(self, painter, metrics, area, values, top, grid, muted) -> None:
        for value in values:
            share = value / top
            painter.setPen(QPen(grid, 1))
            if self.kind == "lying":
                x = area.left() + share * area.width()
                painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
                painter.setPen(muted)
                text = _figure(value)
                painter.drawText(QPointF(x - metrics.horizontalAdvance(text) / 2,
                                         area.bottom() + TICK + metrics.ascent()), text)
            else:
                y = area.bottom() - share * area.height()
                painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
                painter.setPen(muted)
                text = _figure(value)
                painter.drawText(QPointF(area.left() - TICK - metrics.horizontalAdvance(text),
                                         y + metrics.ascent() / 2 - 1), text)

    def _axis_labels(self, painter, area, line, muted) -> None:
        painter.setPen(muted)
        bottom = QRectF(area.left(), self.height() - PAD - line, area.width(), line)
        painter.drawText(bottom, Qt.AlignmentFlag.AlignCenter, self.bottom_label)
        if self.left_label and self.kind != "lying":
            painter.save()
            painter.translate(PAD, area.center().y())
            painter.rotate(-90)
            label = self.left_words(painter.fontMetrics(), area.height())
            painter.drawText(QRectF(-area.height() / 2, 0, area.height(), line),
                             Qt.AlignmentFlag.AlignCenter, label)
            painter.restore()

    def left_words(self, metrics: QFontMetrics, room: float) -> str:
        """The value axis's words in room pixels: the long ones, else the short ones,
        cut short only if even those do not fit."""
        words = (self.left_label if metrics.horizontalAdvance(self.left_label) <= room
                 else self.short_left)
        return metrics.elidedText(words, Qt.TextElideMode.ElideRight, int(room))

    def _slot(self, area: QRectF) -> float:
        extent = area.height() if self.kind == "lying" else area.width()
        return extent / max(1, len(self.labels))

    def _bars(self, painter, area, top) -> None:
        slot = self._slot(area)
        for i in range(len(self.labels)):
            base = 0.0
            for series in self.series:
                value = series.values[i] or 0
                if value <= 0:
                    continue
                colour = QColor(series.colour)
                if self.kind == "lying":  # the first label at the top
                    y = area.top() + i * slot + 0.15 * slot
                    bar = QRectF(area.left() + base / top * area.width(), y,
                                 value / top * area.width(), 0.7 * slot)
                else:
                    x = area.left() + i * slot + 0.15 * slot
                    height = value / top * area.height()
                    bar = QRectF(x, area.bottom() - base / top * area.height() - height,
                                 0.7 * slot, height)
                painter.fillRect(bar, colour)
                base += value

    def _lines(self, painter, area, top) -> None:
        slot = self._slot(area)
        for series in self.series:
            colour = QColor(series.colour)
            path, drawing = QPainterPath(), False
            points = []
            for i, value in enumerate(series.values):
                if value is None:  # no value that week: the line breaks
                    drawing = False
                    continue
                point = QPointF(area.left() + (i + 0.5) * slot,
                                area.bottom() - value / top * area.height())
                if drawing:
                    path.lineTo(point)
                else:
                    path.moveTo(point)
                drawing = True
                points.append(point)
            painter.setPen(QPen(colour, 2))
            painter.drawPath(path)
            painter.setBrush(colour)
            for point in points:
                painter.drawEllipse(point, 2.5, 2.5)
            painter.setBrush(Qt.BrushStyle.NoBrush)

    def _category_labels(self, painter, metrics, area, text) -> None:
        painter.setPen(text)
        slot = self._slot(area)
        shown = self.ticks if self.ticks is not None else range(len(self.labels))
        for i in shown:
            label = self.labels[i]
            if self.kind == "lying":
                width = area.left() - 2 * PAD
                label = metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(width))
                painter.drawText(QRectF(PAD, area.top() + i * slot, width, slot),
                                 Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                 label)
                continue
            room = slot if self.ticks is None else 4 * slot
            label = metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(max(room, 24)))
            width = metrics.horizontalAdvance(label)
            x = area.left() + (i + 0.5) * slot - width / 2
            x = min(max(x, area.left() - PAD), self.width() - PAD - width)  # ends stay in view
            painter.drawText(QPointF(x, area.bottom() + TICK + metrics.ascent()), label)

    def _legend(self, painter, metrics, row: QRectF, colours) -> None:
        """The series' names with their colour, in one line at the right of the row."""
        names = self.legend()
        if not names:
            return
        swatch = metrics.ascent() - 2
        widths = [swatch + PAD + metrics.horizontalAdvance(name) for name in names]
        x = row.right() - sum(widths) - 2 * PAD * (len(names) - 1)
        for series, width in zip(self.series, widths, strict=True):
            painter.fillRect(QRectF(x, row.top() + 2, swatch, swatch), QColor(series.colour))
            painter.setPen(colours.text)
            painter.drawText(QPointF(x + swatch + PAD, row.top() + metrics.ascent()),
                             series.name)
            x += width + 2 * PAD
