"""The store's import and export queries. An import is one transaction: rows are streamed
into a temporary table, then merged with set-based SQL (match on external id, then email),
so that a million rows cost one pass and an interrupted import leaves nothing behind."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from workbench.clock import utcnow
from workbench.rules.refusals import BadInput, NotFound
from workbench.rules.stages import FUNNEL, Stage
from workbench.rules.vocabulary import SLA_TOUCHES
from workbench.store import db
from workbench.store.derived import (
    IMPORT_CACHE_KIB,
    drop_triggers,
    refresh_derived,
    refresh_derived_of,
    restore_triggers,
)
from workbench.store.sync import record_bulk_changes, tick

LEAD_COLUMNS = ("row", "external_id", "first_name", "last_name", "email", "phone", "job_title",
                "seniority", "seniority_guess", "company", "website", "industry", "employees",
                "revenue",
                "country", "source", "campaign", "stage", "owner_id", "created_at", "outcome",
                "custom_fields")


# lead columns an import fills: (leads column, its value in a staged row r with keys k)
_LEAD_UPDATES = (("external_id", "r.external_id"), ("first_name", "r.first_name"),
                 ("last_name", "r.last_name"), ("email", "r.email"), ("phone", "r.phone"),
                 ("job_title", "r.job_title"), ("seniority", "r.seniority"),
                 ("company_id", "k.company_id"), ("source", "r.source"),
                 ("campaign", "r.campaign"), ("owner_id", "r.owner_id"),
                 ("historic_outcome", "r.outcome"),
                 # a lead's own country only without a company: else it is the company's
                 ("country", "CASE WHEN k.company_id IS NULL THEN r.country END"))


# what the merge works out for each staged row, kept apart from the wide staged rows so that
# marking a row never rewrites it: its company, its lead (found, or the id it will have),
# whether the lead is new, whether the row changes it, whether it moves its stage forward
_KEYS_TABLE = ("CREATE TEMP TABLE import_keys (seq INTEGER PRIMARY KEY, company_id INTEGER, "
               "lead_id INTEGER, is_new INTEGER, changed INTEGER DEFAULT 0, "
               "advances INTEGER DEFAULT 0)")


# the staged rows of new leads, in file order
_NEW_ROWS = "FROM import_keys k JOIN import_rows r ON r.seq = k.seq WHERE k.is_new ORDER BY k.seq"


ACTIVITY_COLUMNS = ("row", "external_id", "email", "occurred_at", "kind", "url", "page_kind",
                    "note", "user_id", "outcome")


# the triggers that keep the search index and the handovers in step row by row; an import
# suspends them and brings both up to date for its leads in one statement each
_ROW_TRIGGER_TABLES = ("leads", "stage_changes")


# lead, MQL, SAL, SQL, opportunity, customer, evangelist: how far along a stage is
FUNNEL_ORDER = tuple(stage.value for stage in FUNNEL)


# what a merge fills on the kept lead when it has none
_MERGE_FILLS = ("email", "phone", "job_title", "seniority", "company_id",
                "source", "campaign", "owner_id", "historic_outcome", "country")


@dataclass(frozen=True)
class DuplicatePair:
    first: int
    second: int
    why: str


class DryRun(Exception):
    """Raised inside an import transaction to roll it back after counting."""


@dataclass
class MergeCounts:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    lead_ids: list[int] = field(default_factory=list)  # leads created or changed
    # (row, reason) of rows the merge left out: a later row of the same lead, no such lead
    left_out: list[tuple[int, str]] = field(default_factory=list)




def _staging_insert(table: str, columns: Sequence[str]) -> str:
    """The INSERT of staged rows, which come with '' for a missing value (see _values)."""
    values = ", ".join(["nullif(?, '')"] * len(columns))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values})"


def _values(columns: Sequence[str], records: Iterable[dict[str, Any]],
            times: Sequence[str] = ()) -> Iterator[tuple]:
    """Records as rows of the columns, times as SQLAlchemy stores them. A missing value is
    sent as '' (no value the import keeps is empty): the sqlite3 module binds None several
    times slower than a string, which was a fifth of a million-row import."""
    at = [columns.index(c) for c in times]
    texts: dict[datetime, str] = {}  # files repeat their times
    for record in records:
        row = ["" if (value := record.get(c)) is None else value for c in columns]
        for i in at:
            if (moment := row[i]) != "":
                text = texts.get(moment)
                if text is None:
                    text = texts[moment] = db.sql_time(moment)
                    if len(texts) > 10_000:
                        texts.clear()
                row[i] = text
        yield row


def stage_to_file(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Lead records staged in a file of their own, as import_leads stages them: the work
    of a helper process, whose file import_leads then takes in (staged_files)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        raw.execute("PRAGMA journal_mode = OFF")  # a scratch file: rebuilt if anything fails
        raw.execute("PRAGMA synchronous = OFF")
        raw.execute("BEGIN")
        raw.execute(f"CREATE TABLE staged (seq INTEGER PRIMARY KEY, {', '.join(LEAD_COLUMNS)})")
        _stage_lead_records(raw, "main.staged", records)
        raw.execute("COMMIT")


def _stage_lead_records(raw: sqlite3.Connection, table: str,
                        records: Iterable[dict[str, Any]]) -> None:
    raw.executemany(_staging_insert(table, LEAD_COLUMNS),
                    _values(LEAD_COLUMNS, records, ("created_at",)))


# a staged row r's lead: the one with its external id, else the oldest with its email
_KNOWN_LEAD = ("coalesce((SELECT id FROM leads WHERE leads.external_id = r.external_id), "
               "(SELECT min(id) FROM leads WHERE leads.email = r.email))")


def _key_rows(raw: sqlite3.Connection, base: int) -> None:
    """Each staged lead row's keys: its company, and its known lead, else a new lead
    numbered after `base` in file order."""
    raw.execute(_KEYS_TABLE)
    raw.execute(
        "INSERT INTO import_keys (seq, company_id, lead_id, is_new) "
        "SELECT seq, company_id, coalesce(known, :base + seq), known IS NULL FROM ("
        f"SELECT r.seq, c.company_id, {_KNOWN_LEAD} AS known "
        "FROM import_rows r LEFT JOIN import_companies c "
        "ON c.by_name = (r.website IS NULL) AND c.key = coalesce(r.website, r.company)) "
        "ORDER BY seq", {"base": base})


class ImportQueries:
    """Mixed into the Store."""

    engine: Engine

    @contextmanager
    def _import_transaction(self, *, suspend_triggers: bool) -> Iterator[sqlite3.Connection]:
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
            raw = conn.connection.driver_connection
            try:
                with conn.begin():
                    # the staging tables live in temporary pages: a bigger cache keeps them
                    # off disk
                    raw.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")
                    raw.execute(f"PRAGMA temp.cache_size = {IMPORT_CACHE_KIB}")
                    triggers = drop_triggers(raw, _ROW_TRIGGER_TABLES) if suspend_triggers else []
                    yield raw
                    restore_triggers(raw, triggers)
            finally:
                # the connection goes, and with it the staging tables, the cache size and
                # the files of staged rows it attached: closing it lets them go at once,
                # where dropping the tables reads every page of them (a second a million rows)
                conn.invalidate()

    def owner_keys(self) -> dict[str, int]:
        """Each user by lower-case email and by lower-case name, for an import's owners."""
        keys: dict[str, int] = {}
        for uid, name, email, _role in self.users():
            keys[name.lower()] = uid
            keys[email.lower()] = uid
        return keys

    def import_leads(self, records: Iterable[dict[str, Any]], *, note: str, at: datetime,
                     dry_run: bool = False,
                     staged_files: Callable[[], Iterable[Path]] | None = None) -> MergeCounts:
        """Merge lead records into the leads: new ones are created with a StageChange into
        their stage, known ones (same external id, else same email) get the file's
        non-empty values. One transaction; with dry_run, counted and rolled back.
        staged_files gives files of records that follow these, staged by stage_to_file
        (a helper process reading the rest of a large file)."""
        counts = MergeCounts()
        try:
            with self._import_transaction(suspend_triggers=True) as raw:
                self._stage_leads(raw, records, staged_files)
                self._merge_leads(raw, counts, note, db.sql_time(at))
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        return counts

    @staticmethod
    def _stage_leads(raw: sqlite3.Connection, records: Iterable[dict[str, Any]],
                     staged_files: Callable[[], Iterable[Path]] | None) -> None:
        raw.execute(f"CREATE TEMP TABLE import_rows (seq INTEGER PRIMARY KEY, "
                    f"{', '.join(LEAD_COLUMNS)})")
        _stage_lead_records(raw, "temp.import_rows", records)
        for path in staged_files() if staged_files is not None else ():
            part = f"staged_{len(raw.execute('PRAGMA database_list').fetchall())}"
            raw.execute(f"ATTACH DATABASE ? AS {part}", (str(path),))
            columns = ", ".join(LEAD_COLUMNS)
            raw.execute(f"INSERT INTO temp.import_rows ({columns}) SELECT {columns} "
                        f"FROM {part}.staged ORDER BY seq")

    def _merge_leads(self, raw: sqlite3.Connection, counts: MergeCounts, note: str,
                     now: str) -> None:
        # a lead named twice in the file: its last row wins
        raw.execute("CREATE INDEX temp.ix_import_key ON import_rows "
                    "(coalesce(external_id, email), seq)")
        repeated = [(row, f"the same lead as row {last}, which was used instead")
                    for row, last in raw.execute(
            "SELECT r.row, (SELECT max(o.row) FROM import_rows o WHERE coalesce(o.external_id, "
            "o.email) = coalesce(r.external_id, r.email)) FROM import_rows r "
            "WHERE coalesce(r.external_id, r.email) IS NOT NULL AND EXISTS (SELECT 1 FROM "
            "import_rows o WHERE coalesce(o.external_id, o.email) = "
            "coalesce(r.external_id, r.email) AND o.seq > r.seq)")]
        if repeated:
            counts.left_out += repeated
            raw.execute("DELETE FROM import_rows WHERE coalesce(external_id, email) IS NOT NULL "
                        "AND EXISTS (SELECT 1 FROM import_rows o WHERE coalesce(o.external_id, "
                        "o.email) = coalesce(import_rows.external_id, import_rows.email) "
                        "AND o.seq > import_rows.seq)")
        self._merge_companies(raw)
        changes_before = raw.execute("SELECT coalesce(max(id), 0) FROM stage_changes").fetchone()[0]
        base = raw.execute("SELECT coalesce(max(id), 0) FROM leads").fetchone()[0]
        _key_rows(raw, base)
        counts.imported = raw.execute(
            "INSERT INTO leads (id, external_id, first_name, last_name, email, phone, "
            "job_title, seniority, company_id, source, campaign, owner_id, stage, fit_score, "
            "engagement_score, score, created_at, updated_at, stage_entered_at, mql_at, "
            "last_activity_at, custom_fields, historic_outcome, country) "
            "SELECT k.lead_id, external_id, coalesce(first_name, ''), coalesce(last_name, ''), "
            "email, phone, job_title, coalesce(seniority, seniority_guess), k.company_id, "
            "source, campaign, owner_id, coalesce(stage, 'lead'), 0, 0, 0, "
            "coalesce(created_at, :now), :now, coalesce(created_at, :now), "
            "CASE WHEN stage = 'mql' THEN coalesce(created_at, :now) END, "
            "coalesce(created_at, :now), custom_fields, outcome, "
            "CASE WHEN k.company_id IS NULL THEN r.country END "
            f"{_NEW_ROWS}", {"now": now}).rowcount
        clock = tick(raw)  # the stage changes' clock: the triggers that set it are suspended
        # numbered as record_bulk_changes expects
        raw.execute("INSERT INTO stage_changes (id, lead_id, from_stage, to_stage, changed_at, "
                    "reason_code, note, hlc) SELECT :after + k.seq, k.lead_id, NULL, "
                    "coalesce(stage, 'lead'), coalesce(created_at, :now), 'import', :note, "
                    f":hlc {_NEW_ROWS}",
                    {"now": now, "note": note, "hlc": clock, "after": changes_before})
        self._update_known_leads(raw, counts, note, now, clock)
        raw.execute("CREATE TEMP TABLE import_affected (lead_id INTEGER PRIMARY KEY)")
        raw.execute("INSERT INTO import_affected SELECT lead_id FROM import_keys "
                    "WHERE is_new OR changed")
        counts.lead_ids = [r[0] for r in raw.execute("SELECT lead_id FROM import_affected")]
        _mark_unscored(raw, "SELECT lead_id FROM import_keys WHERE changed AND NOT is_new")
        refresh_derived(raw, new_after=base)
        record_bulk_changes(raw, changes_before, clock)

    def unscored_lead_ids(self) -> list[int]:
        """Leads not scored since an import created or changed them: one that was killed
        after its commit, before it scored them, or that was told not to score."""
        with self.reading() as s:
            return list(s.scalars(text("SELECT id FROM leads WHERE grade IS NULL")))

    @staticmethod
    def _merge_companies(raw: sqlite3.Connection) -> None:
        """A company is known by its domain, else by its exact name; new ones are created
        once, and known ones get firmographics they lacked. The file's companies are
        resolved once each (a file names a company on many rows); _key_rows gives them to
        the rows."""
        raw.execute("CREATE TEMP TABLE import_companies (by_name INTEGER, key TEXT, name, "
                    "industry, employees, revenue, country, company_id INTEGER, "
                    "PRIMARY KEY (by_name, key))")
        raw.execute("INSERT INTO import_companies SELECT website IS NULL, "
                    "coalesce(website, company), coalesce(max(company), max(website)), "
                    "max(industry), max(employees), max(revenue), max(country), NULL "
                    "FROM import_rows WHERE website IS NOT NULL OR company IS NOT NULL "
                    "GROUP BY website IS NULL, coalesce(website, company)")

        def resolve() -> None:
            for by_name, column in ((0, "domain"), (1, "name")):  # each through its index
                raw.execute("UPDATE import_companies SET company_id = (SELECT min(id) FROM "
                            f"companies c WHERE c.{column} = key) WHERE by_name = ? "
                            "AND company_id IS NULL", (by_name,))

        resolve()
        raw.execute("INSERT INTO companies (name, domain, industry, employee_band, revenue_band, "
                    "country) SELECT name, CASE WHEN by_name THEN NULL ELSE key END, industry, "
                    "employees, revenue, country FROM import_companies WHERE company_id IS NULL "
                    "ORDER BY by_name, key")
        resolve()
        raw.execute("UPDATE companies SET industry = coalesce(companies.industry, r.industry), "
                    "employee_band = coalesce(companies.employee_band, r.employees), "
                    "revenue_band = coalesce(companies.revenue_band, r.revenue), "
                    "country = coalesce(companies.country, r.country) "
                    "FROM (SELECT company_id, max(industry) AS industry, max(employees) AS "
                    "employees, max(revenue) AS revenue, max(country) AS country "
                    "FROM import_companies GROUP BY company_id) r "
                    "WHERE companies.id = r.company_id AND (companies.industry IS NULL AND "
                    "r.industry IS NOT NULL OR companies.employee_band IS NULL AND r.employees "
                    "IS NOT NULL OR companies.revenue_band IS NULL AND r.revenue IS NOT NULL "
                    "OR companies.country IS NULL AND r.country IS NOT NULL)")

    @staticmethod
    def _update_known_leads(raw: sqlite3.Connection, counts: MergeCounts, note: str,
                            now: str, clock: int) -> None:
        """A known lead gets the file's non-empty values. Its stage changes only forward
        (or to recycled or disqualified from lead or MQL): importing an old file again
        never undoes what sales did since."""
        rank = "CASE {} " + " ".join(f"WHEN '{stage}' THEN {i}"
                                      for i, stage in enumerate(FUNNEL_ORDER)) + " END"
        known = ("UPDATE import_keys AS k SET {} = 1 FROM import_rows r, leads l "
                 "WHERE r.seq = k.seq AND l.id = k.lead_id AND NOT k.is_new AND ")
        raw.execute(
            known.format("advances") + "r.stage IS NOT l.stage AND ("
            f"{rank.format('r.stage')} > {rank.format('l.stage')} OR "
            "r.stage IN ('recycled', 'disqualified') AND l.stage IN ('lead', 'mql'))")
        differs = " OR ".join(
            [f"({src} IS NOT NULL AND {src} IS NOT l.{col})" for col, src in _LEAD_UPDATES]
            + ["(l.seniority IS NULL AND r.seniority_guess IS NOT NULL)"]
            + ["(r.custom_fields IS NOT NULL AND json_patch(coalesce(l.custom_fields, '{}'), "
               "r.custom_fields) IS NOT json(coalesce(l.custom_fields, '{}')))",
               "k.advances"])
        raw.execute(known.format("changed") + f"({differs})")
        counts.updated = raw.execute("SELECT count(*) FROM import_keys WHERE changed"
                                     ).fetchone()[0]
        counts.unchanged = raw.execute("SELECT count(*) FROM import_keys WHERE NOT is_new "
                                       "AND NOT changed").fetchone()[0]
        if not counts.updated:
            return
        raw.execute("INSERT INTO stage_changes (lead_id, from_stage, to_stage, changed_at, "
                    "reason_code, note, hlc) SELECT l.id, l.stage, r.stage, :now, 'import', "
                    ":note, :hlc FROM import_keys k JOIN import_rows r ON r.seq = k.seq "
                    "JOIN leads l ON l.id = k.lead_id WHERE k.advances ORDER BY k.seq",
                    {"now": now, "note": note, "hlc": clock})
        assignments = ", ".join(f"{col} = coalesce({src}, leads.{col}"
                                + (", r.seniority_guess)" if col == "seniority" else ")")
                                for col, src in _LEAD_UPDATES)
        raw.execute(
            f"UPDATE leads SET {assignments}, "
            "custom_fields = CASE WHEN r.custom_fields IS NULL THEN leads.custom_fields "
            "ELSE json_patch(coalesce(leads.custom_fields, '{}'), r.custom_fields) END, "
            "stage = CASE WHEN k.advances THEN r.stage ELSE leads.stage END, "
            "stage_entered_at = CASE WHEN k.advances THEN :now ELSE leads.stage_entered_at END, "
            "mql_at = CASE WHEN k.advances AND r.stage = 'mql' THEN :now ELSE leads.mql_at END, "
            "first_touch_at = CASE WHEN k.advances AND r.stage = 'mql' THEN NULL "
            "ELSE leads.first_touch_at END, "
            "revisit_on = CASE WHEN k.advances THEN NULL ELSE leads.revisit_on END, "
            "updated_at = :now FROM import_keys k JOIN import_rows r ON r.seq = k.seq "
            "WHERE k.lead_id = leads.id AND k.changed", {"now": now})

    # -- duplicates ------------------------------------------------------------

    def possible_duplicates(self, limit: int = 1000) -> list[DuplicatePair]:
        """Pairs of leads that may be one person: the same email, or the same name at a
        company with the same domain. The older lead first."""
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            rows = raw.execute(
                "SELECT a.id, b.id, 'same email' FROM leads a JOIN leads b "
                "ON b.email = a.email AND b.id > a.id WHERE a.email IS NOT NULL "
                "UNION ALL "
                "SELECT a.id, b.id, 'same name at ' || ca.domain FROM leads a "
                "JOIN companies ca ON ca.id = a.company_id "
                "JOIN companies cb ON cb.domain = ca.domain "
                "JOIN leads b ON b.company_id = cb.id AND b.id > a.id "
                "AND lower(b.first_name) = lower(a.first_name) "
                "AND lower(b.last_name) = lower(a.last_name) "
                "WHERE ca.domain IS NOT NULL AND b.email IS NOT a.email "
                "ORDER BY 1, 2 LIMIT ?", (limit,)).fetchall()
        return [DuplicatePair(*row) for row in rows]

    def merge_leads(self, keep: int, other: int, *, by: int | None = None,
                    at: datetime | None = None) -> None:
        """Make two leads one: the other's activities, stage history and BANT evidence move
        to the kept lead, its empty fields are filled from the other's, and the other is
        deleted. Both histories stay; a note says what was merged."""
        if keep == other:
            raise BadInput("A lead cannot be merged with itself.")
        now = db.sql_time(at or utcnow())
        with db.write_connection(self.engine) as conn:
            raw = conn.connection.driver_connection
            found = dict(raw.execute("SELECT id, first_name || ' ' || last_name || coalesce("
                                     "' <' || email || '>', '') FROM leads WHERE id IN (?, ?)",
                                     (keep, other)).fetchall())
            for lead_id in (keep, other):
                if lead_id not in found:
                    raise NotFound(f"There is no lead {lead_id}.")
            # external ids are unique: the other lead gives its own up before the kept takes it
            external = raw.execute("SELECT external_id FROM leads WHERE id = ?",
                                   (other,)).fetchone()[0]
            raw.execute("UPDATE leads SET external_id = NULL WHERE id = ?", (other,))
            raw.execute("UPDATE leads SET external_id = coalesce(external_id, ?) WHERE id = ?",
                        (external, keep))
            fill = ", ".join(f"{c} = coalesce(leads.{c}, o.{c})" for c in _MERGE_FILLS)
            raw.execute(f"UPDATE leads SET {fill}, custom_fields = CASE WHEN o.custom_fields "
                        "IS NULL THEN leads.custom_fields ELSE json_patch(o.custom_fields, "
                        "coalesce(leads.custom_fields, '{}')) END, updated_at = ? "
                        "FROM leads o WHERE leads.id = ? AND o.id = ?", (now, keep, other))
            for table in ("activities", "stage_changes"):
                raw.execute(f"UPDATE {table} SET lead_id = ? WHERE lead_id = ?", (keep, other))
            self._merge_bant(raw, keep, other)
            raw.execute("INSERT INTO activities (lead_id, occurred_at, kind, user_id, note) "
                        "VALUES (?, ?, 'note', ?, ?)",
                        (keep, now, by, f"Merged with lead {other}: {found[other]}."))
            raw.execute("DELETE FROM leads WHERE id = ?", (other,))
            refresh_derived_of(raw, [keep])

    @staticmethod
    def _merge_bant(raw: sqlite3.Connection, keep: int, other: int) -> None:
        """The kept lead's BANT items stay; the other's fill the ones still unknown."""
        raw.execute("INSERT OR IGNORE INTO qualifications (lead_id, budget, authority, need, "
                    "timeline, updated_at) SELECT ?, 'unknown', 'unknown', 'unknown', "
                    "'unknown', updated_at FROM qualifications WHERE lead_id = ?", (keep, other))
        items = ", ".join(
            f"{item} = CASE WHEN qualifications.{item} = 'unknown' THEN o.{item} "
            f"ELSE qualifications.{item} END, {item}_note = CASE WHEN qualifications.{item} = "
            f"'unknown' THEN o.{item}_note ELSE qualifications.{item}_note END"
            for item in ("budget", "authority", "need", "timeline"))
        raw.execute(f"UPDATE qualifications SET {items} FROM qualifications o "
                    "WHERE qualifications.lead_id = ? AND o.lead_id = ?", (keep, other))

    # -- export ----------------------------------------------------------------

    @staticmethod
    def _export_where(stage: Stage | None, lead_ids: Sequence[int] | None) -> tuple[str, tuple]:
        clauses, params = [], []
        if stage is not None:
            clauses.append("l.stage = ?")
            params.append(stage.value)
        if lead_ids is not None:
            clauses.append("l.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(lead_ids)))
        return ("WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)

    def custom_field_names(self, stage: Stage | None = None,
                           lead_ids: Sequence[int] | None = None) -> list[str]:
        """The custom fields the leads have, in the order first seen."""
        where, params = self._export_where(stage, lead_ids)
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            return [r[0] for r in raw.execute(
                "SELECT f.key FROM leads l, json_each(l.custom_fields) f "
                f"{where} GROUP BY f.key ORDER BY min(l.id), min(f.id)", params)]

    def export_rows(self, stage: Stage | None = None,
                    lead_ids: Sequence[int] | None = None) -> Iterator[dict[str, Any]]:
        """Every lead (of a stage, of the ids) with its company and owner, streamed in id
        order."""
        where, params = self._export_where(stage, lead_ids)
        yield from self._streamed(
            "SELECT l.external_id, l.first_name, l.last_name, l.email, l.phone, "
            "l.job_title, l.seniority, c.name AS company, c.domain, c.industry, "
            "c.employee_band, c.revenue_band, coalesce(c.country, l.country) AS country, "
            "l.source, l.campaign, l.stage, "
            "u.email AS owner_email, l.created_at, l.historic_outcome, l.fit_score, "
            "l.engagement_score, l.score, l.grade, l.predicted_conversion, l.custom_fields "
            "FROM leads l "
            "LEFT JOIN companies c ON c.id = l.company_id "
            f"LEFT JOIN users u ON u.id = l.owner_id {where} ORDER BY l.id", params)

    def export_activity_rows(self, stage: Stage | None = None,
                             lead_ids: Sequence[int] | None = None
                             ) -> Iterator[dict[str, Any]]:
        """The activities of the leads (of a stage, of the ids, or all), each with its lead's
        external id and email and its rep's email, streamed by lead and time."""
        where, params = self._export_where(stage, lead_ids)
        yield from self._streamed(
            "SELECT l.external_id, l.email, a.occurred_at, a.kind, a.url, "
            "u.email AS user_email, a.note, a.outcome FROM activities a "
            "JOIN leads l ON l.id = a.lead_id "
            f"LEFT JOIN users u ON u.id = a.user_id {where} "
            "ORDER BY a.lead_id, a.occurred_at, a.id", params)

    def count_activities(self, stage: Stage | None = None,
                         lead_ids: Sequence[int] | None = None) -> int:
        """How many activities the leads (of a stage, of the ids, or all) have."""
        where, params = self._export_where(stage, lead_ids)
        with self.engine.connect() as conn:
            return conn.connection.driver_connection.execute(
                f"SELECT count(*) FROM activities a JOIN leads l ON l.id = a.lead_id {where}",
                params).fetchone()[0]

    def _streamed(self, sql: str, params: tuple) -> Iterator[dict[str, Any]]:
        """A query's rows as records by column name, fetched a few thousand at a time."""
        with self.engine.connect() as conn:
            cursor = conn.connection.driver_connection.execute(sql, params)
            names = [d[0] for d in cursor.description]
            while rows := cursor.fetchmany(2000):
                for row in rows:
                    yield dict(zip(names, row, strict=True))

    # -- activities and intent -----------------------------------------------

    def import_activities(self, records: Iterable[dict[str, Any]], *,
                          dry_run: bool = False) -> MergeCounts:
        """Add behaviour events to their leads (by external id, else email); an event already
        recorded (same lead, time, kind and URL) is not added again."""
        counts = MergeCounts()
        try:
            with self._import_transaction(suspend_triggers=False) as raw:
                raw.execute(f"CREATE TEMP TABLE import_rows (seq INTEGER PRIMARY KEY, "
                            f"{', '.join(ACTIVITY_COLUMNS)}, lead_id INTEGER)")
                raw.executemany(_staging_insert("temp.import_rows", ACTIVITY_COLUMNS),
                                _values(ACTIVITY_COLUMNS, records, ("occurred_at",)))
                raw.execute(f"UPDATE import_rows AS r SET lead_id = {_KNOWN_LEAD}")
                counts.left_out = [(row, "no lead with this email or external id")
                                   for (row,) in raw.execute(
                                       "SELECT row FROM import_rows WHERE lead_id IS NULL")]
                counts.unchanged = raw.execute(
                    "DELETE FROM import_rows WHERE lead_id IS NULL OR EXISTS (SELECT 1 FROM "
                    "activities a WHERE a.lead_id = import_rows.lead_id AND a.occurred_at = "
                    "import_rows.occurred_at AND a.kind = import_rows.kind AND a.url IS "
                    "import_rows.url)").rowcount - len(counts.left_out)
                counts.imported = raw.execute(
                    "INSERT INTO activities (lead_id, occurred_at, kind, url, page_kind, note, "
                    "user_id, outcome) SELECT lead_id, occurred_at, kind, url, page_kind, note, "
                    "user_id, outcome FROM import_rows "
                    "ORDER BY lead_id, occurred_at").rowcount
                touches = ", ".join(f"'{kind.value}'" for kind in SLA_TOUCHES)
                raw.execute(
                    "UPDATE leads SET last_activity_at = max(coalesce(last_activity_at, ''), "
                    "r.latest), first_touch_at = CASE WHEN stage = 'mql' AND first_touch_at IS "
                    "NULL THEN r.touch ELSE first_touch_at END FROM (SELECT i.lead_id, "
                    "max(i.occurred_at) AS latest, min(CASE WHEN i.kind IN "
                    f"({touches}) THEN i.occurred_at END) AS touch FROM import_rows i "
                    "GROUP BY i.lead_id) r WHERE leads.id = r.lead_id")
                counts.lead_ids = [r[0] for r in raw.execute(
                    "SELECT DISTINCT lead_id FROM import_rows")]
                _mark_unscored(raw, "SELECT lead_id FROM import_rows")
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        return counts

    def import_intent(self, records: Iterable[dict[str, Any]], *,
                      dry_run: bool = False) -> MergeCounts:
        """Add company intent signals; one already recorded (same domain, topic and date) is
        not added again."""
        counts = MergeCounts()
        try:
            with self._import_transaction(suspend_triggers=False) as raw:
                before = raw.execute("SELECT count(*) FROM intent_signals").fetchone()[0]
                read = 0

                def rows() -> Iterator[tuple]:
                    nonlocal read
                    for record in records:
                        read += 1
                        yield (record["company_domain"], record["topic"], record["strength"],
                               db.sql_time(record["observed_at"]))

                raw.executemany("INSERT OR IGNORE INTO intent_signals (company_domain, topic, "
                                "strength, observed_at) VALUES (?, ?, ?, ?)", rows())
                counts.imported = raw.execute(
                    "SELECT count(*) FROM intent_signals").fetchone()[0] - before
                counts.unchanged = read - counts.imported
                counts.lead_ids = [r[0] for r in raw.execute(
                    "SELECT l.id FROM leads l JOIN companies c ON c.id = l.company_id "
                    "WHERE c.domain IN (SELECT company_domain FROM intent_signals "
                    "ORDER BY id DESC LIMIT ?)", (max(counts.imported, 0),))]
                _mark_unscored(raw, "SELECT value FROM json_each(?)",
                               (json.dumps(counts.lead_ids),))
                if dry_run:
                    raise DryRun
        except DryRun:
            pass
        return counts


def _mark_unscored(raw: sqlite3.Connection, lead_ids_sql: str, params: tuple = ()) -> None:
    """In an import's transaction: the leads it changed have no grade until they are scored
    again (new leads have none yet), so a run killed before it scored them is finished by
    the next one (Store.unscored_lead_ids)."""
    raw.execute(f"UPDATE leads SET grade = NULL WHERE id IN ({lead_ids_sql})", params)
