"""The team server's side of a sync: merging a laptop's pushed changes into the shared
tables, and reading what changed since a laptop's last pull.

Every write to a synced table takes one advisory lock and stamps the row with the next
`sync_version` (see the server migrations), so versions commit in order: a laptop that has
read up to the high-water mark has seen every committed change up to it. Row-level
security applies to all of it, because each rep connects as their own role.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from workbench.rules.erasure import ERASED_VALUES
from workbench.store.sync import download_sql, payload, select_sql
from workbench.sync.protocol import (
    Batch,
    Entity,
    Refusal,
    SyncBlocked,
    SyncError,
    erased_fields,
    merge,
)
from workbench.sync.server import SERVER_MIGRATIONS, SERVER_SCHEMA_REVISION, libpq_url

PULL_ROWS = 5000


SYNC_LOCK = 7400121  # server_0001's: every write to a synced table takes it


# A row has a clock (a [hlc, device] per group) of another device than the one given: a
# path query rather than a row per clock (jsonb_each), as a first pull reads every row its
# first push wrote
_BY_ANOTHER_DEVICE = ("coalesce(jsonb_path_exists(a.sync_clocks, 'strict $.* ? (@[1] != null "
                      "&& (@[1].type() != \"string\" || @[1] != $device))', %s, true), false)")


def _uid(alias: str) -> str:
    return f"{alias}.uid"


def _wire(value: Any) -> Any:
    """Times travel as SQLite stores them, so both sides compare them alike."""
    if isinstance(value, datetime):
        return value.isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _first_line(problem: Exception) -> str:
    diag = getattr(problem, "diag", None)
    text = (diag.message_primary if diag is not None and diag.message_primary
            else str(problem))
    return text.strip().splitlines()[0] if text.strip() else type(problem).__name__


# A row the server already has under that uid, but that the role may not change: a lead
# (or its history) is another rep's now, a company has no lead of theirs.
_NOT_YOURS = {
    "lead": "on the team server this lead is another rep's now",
    "company": "only a manager, or a rep with a lead at the company, changes a company on "
               "the team server",
}
_LEADS_NOT_YOURS = "its lead is not yours on the team server"
_MANAGERS_ONLY = {
    "lead": "only a manager removes a lead from the team server (as merging two leads does)",
    "criteria": "only a manager saves the team's criteria on the team server",
}


def _missing(entity: Entity, name: str, value: str) -> str:
    """Why a pushed row that names what the server does not have (or the role may not
    see) is refused."""
    if name == "owner_email":
        return f"its owner {value} has no account on the team server"
    if entity.refs[name].target == "lead":
        return "its lead is not on the team server, or not yours to see"
    return "its company is not on the team server"


def _in_words(entity: str, problem: psycopg.Error) -> str:
    """Why the server refused a change, in the team's words rather than PostgreSQL's."""
    text = _first_line(problem)
    if isinstance(problem, psycopg.errors.UniqueViolation):
        constraint = problem.diag.constraint_name or ""
        if constraint.endswith("_uid"):  # there, but not visible to change: not theirs
            return _NOT_YOURS.get(entity, _LEADS_NOT_YOURS)
        if constraint == "uq_leads_external_id":
            return "another lead on the team server has the same external id"
        return "the team server already has another one like it"
    if isinstance(problem, psycopg.errors.InsufficientPrivilege):
        if text.startswith("new row violates row-level security"):
            return ("a rep keeps their own leads and takes pool leads, but gives none to "
                    "another rep" if entity == "lead" else
                    _NOT_YOURS.get(entity, _LEADS_NOT_YOURS))
        if text.startswith("permission denied"):
            return _MANAGERS_ONLY.get(entity, "your role on the team server may not do this")
        return text  # the server's own refusals are in the team's words (server_0005)
    return f"the team server refused it: {text}"


class TeamServer:
    """One connection to the team server, as the user whose credentials the URL holds."""

    def __init__(self, url: str, *, timeout: int = 10) -> None:
        try:
            self.conn = psycopg.connect(libpq_url(url), connect_timeout=timeout)
        except psycopg.OperationalError as problem:
            text = str(problem)
            if "no password supplied" in text or "password authentication failed" in text:
                raise SyncBlocked(
                    "The team server did not accept the password. Give it again (File › Team "
                    "server…, or workbench sync --password-stdin); it is then kept in the "
                    "system keyring. PGPASSWORD and ~/.pgpass serve too.") from None
            raise SyncError(f"Cannot reach the team server: {_first_line(problem)}") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> TeamServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- before a sync -------------------------------------------------------

    def check_schema(self) -> None:
        """SyncBlocked unless the server's tables are the ones this workbench syncs with."""
        try:
            with self.conn.transaction():
                found = self.conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.UndefinedTable):
            found = None  # before server_0004, reps could not read the revision
        revision = found[0] if found else None
        if revision == SERVER_SCHEMA_REVISION:
            return
        if revision is None or revision in _server_revisions():
            raise SyncBlocked(
                f"The team server's tables are older than this workbench needs "
                f"({revision or 'before server_0004'}, needs {SERVER_SCHEMA_REVISION}). "
                "Whoever set up the server runs `workbench server init --url "
                "postgresql://OWNER@HOST/DB` again to bring it up to date; nothing was sent.")
        raise SyncBlocked(f"The team server is newer than this workbench (its tables are at "
                          f"{revision}): update the workbench on this laptop; nothing was sent.")

    def claim_device(self, device: str, held: str | None, offered: str) -> bool:
        """Pass this database file's token on (see workbench_claim_device); False when
        the server holds another, so the file is a copy that its twin has synced past."""
        with self.conn.transaction():
            return self.conn.execute("SELECT workbench_claim_device(%s, %s, %s)",
                                     (device, held, offered)).fetchone()[0]

    # -- push ----------------------------------------------------------------

    def push(self, batches: Sequence[Batch], deleted: Sequence[str]) -> list[Refusal]:
        """Merge a laptop's changes in one transaction; returns the changes refused (by
        row-level security, or naming what the server does not have). The others commit."""
        refused: list[Refusal] = []
        with self.conn.transaction(), self.conn.cursor() as cur:
            # the sync lock (server_0009) from the start, not from the first write: what
            # this push reads (a lead erased meanwhile) is what it writes against
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (SYNC_LOCK,))
            for batch in batches:
                if batch.rows:
                    refused += self._push_batch(cur, batch)
            for uid in deleted:
                refused += self._guarded(cur, [uid], self._delete_lead, "lead", lambda u: u)
        return refused

    def _push_batch(self, cur: psycopg.Cursor, batch: Batch) -> list[Refusal]:
        """The batch is copied to the server as it came; the server finds the rows it
        names and the rows it has already, in SQL. Only those it has are merged here, row
        by row: the new ones (all of a first push) go from the copy to the shared table
        in one statement."""
        entity = batch.entity
        key_field = "lead_uid" if entity.keyed_by_lead else "uid"
        _copy_pushed(cur, batch)
        missing = self._missing_refs(cur, batch)
        current = self._current(cur, entity)
        erased = self._erased_leads(cur, entity)
        refused: list[Refusal] = []
        new, merges = [], []
        for n, (row, clocks) in enumerate(zip(batch.rows, batch.clocks, strict=True)):
            if n in missing:
                refused.append(Refusal(entity.name, row[key_field],
                                       _missing(entity, missing[n], row[missing[n]])))
                continue
            found = current.get(row[key_field])
            if found is None:  # new here: written as it came (a first push is all new)
                new.append(n)
                continue
            merged = merge(entity, found[0], found[1], row, clocks,
                           erased=row.get("lead_uid") in erased)
            if merged is not None and entity.groups:
                merges.append((row, *merged))
        refused += self._guarded(cur, new, self._insert_new, entity.name,
                                 lambda n: batch.rows[n][key_field], entity=entity,
                                 pushed=len(batch.rows), erased=sorted(erased))
        if merges:
            refs = self._refs(cur, entity, [row for row, _values, _clocks in merges])
            refused += self._guarded(cur, merges, self._update, entity.name,
                                     lambda m: m[0][key_field], refs=refs, entity=entity)
        return refused

    @staticmethod
    def _missing_refs(cur: psycopg.Cursor, batch: Batch) -> dict[int, str]:
        """The pushed rows that name a lead or company the server does not have (or this
        role may not see), or an owner without an account: the field that names it, by
        row number. Another user named (the author of history) without an account is not
        missing: the row is written without them. The server says which of the names are
        missing, each looked up once; most batches have none."""
        entity = batch.entity
        checked = [name for name, ref in entity.refs.items()
                   if ref.target != "user" or name == "owner_email"]
        if not checked:
            return {}
        lookups = []
        for name in checked:
            table, key = _REF_KEYS.get(entity.refs[name].target, ("leads", "uid"))
            lookups.append(f"SELECT '{name}', named FROM (SELECT DISTINCT {name} AS named "
                           f"FROM {_pushed(entity)} WHERE {name} IS NOT NULL) d WHERE NOT "
                           f"EXISTS (SELECT 1 FROM {table} r WHERE r.{key} = named)")
        lacking: dict[str, set[str]] = {}
        for name, named in cur.execute(" UNION ALL ".join(lookups)).fetchall():
            lacking.setdefault(name, set()).add(named)
        if not lacking:
            return {}
        return {n: name for n, row in enumerate(batch.rows)
                if (name := next((f for f in checked if row[f] in lacking.get(f, ())),
                                 None)) is not None}

    @staticmethod
    def _current(cur: psycopg.Cursor, entity: Entity) -> dict[str, tuple[dict[str, Any], dict]]:
        """The rows the server has of those pushed (that this role may see), by key, with
        their clocks: locked until the push commits."""
        key = ("r0.uid", "lead_uid") if entity.keyed_by_lead else ("a.uid", "uid")
        sql = select_sql(entity, _uid, extra=("a.sync_clocks",))
        lock = " FOR UPDATE OF a" if entity.groups else ""  # append-only rows never change
        rows = cur.execute(f"{sql} WHERE {key[0]} = ANY(ARRAY(SELECT {key[1]} FROM "
                           f"{_pushed(entity)})){lock}").fetchall()
        return {row[1]: (payload(entity, [_wire(v) for v in row[1:-1]]), row[-1] or {})
                for row in rows}

    @staticmethod
    def _erased_leads(cur: psycopg.Cursor, entity: Entity) -> set[str]:
        """The uids of the erased leads that pushed rows belong to, when the entity holds
        what an erasure empties: their words stay out."""
        if entity.table not in ERASED_VALUES or "lead_uid" not in entity.refs:
            return set()
        return {r[0] for r in cur.execute(
            f"SELECT uid FROM leads WHERE erased_at IS NOT NULL AND uid IN "
            f"(SELECT lead_uid FROM {_pushed(entity)})").fetchall()}

    @staticmethod
    def _insert_new(cur: psycopg.Cursor, new: list[int], *, entity: Entity,
                    pushed: int, erased: list[str]) -> None:
        """Pushed rows new to the server (by row number; all `pushed` of them, or some),
        from the copy, in the order they came: refs become the server's ids (a user
        without an account: none), and the rows of an erased lead come without the
        person's words."""
        columns = {ref.column: f"r{i}.id" for i, ref in enumerate(entity.refs.values())}
        columns.update({name: f"p.{name}" for name in entity.fields})
        params: dict[str, Any] = {"new": new, "erased": erased}
        for name, value in erased_fields(entity).items() if erased else ():
            columns[name] = (f"CASE WHEN p.lead_uid = ANY(%(erased)s) THEN %(forget_{name})s "
                             f"ELSE p.{name} END")
            params[f"forget_{name}"] = value
        columns["sync_clocks"] = "p.sync_clocks"
        if not entity.keyed_by_lead:
            columns["uid"] = "p.uid"
        where = "" if len(new) == pushed else "WHERE p.n = ANY(%(new)s) "
        cur.execute(f"INSERT INTO {entity.table} ({', '.join(columns)}) "
                    f"SELECT {', '.join(columns.values())} FROM {_pushed(entity)} p "
                    f"{_ref_joins(entity)} {where}ORDER BY p.n"
                    + (" ON CONFLICT DO NOTHING" if entity.same_when else ""), params)

    def _refs(self, cur: psycopg.Cursor, entity: Entity, rows: list[dict]
              ) -> dict[str, dict[str, int]]:
        """The server's ids of the rows and users these rows name, by uid or email."""
        return {name: self._ids(cur, *_REF_KEYS.get(ref.target, ("leads", "uid")),
                                [r[name] for r in rows])
                for name, ref in entity.refs.items()}

    @staticmethod
    def _ids(cur: psycopg.Cursor, table: str, key: str, uids: list) -> dict[str, int]:
        wanted = sorted({u for u in uids if u is not None})
        if not wanted:
            return {}
        return dict(cur.execute(f"SELECT {key}, id FROM {table} WHERE {key} = ANY(%s)",
                                (wanted,)).fetchall())

    def _guarded(self, cur: psycopg.Cursor, items: list, write, entity_name: str, uid_of,
                 **context) -> list[Refusal]:
        """Write all items in one savepoint; if the server refuses, write them one by one
        so that only the refused ones are left out."""
        if not items:
            return []
        try:
            with self.conn.transaction():
                write(cur, items, **context)
            return []
        except psycopg.Error:
            pass
        refused = []
        for item in items:
            try:
                with self.conn.transaction():
                    write(cur, [item], **context)
            except psycopg.Error as problem:
                refused.append(Refusal(entity_name, uid_of(item),
                                       _in_words(entity_name, problem)))
        return refused

    @staticmethod
    def _columns(entity: Entity, values: dict[str, Any], refs: dict[str, dict]) -> dict:
        columns = {}
        for name, value in values.items():
            ref = entity.refs.get(name)
            if ref is not None:
                columns[ref.column] = refs[name].get(value) if value is not None else None
            elif name in entity.fields:
                columns[name] = value
        return columns

    def _update(self, cur: psycopg.Cursor, merges: list, *, refs: dict,
                entity: Entity) -> None:
        """Rows the server has, with what their merge changed."""
        updates = []
        for row, values, clocks in merges:
            columns = self._columns(entity, values, refs)
            columns["sync_clocks"] = Jsonb(clocks)
            key = refs["lead_uid"][row["lead_uid"]] if entity.keyed_by_lead else row["uid"]
            updates.append((columns, key))
        key = "lead_id" if entity.keyed_by_lead else "uid"
        for names, group in _by_shape([c for c, _ in updates]).items():
            keys = [k for c, k in updates if tuple(c) == names]
            incoming = _copy_in(cur, entity.table, (key, *names),
                                [[k, *c.values()] for c, k in zip(group, keys, strict=True)])
            cur.execute(f"UPDATE {entity.table} t SET "
                        f"{', '.join(f'{n} = i.{n}' for n in names)} FROM {incoming} i "
                        f"WHERE t.{key} = i.{key}")
            if cur.rowcount < len(group):
                raise psycopg.errors.InsufficientPrivilege(
                    "not yours to change on the team server")

    @staticmethod
    def _delete_lead(cur: psycopg.Cursor, uids: list[str], **_context) -> None:
        # the server writes the tombstone of a lead it removes (server_0005)
        cur.execute("DELETE FROM leads WHERE uid = ANY(%s)", (uids,))

    # -- pull ----------------------------------------------------------------

    def snapshot(self) -> PullSnapshot:
        return PullSnapshot(self.conn)


