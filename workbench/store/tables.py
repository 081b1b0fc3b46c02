"""Typed SQLAlchemy 2.0 tables of the workbench.

Times are naive UTC. Enumerated values (stage, activity kind, BANT status...)
are stored as short strings so that new values need no schema change; the
Python enums below are the vocabulary the code uses.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from workbench.rules.vocabulary import BantStatus, Role

# Stable constraint names so that Alembic batch migrations on SQLite can address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Tables the ORM does not map: the FTS5 search index and its shadow tables.
UNMAPPED_TABLE_PREFIX = "lead_search"


def mapped_in_orm(name: str | None, type_: str, _parent_names: object = None) -> bool:
    """Alembic's include_name hook: leave the search index to its own migration."""
    return not (type_ == "table" and name and name.startswith(UNMAPPED_TABLE_PREFIX))


# A synced row's identity across laptops and the team server is "<device>-<local id>" of
# the laptop that created it. A laptop stores it only for rows that came from elsewhere
# (its own rows' uid is NULL and implied), so no row is written twice to get one.
SYNC_UID = "coalesce({t}.uid, (SELECT device FROM sync_state) || '-' || {t}.id)"


def _uid_index(table: str) -> Index:
    return Index(f"uq_{table}_uid", "uid", unique=True, sqlite_where=text("uid IS NOT NULL"))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """A rep or a manager."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.REP)
    # set when the team stops working with them: kept for the history, no longer chosen
    # as "You" or as an owner (laptops only: the team server has its own accounts)
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime)


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)  # laptops only: see server.py
    domain: Mapped[str | None] = mapped_column(String(253), index=True)
    industry: Mapped[str | None] = mapped_column(String(100))
    employee_band: Mapped[str | None] = mapped_column(String(20))
    revenue_band: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166 alpha-2
    uid: Mapped[str | None] = mapped_column(String(40))  # see SYNC_UID

    __table_args__ = (_uid_index("companies"),)


class Lead(Base):
    """A person marketing has handed over, with where they stand in the lifecycle."""

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    job_title: Mapped[str | None] = mapped_column(String(200))
    seniority: Mapped[str | None] = mapped_column(String(30))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    source: Mapped[str | None] = mapped_column(String(40))
    campaign: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(16))
    fit_score: Mapped[int] = mapped_column(Integer, default=0)
    engagement_score: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    stage_entered_at: Mapped[datetime] = mapped_column(DateTime)
    # When the lead last became an MQL: the follow-up SLA runs from here.
    mql_at: Mapped[datetime | None] = mapped_column(DateTime)
    # For recycled leads: the day the lead comes back to the queue.
    revisit_on: Mapped[date | None] = mapped_column(Date)
    # The first rep touch since the lead last became an MQL: it stops the follow-up SLA.
    first_touch_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Creation counts as activity, so this is always set (the board pages by it).
    last_activity_at: Mapped[datetime | None] = mapped_column(DateTime)
    grade: Mapped[str | None] = mapped_column(String(2))  # fit A-D, engagement 1-4: "B2"
    buyer_stage: Mapped[str | None] = mapped_column(String(12))  # awareness ... intent
    # the columns of an imported file that map to no lead field, kept as a JSON object
    custom_fields: Mapped[str | None] = mapped_column(Text)
    # an outcome imported from another system (won, lost), for the scoring model to learn from
    historic_outcome: Mapped[str | None] = mapped_column(String(8))
    # ISO 3166 alpha-2, for a lead without a company (a company's country is the company's)
    country: Mapped[str | None] = mapped_column(String(2))
    # the trained model's probability that the lead converts, and why (JSON list)
    predicted_conversion: Mapped[float | None] = mapped_column(Float)
    prediction_reasons: Mapped[str | None] = mapped_column(Text)
    # the rep's next step on the lead (rules.followup.TouchKind), when it is due, and what
    # it is for; a touch logged completes it
    next_step_kind: Mapped[str | None] = mapped_column(String(16))
    next_step_due: Mapped[datetime | None] = mapped_column(DateTime)
    next_step_note: Mapped[str | None] = mapped_column(Text)
    # erased on request (rules.erasure): the row stays, anonymous, for the reports' counts
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)
    # never in the queue nor routed: the person asked not to be contacted (or was erased)
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False,
                                                 server_default=false())
    uid: Mapped[str | None] = mapped_column(String(40))  # see SYNC_UID

    __table_args__ = (
        # The board reads each stage column by score, keyset-paged on (score, id);
        # SQLite walks the index backwards for the descending order.
        Index("ix_leads_stage_score", "stage", "score", "id"),
        Index("ix_leads_stage_entered", "stage", "stage_entered_at", "id"),
        Index("ix_leads_stage_activity", "stage", "last_activity_at", "id"),
        Index("ix_leads_owner_stage", "owner_id", "stage"),
        # a rep's Today (store.followup): their next steps by due time, their queue's
        # untouched MQLs by MQL time, their own open leads with no next step by last
        # activity (the pool's are left out: routing then only adds to it); each a range
        # of a partial index read up to the list's length
        Index("ix_leads_owner_next_step", "owner_id", "next_step_due",
              sqlite_where=text("next_step_due IS NOT NULL")),
        Index("ix_leads_untouched_mql", "owner_id", "mql_at",
              sqlite_where=text("stage = 'mql' AND first_touch_at IS NULL")),
        Index("ix_leads_unplanned", "owner_id", "last_activity_at",
              sqlite_where=text("owner_id IS NOT NULL AND next_step_due IS NULL AND "
                                "stage IN ('mql', 'opportunity', 'sal', 'sql')")),
        # recycled leads by the day they come back (store.return_due_recycled)
        Index("ix_leads_recycled_due", "revisit_on", sqlite_where=text("stage = 'recycled'")),
        Index("ix_leads_source", "source"),
        Index("ix_leads_campaign", "campaign"),
        # the few erased leads: which of a batch's leads are erased is a seek per erased
        # lead, not per lead of the batch (a sync's merge of their history). The server's
        # migration gives it the same condition: named here, PostgreSQL's dialect would be
        # imported at every start of the window (about 50 ms)
        Index("ix_leads_erased", "id", sqlite_where=text("erased_at IS NOT NULL")),
        _uid_index("leads"),
    )


class Activity(Base):
    """Something the person did (behaviour) or a rep did with them (touch)."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(String(2000))
    page_kind: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # how a rep's touch went (rules.followup.Outcome); None for everything else
    outcome: Mapped[str | None] = mapped_column(String(16))
    uid: Mapped[str | None] = mapped_column(String(40))  # see SYNC_UID

    __table_args__ = (
        _uid_index("activities"),
        # kind and page kind too: scoring reads a lead's activities from the index alone
        Index("ix_activities_lead_time", "lead_id", "occurred_at", "kind", "page_kind"),
        # the rep touches alone: the first touch after a handover is one seek
        Index("ix_activities_touch", "lead_id", "occurred_at",
              sqlite_where=text("kind IN ('call', 'email_sent', 'meeting')")),
    )


