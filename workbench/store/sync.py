"""The store's side of the team sync: reading the outbox and the rows it names, writing
what was pulled from the server (merged by the rules of workbench.sync), and the
conflicts to resolve. Mixed into the Store."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, DateTime, Engine

from workbench.clock import utcnow
from workbench.rules.erasure import ERASED_VALUES
from workbench.rules.lead_names import display_name
from workbench.rules.refusals import BadInput, NotFound, Refused
from workbench.rules.stages import ACCOUNT_STAGES, Stage
from workbench.store import db
from workbench.store.erasure import erase_people, forget_old_pages
from workbench.store.tables import SYNC_UID, Base
from workbench.sync.protocol import (
    ACTIVITY,
    BY_NAME,
    COMPANY,
    DELETED,
    ENTITIES,
    INTENT,
    LEAD_DERIVED,
    LEAD_ENTITY,
    STAGE_CHANGE,
    Batch,
    Entity,
    Refusal,
    forget,
    is_erased,
    merge,
)

# the move a new stage change follows: the lead's latest before it
PREVIOUS_MOVE = f"""(SELECT {SYNC_UID.format(t="p")}
    FROM stage_changes p WHERE p.lead_id = stage_changes.lead_id AND p.id < stage_changes.id
    ORDER BY coalesce(p.hlc, 0) DESC, p.id DESC LIMIT 1)"""
# SYNC_UID with the device given as the :device parameter, read once per statement
UID_OF = "coalesce({t}.uid, :device || '-' || {t}.id)"


def select_sql(entity: Entity, uid_of, extra: Sequence[str] = ()) -> str:
    """The payload of an entity's rows: row id, uid, the rows it names (by uid, users by
    email), then its own fields. `uid_of(alias)` says how a row's uid is read, which
    differs between a laptop (implied for its own rows) and the server."""
    joins, refs = [], []
    for i, ref in enumerate(entity.refs.values()):
        alias = f"r{i}"
        if ref.target == "user":
            joins.append(f"LEFT JOIN users {alias} ON {alias}.id = a.{ref.column}")
            refs.append(f"{alias}.email")
        else:
            table = "companies" if ref.target == "company" else "leads"
            joins.append(f"LEFT JOIN {table} {alias} ON {alias}.id = a.{ref.column}")
            refs.append(uid_of(alias))
    key = "a.lead_id" if entity.keyed_by_lead else "a.id"
    uid = refs[0] if entity.keyed_by_lead else uid_of("a")
    columns = [key, uid, *refs, *(f"a.{f}" for f in entity.fields), *extra]
    return f"SELECT {', '.join(columns)} FROM {entity.table} a {' '.join(joins)}"


def download_sql(entity: Entity, extra: Sequence[str] = ()) -> tuple[str, str]:
    """A first download copies a table as it is: the server's ids become the laptop's (its
    tables are empty), so rows name their company and lead by id, and users by email.
    Returns the server's SELECT, times written as SQLite stores them, and the laptop's
    INSERT of its rows. `extra` adds columns to the SELECT only."""
    table = Base.metadata.tables[entity.table]
    columns, selects, values, joins = [], [], [], []
    if not entity.keyed_by_lead:
        columns, selects, values = ["id", "uid"], ["a.id", "a.uid"], ["?", "?"]
    for i, ref in enumerate(entity.refs.values()):
        if ref.column in columns:
            continue
        columns.append(ref.column)
        if ref.target == "user":
            joins.append(f"LEFT JOIN users r{i} ON r{i}.id = a.{ref.column}")
            selects.append(f"r{i}.email")
            values.append("(SELECT id FROM users WHERE email = ?)")
        else:
            selects.append(f"a.{ref.column}")
            values.append("?")
    for name in entity.fields:
        kind = table.c[name].type
        columns.append(name)
        values.append("?")
        selects.append(f"to_char(a.{name}, 'YYYY-MM-DD HH24:MI:SS.US')"
                       if isinstance(kind, DateTime) else
                       f"a.{name}::text" if isinstance(kind, Date) else f"a.{name}")
    return (f"SELECT {', '.join([*selects, *extra])} FROM {entity.table} a {' '.join(joins)}",
            f"INSERT INTO {entity.table} ({', '.join(columns)}) VALUES ({', '.join(values)})")


def payload(entity: Entity, row: Sequence) -> dict[str, Any]:
    """A row of select_sql (after its id) as a payload dict."""
    return dict(zip(("uid", *entity.refs, *entity.fields), row, strict=False))


# what a refused change is about, in the words `sync` prints (a lead or company is named)
_REFUSED_WHAT = {"lead": "Lead", "stage_change": "A stage change of lead",
                 "activity": "A note or activity of lead", "qualification": "The BANT of lead",
                 "conflict": "A stage conflict of lead", "company": "Company",
                 "criteria": "A version of the team criteria", "intent": "An intent signal"}


@dataclass(frozen=True)
class SyncStatus:
    device: str
    server_url: str | None
    last_synced_at: datetime | None
    last_error: str | None
    waiting: int  # local changes not on the server yet
    refused: int
    open_conflicts: int
    is_demo: bool
    first_push_done: bool


@dataclass(frozen=True)
class ConflictRecord:
    id: int
    lead_id: int
    lead_name: str
    current_stage: str
    first: tuple[str, str, str | None, str]  # (to stage, at, by, uid)
    second: tuple[str, str, str | None, str]
    resolved_at: str | None
    kept_stage: str | None


@dataclass
class PullApplied:
    rows: int = 0
    touched_leads: set[int] | None = None  # leads to rescore (new, or new activities)
    conflicts: int = 0
    max_clock: int = 0
    erased: list[int] = field(default_factory=list)  # leads erased on another laptop


def _now() -> str:
    return db.sql_time(utcnow())


def _ids_json(ids: Iterable) -> str:
    return json.dumps(list(ids))


def tick(raw: sqlite3.Connection) -> int:
    """Move this laptop's hybrid logical clock on (as the triggers do) and read it."""
    raw.execute("UPDATE sync_state SET hlc = max(hlc + 1, CAST((julianday('now') "
                "- 2440587.5) * 86400000 AS INTEGER) * 65536)")
    return raw.execute("SELECT hlc FROM sync_state").fetchone()[0]