def _server_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision
            for script in ScriptDirectory(str(SERVER_MIGRATIONS)).walk_revisions()}


def _copy_in(cur: psycopg.Cursor, table: str, names: Sequence[str], rows: list[list]) -> str:
    """Rows copied into a temporary table with the types of `table`'s columns; returns its
    name. One COPY and one statement on the shared table are far faster than a statement
    per row, which would also fire the statement-level sync trigger per row. (COPY cannot
    write to the shared tables directly: row-level security refuses it.)"""
    cur.execute("DROP TABLE IF EXISTS pg_temp.incoming")
    cur.execute(f"CREATE TEMP TABLE incoming ON COMMIT DROP AS SELECT {', '.join(names)} "
                f"FROM {table} WITH NO DATA")
    with cur.copy(f"COPY pg_temp.incoming ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return "pg_temp.incoming"


# the table and key of what a ref names: a user by email, a company or lead by uid
_REF_KEYS = {"user": ("users", "email"), "company": ("companies", "uid")}


def _ref_joins(entity: Entity) -> str:
    """The rows and users the pushed copy (p) names, joined as r0, r1... (in the order of
    the entity's refs) with their id on the server: NULL when the server lacks it or this
    role may not see it. Each one named is looked up once, by index (a batch names far
    fewer leads and users than it has rows, and a plain join would read the whole table
    for each batch)."""
    joins = []
    for i, (name, ref) in enumerate(entity.refs.items()):
        table, key = _REF_KEYS.get(ref.target, ("leads", "uid"))
        joins.append(f"LEFT JOIN (SELECT named, (SELECT r.id FROM {table} r WHERE "
                     f"r.{key} = named) AS id FROM (SELECT DISTINCT {name} AS named FROM "
                     f"{_pushed(entity)}) d) r{i} ON r{i}.named = p.{name}")
    return " ".join(joins)


def _pushed(entity: Entity) -> str:
    return f"pg_temp.pushed_{entity.name}"


def _copy_pushed(cur: psycopg.Cursor, batch: Batch) -> None:
    """A batch's rows copied as they came into the entity's pushed table (_pushed): a row
    number n, the
    payload's fields (the rows named by uid, users by email, its own fields with the
    types of its table's columns) and the clocks. The table is the entity's own, made
    once a connection and emptied at each commit (a table made and dropped per batch
    costs more than the copy). Each row's clocks are written as JSON once for rows that
    share them (every row of a batch of a first push)."""
    entity = batch.entity
    names = ("uid", *entity.refs)
    cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS pushed_{entity.name} "
                f"ON COMMIT DELETE ROWS "
                f"AS SELECT 0 AS n, {', '.join(f'NULL::text AS {name}' for name in names)}, "
                f"{', '.join(entity.fields)}, sync_clocks FROM {entity.table} WITH NO DATA")
    cur.execute(f"DELETE FROM {_pushed(entity)}")  # a batch before it in this push
    fields = itemgetter(*names, *entity.fields)
    texts: dict[int, str] = {}
    with cur.copy(f"COPY {_pushed(entity)} FROM STDIN") as copy:
        for n, (row, clocks) in enumerate(zip(batch.rows, batch.clocks, strict=True)):
            text = texts.get(id(clocks)) or texts.setdefault(id(clocks), json.dumps(clocks))
            copy.write_row((n, *fields(row), text))