class StageChange(Base):
    """Append-only audit of stage moves. A lead's stage is the to_stage of its last row."""

    __tablename__ = "stage_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(String(16))  # None: the lead was created
    to_stage: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason_code: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    uid: Mapped[str | None] = mapped_column(String(40))  # see SYNC_UID
    # The hybrid logical clock of the move: a lead's history is in this order, which
    # follows causality whatever the laptops' clocks say (NULL: made before sync existed).
    hlc: Mapped[int | None] = mapped_column(BigInteger)
    # The uid of the move this one followed on the laptop that made it: two moves that
    # follow the same one were made without seeing each other (a conflict if they differ).
    follows: Mapped[str | None] = mapped_column(String(40))

    __table_args__ = (
        _uid_index("stage_changes"),
        Index("ix_stage_changes_lead", "lead_id", "id"),
        Index("ix_stage_changes_time", "changed_at"),
        # undo rows are rare: checking that a lead has none is one seek in a tiny index
        Index("ix_stage_changes_undo", "lead_id", "id", sqlite_where=text("reason_code = 'undo'")),
    )


class Handover(Base):
    """One MQL handed to sales, with the first decision sales made on it (accepted,
    rejected, recycled, or none yet), the time to the first response, and how far the
    lead went after it.

    Derived, never written by the app: triggers rebuild a lead's rows from its
    stage_changes and touches whenever those change (migration 20261123_0006), so the
    manager reports read one narrow row per handover instead of walking the history.
    """

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(primary_key=True)  # the StageChange into MQL
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"),
                                         index=True)
    handed_at: Mapped[datetime] = mapped_column(DateTime)
    week: Mapped[str] = mapped_column(String(10))  # the Monday of its ISO week
    month: Mapped[str] = mapped_column(String(7))
    source: Mapped[str | None] = mapped_column(String(40))
    campaign: Mapped[str | None] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(16))  # the stage of the decision
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by: Mapped[int | None] = mapped_column(Integer)
    reason_code: Mapped[str | None] = mapped_column(String(40))
    # hours to the first touch or the decision, whichever came first
    response_hours: Mapped[float | None] = mapped_column(Float)
    # furthest stage before the next handover: 1 SAL, 2 SQL, 3 opportunity, 4 customer
    furthest: Mapped[int] = mapped_column(Integer)


