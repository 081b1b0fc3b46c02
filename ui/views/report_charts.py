"""The report's charts: what sales did with the MQLs per slice, acceptance over the weeks,
the reasons for rejection, and the funnel. Each has a title, labelled axes and a legend
where it shows more than one series (ui/views/chart.py paints them)."""

from __future__ import annotations

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QGridLayout, QWidget

from ui.views.chart import Chart, Series
from workbench.services.reports import Report, ReportRow

OUTCOME_SERIES = (("Accepted", "accepted", "#1e8449"), ("Rejected", "rejected", "#c0392b"),
                  ("Recycled", "recycled", "#b9770e"), ("Pending", "pending", "#aab2bd"))


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


class ReportCharts(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.outcomes = Chart("What sales did with the MQLs", "MQLs handed over", "",
                              short_left="MQLs")
        self.trend = Chart("Acceptance and rejection over the weeks", "Share of MQLs (%)",
                           "Week handed over", short_left="% of MQLs")
        self.reasons = Chart("Why sales rejected", "", "Rejections")
        self.funnel = Chart("Funnel: how far the MQLs went", "Leads", "Stage")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for i, chart in enumerate(self.plots()):
            layout.addWidget(chart, i // 2, i % 2)

    def plots(self) -> list[Chart]:
        return [self.outcomes, self.trend, self.reasons, self.funnel]

    def show_report(self, report: Report, weekly: Report, reasons_of: ReportRow,
                    reason_labels: dict[str, str]) -> None:
        rows = report.rows
        self.outcomes.bottom_label = report.spec.by.value.capitalize()
        self.outcomes.show_bars(
            [row.key.replace("_", " ") for row in rows],
            [Series(name, [getattr(row, attribute) for row in rows], colour)
             for name, attribute, colour in OUTCOME_SERIES])
        weeks = weekly.rows
        self.trend.show_lines(
            [row.key for row in weeks],
            # a week with no MQL has no rate: the line breaks there instead of dropping to 0
            [Series(name, [None if getattr(r, attribute) is None
                           else 100 * getattr(r, attribute) for r in weeks], colour)
             for name, attribute, colour in (("Accepted", "acceptance_rate", "#1e8449"),
                                             ("Rejected", "rejection_rate", "#c0392b"))],
            top=100, ticks=week_ticks(len(weeks)))
        self.show_reasons(reasons_of, reason_labels)
        steps = report.funnel
        self.funnel.show_bars(
            [s.stage if s.conversion is None else f"{s.stage} ({s.conversion:.0%})"
             for s in steps],
            [Series("Leads", [s.count for s in steps], "#2e86c1")])

    def show_reasons(self, row: ReportRow, labels: dict[str, str]) -> None:
        # the most frequent reason on top
        reasons = sorted(row.rejection_reasons.items(), key=lambda kv: -kv[1])
        self.reasons.title = (f"Why sales rejected: {row.key}" if not row.is_total
                              else "Why sales rejected")
        self.reasons.show_bars([labels.get(code, code) for code, _ in reasons],
                               [Series("Rejections", [n for _, n in reasons], "#c0392b")],
                               lying=True)

    def images(self) -> list[QImage]:
        """Each chart as an image, for the PDF and PNG exports."""
        return [chart.grab().toImage() for chart in self.plots()]
