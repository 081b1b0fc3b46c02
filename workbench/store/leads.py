"""The store: every query and transaction of the workbench, returning plain records."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Engine,
    Table,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    import numpy as np

from workbench.clock import utcnow
from workbench.read_ahead import read_ahead
from workbench.rules.criteria import (
    CUSTOM_FIELD,
    CUSTOMER_ACCOUNT,
    DEFAULT_CRITERIA,
    JOURNEY_STAGES,
    REASON_KINDS,
    Criteria,
    is_custom_field,
)
from workbench.rules.lead_names import display_name
from workbench.rules.ownership import Person
from workbench.rules.qualification import BANT_ITEMS
from workbench.rules.refusals import BadInput, NotFound, Refused
from workbench.rules.search import fts_query
from workbench.rules.stages import ACCOUNT_STAGES, REASON_KIND, Stage, check_transition
from workbench.rules.vocabulary import SLA_TOUCHES, ActivityKind, BantStatus
from workbench.store import db
from workbench.store.bulk import BulkQueries
from workbench.store.derived import LAST_ID, drop_triggers, rebuild_derived
from workbench.store.erasure import erase_people, forget_old_pages
from workbench.store.followup import FollowUpQueries
from workbench.store.imports import ImportQueries
from workbench.store.people import PeopleQueries
from workbench.store.reports import ReportQueries
from workbench.store.routing import RoutingQueries
from workbench.store.score_staging import ScoreWriter, StagedScores, moments_of, staged_scores
from workbench.store.sync import SyncQueries, leads_at_their_companies
from workbench.store.tables import (
    Activity,
    Company,
    CriteriaVersion,
    Lead,
    Qualification,
    Reason,
    ScoringModel,
    StageChange,
    User,
)

# a function giving a table's rows a chunk at a time
RowSource = Callable[[], Iterable[Sequence[tuple]]]


@dataclass(frozen=True, slots=True)
class Stats:
    leads: int
    by_stage: dict[str, int]
    by_source: dict[str, int]


@dataclass(frozen=True, slots=True)
class LeadRecord:
    id: int
    first_name: str
    last_name: str
    email: str | None
    job_title: str | None
    company_id: int | None
    source: str | None
    campaign: str | None
    owner_id: int | None
    stage: Stage
    score: int
    created_at: datetime
    stage_entered_at: datetime
    mql_at: datetime | None
    revisit_on: date | None
    first_touch_at: datetime | None
    external_id: str | None
    country: str | None  # its own, for a lead without a company
    # the next step planned (rules.followup.TouchKind), when it is due, what it is for
    next_step_kind: str | None = None
    next_step_due: datetime | None = None
    next_step_note: str | None = None
    erased_at: datetime | None = None  # erased on request (rules.erasure)
    do_not_contact: bool = False

    @property
    def name(self) -> str:
        return display_name(self.first_name, self.last_name, self.email, self.external_id)


@dataclass(frozen=True, slots=True)
class StageChangeRecord:
    id: int
    lead_id: int
    from_stage: Stage | None
    to_stage: Stage
    changed_at: datetime
    user_id: int | None
    reason_code: str | None
    note: str | None


class BoardSort(StrEnum):
    SCORE = "score"  # highest first
    TIME_IN_STAGE = "time_in_stage"  # longest in the stage first
    LAST_ACTIVITY = "last_activity"  # most recent first

    @property
    def descending(self) -> bool:
        return self != BoardSort.TIME_IN_STAGE

    @property
    def label(self) -> str:
        return {"score": "Score", "time_in_stage": "Time in stage",
                "last_activity": "Last activity"}[self.value]


class BoardGrouping(StrEnum):
    STAGE = "stage"  # lifecycle stage: the working board
    JOURNEY = "journey"  # buyer-journey stage, inferred from behaviour: read-only


# The journey board shows the leads still being worked, not customers or the disqualified.
JOURNEY_BOARD_STAGES = (Stage.LEAD, Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY,
                        Stage.RECYCLED)


class OwnerFilter(StrEnum):
    ALL = "all"
    MINE = "mine"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True)
class BoardFilter:
    """What the board shows: every field narrows it; the defaults show everything."""

    owner: OwnerFilter = OwnerFilter.ALL
    me: int | None = None  # the user "mine" refers to
    source: str | None = None
    campaign: str | None = None
    min_score: int | None = None
    max_score: int | None = None
    # only untouched MQLs that became MQL before this moment (see rules.sla)
    overdue_before: datetime | None = None
    search: str = ""
    # only these leads (the leads behind a report figure)
    lead_ids: tuple[int, ...] | None = None
    # only stale leads: each rotting stage's cutoff (rules.rotting.stale_cutoffs)
    stale_cutoffs: tuple[tuple[Stage, datetime], ...] | None = None

    @property
    def shows_everything(self) -> bool:
        """No field narrows the board ("me" alone does not: only the owner filter "mine"
        reads it)."""
        return replace(self, me=None) == BoardFilter()


@dataclass(frozen=True, slots=True)
class CardRecord:
    """What a board card shows of one lead."""

    id: int
    name: str
    job_title: str | None
    company: str | None
    score: int
    source: str | None
    owner_name: str | None
    stage: Stage
    stage_entered_at: datetime
    mql_at: datetime | None
    first_touch_at: datetime | None
    last_activity_at: datetime | None
    grade: str | None
    buyer_stage: str | None
    last_touch_at: datetime | None  # the last call, email or meeting: rules.rotting

    def column(self, by: BoardGrouping) -> Stage | str | None:
        """Which column of a board grouped `by` this card belongs in."""
        if by == BoardGrouping.STAGE:
            return self.stage
        return self.buyer_stage if self.stage in JOURNEY_BOARD_STAGES else None

    def sort_key(self, sort: BoardSort) -> tuple:
        """The keyset cursor of this card in a column sorted by `sort`."""
        value = {BoardSort.SCORE: self.score, BoardSort.TIME_IN_STAGE: self.stage_entered_at,
                 BoardSort.LAST_ACTIVITY: self.last_activity_at}[sort]
        return (value, self.id)


@dataclass(frozen=True, slots=True)
class ColumnSummary:
    count: int
    average_score: float | None  # None for an empty column


@dataclass(frozen=True, slots=True)
class ActivityRecord:
    id: int
    occurred_at: datetime
    kind: str
    url: str | None
    page_kind: str | None
    user_name: str | None
    note: str | None
    outcome: str | None = None  # how a rep's touch went


@dataclass(frozen=True, slots=True)
class CompanyRecord:
    name: str
    domain: str | None
    industry: str | None
    employee_band: str | None
    revenue_band: str | None
    country: str | None


@dataclass(frozen=True, slots=True)
class LeadDetail:
    """Everything the detail pane shows of one lead."""

    lead: LeadRecord
    phone: str | None
    seniority: str | None
    external_id: str | None
    fit_score: int
    engagement_score: int
    owner_name: str | None
    company: CompanyRecord | None
    activities: list[ActivityRecord]
    history: list[StageChangeRecord]
    user_names: dict[int, str]
    custom_fields: dict[str, str]
    # the conversion model's probability and its largest reasons, once a model is trained
    predicted_conversion: float | None
    prediction_reasons: list[tuple[str, float]]
    # stage moves made on two laptops without seeing each other, still to resolve
    open_conflicts: list = ()


@dataclass(frozen=True)
class CriteriaVersionRecord:
    version: int
    saved_at: datetime
    author: str | None
    note: str | None


@dataclass(frozen=True)
class ScoringChunk:
    """A chunk of leads as arrays, with their activities classified by (kind, page kind)
    pattern and their age in days at the scoring moment."""

    lead_ids: np.ndarray
    fit_mask: np.ndarray  # bit j set when fit condition j holds for the lead
    stage: np.ndarray
    fit: np.ndarray
    engagement: np.ndarray
    score: np.ndarray
    grade: np.ndarray
    buyer_stage: np.ndarray
    activity_lead: np.ndarray  # position of the activity's lead in lead_ids
    activity_class: np.ndarray  # index of the first activity pattern matched, -1 for none
    activity_age: np.ndarray


_NEWEST_CRITERIA = "SELECT id, body FROM criteria_versions ORDER BY id DESC LIMIT 1"
_STAGES = {stage.value: stage for stage in Stage}  # a dict read: every card read needs one


def _saved_or_default_criteria(raw: sqlite3.Connection) -> Criteria:
    row = raw.execute(_NEWEST_CRITERIA).fetchone()
    return DEFAULT_CRITERIA if row is None else _saved_criteria(*row)


@lru_cache(maxsize=8)
def _saved_criteria(version: int, body: str) -> Criteria:
    """A saved version's criteria, parsed and checked once: every triage action and every
    lead shown asks for them."""
    try:
        return Criteria.from_dict(json.loads(body), version=version)
    except BadInput as problem:  # saved before its numbers had ranges, or synced so
        raise Refused(f"The team's criteria (version {version}) cannot be used: {problem} "
                      "Save corrected ones with 'workbench criteria import'.") from None


def _get_lead(session: Session, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"There is no lead with id {lead_id}.")
    return lead


def _record(record_type, row, **converted):
    """A plain record from an ORM row: fields of the same name are copied, the rest given."""
    names = [f.name for f in fields(record_type) if f.name not in converted]
    return record_type(**{name: getattr(row, name) for name in names}, **converted)


# What a value read from SQLite by the driver becomes, by the record field's type: what
# SQLAlchemy's column types make of it for the ORM
_FROM_SQLITE = {"datetime": db.read_time, "datetime | None": db.read_time,
                "date | None": db.read_day, "Stage": Stage, "Stage | None": Stage, "bool": bool}


class _Rows:
    """Records read by SQLite's driver, for the reads every triage action and every lead
    shown make: SQLAlchemy builds and runs a statement in 10-20 times SQLite's time. The
    record's fields are columns of the same name, but for those given."""

    def __init__(self, record_type: type, table: str, given: Sequence[str] = ()) -> None:
        kept = [f for f in fields(record_type) if f.name not in given]
        self.record_type = record_type
        self.columns = ", ".join(f"{table}.{f.name}" for f in kept)
        self.width = len(kept)
        self._names = [f.name for f in kept]
        self._convert = [(f.name, _FROM_SQLITE[f.type]) for f in kept if f.type in _FROM_SQLITE]

    def record(self, row: Sequence, **given: Any):
        """The record of a row starting with self.columns."""
        values = dict(zip(self._names, row, strict=False))
        for name, convert in self._convert:
            if values[name] is not None:
                values[name] = convert(values[name])
        return self.record_type(**values, **given)