class Qualification(Base):
    """The BANT checklist of one lead: each item a BantStatus with a note as evidence."""

    __tablename__ = "qualifications"

    lead_id: Mapped[int] = mapped_column(
        ForeignKey("leads.id", ondelete="CASCADE"), primary_key=True
    )
    budget: Mapped[str] = mapped_column(String(12), default=BantStatus.UNKNOWN)
    budget_note: Mapped[str | None] = mapped_column(Text)
    authority: Mapped[str] = mapped_column(String(12), default=BantStatus.UNKNOWN)
    authority_note: Mapped[str | None] = mapped_column(Text)
    need: Mapped[str] = mapped_column(String(12), default=BantStatus.UNKNOWN)
    need_note: Mapped[str | None] = mapped_column(Text)
    timeline: Mapped[str] = mapped_column(String(12), default=BantStatus.UNKNOWN)
    timeline_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Reason(Base):
    """The catalogue of reject and recycle reasons (code + label), per kind."""

    __tablename__ = "reasons"

    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))


class IntentSignal(Base):
    """Research intent bought from a provider: a company showed interest in a topic."""

    __tablename__ = "intent_signals"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_domain: Mapped[str] = mapped_column(String(253), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    strength: Mapped[float] = mapped_column(Float)  # 0-100 as providers give it
    observed_at: Mapped[datetime] = mapped_column(DateTime)
    uid: Mapped[str | None] = mapped_column(String(40))  # see SYNC_UID

    __table_args__ = (
        # importing the same file again adds nothing, and one signal synced from two
        # laptops is one signal
        Index("uq_intent_signals_signal", "company_domain", "topic", "observed_at",
              unique=True),
        _uid_index("intent_signals"),
    )


class ScoringModel(Base):
    """A conversion model learned from the team's outcomes: its encoding and coefficients
    (JSON, no pickled code) and its report against the rules score."""

    __tablename__ = "scoring_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    fields: Mapped[str] = mapped_column(Text)  # JSON list of the fields it uses
    parameters: Mapped[str] = mapped_column(Text)  # JSON
    report: Mapped[str] = mapped_column(Text)  # JSON


class ScoreState(Base):
    """When and by which criteria this database's scores were computed (one row).
    Behaviour points decay, so a score is only meaningful as of a moment: every stored
    score is as of `scores_as_of`, the start of the day of the last full rescore (None: not
    known, so rescore), under criteria version `criteria_version` (None: the default); while
    a rescore stores its scores, those it stored are as of its moment (ScoreMoment)."""

    __tablename__ = "score_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    scores_as_of: Mapped[datetime | None] = mapped_column(DateTime)
    criteria_version: Mapped[int | None] = mapped_column(Integer)


class StageTotal(Base):
    """The count and sum of scores of the leads in one stage, for the board's header counts
    without counting every lead. Kept by triggers on leads; writes that suspend them count
    it again (workbench.store.derived.restore_triggers). A stage emptied keeps its row."""

    __tablename__ = "stage_totals"

    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    leads: Mapped[int] = mapped_column(Integer)
    score_sum: Mapped[int] = mapped_column(Integer)


class ScoreMoment(Base):
    """While a rescore stores its scores, a short transaction at a time, the leads it has
    stored are as of its moment and the others still as of ScoreState's: the leads
    numbered up to `through_id` (and above the row before) are as of `as_of`. Empty once
    every score is as of one moment again."""

    __tablename__ = "score_moments"

    through_id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[datetime] = mapped_column(DateTime)


class CriteriaVersion(Base):
    """One version of the team's shared criteria (scoring rules, thresholds) as JSON."""

    __tablename__ = "criteria_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    uid: Mapped[str | None] = mapped_column(String(40))  # see SYNC_UID

    __table_args__ = (_uid_index("criteria_versions"),)


class StageConflict(Base):
    """Two stage moves of one lead made on two laptops without seeing each other, to
    different stages. The later one (by clock) stands until someone chooses."""

    __tablename__ = "stage_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # the two moves' uids in order, joined: every laptop names a conflict the same way
    uid: Mapped[str] = mapped_column(String(90), unique=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"),
                                         index=True)
    first_change: Mapped[str] = mapped_column(String(40))
    second_change: Mapped[str] = mapped_column(String(40))
    detected_at: Mapped[datetime] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kept_stage: Mapped[str | None] = mapped_column(String(16))


class SyncState(Base):
    """This laptop's side of the team sync (one row): its device id, its hybrid logical
    clock, the server it syncs with and how far it has read the server's changes."""

    __tablename__ = "sync_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    device: Mapped[str] = mapped_column(String(16))
    # physical milliseconds * 65536 + a counter: ticked in SQL by the change triggers
    hlc: Mapped[int] = mapped_column(BigInteger)
    # 1 while pulled changes are written, so that the triggers do not record them again
    applying: Mapped[int] = mapped_column(Integer)
    server_url: Mapped[str | None] = mapped_column(Text)  # never with a password
    server_cursor: Mapped[int] = mapped_column(BigInteger)
    pushed_all: Mapped[int] = mapped_column(Integer)  # the first sync sends every row
    last_synced_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[int] = mapped_column(Integer)
    # what the team server holds for this device since its last sync, and the token
    # offered to replace it: a copy of the file still holds an old one (see sync.py)
    device_token: Mapped[str | None] = mapped_column(String(32))
    next_device_token: Mapped[str | None] = mapped_column(String(32))


class OutboxEntry(Base):
    """A local change not yet on the team server: which row, which group of its fields
    ('*' a new row, 'deleted' a removed one), and its clock. Written by triggers."""

    __tablename__ = "sync_outbox"

    seq: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    row_id: Mapped[int] = mapped_column(Integer)
    grp: Mapped[str] = mapped_column(String(20))
    hlc: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[str | None] = mapped_column(String(40))  # for deleted rows

    __table_args__ = (Index("ix_sync_outbox_row", "entity", "row_id"),)


class RefusedChange(Base):
    """A change the team server refused (another rep's lead, an unknown owner...), kept
    so that the user can see it; it is not sent again."""

    __tablename__ = "sync_refused"

    id: Mapped[int] = mapped_column(primary_key=True)
    refused_at: Mapped[datetime] = mapped_column(DateTime)
    entity: Mapped[str] = mapped_column(String(20))
    uid: Mapped[str] = mapped_column(String(90))
    reason: Mapped[str] = mapped_column(Text)