def leads_at_their_companies(raw: sqlite3.Connection, lead_ids: Iterable[int]) -> set[int]:
    """These leads and every other lead at their companies."""
    ids = _ids_json(lead_ids)
    return {r[0] for r in raw.execute(
        "SELECT value FROM json_each(:ids) UNION SELECT id FROM leads WHERE company_id IN "
        "(SELECT company_id FROM leads WHERE id IN (SELECT value FROM json_each(:ids)))",
        {"ids": ids})}


def record_bulk_changes(raw: sqlite3.Connection, changes_after: int, clock: int) -> None:
    """The outbox entries the row triggers would have written for an import, which
    suspends them: its new and changed leads (temp.import_keys, with their staged rows in
    temp.import_rows) and its stage changes, written at this clock after an id. A new
    lead's move is numbered that id + its row's seq (so it is found without reading the
    moves back), and follows none; the moves of known leads come after those."""
    raw.execute(f"UPDATE stage_changes SET follows = {PREVIOUS_MOVE} WHERE id > :after "
                "AND lead_id IN (SELECT lead_id FROM temp.import_keys WHERE NOT is_new)",
                {"after": changes_after})
    for group, condition in (("*", "k.is_new"), ("contact", "k.changed"),
                             ("owner", "k.changed AND r.owner_id IS NOT NULL"),
                             ("stage", "k.advances")):
        raw.execute("INSERT INTO sync_outbox (entity, row_id, grp, hlc) SELECT 'lead', "
                    "k.lead_id, ?, ? FROM temp.import_keys k JOIN temp.import_rows r "
                    f"ON r.seq = k.seq WHERE {condition} ORDER BY k.seq", (group, clock))
    raw.execute("INSERT INTO sync_outbox (entity, row_id, grp, hlc) SELECT 'stage_change', "
                ":after + seq, '*', :hlc FROM temp.import_keys WHERE is_new ORDER BY seq",
                {"after": changes_after, "hlc": clock})
    raw.execute("INSERT INTO sync_outbox (entity, row_id, grp, hlc) SELECT 'stage_change', "
                "id, '*', :hlc FROM stage_changes WHERE id > :after + "
                "(SELECT coalesce(max(seq), 0) FROM temp.import_keys WHERE is_new)",
                {"after": changes_after, "hlc": clock})


