"""Manager reports: what marketing hands over, what sales does with it, and how fast.

Each MQL handover counts once, in the period it was handed over, with the first decision
sales made on it whenever that came (accepted, rejected, recycled, or pending) and the
furthest stage its lead reached before it was handed over again. So a lead accepted in
week 10 and disqualified in week 14 stays accepted in week 10: figures come from the
stage history, not from where leads stand today. A rate with nothing under it is None
(shown as "n/a"), never a division error or a misleading 0%.
"""

from __future__ import annotations

import csv
import io
from array import array
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from workbench.rules.cells import spreadsheet_safe
from workbench.rules.refusals import BadInput
from workbench.rules.vocabulary import in_words
from workbench.store.leads import Store
from workbench.store.reports import HandoverWindow, Measure, Slice

NO_KEY = {Slice.SOURCE: "(no source)", Slice.CAMPAIGN: "(no campaign)",
          Slice.REP: "(unassigned)"}
FUNNEL_STEPS = (("MQL", 0), ("SAL", 1), ("SQL", 2), ("Opportunity", 3), ("Customer", 4))
FIGURE_LEADS_LIMIT = 5000  # leads listed on the board behind one figure


class Period(StrEnum):
    """The date ranges managers ask for most."""

    THIS_QUARTER = "this_quarter"
    LAST_QUARTER = "last_quarter"
    LAST_12_WEEKS = "last_12_weeks"
    THIS_YEAR = "this_year"
    ALL = "all"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    def dates(self, today: date) -> tuple[date | None, date | None]:
        """(first day, last day) of the period, as of today; None: unbounded."""
        quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        if self == Period.THIS_QUARTER:
            return quarter_start, today
        if self == Period.LAST_QUARTER:
            end = quarter_start - timedelta(days=1)
            return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
        if self == Period.LAST_12_WEEKS:
            monday = today - timedelta(days=today.weekday())
            return monday - timedelta(weeks=11), today
        if self == Period.THIS_YEAR:
            return date(today.year, 1, 1), today
        return None, None


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class ReportSpec:
    by: Slice = Slice.SOURCE
    start: date | None = None  # first day included
    end: date | None = None  # last day included
    rep: int | None = None  # only this rep's handovers (decided by, or owned by, them)

    def window(self) -> HandoverWindow:
        if self.start and self.end and self.end < self.start:
            raise BadInput(f"The report ends ({self.end}) before it starts ({self.start}).")
        return HandoverWindow(
            start=datetime.combine(self.start, time()) if self.start else None,
            end=datetime.combine(self.end + timedelta(days=1), time()) if self.end else None,
            rep=self.rep)


@dataclass
class ReportRow:
    key: str  # what the row is, in words: a source, a rep's name, "2026-W47"...
    raw_key: Any = None  # the stored value, to list the leads behind a figure
    is_total: bool = False
    mqls: int = 0
    accepted: int = 0
    rejected: int = 0
    recycled: int = 0
    pending: int = 0
    reached: list[int] = field(default_factory=lambda: [0] * len(FUNNEL_STEPS))
    sla_met: int = 0
    sla_due: int = 0  # handovers answered, or past their SLA unanswered
    rejection_reasons: dict[str, int] = field(default_factory=dict)
    median_hours_to_first_touch: float | None = None

    def add(self, outcome: str | None, reason: str | None, furthest: int,
            sla_state: int | None, count: int) -> None:
        self.mqls += count
        if outcome == "sal":
            self.accepted += count
        elif outcome == "disqualified":
            self.rejected += count
            code = reason or "(no reason)"
            self.rejection_reasons[code] = self.rejection_reasons.get(code, 0) + count
        elif outcome == "recycled":
            self.recycled += count
        elif outcome is None:
            self.pending += count
        for step, (_label, rank) in enumerate(FUNNEL_STEPS):
            if furthest >= rank:
                self.reached[step] += count
        if sla_state is not None:
            self.sla_due += count
            self.sla_met += sla_state * count

    @property
    def sql(self) -> int:
        return self.reached[2]

    @property
    def customers(self) -> int:
        return self.reached[4]

    @property
    def acceptance_rate(self) -> float | None:
        return ratio(self.accepted, self.mqls)

    @property
    def rejection_rate(self) -> float | None:
        return ratio(self.rejected, self.mqls)

    @property
    def recycle_rate(self) -> float | None:
        return ratio(self.recycled, self.mqls)

    @property
    def mql_to_sql_rate(self) -> float | None:
        return ratio(self.sql, self.mqls)

    @property
    def sql_to_customer_rate(self) -> float | None:
        return ratio(self.customers, self.sql)

    @property
    def sla_met_rate(self) -> float | None:
        return ratio(self.sla_met, self.sla_due)

    def to_json(self) -> dict[str, Any]:
        hours = self.median_hours_to_first_touch
        return {
            "key": self.key, "mqls": self.mqls, "accepted": self.accepted,
            "rejected": self.rejected, "recycled": self.recycled, "pending": self.pending,
            "acceptance_rate": _rounded(self.acceptance_rate),
            "rejection_rate": _rounded(self.rejection_rate),
            "recycle_rate": _rounded(self.recycle_rate),
            "rejection_reasons": dict(sorted(self.rejection_reasons.items(),
                                             key=lambda kv: (-kv[1], kv[0]))),
            "sql": self.sql, "customers": self.customers,
            "mql_to_sql_rate": _rounded(self.mql_to_sql_rate),
            "sql_to_customer_rate": _rounded(self.sql_to_customer_rate),
            "median_hours_to_first_touch": None if hours is None else round(hours, 2),
            "sla_met_rate": _rounded(self.sla_met_rate),
        }


