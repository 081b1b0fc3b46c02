"""The store: every query and transaction of the workbench, returning plain records."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, func, select
from sqlalchemy.orm import Session

from workbench import db
from workbench.models import Lead, Reason, StageChange, User
from workbench.stages import Stage, check_transition

# Fills the FTS5 search index from the tables (the triggers of migration 0003 keep it
# in step row by row; this is the same content for a whole load at once).
SEARCH_FILL = """
INSERT INTO lead_search (rowid, name, email, company, title, notes)
SELECT l.id, l.first_name || ' ' || l.last_name, l.email, c.name, l.job_title, n.notes
FROM leads l LEFT JOIN companies c ON c.id = l.company_id
LEFT JOIN (SELECT lead_id, group_concat(note, ' ') AS notes FROM activities
           WHERE kind = 'note' GROUP BY lead_id) n ON n.lead_id = l.id
"""


RowSource = Iterable[tuple] | Callable[[], Iterable[tuple]]


def utcnow() -> datetime:
    """Naive UTC, as every time is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


class NotFound(LookupError):
    pass


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

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


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


def _lead_record(lead: Lead) -> LeadRecord:
    return LeadRecord(
        id=lead.id,
        first_name=lead.first_name,
        last_name=lead.last_name,
        email=lead.email,
        job_title=lead.job_title,
        company_id=lead.company_id,
        source=lead.source,
        campaign=lead.campaign,
        owner_id=lead.owner_id,
        stage=Stage(lead.stage),
        score=lead.score,
        created_at=lead.created_at,
        stage_entered_at=lead.stage_entered_at,
        mql_at=lead.mql_at,
        revisit_on=lead.revisit_on,
    )


def _change_record(change: StageChange) -> StageChangeRecord:
    return StageChangeRecord(
        id=change.id,
        lead_id=change.lead_id,
        from_stage=Stage(change.from_stage) if change.from_stage else None,
        to_stage=Stage(change.to_stage),
        changed_at=change.changed_at,
        user_id=change.user_id,
        reason_code=change.reason_code,
        note=change.note,
    )


class Store:
    """One open workbench database."""

    def __init__(self, engine: Engine, path: Path, backup: Path | None = None) -> None:
        self.engine = engine
        self.path = path
        # The copy written before this open upgraded the schema, if it did.
        self.backup = backup

    @classmethod
    def open(cls, path: Path | str, *, durable: bool = True) -> Store:
        engine, backup = db.open_database(Path(path), durable=durable)
        return cls(engine, Path(path), backup)

    def close(self) -> None:
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
        with self.reading() as s:
            lead = s.get(Lead, lead_id)
            if lead is None:
                raise NotFound(f"There is no lead with id {lead_id}.")
            return _lead_record(lead)

    def stage_history(self, lead_id: int) -> list[StageChangeRecord]:
        with self.reading() as s:
            rows = s.scalars(
                select(StageChange).where(StageChange.lead_id == lead_id).order_by(StageChange.id)
            )
            return [_change_record(c) for c in rows]

    def reasons(self, kind: str) -> list[tuple[str, str]]:
        with self.reading() as s:
            rows = s.execute(
                select(Reason.code, Reason.label).where(Reason.kind == kind).order_by(Reason.code)
            )
            return [(code, label) for code, label in rows]

    # -- writes --------------------------------------------------------------

    def add_user(self, name: str, email: str, role: str = "rep") -> int:
        with self.writing() as s:
            user = User(name=name, email=email.strip().lower(), role=role)
            s.add(user)
            s.flush()
            return user.id

    def add_lead(self, *, at: datetime | None = None, by: int | None = None,
                 stage: Stage = Stage.LEAD, **fields: Any) -> int:
        """Create a lead and its first StageChange (from nothing to its stage)."""
        at = at or utcnow()
        stage = Stage(stage)
        with self.writing() as s:
            lead = Lead(stage=stage.value, created_at=at, updated_at=at, stage_entered_at=at,
                        mql_at=at if stage == Stage.MQL else None,
                        fit_score=0, engagement_score=0, score=0, **fields)
            s.add(lead)
            s.flush()
            s.add(StageChange(lead_id=lead.id, from_stage=None, to_stage=stage.value,
                              changed_at=at, user_id=by))
            return lead.id

    def move_lead(self, lead_id: int, to_stage: Stage | str, *, by: int | None = None,
                  reason_code: str | None = None, note: str | None = None,
                  revisit_on: date | None = None, at: datetime | None = None
                  ) -> StageChangeRecord:
        """Move a lead to another stage if the stage machine allows it.

        The stage update and its StageChange row are one transaction.
        """
        to_stage = Stage(to_stage)
        at = at or utcnow()
        with self.writing() as s:
            lead = s.get(Lead, lead_id)
            if lead is None:
                raise NotFound(f"There is no lead with id {lead_id}.")
            check_transition(lead.stage, to_stage)
            change = StageChange(lead_id=lead_id, from_stage=lead.stage, to_stage=to_stage.value,
                                 changed_at=at, user_id=by, reason_code=reason_code, note=note)
            lead.stage = to_stage.value
            lead.stage_entered_at = at
            lead.updated_at = at
            if to_stage == Stage.MQL:
                lead.mql_at = at
            lead.revisit_on = revisit_on if to_stage == Stage.RECYCLED else None
            s.add(change)
            s.flush()
            return _change_record(change)

    def bulk_load(self, tables: Sequence[tuple[Table, Sequence[str], RowSource]]
                  ) -> dict[str, int]:
        """Load many rows into empty tables in one transaction, through executemany.

        Each item is (table, column names, rows), where rows is an iterable of tuples
        or a function returning one. Functions run on a worker thread, building the
        next table's rows while this one is inserted (sqlite3 releases the GIL while
        SQLite works). The tables' secondary indexes and triggers are dropped for
        the load; the indexes are built once at the end and the search index filled
        in one statement, several times faster than row by row.
        Returns the number of rows inserted per table.
        """
        counts: dict[str, int] = {}
        with (ThreadPoolExecutor(max_workers=1, thread_name_prefix="rows") as builder,
              db.write_connection(self.engine) as conn):
            prepared = [builder.submit(lambda rows=rows: rows() if callable(rows) else rows)
                        for _table, _columns, rows in tables]
            raw = conn.connection.driver_connection
            indexes, triggers = [], []
            for (table, columns, _rows), rows in zip(tables, prepared, strict=True):
                indexes += table.indexes
                for index in table.indexes:
                    index.drop(conn)
                for name, sql in raw.execute(
                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                        "AND tbl_name = ?", (table.name,)).fetchall():
                    raw.execute(f"DROP TRIGGER {name}")
                    triggers.append(sql)
                sql = (f"INSERT INTO {table.name} ({', '.join(columns)}) "
                       f"VALUES ({', '.join('?' * len(columns))})")
                counts[table.name] = raw.executemany(sql, rows.result()).rowcount
            for index in indexes:
                index.create(conn)
            raw.execute("DELETE FROM lead_search")
            raw.execute(SEARCH_FILL)
            for sql in triggers:
                raw.execute(sql)
        return counts
