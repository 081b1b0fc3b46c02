"""The whole report as a PDF for the weekly meeting: title, period, table, funnel, charts."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from workbench.files.safe import replacing
from workbench.services.reports import TABLE_COLUMNS, Report, percent, readable_cells

CHART_WIDTH = 480  # points on the page; two charts side by side on A4 landscape


def report_html(report: Report, reason_labels: dict[str, str], title: str, subtitle: str,
                charts: int) -> str:
    cell = 'style="padding: 2px 6px; border-bottom: 1px solid #d5d9de;"'
    header = "".join(f'<th align="right" {cell}>{html.escape(name)}</th>'
                     for name, _ in TABLE_COLUMNS)
    rows = []
    for row in [*report.rows, report.total]:
        weight = ' style="font-weight: bold;"' if row.is_total else ""
        key, *figures = readable_cells(row, report.spec.by, reason_labels)
        cells = "".join(f'<td align="right" {cell}>{html.escape(text)}</td>'
                        for text in figures)
        rows.append(f"<tr{weight}><td {cell}>{html.escape(key)}</td>{cells}</tr>")
    funnel = " &rarr; ".join(
        f"{html.escape(step.stage)} {step.count:,}"
        + (f" ({percent(step.conversion)})" if step.conversion is not None else "")
        for step in report.funnel)
    images = "".join(f'<img src="chart{i}" width="{CHART_WIDTH}">'
                     + ("<br>" if i % 2 else " ") for i in range(charts))
    return (f"<h2>{html.escape(title)}</h2><p>{html.escape(subtitle)}</p>"
            f'<table cellspacing="0" style="font-size: 8pt;"><tr><th align="left" {cell}>'
            f"{html.escape(report.spec.by.value.capitalize())}</th>{header}</tr>"
            f"{''.join(rows)}</table>"
            f"<p><b>Funnel:</b> {funnel}</p><p>{images}</p>")


def write_pdf(path: Path, database: Path, report: Report, reason_labels: dict[str, str],
              title: str, subtitle: str, charts: list[QImage]) -> None:
    """Write the PDF (never over the database, see safe_files); OSError when it could not
    be written."""
    document = QTextDocument()
    for i, image in enumerate(charts):
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"chart{i}"), image)
    document.setHtml(report_html(report, reason_labels, title, subtitle, len(charts)))
    with replacing(path, database) as temporary:
        writer = QPdfWriter(str(temporary))
        writer.setTitle(title)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                         QPageLayout.Orientation.Landscape,
                                         QMarginsF(12, 12, 12, 12),
                                         QPageLayout.Unit.Millimeter))
        document.print_(writer)
        del writer  # the file is complete once the writer is gone
        if temporary.stat().st_size == 0:
            raise OSError(f"could not write {path}")