_LEAD_ROWS = _Rows(LeadRecord, "l")
_CHANGE_ROWS = _Rows(StageChangeRecord, "c")
_ACTIVITY_ROWS = _Rows(ActivityRecord, "a", given=("user_name",))
_COMPANY_ROWS = _Rows(CompanyRecord, "c")


def _change_record(change: StageChange) -> StageChangeRecord:
    return _record(StageChangeRecord, change, to_stage=Stage(change.to_stage),
                   from_stage=Stage(change.from_stage) if change.from_stage else None)


_SORT_COLUMNS = {  # sort -> column (BoardSort.descending says which way)
    BoardSort.SCORE: Lead.score,
    BoardSort.TIME_IN_STAGE: Lead.stage_entered_at,
    BoardSort.LAST_ACTIVITY: Lead.last_activity_at,
}
# A search lists at most this many leads (the window says so and asks for more letters):
# enough to browse, and it keeps every keystroke quick at a million leads.
SEARCH_MATCH_LIMIT = 500
RETURN_BATCH = 500  # recycled leads brought back per transaction (about 0.15 s at 1M leads)
# newest leads first when a search matches more than it lists
_SEARCH = ("SELECT rowid FROM lead_search WHERE lead_search MATCH ? "
           "ORDER BY rowid DESC LIMIT ?")
# the id marketing's tool gave a lead (a row with nothing but an id is found by it too):
# the whole text, exactly, through the unique index
_BY_EXTERNAL_ID = "SELECT id FROM leads WHERE external_id = ?"
# Distinct values of an indexed column by jumping from one value to the next in the
# index ("skip scan"): a few probes instead of reading a million rows.
_DISTINCT_VALUES = """
WITH RECURSIVE value(v) AS (
    SELECT min({column}) FROM leads
    UNION ALL
    SELECT (SELECT min({column}) FROM leads WHERE {column} > value.v) FROM value
    WHERE value.v IS NOT NULL)
SELECT v FROM value WHERE v IS NOT NULL
"""


def _grouping_clauses(by: BoardGrouping, value: str) -> list:
    if by == BoardGrouping.STAGE:
        return [Lead.stage == value]
    return [Lead.buyer_stage == value,
            Lead.stage.in_([s.value for s in JOURNEY_BOARD_STAGES])]


def overdue_clause(cutoff: datetime):
    """rules.sla.is_overdue in SQL, for counting and filtering without reading leads."""
    return and_(Lead.first_touch_at.is_(None), Lead.mql_at < cutoff)


# a rep's touches, as ix_activities_touch's condition says it (the index answers them)
_TOUCH = text("activities.kind IN ('call', 'email_sent', 'meeting')")


def last_touch_column():
    """The lead's last touch, one seek in ix_activities_touch."""
    return (select(func.max(Activity.occurred_at))
            .where(Activity.lead_id == Lead.id, _TOUCH).scalar_subquery())


def stale_clause(cutoffs: tuple[tuple[Stage, datetime], ...]):
    """rules.rotting.is_stale in SQL: in a rotting stage since before its cutoff, and no
    touch at or after it."""
    return or_(false(), *(and_(
        Lead.stage == stage.value, Lead.stage_entered_at < cutoff,
        ~select(Activity.id).where(Activity.lead_id == Lead.id, _TOUCH,
                                   Activity.occurred_at >= cutoff).exists())
        for stage, cutoff in cutoffs))


def queue_clause(me: int | None):
    """rules.ownership.in_queue in SQL: the MQLs of `me` and the unassigned pool."""
    owner = Lead.owner_id.is_(None) if me is None else or_(Lead.owner_id == me,
                                                            Lead.owner_id.is_(None))
    return and_(Lead.stage == Stage.MQL.value, owner, Lead.do_not_contact.is_(False))


def _filter_clauses(board: BoardFilter, search_ids: list[int] | None) -> list:
    clauses = []
    if board.owner == OwnerFilter.MINE:
        clauses.append(Lead.owner_id == board.me)
    elif board.owner == OwnerFilter.UNASSIGNED:
        clauses.append(Lead.owner_id.is_(None))
    if board.source:
        clauses.append(Lead.source == board.source)
    if board.campaign:
        clauses.append(Lead.campaign == board.campaign)
    if board.min_score is not None:
        clauses.append(Lead.score >= board.min_score)
    if board.max_score is not None:
        clauses.append(Lead.score <= board.max_score)
    if board.overdue_before is not None:
        clauses += [Lead.stage == Stage.MQL.value, overdue_clause(board.overdue_before)]
    if board.stale_cutoffs is not None:
        clauses.append(stale_clause(board.stale_cutoffs))
    if search_ids is not None:
        # one JSON parameter, not one per id: the statement is the same at every keystroke
        # (SQLite's plans are those of a list of ids)
        matched = func.json_each(json.dumps(search_ids)).table_valued("value")
        clauses.append(Lead.id.in_(select(matched.c.value)))
    if board.lead_ids is not None:
        clauses.append(Lead.id.in_(board.lead_ids))
    return clauses


SCORING_CHUNK = 100_000  # leads per read when rescoring
FEW_LEADS = 500  # up to here, rescoring reads the customers at these leads' companies only
# the behaviour the conversion model counts: (activity kind, page kind or any)
BEHAVIOUR_FEATURES = (
    ("page_view", "pricing"), ("page_view", "product"), ("page_view", "case_study"),
    ("page_view", "comparison"), ("page_view", "docs"), ("page_view", "blog"),
    ("page_view", "careers"), ("download", None), ("webinar", None), ("form_submit", None),
    ("demo_request", None), ("pricing_request", None), ("email_open", None),
    ("email_click", None), ("unsubscribe", None), ("bounce", None))