@dataclass(frozen=True)
class FunnelStep:
    stage: str
    count: int
    conversion: float | None  # from the step before; None for the first


@dataclass
class Report:
    spec: ReportSpec
    sla_hours: float
    rows: list[ReportRow]
    total: ReportRow

    @property
    def funnel(self) -> list[FunnelStep]:
        counts = self.total.reached
        return [FunnelStep(label, count, None if i == 0 else ratio(count, counts[i - 1]))
                for i, ((label, _rank), count) in enumerate(zip(FUNNEL_STEPS, counts,
                                                               strict=True))]

    def to_json(self) -> dict[str, Any]:
        return {
            "by": self.spec.by.value,
            "from": self.spec.start.isoformat() if self.spec.start else None,
            "to": self.spec.end.isoformat() if self.spec.end else None,
            "sla_hours": self.sla_hours,
            "rows": [row.to_json() for row in self.rows],
            "total": self.total.to_json(),
            "funnel": [{"stage": s.stage, "count": s.count,
                        "conversion": _rounded(s.conversion)} for s in self.funnel],
        }


def build_report(store: Store, spec: ReportSpec, sla_hours: float, now: datetime) -> Report:
    """The report: the counts and the response times are read at the same time, on two
    connections (SQLite works on one core per connection)."""
    import numpy as np  # loaded with the first report, not with the window

    window = spec.window()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="report") as other:
        groups = other.submit(store.handover_groups, spec.by, window, sla_hours, now)
        # compact arrays of doubles, not a Python float per answered handover
        hours_by_key: dict[Any, array] = defaultdict(lambda: array("d"))
        for key, hours in store.response_hours(spec.by, window):
            hours_by_key[key].append(hours)
        names = dict((uid, name) for uid, name, _e, _r in store.users(deactivated=True)) \
            if spec.by == Slice.REP else {}
        rows: dict[Any, ReportRow] = {}
        total = ReportRow(key="Total", is_total=True)
        for key, outcome, reason, furthest, sla_state, count in groups.result():
            if key not in rows:
                rows[key] = ReportRow(key=_label(spec.by, key, names), raw_key=key)
            rows[key].add(outcome, reason, furthest, sla_state, count)
            total.add(outcome, reason, furthest, sla_state, count)
    for key, row in rows.items():
        if hours_by_key.get(key):
            row.median_hours_to_first_touch = float(np.median(np.frombuffer(hours_by_key[key])))
    every = [np.frombuffer(hours) for hours in hours_by_key.values()]
    total.median_hours_to_first_touch = (float(np.median(np.concatenate(every)))
                                         if every else None)
    if spec.by in (Slice.WEEK, Slice.MONTH):
        ordered = sorted(rows.values(), key=lambda row: row.raw_key)
    else:
        ordered = sorted(rows.values(), key=lambda row: (-row.mqls, row.key))
    return Report(spec=spec, sla_hours=sla_hours, rows=ordered, total=total)


