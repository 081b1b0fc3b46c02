"""Exporting leads to CSV or XLSX: every imported field (custom fields too), the stage,
owner and score. Text that a spreadsheet would run as a formula is written as text."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from workbench.files.safe import replacing
from workbench.rules.cells import spreadsheet_safe
from workbench.rules.refusals import Refused
from workbench.rules.stages import Stage
from workbench.store.leads import Store

# (header, column of Store.export_rows); the importer recognises every header
EXPORT_COLUMNS = (
    ("External id", "external_id"), ("First name", "first_name"), ("Last name", "last_name"),
    ("Email", "email"), ("Phone", "phone"), ("Job title", "job_title"),
    ("Seniority", "seniority"), ("Company", "company"), ("Company domain", "domain"),
    ("Industry", "industry"), ("Employees", "employee_band"),
    ("Annual revenue", "revenue_band"), ("Country", "country"), ("Lead source", "source"),
    ("Campaign", "campaign"), ("Stage", "stage"), ("Owner", "owner_email"),
    ("Created", "created_at"), ("Historic outcome", "historic_outcome"),
    ("Fit score", "fit_score"), ("Engagement score", "engagement_score"),
    ("Score", "score"), ("Grade", "grade"), ("Predicted conversion", "predicted_conversion"),
)
# (header, column of Store.export_activity_rows); the activity importer recognises each
ACTIVITY_EXPORT_COLUMNS = (
    ("Lead external id", "external_id"), ("Lead email", "email"), ("Time", "occurred_at"),
    ("Kind", "kind"), ("URL", "url"), ("By", "user_email"), ("Note", "note"),
    ("Outcome", "outcome"))
PROGRESS_EVERY = 1000  # rows between progress reports (and looks at Cancel)


class ExportError(Refused):
    """The leads cannot be written to that file; nothing was written."""


class ExportCancelled(ExportError):
    """The user cancelled: no file was written (an earlier one stays as it was)."""


def export_leads(store: Store, path: Path, stage: Stage | None = None,
                 lead_ids: Sequence[int] | None = None, *,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> int:
    """Write the leads (of one stage, of the ids, or all) to a .csv or .xlsx file, whole or
    not at all, never over the store's database; returns how many. Progress is (leads
    written, leads in all)."""
    path = Path(path)
    _check_suffix(path)
    # a custom field named as a column of ours (an unreadable "Country" kept) has no column
    custom = [c for c in store.custom_field_names(stage, lead_ids)
              if c not in {h for h, _ in EXPORT_COLUMNS}]
    header = [h for h, _ in EXPORT_COLUMNS] + custom
    rows = _rows(store.export_rows(stage, lead_ids), custom)
    if progress is not None or cancelled is not None:
        total = (len(lead_ids) if lead_ids is not None else
                 store.stats().by_stage[stage.value] if stage else store.count_leads())
        rows = _watched(rows, total, progress, cancelled)
    return _write(store, path, header, rows)


def export_activities(store: Store, path: Path, stage: Stage | None = None,
                      lead_ids: Sequence[int] | None = None, *,
                      progress: Callable[[int, int], None] | None = None,
                      cancelled: Callable[[], bool] | None = None) -> int:
    """Write the activities of the leads (of one stage, of the ids, or all) to a .csv or
    .xlsx file that `import --kind activities` reads back; returns how many. Progress is
    (activities written, activities in all)."""
    path = Path(path)
    _check_suffix(path)
    rows = ([record[column] for _, column in ACTIVITY_EXPORT_COLUMNS]
            for record in store.export_activity_rows(stage, lead_ids))
    if progress is not None or cancelled is not None:
        rows = _watched(rows, store.count_activities(stage, lead_ids), progress, cancelled)
    return _write(store, path, [h for h, _ in ACTIVITY_EXPORT_COLUMNS], rows)


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise ExportError(f"Export to a .csv or .xlsx file, not '{path.name}'.")


def _write(store: Store, path: Path, header: list[str], rows: Iterator[list]) -> int:
    """The rows written whole or not at all, never over the store's database."""
    try:
        with replacing(path, store.path) as temporary:
            return (_write_csv(temporary, header, rows) if path.suffix.lower() == ".csv"
                    else _write_xlsx(temporary, header, rows))
    except OSError as problem:
        raise ExportError(f"{path} cannot be written: {problem.strerror or problem}.") from None


def _watched(rows: Iterator[list], total: int, progress: Callable[[int, int], None] | None,
             cancelled: Callable[[], bool] | None) -> Iterator[list]:
    for done, row in enumerate(rows):
        if done % PROGRESS_EVERY == 0:
            if cancelled is not None and cancelled():
                raise ExportCancelled("Export cancelled: no file was written.")
            if progress is not None:
                progress(done, total)
        yield row


def _rows(records: Iterator[dict], custom: list[str]) -> Iterator[list]:
    for record in records:
        values = [record[column] for _, column in EXPORT_COLUMNS]
        fields = json.loads(record["custom_fields"]) if record["custom_fields"] else {}
        yield values + [fields.get(name) for name in custom]


def _write_csv(path: Path, header: list[str], rows: Iterator[list]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as f:  # the BOM: Excel reads UTF-8
        writer = csv.writer(f)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else spreadsheet_safe(v) for v in row])
            count += 1
    return count


def _write_xlsx(path: Path, header: list[str], rows: Iterator[list]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Leads")
    sheet.append(header)
    count = 0
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: '=...' is never a formula
            cells.append(cell)
        sheet.append(cells)
        count += 1
    book.save(path)
    return count
