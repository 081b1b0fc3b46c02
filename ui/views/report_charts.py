"""The report's charts (pyqtgraph): what sales did with the MQLs per slice, acceptance over
the weeks, the reasons for rejection, and the funnel. Each has a title, labelled axes and
a legend where it shows more than one series."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGridLayout, QWidget

from ui.theme import theme
from workbench.services.reports import Report, ReportRow

# pyqtgraph loads with the first report, in the palette of the window (light or dark)
pg.setConfigOptions(antialias=True, background=theme().css("card"),
                    foreground=theme().css("text"))

OUTCOME_SERIES = (("Accepted", "accepted", "#1e8449"), ("Rejected", "rejected", "#c0392b"),
                  ("Recycled", "recycled", "#b9770e"), ("Pending", "pending", "#aab2bd"))
MAX_LABEL = 12  # characters of a category label under a bar


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


def week_ticks(weeks: int, most: int = 8) -> list[int]:
    """Which of the weeks get a label: about `most`, evenly spaced, the first and the last
    always (the reader sees where the period starts and ends)."""
    if weeks <= 0:
        return []
    step = max(1, -(-weeks // most))
    ticks = list(range(0, weeks, step))
    if ticks[-1] != weeks - 1:
        if weeks - 1 - ticks[-1] < step / 2 and len(ticks) > 1:
            ticks.pop()  # too close to the last one to read
        ticks.append(weeks - 1)
    return ticks


def _plot(title: str, left: str, bottom: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(title=title)
    plot.setLabel("left", left)
    plot.setLabel("bottom", bottom)
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMinimumSize(320, 160)  # two rows of charts fit a 720-pixel screen
    return plot


class ReportCharts(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.outcomes = _plot("What sales did with the MQLs", "MQLs handed over", "")
        self.outcomes.addLegend(offset=(-10, 10))
        self.trend = _plot("Acceptance and rejection over the weeks", "Share of MQLs (%)",
                           "Week handed over")
        self.trend.addLegend(offset=(-10, 10))
        self.reasons = _plot("Why sales rejected", "", "Rejections")
        self.funnel = _plot("Funnel: how far the MQLs went", "Leads", "Stage")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for i, plot in enumerate(self.plots()):
            layout.addWidget(plot, i // 2, i % 2)

    def plots(self) -> list[pg.PlotWidget]:
        return [self.outcomes, self.trend, self.reasons, self.funnel]

    def show_report(self, report: Report, weekly: Report, reasons_of: ReportRow,
                    reason_labels: dict[str, str]) -> None:
        self._outcomes(report)
        self._trend(weekly)
        self.show_reasons(reasons_of, reason_labels)
        self._funnel(report)

    def _outcomes(self, report: Report) -> None:
        plot = self.outcomes
        plot.clear()
        rows = report.rows
        x = list(range(len(rows)))
        base = [0] * len(rows)
        for name, attribute, colour in OUTCOME_SERIES:
            heights = [getattr(row, attribute) for row in rows]
            plot.addItem(pg.BarGraphItem(x=x, y0=base, height=heights, width=0.7,
                                         brush=colour, pen=colour, name=name))
            base = [b + h for b, h in zip(base, heights, strict=True)]
        plot.setLabel("bottom", report.spec.by.value.capitalize())
        plot.getAxis("bottom").setTicks([[(i, _short(row.key.replace("_", " ")))
                                          for i, row in enumerate(rows)]])
        plot.enableAutoRange()

    def _trend(self, weekly: Report) -> None:
        plot = self.trend
        plot.clear()
        rows = weekly.rows
        x = list(range(len(rows)))
        for name, attribute, colour in (("Accepted", "acceptance_rate", "#1e8449"),
                                        ("Rejected", "rejection_rate", "#c0392b")):
            # a week with no MQL has no rate: the line breaks there instead of dropping to 0
            y = [float("nan") if getattr(r, attribute) is None else 100 * getattr(r, attribute)
                 for r in rows]
            plot.plot(x, y, pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5,
                      symbolBrush=colour, symbolPen=colour, name=name, connect="finite")
        plot.getAxis("bottom").setTicks([[(i, rows[i].key) for i in week_ticks(len(rows))]])
        plot.setXRange(-0.8, len(rows) - 0.2, padding=0)  # room for the end labels
        plot.setYRange(0, 100)

    def show_reasons(self, row: ReportRow, labels: dict[str, str]) -> None:
        plot = self.reasons
        plot.clear()
        # the most frequent reason on top; horizontal bars leave room for the labels
        reasons = sorted(row.rejection_reasons.items(), key=lambda kv: kv[1])
        y = list(range(len(reasons)))
        plot.addItem(pg.BarGraphItem(x0=0, y=y, width=[n for _, n in reasons], height=0.7,
                                     brush="#c0392b", pen="#c0392b"))
        axis = plot.getAxis("left")
        axis.setTicks([[(i, labels.get(code, code)) for i, (code, _) in enumerate(reasons)]])
        axis.setWidth(150)  # room for the longest reason label
        plot.setTitle(f"Why sales rejected: {row.key}" if not row.is_total
                      else "Why sales rejected")
        plot.enableAutoRange()

    def _funnel(self, report: Report) -> None:
        plot = self.funnel
        plot.clear()
        steps = report.funnel
        plot.addItem(pg.BarGraphItem(x=list(range(len(steps))), height=[s.count for s in steps],
                                     width=0.7, brush="#2e86c1", pen="#2e86c1"))
        plot.getAxis("bottom").setTicks([[
            (i, s.stage if s.conversion is None else f"{s.stage} ({s.conversion:.0%})")
            for i, s in enumerate(steps)]])
        plot.enableAutoRange()

    def images(self) -> list[QImage]:
        """Each chart as an image, for the PDF and PNG exports."""
        return [plot.grab().toImage() for plot in self.plots()]