def figure_lead_ids(store: Store, spec: ReportSpec, row: ReportRow,
                    measure: Measure) -> list[int]:
    """The leads behind one figure (the newest first, at most FIGURE_LEADS_LIMIT); the
    total row's figures cover every row."""
    return store.handover_lead_ids(None if row.is_total else spec.by, row.raw_key, measure,
                                   spec.window(), FIGURE_LEADS_LIMIT)


def _label(by: Slice, key: Any, names: dict[int, str]) -> str:
    if key is None:
        return NO_KEY.get(by, "(none)")
    if by == Slice.WEEK:
        year, week, _day = date.fromisoformat(key).isocalendar()
        return f"{year}-W{week:02d}"
    if by == Slice.REP:
        return names.get(key, f"user {key}")
    return str(key)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# -- text forms -------------------------------------------------------------

def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def hours_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} h"


TABLE_COLUMNS: tuple[tuple[str, Any], ...] = (
    ("MQLs", lambda r: f"{r.mqls:,}"), ("Accepted", lambda r: f"{r.accepted:,}"),
    ("Rejected", lambda r: f"{r.rejected:,}"), ("Recycled", lambda r: f"{r.recycled:,}"),
    ("Pending", lambda r: f"{r.pending:,}"),
    ("Acceptance", lambda r: percent(r.acceptance_rate)),
    ("Rejection", lambda r: percent(r.rejection_rate)),
    ("MQL→SQL", lambda r: percent(r.mql_to_sql_rate)),
    ("SQL→Customer", lambda r: percent(r.sql_to_customer_rate)),
    ("First touch (median)", lambda r: hours_text(r.median_hours_to_first_touch)),
    ("SLA met", lambda r: percent(r.sla_met_rate)),
    ("Top rejection reason", lambda r: top_reason(r)),
)


def top_reason(row: ReportRow, labels: dict[str, str] | None = None) -> str:
    if not row.rejection_reasons:
        return "n/a"
    code, count = max(row.rejection_reasons.items(), key=lambda kv: (kv[1], kv[0]))
    return f"{(labels or {}).get(code, code)} ({count / row.rejected:.0%})"


def readable_cells(row: ReportRow, by: Slice, reason_labels: dict[str, str]) -> list[str]:
    """A row as the window and the PDF show it to people: a source in words ('Web form'),
    the top rejection reason by its label. The table, CSV and JSON of the CLI keep codes."""
    key = in_words(row.key) if by == Slice.SOURCE and not row.is_total else row.key
    return [key, *(cell(row) for _, cell in TABLE_COLUMNS[:-1]),
            top_reason(row, reason_labels)]


def as_table(report: Report) -> str:
    header = [report.spec.by.value.capitalize(), *(title for title, _ in TABLE_COLUMNS)]
    lines = [[row.key, *(cell(row) for _, cell in TABLE_COLUMNS)]
             for row in [*report.rows, report.total]]
    widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]

    def fmt(cells: list[str]) -> str:
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True)))

    funnel = "  →  ".join(
        f"{step.stage} {step.count:,}"
        + (f" ({percent(step.conversion)})" if step.conversion is not None or i else "")
        for i, step in enumerate(report.funnel))
    return "\n".join([fmt(header), fmt(["-" * w for w in widths]), *map(fmt, lines[:-1]),
                      fmt(["-" * w for w in widths]), fmt(lines[-1]), "", f"Funnel: {funnel}",
                      f"SLA: first touch within {report.sla_hours:g} hours."])


def as_csv(report: Report) -> str:
    out = io.StringIO()
    fields = list(report.total.to_json())
    writer = csv.writer(out)
    writer.writerow(fields)
    for row in [*report.rows, report.total]:
        data = row.to_json()
        data["rejection_reasons"] = "; ".join(f"{code}={n}" for code, n in
                                              data["rejection_reasons"].items())
        writer.writerow(["n/a" if data[f] is None else spreadsheet_safe(data[f])
                         for f in fields])
    return out.getvalue()