class SyncQueries:
    """Mixed into the Store."""

    engine: Engine

    # (thread, connection) while a first download writes everything in one transaction
    _bulk: tuple[int, sqlite3.Connection] | None = None

    @contextmanager
    def bulk_pull(self, copied: Sequence[str]) -> Iterator[Callable[[], None]]:
        """The first download into an empty laptop: one transaction, the row triggers
        suspended, and the search index and handovers built once at the end; cut short,
        it leaves the laptop as empty as it was. The indexes of the `copied` tables are
        dropped as well and built once, from sorted rows, by the function this yields
        (called once those tables are filled, or at the end)."""
        from workbench.store.derived import drop_triggers, import_cache, rebuild_derived

        with self._sync_writing(applying=True) as raw, import_cache(raw):
            triggers = drop_triggers(raw, ("leads", "stage_changes", "activities"))
            indexes = drop_triggers(raw, copied, kind="index")

            def build_indexes() -> None:
                while indexes:
                    raw.execute(indexes.pop())

            self._bulk = (threading.get_ident(), raw)
            try:
                yield build_indexes
            finally:
                self._bulk = None
            build_indexes()
            rebuild_derived(raw, triggers)

    def is_empty(self) -> bool:
        """No leads and no companies: a first download may copy the server's tables."""
        with self._sync_reading() as raw:
            return raw.execute("SELECT NOT EXISTS (SELECT 1 FROM leads) AND NOT EXISTS "
                               "(SELECT 1 FROM companies)").fetchone()[0] == 1

    def insert_downloaded(self, entity: Entity, rows: Sequence[tuple]) -> int:
        """Rows of a first download (download_sql's), inside bulk_pull."""
        with self._sync_writing(applying=True) as raw:
            raw.executemany(download_sql(entity)[1], rows)
        return len(rows)

    def find_all_conflicts(self) -> int:
        """Stage conflicts among every lead's moves (after a first download)."""
        with self._sync_writing(applying=True) as raw:
            return self._find_conflicts(raw, None)

    @contextmanager
    def _sync_writing(self, *, applying: bool = False) -> Iterator[sqlite3.Connection]:
        if self._bulk is not None and self._bulk[0] == threading.get_ident():
            yield self._bulk[1]
            return
        with db.write_connection(self.engine) as conn:
            raw = conn.connection.driver_connection
            if applying:  # the triggers leave pulled rows out of the outbox
                raw.execute("UPDATE sync_state SET applying = 1")
            yield raw
            if applying:
                raw.execute("UPDATE sync_state SET applying = 0")

    @contextmanager
    def _sync_reading(self) -> Iterator[sqlite3.Connection]:
        with db.read_connection(self.engine) as raw:
            yield raw

    # -- state ---------------------------------------------------------------

    def sync_status(self) -> SyncStatus:
        with self._sync_reading() as raw:
            (device, url, synced, error, demo, pushed_all) = raw.execute(
                "SELECT device, server_url, last_synced_at, last_error, is_demo, pushed_all "
                "FROM sync_state").fetchone()
            waiting = raw.execute("SELECT count(*) FROM (SELECT DISTINCT entity, row_id "
                                  "FROM sync_outbox)").fetchone()[0]
            refused = raw.execute("SELECT count(*) FROM sync_refused").fetchone()[0]
            conflicts = raw.execute("SELECT count(*) FROM stage_conflicts "
                                    "WHERE resolved_at IS NULL").fetchone()[0]
        return SyncStatus(device, url, datetime.fromisoformat(synced) if synced else None,
                          error, waiting, refused, conflicts, bool(demo), bool(pushed_all))

    def set_sync_server(self, url: str | None) -> None:
        """Name the team server. Once a server has taken this file's token (its first sync
        got that far), the file belongs to that server; until then a mistyped URL can be
        corrected."""
        with self._sync_writing() as raw:
            previous, bound = raw.execute("SELECT server_url, device_token IS NOT NULL OR "
                                          "last_synced_at IS NOT NULL FROM sync_state"
                                          ).fetchone()
            if bound and previous and url and previous != url:
                raise Refused(f"This database syncs with {previous}; a database syncs with "
                              "one team server. Use a new database for another server.")
            raw.execute("UPDATE sync_state SET server_url = ?", (url,))

    def mark_demo(self) -> None:
        with self._sync_writing() as raw:
            raw.execute("UPDATE sync_state SET is_demo = 1")

    def device_token(self) -> tuple[str, str | None, str]:
        """(device, the token the server holds for it, the token to offer in its place).
        The offered token is kept before it is sent, so a sync cut after the server took
        it offers the same one again."""
        with self._sync_writing() as raw:
            raw.execute("UPDATE sync_state SET next_device_token = lower(hex(randomblob(16))) "
                        "WHERE next_device_token IS NULL")
            return raw.execute("SELECT device, device_token, next_device_token "
                               "FROM sync_state").fetchone()

    def device_token_taken(self, token: str) -> None:
        with self._sync_writing() as raw:
            raw.execute("UPDATE sync_state SET device_token = ?, next_device_token = NULL",
                        (token,))

    def become_new_device(self) -> str:
        """Make this file a device of its own, when the server knows it as a copy (see
        sync.CopiedDatabase): the rows it has sent or received keep their uids, written out
        under the old device; the rows it made and never sent take the new device's, with
        the moves that follow them; the new device claims a token of its own. Returns it."""
        with self._sync_writing() as raw:
            old = self._device(raw)
            new = raw.execute("SELECT lower(hex(randomblob(6)))").fetchone()[0]
            unsent = "SELECT row_id FROM sync_outbox WHERE entity = :entity AND grp = '*'"
            for entity in ENTITIES:
                if not entity.keyed_by_lead:
                    raw.execute(f"UPDATE {entity.table} SET uid = :old || '-' || id "
                                f"WHERE uid IS NULL AND id NOT IN ({unsent})",
                                {"old": old, "entity": entity.name})
            raw.execute(f"UPDATE stage_changes SET follows = :new || '-' || "
                        f"substr(follows, length(:old) + 2) WHERE follows IN "
                        f"(SELECT :old || '-' || row_id FROM ({unsent}))",
                        {"old": old, "new": new, "entity": STAGE_CHANGE.name})
            # a row made and removed here never reached the server: nothing to remove there
            raw.execute("DELETE FROM sync_outbox WHERE grp = :deleted AND EXISTS (SELECT 1 "
                        "FROM sync_outbox made WHERE made.entity = sync_outbox.entity AND "
                        "made.row_id = sync_outbox.row_id AND made.grp = '*')",
                        {"deleted": DELETED})
            raw.execute("UPDATE sync_state SET device = ?, device_token = NULL, "
                        "next_device_token = NULL", (new,))
        return new

    def record_sync_error(self, message: str | None) -> None:
        with self._sync_writing() as raw:
            raw.execute("UPDATE sync_state SET last_error = ?", (message,))

    def describe_refused(self, refused: Sequence[Refusal]) -> list[Refusal]:
        """The refusals with what each is about at the front of its reason: the lead (its
        id here and name), the company, or the kind of row."""
        with self._sync_reading() as raw:
            return [Refusal(r.entity, r.uid, f"{self._refused_subject(raw, r)}: {r.reason}")
                    for r in refused]

    def _refused_subject(self, raw: sqlite3.Connection, refusal: Refusal) -> str:
        entity, uid = BY_NAME[refusal.entity], refusal.uid
        what = _REFUSED_WHAT[entity.name]
        if entity is COMPANY:
            found = raw.execute("SELECT name FROM companies WHERE id = ?",
                                (self._local_ids(raw, "company", [uid]).get(uid),)).fetchone()
            return f"{what} {found[0] if found else uid}"
        if "lead_uid" not in entity.refs and entity is not LEAD_ENTITY:
            return what  # the team's rows, named by their kind
        if entity is LEAD_ENTITY or entity.keyed_by_lead:
            lead = self._local_ids(raw, "lead", [uid]).get(uid)
        else:
            found = raw.execute(f"SELECT lead_id FROM {entity.table} WHERE id = ?",
                                (self._local_ids(raw, entity.table, [uid]).get(uid),)).fetchone()
            lead = found[0] if found else None
        found = raw.execute("SELECT first_name, last_name, email, external_id FROM leads "
                            "WHERE id = ?", (lead,)).fetchone()
        return (f"{what} {lead} ({display_name(*found)})" if found
                else f"{what} {uid} (removed here)")

    # -- push ----------------------------------------------------------------

    def _device(self, raw: sqlite3.Connection) -> str:
        return raw.execute("SELECT device FROM sync_state").fetchone()[0]

    def _read_rows(self, raw: sqlite3.Connection, entity: Entity, where: str,
                   params: dict) -> list[tuple]:
        device = self._device(raw)
        sql = select_sql(entity, lambda t: UID_OF.format(t=t))
        return raw.execute(f"{sql} WHERE {where}", {"device": device, **params}).fetchall()

    def outbox(self, limit: int) -> tuple[int, list[Batch], list[str]]:
        """Up to `limit` outbox entries as batches ready to push: (the last entry's seq,
        batches in push order, uids of deleted leads). Read in one snapshot, so each row's
        values are those its clocks describe or newer."""
        with self._sync_reading() as raw:
            entries = raw.execute("SELECT seq, entity, row_id, grp, hlc, uid FROM sync_outbox "
                                  "ORDER BY seq LIMIT ?", (limit,)).fetchall()
            if not entries:
                return 0, [], []
            device = self._device(raw)
            clocks: dict[str, dict[int, dict[str, list]]] = {}
            deleted = []
            for _seq, entity, row_id, group, hlc, uid in entries:
                if group == DELETED:
                    deleted.append(uid)
                    continue
                spec = BY_NAME[entity]
                row_clocks = clocks.setdefault(entity, {}).setdefault(row_id, {})
                for name in spec.groups if group == "*" else (group,):
                    row_clocks[name] = [hlc, device]
            batches = []
            for spec in ENTITIES:
                by_row = clocks.get(spec.name)
                if not by_row:
                    continue
                key = "a.lead_id" if spec.keyed_by_lead else "a.id"
                rows = self._read_rows(raw, spec, f"{key} IN (SELECT value FROM "
                                       "json_each(:ids))", {"ids": _ids_json(by_row)})
                batches.append(Batch(spec, [payload(spec, r[1:]) for r in rows],
                                     [by_row[r[0]] for r in rows]))
        return entries[-1][0], batches, deleted

    def all_rows(self, entity: Entity, limit: int) -> Iterator[Batch]:
        """The first push of a laptop sends every row: an entity's rows in batches of
        `limit`, by row id, each batch's groups clocked when it is read."""
        key = "a.lead_id" if entity.keyed_by_lead else "a.id"
        after = 0
        while True:
            with self._sync_writing() as raw:
                clock = [tick(raw), self._device(raw)]
            with self._sync_reading() as raw:
                rows = self._read_rows(raw, entity,
                                       f"{key} > :after ORDER BY {key} LIMIT :limit",
                                       {"after": after, "limit": limit})
            if not rows:
                return
            after = rows[-1][0]
            yield Batch(entity, [payload(entity, r[1:]) for r in rows],
                        [dict.fromkeys(entity.groups, clock)] * len(rows))

    def push_done(self, up_to_seq: int | None, refused: Sequence[Refusal], *,
                  first_push_done: bool = False) -> None:
        """The server has committed a push: its outbox entries go, refusals are kept."""
        with self._sync_writing() as raw:
            if up_to_seq is not None:
                raw.execute("DELETE FROM sync_outbox WHERE seq <= ?", (up_to_seq,))
            raw.executemany("INSERT INTO sync_refused (refused_at, entity, uid, reason) "
                            "VALUES (?, ?, ?, ?)",
                            [(_now(), r.entity, r.uid, r.reason) for r in refused])
            if first_push_done:
                raw.execute("UPDATE sync_state SET pushed_all = 1")

    def last_outbox_seq(self) -> int:
        with self._sync_reading() as raw:
            return raw.execute("SELECT coalesce(max(seq), 0) FROM sync_outbox").fetchone()[0]

    # -- pull ----------------------------------------------------------------

    def sync_cursor(self) -> int:
        with self._sync_reading() as raw:
            return raw.execute("SELECT server_cursor FROM sync_state").fetchone()[0]

    def apply_users(self, users: Iterable[tuple[str, str, str]]) -> None:
        """The team's members as the server knows them (email, name, role): the server
        decides who is on the team, so someone deactivated on this laptop before it joined
        the team is active again when the server has them."""
        with self._sync_writing(applying=True) as raw:
            raw.executemany("INSERT INTO users (email, name, role) VALUES (?, ?, ?) "
                            "ON CONFLICT (email) DO UPDATE SET name = excluded.name, "
                            "role = excluded.role, deactivated_at = NULL", list(users))

    def _local_ids(self, raw: sqlite3.Connection, target: str,
                   keys: Iterable[str | None]) -> dict[str, int]:
        """Local ids of rows named by uid (users by email)."""
        keys = {k for k in keys if k is not None}
        if not keys:
            return {}
        if target == "user":
            return dict(raw.execute("SELECT email, id FROM users WHERE email IN "
                                    "(SELECT value FROM json_each(?))", (_ids_json(keys),)))
        table = {"company": "companies", "lead": "leads"}.get(target, target)
        prefix = self._device(raw) + "-"
        own = {k for k in keys if k.startswith(prefix) and k[len(prefix):].isdigit()}
        found = dict(raw.execute(f"SELECT uid, id FROM {table} WHERE uid IN "
                                 "(SELECT value FROM json_each(?))",
                                 (_ids_json(keys - own),)))
        if own:
            ids = {int(k[len(prefix):]): k for k in own}
            found.update((ids[i], i) for (i,) in raw.execute(
                f"SELECT id FROM {table} WHERE id IN (SELECT value FROM json_each(?))",
                (_ids_json(ids),)))
        return found

    def _pending_clocks(self, raw: sqlite3.Connection, entity: Entity,
                        ids: Iterable[int]) -> dict[int, dict[str, list]]:
        """Clocks of this laptop's changes still waiting to be pushed, per row and group."""
        device = self._device(raw)
        pending: dict[int, dict[str, list]] = {}
        for row_id, group, hlc in raw.execute(
                "SELECT row_id, grp, max(hlc) FROM sync_outbox WHERE entity = ? AND row_id IN "
                "(SELECT value FROM json_each(?)) GROUP BY row_id, grp",
                (entity.name, _ids_json(ids))):
            for name in entity.groups if group == "*" else (group,):
                clocks = pending.setdefault(row_id, {})
                if name not in clocks or clocks[name][0] < hlc:
                    clocks[name] = [hlc, device]
        return pending

    def apply_pulled(self, batch: Batch) -> PullApplied:
        """Write rows pulled from the server, merged with this laptop's own changes that
        are not pushed yet. Rows naming a lead this laptop does not have are skipped."""
        entity, applied = batch.entity, PullApplied(touched_leads=set())
        with self._sync_writing(applying=True) as raw:
            refs = {name: self._local_ids(raw, ref.target, (r[name] for r in batch.rows))
                    for name, ref in batch.entity.refs.items()}
            key_field = "lead_uid" if entity.keyed_by_lead else "uid"
            existing = (refs["lead_uid"] if entity.keyed_by_lead
                        else self._local_ids(raw, entity.table, (r["uid"] for r in batch.rows)))
            current = self._current_payloads(raw, entity, existing.values())
            existing = {k: i for k, i in existing.items() if i in current}
            pending = self._pending_clocks(raw, entity, existing.values())
            erased = self._erased_leads(raw, entity, refs)
            inserts, updates = [], []
            for row, clocks in zip(batch.rows, batch.clocks, strict=True):
                applied.max_clock = max([applied.max_clock,
                                         *(c[0] for c in clocks.values())])
                if "lead_uid" in row and row["lead_uid"] not in refs["lead_uid"]:
                    continue  # its lead is not on this laptop
                row_id = existing.get(row[key_field])
                lead_erased = row.get("lead_uid") in erased
                if row_id is None:
                    inserts.append(forget(entity, row) if lead_erased else row)
                    continue
                if not entity.groups:
                    continue  # append-only: the first version is final
                merged = merge(entity, current[row_id], pending.get(row_id, {}), row, clocks,
                               erased=lead_erased)
                if merged is None:
                    continue
                values = {k: v for k, v in merged[0].items() if k not in LEAD_DERIVED
                          or entity is not LEAD_ENTITY}
                if values:
                    updates.append((row_id, values))
            if entity is LEAD_ENTITY:  # erased on another laptop: erased here the same way
                applied.erased = [row_id for row_id, values in updates
                                  if values.get("erased_at") and not is_erased(current[row_id])]
                if applied.erased:
                    erase_people(raw, applied.erased, _now())
            if entity in (ACTIVITY, STAGE_CHANGE) and inserts and self._bulk is None:
                self._insert_history(raw, entity, inserts, refs)
            else:
                self._insert_pulled(raw, entity, inserts, refs)
            for row_id, values in updates:
                self._update_pulled(raw, entity, row_id, values, refs)
            applied.rows = len(inserts) + len(updates)
            if entity is ACTIVITY and inserts:
                touched = {refs["lead_uid"][r["lead_uid"]] for r in inserts}
                applied.touched_leads = touched
                raw.execute("UPDATE leads SET last_activity_at = (SELECT max(occurred_at) "
                            "FROM activities WHERE lead_id = leads.id) WHERE id IN "
                            "(SELECT value FROM json_each(?))", (_ids_json(touched),))
            elif entity is INTENT and inserts:  # counts for every lead at the company
                applied.touched_leads = {r[0] for r in raw.execute(
                    "SELECT l.id FROM leads l JOIN companies c ON c.id = l.company_id "
                    "WHERE c.domain IN (SELECT value FROM json_each(?))",
                    (_ids_json({r["company_domain"] for r in inserts}),))}
            elif entity is STAGE_CHANGE and inserts:
                applied.conflicts = self._find_conflicts(
                    raw, {refs["lead_uid"][r["lead_uid"]] for r in inserts})
            elif entity is LEAD_ENTITY:
                applied.touched_leads = self._colleagues_of_new_accounts(raw, current, updates)
                if inserts:  # scored on another laptop, maybe as of another day
                    applied.touched_leads |= set(self._local_ids(
                        raw, entity.table, (r["uid"] for r in inserts)).values())
        if applied.erased and self._bulk is None:
            forget_old_pages(self.engine)
        return applied

    @staticmethod
    def _erased_leads(raw: sqlite3.Connection, entity: Entity,
                      refs: dict[str, dict[str, int]]) -> set[str]:
        """The uids of the erased leads that rows of this batch belong to, when the entity
        holds what an erasure empties."""
        if entity.table not in ERASED_VALUES or "lead_uid" not in entity.refs:
            return set()
        ids = refs["lead_uid"]
        erased = {r[0] for r in raw.execute(
            "SELECT id FROM leads WHERE erased_at IS NOT NULL AND id IN "
            "(SELECT value FROM json_each(?))", (_ids_json(ids.values()),))}
        return {uid for uid, lead_id in ids.items() if lead_id in erased}

    @staticmethod
    def _colleagues_of_new_accounts(raw: sqlite3.Connection, current: dict[int, dict],
                                    updates: list[tuple[int, dict]]) -> set[int]:
        """The leads at the companies where a pulled lead became a customer (or stopped
        being one): they fit differently now (the account_status fit field)."""
        buying = {stage.value for stage in ACCOUNT_STAGES}
        crossed = [row_id for row_id, values in updates if "stage" in values
                   and (values["stage"] in buying) != (current[row_id]["stage"] in buying)]
        return leads_at_their_companies(raw, crossed) if crossed else set()

    def _current_payloads(self, raw: sqlite3.Connection, entity: Entity,
                          ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        key = "a.lead_id" if entity.keyed_by_lead else "a.id"
        rows = self._read_rows(raw, entity, f"{key} IN (SELECT value FROM json_each(:ids))",
                               {"ids": _ids_json(ids)})
        return {r[0]: payload(entity, r[1:]) for r in rows}

    @staticmethod
    def _columns(entity: Entity, values: dict[str, Any],
                 refs: dict[str, dict[str, int]]) -> dict[str, Any]:
        """Payload values as local columns: uids and emails become local ids."""
        columns = {}
        for name, value in values.items():
            ref = entity.refs.get(name)
            if ref is None:
                if name in entity.fields:
                    columns[name] = value
            else:
                columns[ref.column] = refs[name].get(value) if value is not None else None
        return columns

    def _insert_pulled(self, raw: sqlite3.Connection, entity: Entity,
                       rows: list[dict[str, Any]], refs: dict[str, dict[str, int]]) -> None:
        shapes: dict[tuple[str, ...], list[list]] = {}
        for row in rows:
            columns = self._columns(entity, row, refs)
            if not entity.keyed_by_lead:
                columns["uid"] = row["uid"]
            shapes.setdefault(tuple(columns), []).append(list(columns.values()))
        verb = "INSERT OR IGNORE" if entity.same_when else "INSERT"
        for names, values in shapes.items():
            raw.executemany(f"{verb} INTO {entity.table} ({', '.join(names)}) VALUES "
                            f"({', '.join('?' * len(names))})", values)

    def _insert_history(self, raw: sqlite3.Connection, entity: Entity,
                        rows: list[dict[str, Any]], refs: dict[str, dict[str, int]]) -> None:
        """Pulled activities or stage changes with their table's row triggers suspended,
        then the search index and handovers of their leads refreshed once: the triggers
        would rewrite a lead's search text (ever longer) and handovers for every row."""
        from workbench.store.derived import drop_triggers, refresh_derived_of, restore_triggers

        triggers = drop_triggers(raw, (entity.table,))
        self._insert_pulled(raw, entity, rows, refs)
        refresh_derived_of(raw, {refs["lead_uid"][r["lead_uid"]] for r in rows})
        restore_triggers(raw, triggers)

    def _update_pulled(self, raw: sqlite3.Connection, entity: Entity, row_id: int,
                       values: dict[str, Any], refs: dict[str, dict[str, int]]) -> None:
        columns = self._columns(entity, values, refs)
        if not columns:
            return
        key = "lead_id" if entity.keyed_by_lead else "id"
        raw.execute(f"UPDATE {entity.table} SET {', '.join(f'{c} = ?' for c in columns)} "
                    f"WHERE {key} = ?", [*columns.values(), row_id])

    @staticmethod
    def _find_conflicts(raw: sqlite3.Connection, lead_ids: set[int] | None) -> int:
        """Stage moves of these leads (None: of all) that followed the same move to
        different stages."""
        device = raw.execute("SELECT device FROM sync_state").fetchone()[0]
        before = raw.total_changes
        uid = UID_OF
        raw.execute(
            "INSERT OR IGNORE INTO stage_conflicts (uid, lead_id, first_change, second_change, "
            "detected_at) SELECT min(x.a, x.b) || '+' || max(x.a, x.b), x.lead_id, "
            "min(x.a, x.b), max(x.a, x.b), :now FROM (SELECT p.lead_id, "
            f"{uid.format(t='p')} AS a, {uid.format(t='q')} AS b FROM stage_changes p "
            "JOIN stage_changes q ON q.lead_id = p.lead_id AND q.follows = p.follows "
            "AND q.id > p.id AND q.to_stage <> p.to_stage "
            "WHERE :leads IS NULL OR p.lead_id IN (SELECT value FROM json_each(:leads))) x",
            {"device": device, "now": _now(),
             "leads": None if lead_ids is None else _ids_json(lead_ids)})
        return raw.total_changes - before

    def apply_deleted(self, uids: Sequence[str]) -> int:
        """Leads removed on the server (merged into another by someone)."""
        with self._sync_writing(applying=True) as raw:
            ids = self._local_ids(raw, "lead", uids)
            raw.execute("DELETE FROM leads WHERE id IN (SELECT value FROM json_each(?))",
                        (_ids_json(ids.values()),))
        return len(ids)

    def finish_pull(self, cursor: int, max_clock: int) -> None:
        """The pull is complete up to the server's `cursor`; this laptop's clock moves past
        every clock it has seen, so what it does next sorts after them."""
        with self._sync_writing() as raw:
            raw.execute("UPDATE sync_state SET server_cursor = ?, hlc = max(hlc, ?), "
                        "last_synced_at = ?, last_error = NULL", (cursor, max_clock, _now()))

    def settled_lead_uids(self) -> list[str]:
        """The leads the server has all of: no change waiting to be sent, none refused."""
        with self._sync_reading() as raw:
            return [r[0] for r in raw.execute(
                "SELECT u FROM (SELECT l.id, coalesce(l.uid, s.device || '-' || l.id) AS u "
                "FROM leads l, sync_state s) WHERE NOT EXISTS (SELECT 1 FROM sync_outbox o "
                "WHERE o.entity = 'lead' AND o.row_id = id) AND u NOT IN "
                "(SELECT uid FROM sync_refused WHERE entity = 'lead')")]

    def known_lead_uids(self, uids: Sequence[str]) -> set[str]:
        with self._sync_reading() as raw:
            return set(self._local_ids(raw, "lead", uids))

    # -- conflicts -----------------------------------------------------------

    def stage_conflicts(self, *, open_only: bool = True,
                        lead_id: int | None = None) -> list[ConflictRecord]:
        with self._sync_reading() as raw:
            device = self._device(raw)
            uid = UID_OF
            rows = raw.execute(
                "SELECT k.id, k.lead_id, l.first_name, l.last_name, l.email, l.external_id, "
                "l.stage, "
                "a.to_stage, a.changed_at, ua.name, k.first_change, "
                "b.to_stage, b.changed_at, ub.name, k.second_change, k.resolved_at, "
                "k.kept_stage FROM stage_conflicts k JOIN leads l ON l.id = k.lead_id "
                f"JOIN stage_changes a ON {uid.format(t='a')} = k.first_change "
                f"JOIN stage_changes b ON {uid.format(t='b')} = k.second_change "
                "LEFT JOIN users ua ON ua.id = a.user_id "
                "LEFT JOIN users ub ON ub.id = b.user_id "
                "WHERE (:all OR k.resolved_at IS NULL) AND (:lead IS NULL OR k.lead_id = :lead) "
                "ORDER BY k.id", {"device": device, "all": not open_only, "lead": lead_id})
            return [ConflictRecord(r[0], r[1], display_name(*r[2:6]), r[6], r[7:11], r[11:15],
                                   r[15], r[16]) for r in rows]

    def resolve_conflict(self, conflict_id: int, keep: Stage | str, *, by: int | None = None,
                         revisit_days: int = 30, at: datetime | None = None) -> None:
        """Settle a stage conflict: the lead takes the kept stage (one of the two moves'),
        with a StageChange saying so when that changes its stage. The resolution syncs,
        so the conflict closes on every laptop."""
        keep = Stage(keep)
        at = at or utcnow()
        [conflict] = [c for c in self.stage_conflicts(open_only=False)
                      if c.id == conflict_id] or [None]
        if conflict is None:
            raise NotFound(f"There is no stage conflict {conflict_id}.")
        if conflict.resolved_at is not None:
            raise Refused("This conflict is already resolved.")
        choices = {conflict.first[0], conflict.second[0]}
        if keep.value not in choices:
            raise BadInput(f"Keep one of the two moves: {' or '.join(sorted(choices))}.")
        stamp = db.sql_time(at)
        with self._sync_writing() as raw:
            stage = raw.execute("SELECT stage FROM leads WHERE id = ?",
                                (conflict.lead_id,)).fetchone()[0]
            if stage != keep.value:
                revisit = (date.fromisoformat(stamp[:10]) + timedelta(days=revisit_days)
                           if keep == Stage.RECYCLED else None)
                raw.execute("INSERT INTO stage_changes (lead_id, from_stage, to_stage, "
                            "changed_at, user_id, reason_code, note) VALUES "
                            "(?, ?, ?, ?, ?, 'conflict', ?)",
                            (conflict.lead_id, stage, keep.value, stamp, by,
                             f"Kept {keep.label} after two moves made offline."))
                raw.execute("UPDATE leads SET stage = ?, stage_entered_at = ?, updated_at = ?, "
                            "mql_at = CASE WHEN ? = 'mql' THEN ? ELSE mql_at END, "
                            "revisit_on = ? WHERE id = ?",
                            (keep.value, stamp, stamp, keep.value, stamp,
                             revisit.isoformat() if revisit else None, conflict.lead_id))
            raw.execute("UPDATE stage_conflicts SET resolved_at = ?, resolved_by = ?, "
                        "kept_stage = ? WHERE id = ?", (stamp, by, keep.value, conflict_id))