_ACCOUNT_STAGES_SQL = ", ".join(sorted(repr(stage.value) for stage in ACCOUNT_STAGES))
# SQL for each lead field a fit condition can test
_FIT_FIELD_SQL = {
    "seniority": "l.seniority", "job_title": "l.job_title", "source": "l.source",
    "employee_band": "c.employee_band", "revenue_band": "c.revenue_band",
    "industry": "c.industry", "country": "coalesce(c.country, l.country)",
    "email_domain": "lower(substr(l.email, instr(l.email, '@') + 1))",
    "company_domain": "c.domain",
    # a lead that is not a customer itself, at a company where another lead is (the
    # companies are listed once per rescore: see _list_customer_companies)
    "account_status": f"(CASE WHEN l.stage NOT IN ({_ACCOUNT_STAGES_SQL}) AND l.company_id IN "
                      f"temp.customer_companies THEN '{CUSTOMER_ACCOUNT}' END)",
}


def _list_customer_companies(raw: sqlite3.Connection, lead_ids: list[int] | None) -> None:
    """The companies with a customer or evangelist, for the account_status fit field: read
    once per rescore (the customers' rows are far apart; a subquery read them per chunk).
    For a few leads (one after an activity) only their own companies are looked at."""
    raw.execute("CREATE TEMP TABLE IF NOT EXISTS customer_companies (id INTEGER PRIMARY KEY)")
    raw.execute("DELETE FROM temp.customer_companies")
    if lead_ids is not None and len(lead_ids) <= FEW_LEADS:
        # +stage: through the company index, not through every customer by stage
        raw.execute("INSERT OR IGNORE INTO temp.customer_companies SELECT company_id FROM "
                    f"leads WHERE +stage IN ({_ACCOUNT_STAGES_SQL}) AND company_id IN "
                    "(SELECT company_id FROM leads WHERE id IN (SELECT value FROM json_each(?)))",
                    (json.dumps(lead_ids),))
    else:
        raw.execute("INSERT OR IGNORE INTO temp.customer_companies SELECT company_id FROM "
                    f"leads WHERE stage IN ({_ACCOUNT_STAGES_SQL}) AND company_id IS NOT NULL")


def _fit_mask(conditions: Sequence[tuple[str, str, Sequence[str]]]) -> tuple[str, list]:
    """An integer whose bit j is set when condition j (field, match, values) holds."""
    if not conditions:
        return "0", []
    terms, params = [], []
    for bit, (field, match, values) in enumerate(conditions):
        if is_custom_field(field):  # an imported column, read from the lead's JSON
            column = "json_extract(l.custom_fields, ?)"
            path = [f'$."{field.removeprefix(CUSTOM_FIELD)}"']
        else:
            column, path = _FIT_FIELD_SQL[field], []
        if match == "equals":
            test = f"{column} IN ({','.join('?' * len(values))})"
            params += path + list(values)
        elif match == "between":
            # as criteria.band_number: digits, sign, point and exponent only
            text = f"replace({column}, ',', '')"
            test = f"({text} GLOB '*[0-9]*' AND {text} NOT GLOB '*[^0-9.eE+-]*'"
            params += path * 2
            for value, compare in zip(values, (">=", "<"), strict=True):
                if value != "":
                    test += f" AND CAST({text} AS REAL) {compare} ?"
                    params += [*path, float(value.replace(",", ""))]
            test += ")"
        else:
            pattern = "instr(lower({c}), ?) > 0" if match == "contains" else \
                "lower({c}) LIKE '%' || ?"
            test = "(" + " OR ".join(pattern.format(c=column) for _ in values) + ")"
            for v in values:
                params += [*path, v.lower()]
        terms.append(f"(CASE WHEN {test} THEN {1 << bit} ELSE 0 END)")
    return " + ".join(terms), params


# Intent signals as activities of kind 'intent', the page kind saying how strong they are.
INTENT_AS_ACTIVITY = (
    "SELECT l.id AS lead_id, 'intent' AS kind, CASE WHEN i.strength >= 70 THEN 'strong' "
    "WHEN i.strength >= 40 THEN 'moderate' END AS page_kind, i.observed_at AS occurred_at "
    "FROM leads l JOIN companies c ON c.id = l.company_id "
    "JOIN intent_signals i ON i.company_domain = c.domain")


def _pattern_case(patterns: Sequence[tuple[str, str | None]],
                  never: frozenset[str] = frozenset()) -> tuple[str, list]:
    """A CASE giving the index of the first (kind, page kind) pattern an activity matches;
    patterns of the kinds in `never` are left out (no such row is read). It tests the kind
    once, then the page kinds of that kind only: a third of the work of one flat CASE."""
    by_kind: dict[str, list[tuple[int, str | None]]] = {}
    for i, (kind, page_kind) in enumerate(patterns):
        if kind not in never:
            by_kind.setdefault(kind, []).append((i, page_kind))
    whens, params = [], []
    for kind, options in by_kind.items():
        # page kinds listed after a kind-only pattern can never be the first match
        first_any = next((i for i, page_kind in options if page_kind is None), -1)
        pages = [(i, page_kind) for i, page_kind in options
                 if page_kind is not None and (first_any < 0 or i < first_any)]
        params.append(kind)
        if pages:
            inner = " ".join(f"WHEN ? THEN {i}" for i, _page in pages)
            whens.append(f"WHEN ? THEN CASE a.page_kind {inner} ELSE {first_any} END")
            params += [page_kind for _i, page_kind in pages]
        else:
            whens.append(f"WHEN ? THEN {first_any}")
    if not whens:
        return "-1", []
    return f"CASE a.kind {' '.join(whens)} ELSE -1 END", params