def _by_shape(rows: list[dict]) -> dict[tuple, list[dict]]:
    shapes: dict[tuple, list[dict]] = {}
    for row in rows:
        shapes.setdefault(tuple(row), []).append(row)
    return shapes


class PullSnapshot:
    """What changed on the server after a cursor, read in one consistent snapshot."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        self.tx = conn.transaction()
        self.tx.__enter__()
        conn.execute("SET TRANSACTION READ ONLY")
        self.high_water = conn.execute("SELECT version FROM sync_high_water").fetchone()[0]

    def close(self) -> None:
        self.tx.__exit__(None, None, None)
        self.conn.isolation_level = None

    def __enter__(self) -> PullSnapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def users(self) -> list[tuple[str, str, str]]:
        return self.conn.execute("SELECT email, name, role FROM users").fetchall()

    def changes(self, entity: Entity, after: int, *, lead_uids: Sequence[str] | None = None,
                device: str | None = None) -> Iterator[Batch]:
        """The entity's rows changed after the cursor (or, for leads newly visible to this
        user, all their rows up to it), in batches. Rows as the device made them, with no
        one else's change since, stay out: that laptop has them (its first push would
        otherwise come back whole)."""
        sql = select_sql(entity, _uid, extra=("a.sync_clocks",))
        if lead_uids is None:
            where, params = ("a.sync_version > %s AND a.sync_version <= %s",
                             (after, self.high_water))
            if device is not None:
                made_here = ("coalesce(a.sync_clocks, '{}'::jsonb) <> '{}'::jsonb"
                             if entity.keyed_by_lead else "coalesce(a.uid LIKE %s, false)")
                where += f" AND NOT ({made_here} AND NOT {_BY_ANOTHER_DEVICE})"
                params += ((Jsonb({"device": device}),) if entity.keyed_by_lead
                           else (f"{device}-%", Jsonb({"device": device})))
            where += " ORDER BY a.sync_version"
        else:
            lead_alias = f"r{list(entity.refs).index('lead_uid')}"
            where = (f"a.sync_version <= %s AND {lead_alias}.uid = ANY(%s) "
                     "ORDER BY a.sync_version")
            params = (after, list(lead_uids))
        with self.conn.cursor(name=f"pull_{entity.name}") as cur:
            cur.execute(f"{sql} WHERE {where}", params)
            while rows := cur.fetchmany(PULL_ROWS):
                yield Batch(entity, [payload(entity, [_wire(v) for v in r[1:-1]]) for r in rows],
                            [r[-1] or {} for r in rows])

    def copy(self, entity: Entity) -> Iterator[tuple[list[tuple], int]]:
        """Every row of an entity as a first download copies it (store_sync.download_sql),
        in batches, each with the highest clock of its rows."""
        clocks = ", ".join(f"(a.sync_clocks #>> '{{{group},0}}')::bigint"
                           for group in entity.groups)
        sql = download_sql(entity, extra=(f"coalesce(greatest({clocks}), 0)",))[0]
        with self.conn.cursor(name="download") as cur:
            cur.execute(f"{sql} WHERE a.sync_version <= %s", (self.high_water,))
            while rows := cur.fetchmany(PULL_ROWS):
                yield [row[:-1] for row in rows], max(row[-1] for row in rows)

    def not_visible(self, lead_uids: Sequence[str]) -> list[str]:
        """Of these leads, those this user can no longer see on the server: given to
        another rep, or taken from the pool by one. None for a manager."""
        if not lead_uids or self.conn.execute("SELECT workbench_is_manager()").fetchone()[0]:
            return []
        return [r[0] for r in self.conn.execute(
            "SELECT u FROM unnest(%s::text[]) u "
            "WHERE NOT EXISTS (SELECT 1 FROM leads l WHERE l.uid = u)", (list(lead_uids),))]

    def deleted(self, after: int) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT uid FROM sync_tombstones WHERE sync_version > %s AND sync_version <= %s",
            (after, self.high_water))]