class Store(ReportQueries, ImportQueries, SyncQueries, PeopleQueries, FollowUpQueries,
            BulkQueries, RoutingQueries):
    """One open workbench database."""

    def __init__(self, engine: Engine, path: Path, backup: Path | None = None) -> None:
        self.engine = engine
        self.path = path
        # The copy written before this open upgraded the schema, if it did.
        self.backup = backup
        self._watch: sqlite3.Connection | None = None  # see data_version()
        self._last_search: tuple[tuple, list[int]] = ((), [])  # see search_ids()
        # see _searched_cards(): the key, the cards, and the cards by column of a grouping
        self._searched: tuple[tuple, list[CardRecord], dict] = ((), [], {})
        self._card_of: tuple[BoardFilter | None, Any] = (None, None)  # see board_card()

    @classmethod
    def open(cls, path: Path | str, *, durable: bool = True) -> Store:
        engine, backup = db.open_database(Path(path), durable=durable)
        return cls(engine, Path(path), backup)

    def close(self) -> None:
        if self._watch is not None:
            self._watch.close()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One unit of work: committed whole on success, rolled back whole on error."""
        with db.write_connection(self.engine) as conn, Session(bind=conn) as session:
            yield session
            session.flush()

    # -- reads ---------------------------------------------------------------

    def stats(self) -> Stats:
        with self.reading() as s:
            by_stage = dict(s.execute(select(Lead.stage, func.count()).group_by(Lead.stage)).all())
            by_source = dict(
                s.execute(select(Lead.source, func.count()).group_by(Lead.source)).all()
            )
        return Stats(
            leads=sum(by_stage.values()),
            by_stage={stage.value: by_stage.get(stage.value, 0) for stage in Stage},
            by_source={source or "unknown": n for source, n in sorted(by_source.items(),
                                                                     key=lambda kv: -kv[1])},
        )

    def lead(self, lead_id: int) -> LeadRecord:
        with db.read_connection(self.engine) as raw:
            row = raw.execute(f"SELECT {_LEAD_ROWS.columns} FROM leads l WHERE l.id = ?",
                              (lead_id,)).fetchone()
        if row is None:
            raise NotFound(f"There is no lead with id {lead_id}.")
        return _LEAD_ROWS.record(row)

    def colleague_ids(self, lead_id: int) -> list[int]:
        """The leads at the same company as this one, itself included."""
        with self.engine.connect() as conn:
            return sorted(leads_at_their_companies(conn.connection.driver_connection,
                                                   [lead_id]))

    def stage_history(self, lead_id: int) -> list[StageChangeRecord]:
        with self.reading() as s:
            rows = s.scalars(
                select(StageChange).where(StageChange.lead_id == lead_id)
                # clock order: causal across laptops (moves made before sync have none)
                .order_by(func.coalesce(StageChange.hlc, 0), StageChange.id))
            return [_change_record(c) for c in rows]

    def board_page(self, value: Stage | str, board: BoardFilter,
                   sort: BoardSort = BoardSort.SCORE, after: tuple | None = None,
                   limit: int = 200, by: BoardGrouping = BoardGrouping.STAGE
                   ) -> list[CardRecord]:
        """One window of a board column (the leads whose stage, or buyer-journey stage,
        is `value`), keyset-paged: pass the last card's sort_key."""
        descending = sort.descending
        if by == BoardGrouping.STAGE:
            value = Stage(value)
        if fts_query(board.search) is not None:
            # a search matches a bounded set of leads: all columns come from one read
            cards = self._searched_column(board, sort, by, value)
            if after is not None:
                cards = [c for c in cards
                         if (c.sort_key(sort) < after if descending else c.sort_key(sort) > after)]
            return cards[:limit]
        query = self._card_query(board, None, sort).where(
            *_grouping_clauses(by, str(value))).limit(limit)
        if after is not None:
            cursor = tuple_(_SORT_COLUMNS[sort], Lead.id)
            query = query.where(cursor < tuple_(*after) if descending else cursor > tuple_(*after))
        return self._read_cards(query)

    @staticmethod
    def _card_query(board: BoardFilter, search_ids: list[int] | None, sort: BoardSort):
        key = _SORT_COLUMNS[sort]
        order = (key.desc(), Lead.id.desc()) if sort.descending else (key.asc(), Lead.id.asc())
        return (
            select(Lead.id, Lead.first_name, Lead.last_name, Lead.job_title, Company.name,
                   Lead.score, Lead.source, User.name, Lead.stage, Lead.stage_entered_at,
                   Lead.mql_at, Lead.first_touch_at, Lead.last_activity_at, Lead.grade,
                   Lead.buyer_stage, Lead.email, Lead.external_id, last_touch_column())
            .outerjoin(Company, Company.id == Lead.company_id)
            .outerjoin(User, User.id == Lead.owner_id)
            .where(*_filter_clauses(board, search_ids))
            .order_by(*order)
        )

    def _read_cards(self, query, params: dict | None = None) -> list[CardRecord]:
        with self.engine.connect() as conn:  # a Core statement: no ORM session needed
            rows = conn.execute(query, params).all()
        return [CardRecord(id=r[0], name=display_name(r[1], r[2], r[15], r[16]),
                           job_title=r[3], company=r[4],
                           score=r[5], source=r[6], owner_name=r[7], stage=_STAGES[r[8]],
                           stage_entered_at=r[9], mql_at=r[10], first_touch_at=r[11],
                           last_activity_at=r[12], grade=r[13], buyer_stage=r[14],
                           last_touch_at=r[17])
                for r in rows]

    def _searched_cards(self, board: BoardFilter, sort: BoardSort) -> list[CardRecord]:
        """Every card a search (with the other filters) matches, cached per database state."""
        key = (board, sort, self.data_version())
        if self._searched[0] != key:
            ids = self.search_ids(board.search) or []
            self._searched = (key, self._read_cards(self._card_query(board, ids, sort)), {})
        return self._searched[1]

    def _searched_column(self, board: BoardFilter, sort: BoardSort, by: BoardGrouping,
                         value: Stage | str) -> list[CardRecord]:
        """The cards of one column among a search's matches: the matches are put in their
        columns once per search, not once per column."""
        cards = self._searched_cards(board, sort)
        columns = self._searched[2]
        if by not in columns:
            columns[by] = {}
            for card in cards:
                columns[by].setdefault(card.column(by), []).append(card)
        return columns[by].get(value, [])

    def column_summaries(self, board: BoardFilter, by: BoardGrouping = BoardGrouping.STAGE
                         ) -> dict:
        """Lead count and average score of every column (stage, or buyer-journey stage)
        under the board's filter."""
        keys = list(Stage) if by == BoardGrouping.STAGE else list(JOURNEY_STAGES)
        if by == BoardGrouping.STAGE and board.shows_everything:
            # every lead: the totals the triggers keep, not a count of every lead (60 ms at
            # a million)
            with db.read_connection(self.engine) as raw:
                found = {stage: (n, total / n if n else None) for stage, n, total in raw.execute(
                    "SELECT stage, leads, score_sum FROM stage_totals")}
        elif fts_query(board.search) is not None:
            found: dict[str, tuple[int, float | None]] = {}
            for card in self._searched_cards(board, BoardSort.SCORE):
                key = str(card.column(by))
                if by == BoardGrouping.JOURNEY and card.stage not in JOURNEY_BOARD_STAGES:
                    continue
                count, total = found.get(key, (0, 0))
                found[key] = (count + 1, total + card.score)
            found = {key: (n, total / n) for key, (n, total) in found.items()}
        else:
            column = Lead.stage if by == BoardGrouping.STAGE else Lead.buyer_stage
            where = [] if by == BoardGrouping.STAGE else [
                Lead.stage.in_([s.value for s in JOURNEY_BOARD_STAGES])]
            query = (select(column, func.count(), func.avg(Lead.score))
                     .where(*where, *_filter_clauses(board, None)).group_by(column))
            with self.reading() as s:
                found = {key: (n, avg) for key, n, avg in s.execute(query)}
        return {key: ColumnSummary(*found.get(str(key), (0, None))) for key in keys}

    def board_lead_ids(self, board: BoardFilter) -> list[int]:
        """Every lead the board's filter shows, in all stages (for an export)."""
        ids = self.search_ids(board.search) if fts_query(board.search) is not None else None
        with self.reading() as s:
            return list(s.scalars(select(Lead.id).where(*_filter_clauses(board, ids))
                                  .order_by(Lead.id)))

    def board_card(self, board: BoardFilter, lead_id: int) -> CardRecord | None:
        """The lead's card if the board's filter shows it (after a move changed its owner or
        its stage, say), else None: one row read, where its column's window is 200."""
        if fts_query(board.search) is not None and lead_id not in self.search_ids(board.search):
            return None
        if self._card_of[0] != board:  # built once per filter: every triage move reads one
            self._card_of = (board, self._card_query(board, None, BoardSort.SCORE)
                             .where(Lead.id == bindparam("card_id")))
        cards = self._read_cards(self._card_of[1], {"card_id": lead_id})
        return cards[0] if cards else None

    def search_is_capped(self, search: str) -> bool:
        """Whether the search matches more leads than it lists."""
        ids = self.search_ids(search)
        return ids is not None and len(ids) >= SEARCH_MATCH_LIMIT

    def search_ids(self, search: str) -> list[int] | None:
        """The leads a search matches (at most SEARCH_MATCH_LIMIT), None for no search: by
        the words of their name, email, company, title and notes, or by their external id.

        One full-text query per search text and database state, shared by every column
        of the board and its counts.
        """
        query = fts_query(search)
        if query is None:
            return None
        key = (query, search.strip(), self.data_version())
        if self._last_search[0] != key:
            with db.read_connection(self.engine) as raw:  # at every keystroke: no ORM
                ids = [i for (i,) in raw.execute(_BY_EXTERNAL_ID, (search.strip(),))]
                ids += [i for (i,) in raw.execute(_SEARCH, (query, SEARCH_MATCH_LIMIT - len(ids)))
                        if i not in ids]
            self._last_search = (key, ids)
        return self._last_search[1]

    def lead_detail(self, lead_id: int, activity_limit: int = 200) -> LeadDetail:
        """The lead, its company, activities and history: one transaction, read by the
        driver (the pane shows one on every triage move)."""
        with db.read_connection(self.engine) as raw:
            row = raw.execute(
                f"SELECT {_LEAD_ROWS.columns}, {_COMPANY_ROWS.columns}, c.id, l.phone, "
                "l.seniority, l.fit_score, l.engagement_score, l.custom_fields, "
                "l.predicted_conversion, l.prediction_reasons, EXISTS (SELECT 1 FROM "
                "stage_conflicts k WHERE k.lead_id = l.id AND k.resolved_at IS NULL) "
                "FROM leads l LEFT JOIN companies c ON c.id = l.company_id WHERE l.id = ?",
                (lead_id,)).fetchone()
            if row is None:
                raise NotFound(f"There is no lead with id {lead_id}.")
            users = dict(raw.execute("SELECT id, name FROM users"))
            activities = raw.execute(
                f"SELECT {_ACTIVITY_ROWS.columns}, a.user_id FROM activities a "
                "WHERE a.lead_id = ? ORDER BY a.occurred_at DESC, a.id DESC LIMIT ?",
                (lead_id, activity_limit)).fetchall()
            history = raw.execute(
                f"SELECT {_CHANGE_ROWS.columns} FROM stage_changes c WHERE c.lead_id = ? "
                "ORDER BY coalesce(c.hlc, 0) DESC, c.id DESC", (lead_id,)).fetchall()
        lead = _LEAD_ROWS.record(row)
        after_lead = row[_LEAD_ROWS.width:]
        company, company_id = after_lead[:_COMPANY_ROWS.width], after_lead[_COMPANY_ROWS.width]
        (phone, seniority, fit_score, engagement_score, custom_fields, predicted_conversion,
         prediction_reasons, conflicted) = after_lead[_COMPANY_ROWS.width + 1:]
        return LeadDetail(
            lead=lead, phone=phone, seniority=seniority, external_id=lead.external_id,
            fit_score=fit_score, engagement_score=engagement_score,
            owner_name=users.get(lead.owner_id) if lead.owner_id else None,
            company=_COMPANY_ROWS.record(company) if company_id is not None else None,
            activities=[_ACTIVITY_ROWS.record(a, user_name=users.get(a[-1]))
                        for a in activities],
            history=[_CHANGE_ROWS.record(c) for c in history],
            user_names=users,
            custom_fields=json.loads(custom_fields) if custom_fields else {},
            predicted_conversion=predicted_conversion,
            prediction_reasons=[tuple(r) for r in json.loads(prediction_reasons)["top"]]
            if prediction_reasons else [],
            open_conflicts=self.stage_conflicts(lead_id=lead_id) if conflicted else [],
        )

    def users(self, *, deactivated: bool = False) -> list[tuple[int, str, str, str]]:
        """(id, name, email, role) of every active user (and deactivated ones when
        asked: the history and the reports still name them), by name."""
        query = select(User.id, User.name, User.email, User.role).order_by(User.name)
        if not deactivated:
            query = query.where(User.deactivated_at.is_(None))
        with self.reading() as s:
            return [tuple(r) for r in s.execute(query)]

    def person(self, user_id: int | None) -> Person | None:
        """Who a user is (for the ownership rules); None for no one."""
        if user_id is None:
            return None
        with db.read_connection(self.engine) as raw:
            row = raw.execute("SELECT id, name, role FROM users WHERE id = ?",
                              (user_id,)).fetchone()
        if row is None:
            raise NotFound(f"There is no user with id {user_id}.")
        return Person(*row)

    def sources_and_campaigns(self) -> tuple[list[str], list[str]]:
        """The distinct sources and campaigns, in order: a few index probes, not a scan."""
        with self.reading() as s:
            return tuple(list(s.scalars(text(_DISTINCT_VALUES.format(column=column))))
                         for column in ("source", "campaign"))

    def data_version(self) -> int:
        """A number that changes whenever another connection or process commits."""
        if self._watch is None:
            self._watch = sqlite3.connect(db.read_only_uri(self.path), uri=True,
                                          check_same_thread=False)
        return self._watch.execute("PRAGMA data_version").fetchone()[0]

    def bant(self, lead_id: int) -> dict[str, tuple[str, str | None]]:
        """{item: (status, note)} of the lead's BANT checklist; unknown until set."""
        items = ", ".join(f"q.{item}, q.{item}_note" for item in BANT_ITEMS)
        with db.read_connection(self.engine) as raw:
            row = raw.execute(f"SELECT q.lead_id, {items} FROM leads l LEFT JOIN "
                              "qualifications q ON q.lead_id = l.id WHERE l.id = ?",
                              (lead_id,)).fetchone()
        if row is None:
            raise NotFound(f"There is no lead with id {lead_id}.")
        if row[0] is None:  # no checklist yet
            return {item: (BantStatus.UNKNOWN.value, None) for item in BANT_ITEMS}
        return {item: (row[1 + 2 * i], row[2 + 2 * i]) for i, item in enumerate(BANT_ITEMS)}

    def set_bant(self, lead_id: int, item: str, status: BantStatus | str,
                 note: str | None = None, *, by: int | None = None,
                 at: datetime | None = None) -> None:
        """Set one BANT item, and record it in the lead's activity as a qualification note."""
        if item not in BANT_ITEMS:
            raise BadInput(f"Unknown BANT item '{item}' (one of {', '.join(BANT_ITEMS)}).")
        status = BantStatus(status)
        at = at or utcnow()
        with self.writing() as s:
            lead = _get_lead(s, lead_id)
            record = s.get(Qualification, lead_id)
            if record is None:
                record = Qualification(lead_id=lead_id, updated_at=at, budget="unknown",
                                       authority="unknown", need="unknown", timeline="unknown")
                s.add(record)
            setattr(record, item, status.value)
            setattr(record, f"{item}_note", note)
            record.updated_at, record.updated_by = at, by
            s.add(Activity(lead_id=lead_id, occurred_at=at, user_id=by,
                           kind=ActivityKind.QUALIFICATION.value,
                           note=f"{item.capitalize()}: {status.value}"
                                + (f" ({note})" if note else "")))
            lead.updated_at = at

    def queue(self, me: int | None, limit: int | None = None,
              offset: int = 0) -> list[CardRecord]:
        """The MQLs to triage: mine and the unassigned pool, the follow-up SLA due first
        (longest waiting first), then the touched ones by score."""
        waiting = Lead.first_touch_at.is_(None)
        query = (self._card_query(BoardFilter(), None, BoardSort.SCORE)
                 .where(queue_clause(me)).order_by(None)
                 .order_by(waiting.desc(), case((waiting, Lead.mql_at)), Lead.score.desc(),
                           Lead.id))
        return self._read_cards(query.limit(limit).offset(offset) if limit else query)

    def stale_cards(self, board: BoardFilter, limit: int = 500) -> list[CardRecord]:
        """The leads a board with "Stale only" shows (board.stale_cutoffs set), longest in
        their stage first."""
        return self._read_cards(self._card_query(board, None, BoardSort.TIME_IN_STAGE)
                                .limit(limit))

    def erase_lead(self, lead_id: int, at: datetime) -> None:
        """Remove what names or reaches the person (rules.erasure) from the lead, its
        activities, stage changes, BANT evidence and the search index, in one transaction;
        the anonymous row stays (store.erasure). The sync carries the erasure to the team."""
        with db.write_connection(self.engine) as conn:
            if not erase_people(conn.connection.driver_connection, [lead_id], db.sql_time(at)):
                raise NotFound(f"There is no lead with id {lead_id}.")
        forget_old_pages(self.engine)

    def set_do_not_contact(self, lead_id: int, on: bool, at: datetime) -> None:
        with db.write_connection(self.engine) as conn:
            found = conn.connection.driver_connection.execute(
                "UPDATE leads SET do_not_contact = ?, updated_at = ? WHERE id = ?",
                (int(on), db.sql_time(at), lead_id)).rowcount
        if not found:
            raise NotFound(f"There is no lead with id {lead_id}.")

    def overdue_count(self, overdue_before: datetime) -> int:
        """The team's overdue MQLs (overdue_clause), whoever owns them, counted in the
        partial index of untouched MQLs alone: by itself SQLite reads every MQL's row
        through ix_leads_stage_score (70 ms against 3 ms at a million leads)."""
        with self.reading() as s:
            return s.scalar(text(
                "SELECT count(*) FROM leads INDEXED BY ix_leads_untouched_mql "
                "WHERE stage = 'mql' AND first_touch_at IS NULL AND mql_at < :cutoff"),
                {"cutoff": db.sql_time(overdue_before)})

    def queue_summary(self, me: int | None, overdue_before: datetime) -> tuple[int, int]:
        """(leads in the queue, of which overdue): untouched MQLs handed over before the cutoff."""
        with self.reading() as s:
            count, late = s.execute(select(func.count(),
                                           func.count().filter(overdue_clause(overdue_before)))
                                    .where(queue_clause(me))).one()
        return count, late

    def user_by_email(self, email: str) -> int:
        with self.reading() as s:
            found = s.scalar(select(User.id).where(User.email == email.strip().lower()))
        if found is None:
            raise NotFound(f"There is no user with email {email}.")
        return found

    def return_due_recycled(self, today: date, at: datetime) -> list[int]:
        """Recycled leads whose date to look again has come become MQLs again, each with a
        StageChange saying why. A few hundred at a time, each batch its own transaction: on
        the first start after two weeks away, thousands are due at a million leads (2.6 s
        of the write lock in one transaction, while the rep's first move waited). A batch
        cut short is done by the next look; a lead moved meanwhile stays where it was."""
        check_transition(Stage.RECYCLED, Stage.MQL)
        due = (today.isoformat(),)
        with db.read_connection(self.engine) as raw:
            ids = [row[0] for row in raw.execute(
                # the partial index, which SQLite would not choose over ix_leads_stage_score
                "SELECT id FROM leads INDEXED BY ix_leads_recycled_due "
                "WHERE stage = 'recycled' AND revisit_on <= ? ORDER BY id", due)]
        stamp, returned = db.sql_time(at), []
        for first in range(0, len(ids), RETURN_BATCH):
            chosen = json.dumps(ids[first:first + RETURN_BATCH])
            with db.write_connection(self.engine) as conn:
                raw = conn.connection.driver_connection
                still_due = json.dumps([row[0] for row in raw.execute(
                    "SELECT id FROM leads WHERE id IN (SELECT value FROM json_each(?)) "
                    "AND stage = 'recycled' AND revisit_on <= ? ORDER BY id", (chosen, *due))])
                raw.execute(
                    "INSERT INTO stage_changes (lead_id, from_stage, to_stage, changed_at, "
                    "reason_code, note) SELECT id, 'recycled', 'mql', ?, 'revisit_due', "
                    "'Back in the queue: the date to look again (' || revisit_on || ') came.' "
                    "FROM leads WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                    (stamp, still_due))
                raw.execute(
                    "UPDATE leads SET stage = 'mql', stage_entered_at = ?, mql_at = ?, "
                    "first_touch_at = NULL, revisit_on = NULL, updated_at = ? "
                    "WHERE id IN (SELECT value FROM json_each(?))",
                    (stamp, stamp, stamp, still_due))
            returned += json.loads(still_due)
        return returned

    def recycled_with_intent(self, lead_ids: Sequence[int],
                             kinds: Sequence[str]) -> list[tuple[int, str]]:
        """(lead, activity kind) of the recycled leads among these with an activity of one of
        the kinds since they were recycled."""
        with self.reading() as s:
            rows = s.execute(
                text("SELECT l.id, (SELECT a.kind FROM activities a WHERE a.lead_id = l.id "
                     "AND a.occurred_at >= l.stage_entered_at AND a.kind IN "
                     "(SELECT value FROM json_each(:kinds)) ORDER BY a.occurred_at LIMIT 1) "
                     "FROM leads l WHERE l.stage = 'recycled' AND l.id IN "
                     "(SELECT value FROM json_each(:ids))"),
                {"ids": json.dumps(list(lead_ids)), "kinds": json.dumps(list(kinds))})
            return [(lead_id, kind) for lead_id, kind in rows if kind is not None]

    def conversion_facts(self, *, labelled: bool, id_range: tuple[int, int] | None = None,
                         lost_after: tuple[int, datetime] | None = None) -> list[tuple]:
        """Per lead, what the conversion model learns from: (id, label, cutoff, seniority,
        employee band, revenue band, industry, country, source, email domain, custom fields,
        rules score, rules fit score, lost by the horizon, *behaviour counts in
        BEHAVIOUR_FEATURES order). The label is 1 for a lead that became an opportunity or
        customer (or was imported as won), 0 for one disqualified (or imported as lost),
        None otherwise; with lost_after (days, now), also 0 for a lead handed over (its
        first move to MQL, SAL or SQL, or its MQL time) at least that many days before now
        without a win, its cutoff that many days after the handover, and 1 in the "lost by
        the horizon" column. Behaviour counts only before the cutoff, so that what happened
        because of the outcome does not predict it."""
        sums = ", ".join(
            f"sum(a.kind = '{kind}'" + (f" AND a.page_kind = '{page}'" if page else "")
            + f") AS n{i}" for i, (kind, page) in enumerate(BEHAVIOUR_FEATURES))
        counts = ", ".join(f"coalesce(act.n{i}, 0)" for i in range(len(BEHAVIOUR_FEATURES)))
        after, last = id_range or (0, LAST_ID)
        days, now = lost_after or (None, None)
        horizon = "(:days IS NOT NULL AND coalesce(o.handed_at, l.mql_at) <= :handed_before)"
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            return raw.execute(
                "WITH outcome AS (SELECT lead_id, min(CASE WHEN to_stage IN ('opportunity', "
                "'customer', 'evangelist') THEN changed_at END) AS won_at, min(CASE WHEN "
                "to_stage = 'disqualified' THEN changed_at END) AS lost_at, min(CASE WHEN "
                "to_stage IN ('mql', 'sal', 'sql') THEN changed_at END) AS handed_at "
                "FROM stage_changes WHERE to_stage IN ('opportunity', 'customer', "
                "'evangelist', 'disqualified', 'mql', 'sal', 'sql') "
                "AND lead_id > :after AND lead_id <= :last GROUP BY lead_id), "
                "base AS (SELECT l.id, CASE WHEN o.won_at IS NOT NULL OR l.historic_outcome = "
                "'won' THEN 1 WHEN o.lost_at IS NOT NULL OR l.historic_outcome = 'lost' "
                f"OR {horizon} THEN 0 END AS label, coalesce(o.won_at, o.lost_at, CASE WHEN "
                f"{horizon} AND l.historic_outcome IS NULL THEN datetime(coalesce(o.handed_at, "
                "l.mql_at), '+' || :days || ' days') END) AS cutoff, l.seniority, "
                "c.employee_band, c.revenue_band, c.industry, coalesce(c.country, l.country), "
                "l.source, "
                "substr(l.email, instr(l.email, '@') + 1) AS domain, l.custom_fields, l.score, "
                "l.fit_score, o.won_at IS NULL AND o.lost_at IS NULL AND "
                f"l.historic_outcome IS NULL AND {horizon} AS by_horizon "
                "FROM leads l LEFT JOIN companies c ON c.id = l.company_id "
                "LEFT JOIN outcome o ON o.lead_id = l.id WHERE l.id > :after AND l.id <= :last) "
                f"SELECT b.*, {counts} FROM base b LEFT JOIN (SELECT a.lead_id, {sums} "
                "FROM activities a JOIN base b2 ON b2.id = a.lead_id "
                "WHERE a.occurred_at < coalesce(b2.cutoff, '9999') GROUP BY a.lead_id) act "
                "ON act.lead_id = b.id "
                + ("WHERE b.label IS NOT NULL " if labelled else "") + "ORDER BY b.id",
                {"after": after, "last": last, "days": days,
                 "handed_before": None if now is None else
                 db.sql_time(now - timedelta(days=days))}).fetchall()

    def latest_model(self) -> tuple[int, dict, dict] | None:
        """(id, parameters, report) of the newest conversion model, if one was trained."""
        with self.reading() as s:
            row = s.execute(select(ScoringModel.id, ScoringModel.parameters,
                                   ScoringModel.report)
                            .order_by(ScoringModel.id.desc()).limit(1)).first()
        return None if row is None else (row[0], json.loads(row[1]), json.loads(row[2]))

    def save_model(self, fields: list[str], parameters: dict, report: dict,
                   author: int | None = None) -> int:
        with self.writing() as s:
            model = ScoringModel(created_at=utcnow(), author_id=author, fields=json.dumps(fields),
                                 parameters=json.dumps(parameters), report=json.dumps(report))
            s.add(model)
            s.flush()
            return model.id

    def write_predictions(self, rows: Iterable[tuple[float, str, int]]) -> None:
        """(probability, reasons JSON, lead id) rows, in one transaction."""
        with db.write_connection(self.engine) as conn:
            conn.connection.driver_connection.executemany(
                "UPDATE leads SET predicted_conversion = ?, prediction_reasons = ? WHERE id = ?",
                rows)

    def count_leads(self) -> int:
        with self.reading() as s:
            return s.scalar(select(func.count()).select_from(Lead))

    def lead_id_ranges(self, parts: int) -> list[tuple[int, int]]:
        """(after, last) id ranges that split the leads into about equal parts."""
        with self.reading() as s:
            low, high = s.execute(select(func.min(Lead.id), func.max(Lead.id))).one()
        if low is None:
            return []
        bounds = [low - 1 + (high - low + 1) * i // parts for i in range(parts + 1)]
        return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]

    # -- scoring -------------------------------------------------------------

    def scoring_chunks(self, fit_conditions: Sequence[tuple[str, str, Sequence[str]]],
                       activity_patterns: Sequence[tuple[str, str | None]], now: datetime,
                       lead_ids: Iterable[int] | None = None,
                       id_range: tuple[int, int] | None = None,
                       chunk_size: int = SCORING_CHUNK) -> Iterator[ScoringChunk]:
        """Leads in id order, chunk by chunk, with what scoring needs of them.

        Fit conditions (field, match, values) are tested in SQL and come back as one bit
        mask per lead; activities are classified by the patterns in SQL (the first pattern
        that matches wins; a page kind of None matches any page). Only numbers cross
        into Python."""
        import numpy as np  # here, not at import: the window starts without it

        mask_sql, mask_params = _fit_mask(fit_conditions)
        # activities never have the kind 'intent': their CASE skips those patterns
        class_case, class_params = _pattern_case(activity_patterns, frozenset({"intent"}))
        intent_case, intent_params = _pattern_case(activity_patterns)
        now_jd = (now - datetime(1970, 1, 1)).total_seconds() / 86400 + 2440587.5
        wanted = sorted(set(lead_ids)) if lead_ids is not None else None
        after, last = id_range if id_range is not None else (0, LAST_ID)
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            if any(field == "account_status" for field, _match, _values in fit_conditions):
                _list_customer_companies(raw, wanted)
            # company intent signals count as activities of every lead at that company
            intent = any(kind == "intent" for kind, _page in activity_patterns) and \
                raw.execute("SELECT EXISTS (SELECT 1 FROM intent_signals)").fetchone()[0]
            while True:
                if wanted is None:
                    where = "l.id > ? AND l.id <= ? ORDER BY l.id LIMIT ?"
                    params = [after, last, chunk_size]
                    span = "a.lead_id BETWEEN ? AND ?"
                else:
                    batch, wanted = wanted[:chunk_size], wanted[chunk_size:]
                    if not batch:
                        return
                    marks = ",".join("?" * len(batch))
                    where, params = f"l.id IN ({marks}) ORDER BY l.id", batch
                    span = f"a.lead_id IN ({marks})"
                leads = raw.execute(
                    f"SELECT l.id, {mask_sql}, l.stage, l.fit_score, l.engagement_score, "
                    "l.score, l.grade, l.buyer_stage FROM leads l "
                    f"LEFT JOIN companies c ON c.id = l.company_id WHERE {where}",
                    [*mask_params, *params]).fetchall()
                if not leads:
                    return
                columns = list(zip(*leads, strict=True))
                ids = np.array(columns[0], dtype=np.int64)
                span_params = [int(ids[0]), int(ids[-1])] if wanted is None else batch
                activity = raw.execute(
                    f"SELECT a.lead_id, {class_case}, ? - julianday(a.occurred_at) "
                    f"FROM activities a WHERE {span}",
                    [*class_params, now_jd, *span_params]).fetchall()
                if intent:
                    activity += raw.execute(
                        f"SELECT a.lead_id, {intent_case}, ? - julianday(a.occurred_at) "
                        f"FROM ({INTENT_AS_ACTIVITY}) a WHERE {span}",
                        [*intent_params, now_jd, *span_params]).fetchall()
                acts = np.fromiter(chain.from_iterable(activity), dtype=float,
                                   count=3 * len(activity)).reshape(-1, 3)
                yield ScoringChunk(
                    lead_ids=ids, fit_mask=np.array(columns[1], dtype=np.int64),
                    stage=np.array(columns[2], dtype=object),
                    fit=np.array(columns[3], dtype=np.int64),
                    engagement=np.array(columns[4], dtype=np.int64),
                    score=np.array(columns[5], dtype=np.int64),
                    grade=np.array(columns[6], dtype=object),
                    buyer_stage=np.array(columns[7], dtype=object),
                    activity_lead=np.searchsorted(ids, acts[:, 0].astype(np.int64)),
                    activity_class=acts[:, 1].astype(np.int64),
                    activity_age=acts[:, 2],
                )
                after = int(ids[-1])

    def scores_state(self) -> tuple[datetime | None, int | None]:
        """(as of, criteria version) of the stored scores (see ScoreState)."""
        with db.read_connection(self.engine) as raw:
            as_of, version = raw.execute(
                "SELECT scores_as_of, criteria_version FROM score_state").fetchone()
        return db.read_time(as_of), version

    def date_scores(self, as_of: datetime | None, criteria_version: int | None) -> None:
        """The stored scores stand as they are, as of this moment by these criteria."""
        with db.write_connection(self.engine) as conn:
            conn.exec_driver_sql("UPDATE score_state SET scores_as_of = ?, "
                                 "criteria_version = ?",
                                 (as_of and db.sql_time(as_of), criteria_version))

    def score_moments(self, lead_ids: Iterable[int]) -> dict[datetime | None, list[int]]:
        """The leads grouped by the moment their stored scores are as of (one moment
        except while a rescore is storing its scores; see ScoreMoment)."""
        with db.read_connection(self.engine) as raw:
            return moments_of(raw, lead_ids)

    @contextmanager
    def staged_scores(self, lead_ids: Sequence[int] | None = None
                      ) -> Iterator[StagedScores]:
        """New scores of every lead (or of these), staged and then stored in short write
        transactions (see workbench.store.score_staging)."""
        with staged_scores(self.engine, lead_ids) as staged:
            yield staged

    # -- criteria ------------------------------------------------------------

    def current_criteria(self) -> Criteria:
        """The newest saved criteria, or the built-in default before any is saved."""
        with db.read_connection(self.engine) as raw:
            return _saved_or_default_criteria(raw)

    def save_criteria(self, criteria: Criteria, *, author: int | None = None,
                      note: str | None = None, at: datetime | None = None) -> Criteria:
        """Save as a new version (never changing an old one), by default as of now; returns
        it with its number."""
        criteria.validate()
        with self.writing() as s:
            saved = CriteriaVersion(created_at=at or utcnow(), author_id=author, note=note,
                                    body=json.dumps(criteria.to_dict(), indent=1))
            s.add(saved)
            # every code ever offered keeps a label, for the history and the reports
            for kind in REASON_KINDS:
                for option in criteria.reasons(kind):
                    s.merge(Reason(kind=kind, code=option.code, label=option.label))
            s.flush()
            return Criteria.from_dict(criteria.to_dict(), version=saved.id)

    def criteria_versions(self) -> list[CriteriaVersionRecord]:
        """Every saved version, newest first, with who saved it and why."""
        with self.reading() as s:
            rows = s.execute(select(CriteriaVersion.id, CriteriaVersion.created_at,
                                    User.name, CriteriaVersion.note)
                             .outerjoin(User, User.id == CriteriaVersion.author_id)
                             .order_by(CriteriaVersion.id.desc()))
            return [CriteriaVersionRecord(*row) for row in rows]

    def reasons(self, kind: str) -> list[tuple[str, str]]:
        """The current catalogue of reject or recycle reasons: (code, label), in its order."""
        return [(r.code, r.label) for r in self.current_criteria().reasons(kind)]

    def reason_labels(self, kind: str) -> dict[str, str]:
        """The label of every code ever offered, current or retired (for history, reports)."""
        with self.reading() as s:
            rows = s.execute(select(Reason.code, Reason.label).where(Reason.kind == kind))
            return {code: label for code, label in rows}

    # -- writes --------------------------------------------------------------

    def add_user(self, name: str, email: str, role: str = "rep") -> int:
        with self.writing() as s:
            user = User(name=name, email=email.strip().lower(), role=role)
            s.add(user)
            s.flush()
            return user.id

    def add_activity(self, lead_id: int, kind: ActivityKind | str, *, by: int | None = None,
                     note: str | None = None, url: str | None = None,
                     page_kind: str | None = None, at: datetime | None = None,
                     outcome: str | None = None) -> int:
        """Record an activity; it moves the lead's last activity, and a touch that reaches
        the person answers the follow-up SLA of an MQL."""
        with self.writing() as s:
            return _add_activity(s, _get_lead(s, lead_id), ActivityKind(kind), at or utcnow(),
                                 by=by, note=note, url=url, page_kind=page_kind,
                                 outcome=outcome)

    def add_touches(self, lead_ids: Sequence[int], kind: ActivityKind | str, *,
                    by: int | None, note: str | None, at: datetime, outcome: str) -> list[int]:
        """The same touch with each of these leads (checked already), in one transaction:
        all of them or none. Returns the activities' ids."""
        with self.writing() as s:
            return [_add_activity(s, _get_lead(s, lead_id), ActivityKind(kind), at, by=by,
                                  note=note, outcome=outcome)
                    for lead_id in dict.fromkeys(lead_ids)]

    def add_note(self, lead_id: int, text: str, *, by: int | None = None) -> int:
        text = text.strip()
        if not text:
            raise BadInput("A note needs some text.")
        return self.add_activity(lead_id, ActivityKind.NOTE, by=by, note=text)

    def add_lead(self, *, at: datetime | None = None, by: int | None = None,
                 stage: Stage = Stage.LEAD, **fields: Any) -> int:
        """Create a lead and its first StageChange (from nothing to its stage)."""
        at = at or utcnow()
        stage = Stage(stage)
        with self.writing() as s:
            lead = Lead(stage=stage.value, created_at=at, updated_at=at, stage_entered_at=at,
                        mql_at=at if stage == Stage.MQL else None, last_activity_at=at,
                        fit_score=0, engagement_score=0, score=0, **fields)
            s.add(lead)
            s.flush()
            s.add(StageChange(lead_id=lead.id, from_stage=None, to_stage=stage.value,
                              changed_at=at, user_id=by))
            return lead.id

    def move_lead(self, lead_id: int, to_stage: Stage | str, *, by: int | None = None,
                  reason_code: str | None = None, note: str | None = None,
                  revisit_on: date | None = None, at: datetime | None = None,
                  assign_to: int | None = None) -> StageChangeRecord:
        """Move a lead to another stage if the stage machine allows it.

        The stage update and its StageChange row are one transaction.
        """
        to_stage = Stage(to_stage)
        at = at or utcnow()
        stamp = db.sql_time(at)
        with db.write_connection(self.engine) as conn:
            raw = conn.connection.driver_connection  # a triage move's write, as it runs
            row = raw.execute("SELECT stage, mql_at, first_touch_at, revisit_on, owner_id "
                              "FROM leads WHERE id = ?", (lead_id,)).fetchone()
            if row is None:
                raise NotFound(f"There is no lead with id {lead_id}.")
            from_stage = row[0]
            check_transition(from_stage, to_stage)
            kind = REASON_KIND.get(to_stage)
            if kind is not None:
                codes = [r.code for r in _saved_or_default_criteria(raw).reasons(kind)]
                if reason_code not in codes:
                    raise BadInput(f"Moving a lead to {to_stage.label} needs a {kind} reason, "
                                   f"one of: {', '.join(codes)}.")
            if to_stage == Stage.RECYCLED and revisit_on is None:
                raise BadInput("Recycling a lead needs a date to look at it again.")
            new = {"mql_at": stamp if to_stage == Stage.MQL else row[1],
                   # a new MQL moment starts a new SLA
                   "first_touch_at": None if to_stage == Stage.MQL else row[2],
                   "revisit_on": revisit_on.isoformat() if to_stage == Stage.RECYCLED else None,
                   "owner_id": row[4] if assign_to is None else assign_to}
            # only the columns that change, as the ORM wrote them: the sync and report
            # triggers watch some of them
            changed = {"stage": to_stage.value, "stage_entered_at": stamp,
                       "updated_at": stamp,
                       **{column: value for (column, value), old in zip(new.items(), row[1:],
                                                                        strict=True)
                          if value != old}}
            raw.execute(f"UPDATE leads SET {', '.join(f'{c} = ?' for c in changed)} "
                        "WHERE id = ?", (*changed.values(), lead_id))
            change_id = raw.execute(
                "INSERT INTO stage_changes (lead_id, from_stage, to_stage, changed_at, "
                "user_id, reason_code, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (lead_id, from_stage, to_stage.value, stamp, by, reason_code, note)).lastrowid
        return StageChangeRecord(change_id, lead_id, Stage(from_stage), to_stage, at, by,
                                 reason_code, note)

    def undo_move(self, change_id: int, before: LeadRecord, *, by: int | None = None,
                  at: datetime | None = None) -> StageChangeRecord:
        """Reverse a move with a compensating StageChange (the audit stays append-only),
        restoring what the move changed: stage, owner, revisit date, MQL time, SLA touch.
        Refused when anything moved the lead since."""
        at = at or utcnow()
        with self.writing() as s:
            lead = _get_lead(s, before.id)
            last = s.scalar(select(func.max(StageChange.id))
                            .where(StageChange.lead_id == before.id))
            if last != change_id:
                raise Refused(f"{before.name} has moved since; nothing was undone.")
            change = StageChange(lead_id=lead.id, from_stage=lead.stage,
                                 to_stage=before.stage.value, changed_at=at, user_id=by,
                                 reason_code="undo",
                                 note=f"Undid the move to {Stage(lead.stage).label}.")
            lead.stage, lead.owner_id = before.stage.value, before.owner_id
            lead.revisit_on, lead.mql_at = before.revisit_on, before.mql_at
            lead.stage_entered_at, lead.first_touch_at = before.stage_entered_at, \
                before.first_touch_at
            lead.updated_at = at
            s.add(change)
            s.flush()
            return _change_record(change)

    def bulk_load(self, tables: Sequence[tuple[Table, Sequence[str], RowSource]],
                  scored: Callable[[ScoreWriter], None] | None = None) -> dict[str, int]:
        """Load many rows into empty tables in one transaction, through executemany.

        Each item is (table, column names, rows), where rows is a function giving the
        table's rows a chunk at a time: the next chunk is built on a reading thread while
        this one is inserted (sqlite3 releases the GIL while SQLite works), and only a
        chunk or two is ever in memory. The tables' secondary indexes and triggers are
        dropped for the load; the indexes are built once at the end and the search index
        filled in one statement, several times faster than row by row. `scored` then dates
        the loaded scores and promotes leads, in the same transaction.
        Returns the number of rows inserted per table.
        """
        counts: dict[str, int] = {}
        with db.write_connection(self.engine) as conn:
            raw = conn.connection.driver_connection
            indexes, triggers = [], []
            for table, columns, rows in tables:
                indexes += table.indexes
                for index in table.indexes:
                    index.drop(conn)
                triggers += drop_triggers(raw, [table.name])
                sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
                       f"VALUES ({', '.join('?' * len(columns))})")
                counts[table.name] = sum(raw.executemany(sql, chunk).rowcount for chunk
                                         in read_ahead(iter(rows()), f"rows-{table.name}"))
            for index in indexes:
                index.create(conn)
            if scored is not None:
                scored(ScoreWriter(raw))
            rebuild_derived(raw, triggers)
        return counts


def _add_activity(s: Session, lead: Lead, kind: ActivityKind, at: datetime, *,
                  by: int | None, note: str | None, outcome: str | None,
                  url: str | None = None, page_kind: str | None = None) -> int:
    activity = Activity(lead_id=lead.id, occurred_at=at, kind=kind.value, url=url,
                        page_kind=page_kind, user_id=by, note=note, outcome=outcome)
    s.add(activity)
    lead.last_activity_at = max(filter(None, (lead.last_activity_at, at)))
    lead.updated_at = utcnow()
    if (kind in SLA_TOUCHES and lead.stage == Stage.MQL.value
            and lead.first_touch_at is None and lead.mql_at and at >= lead.mql_at):
        lead.first_touch_at = at
    if kind in SLA_TOUCHES:  # the touch was the step planned, or made it moot
        lead.next_step_kind = lead.next_step_due = lead.next_step_note = None
    s.flush()
    return activity.id
