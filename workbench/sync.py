"""Team sync: what is synced, how concurrent changes merge, and one sync run.

Every laptop keeps working on its own SQLite file. Triggers record each local change in
an outbox with a hybrid logical clock (HLC); `synchronise` pushes the outbox to the team's
PostgreSQL server and then pulls what changed there since the last run.

The merge rules, the same on the server and on a laptop:
- A synced row is known everywhere by its uid ("<device>-<local id>" of the laptop that
  made it), so sending a change twice never makes a second row.
- The fields of a lead (and of a company, a BANT item, a conflict's resolution) merge in
  groups, each group with its own clock: of two concurrent edits of one group, the one
  with the higher (HLC, device) wins, on every laptop alike. The groups of a lead:
  contact details, stage, owner, first touch.
- Stage changes, activities, criteria versions and company intent signals are append-only:
  every one is kept (an intent signal imported on two laptops is one signal).
- Two stage moves of one lead that follow the same earlier move, to different stages,
  were made without seeing each other: both stay in the history, the later (by clock)
  sets the stage, and every laptop records a StageConflict for someone to resolve.
- A lead the user can no longer see on the server (a manager gave it to another rep, or
  another rep took it from the pool) leaves the laptop once nothing of it waits to be
  sent; the server keeps it, and its new owner receives its whole history.
- A laptop's clock runs ahead of every clock it has seen, so a change made after seeing
  another sorts after it, however wrong the laptop's wall clock is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.server_sync import PullSnapshot, TeamServer
    from workbench.store import Store

# Clock of a group: [hlc, device]; compared as a tuple, so the device breaks ties.
Clock = tuple[int, str]
HLC_COUNTER_BITS = 16


@dataclass(frozen=True)
class Ref:
    """A payload field that names another row by its uid (or a user by email), and the
    local column that holds that row's id."""

    column: str
    target: str  # "company", "lead" or "user"


@dataclass(frozen=True)
class Entity:
    name: str
    table: str
    # the payload's fields, each the same-named column
    fields: tuple[str, ...]
    refs: dict[str, Ref] = field(default_factory=dict)
    # groups of payload fields that merge as one; an entity without groups is
    # append-only (its first version is final)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the row is keyed by its lead rather than a uid of its own (BANT: one per lead)
    keyed_by_lead: bool = False
    # an append-only row equal to another on these fields is the same row, made on two
    # laptops (one intent file imported twice): the second copy is dropped
    same_when: tuple[str, ...] = ()

    @property
    def payload_fields(self) -> tuple[str, ...]:
        return (*self.fields, *self.refs)

    def group_of(self, name: str) -> str | None:
        return next((g for g, names in self.groups.items() if name in names), None)


USER = Ref("user_id", "user")
LEAD = Ref("lead_id", "lead")
BANT_ITEMS = ("budget", "authority", "need", "timeline")

COMPANY = Entity(
    "company", "companies",
    ("name", "domain", "industry", "employee_band", "revenue_band", "country"),
    groups={"row": ("name", "domain", "industry", "employee_band", "revenue_band",
                    "country")})
LEAD_ENTITY = Entity(
    "lead", "leads",
    ("first_name", "last_name", "email", "phone", "job_title", "seniority", "external_id",
     "source", "campaign", "custom_fields", "historic_outcome", "stage", "stage_entered_at",
     "mql_at", "revisit_on", "first_touch_at", "created_at", "updated_at",
     "last_activity_at", "fit_score", "engagement_score", "score", "grade", "buyer_stage"),
    refs={"company_uid": Ref("company_id", "company"),
          "owner_email": Ref("owner_id", "user")},
    groups={"contact": ("first_name", "last_name", "email", "phone", "job_title",
                        "seniority", "company_uid", "external_id", "source", "campaign",
                        "custom_fields", "historic_outcome"),
            "stage": ("stage", "stage_entered_at", "mql_at", "revisit_on"),
            "owner": ("owner_email",),
            "touch": ("first_touch_at",)})
STAGE_CHANGE = Entity(
    "stage_change", "stage_changes",
    ("from_stage", "to_stage", "changed_at", "reason_code", "note", "hlc", "follows"),
    refs={"lead_uid": LEAD, "user_email": USER},
    groups={"lead": ("lead_uid",)})  # a merge of two leads moves history to the kept one
ACTIVITY = Entity(
    "activity", "activities",
    ("occurred_at", "kind", "url", "page_kind", "note"),
    refs={"lead_uid": LEAD, "user_email": USER},
    groups={"lead": ("lead_uid",)})
QUALIFICATION = Entity(
    "qualification", "qualifications",
    (*(f for item in BANT_ITEMS for f in (item, f"{item}_note")), "updated_at"),
    refs={"lead_uid": LEAD, "updated_by_email": Ref("updated_by", "user")},
    groups={item: (item, f"{item}_note") for item in BANT_ITEMS},
    keyed_by_lead=True)
CRITERIA = Entity(
    "criteria", "criteria_versions", ("created_at", "note", "body"),
    refs={"author_email": Ref("author_id", "user")})
CONFLICT = Entity(
    "conflict", "stage_conflicts",
    ("first_change", "second_change", "detected_at", "resolved_at", "kept_stage"),
    refs={"lead_uid": LEAD, "resolved_by_email": Ref("resolved_by", "user")},
    groups={"resolution": ("resolved_at", "resolved_by_email", "kept_stage")})
INTENT = Entity(
    "intent", "intent_signals", ("company_domain", "topic", "strength", "observed_at"),
    same_when=("company_domain", "topic", "observed_at"))

# In the order a push and a pull write them: a row after the rows it names.
ENTITIES = (COMPANY, LEAD_ENTITY, STAGE_CHANGE, ACTIVITY, QUALIFICATION, CRITERIA, CONFLICT,
            INTENT)
# A new laptop's first download copies these tables as they are on the server; the others
# (the laptop has its own default criteria) merge as in any pull.
COPIED = ENTITIES[:5]
BY_NAME = {e.name: e for e in ENTITIES}
# A lead's fields that are not merged from the server into a laptop that has the lead:
# each laptop computes scores itself; these two only ever grow.
LEAD_DERIVED = ("fit_score", "engagement_score", "score", "grade", "buyer_stage")
LEAD_GROWING = ("updated_at", "last_activity_at")
DELETED = "deleted"  # the outbox group of a removed row


def newer(incoming: Sequence | None, current: Sequence | None) -> bool:
    """Does a change with clock `incoming` win over the state with clock `current`?"""
    if incoming is None:
        return False
    return current is None or tuple(incoming) > tuple(current)


def merge(entity: Entity, current: dict[str, Any] | None, current_clocks: dict[str, Sequence],
          incoming: dict[str, Any], incoming_clocks: dict[str, Sequence]
          ) -> tuple[dict[str, Any], dict[str, list]] | None:
    """The fields to write and the clocks to keep when `incoming` meets `current` (None:
    the row is new). Returns None when nothing changes."""
    if current is None:
        return dict(incoming), {g: list(c) for g, c in incoming_clocks.items()}
    values: dict[str, Any] = {}
    clocks = {g: list(c) for g, c in current_clocks.items()}
    for group, names in entity.groups.items():
        if newer(incoming_clocks.get(group), current_clocks.get(group)):
            clocks[group] = list(incoming_clocks[group])
            values.update({n: incoming[n] for n in names
                           if n in incoming and incoming[n] != current.get(n)})
    if entity is LEAD_ENTITY:
        for name in LEAD_GROWING:
            if incoming.get(name) is not None and (current.get(name) is None
                                                   or incoming[name] > current[name]):
                values[name] = incoming[name]
    if not values and clocks == current_clocks:
        return None
    return values, clocks


@dataclass
class Batch:
    """Rows of one entity travelling together, as payload dicts with their clocks."""

    entity: Entity
    rows: list[dict[str, Any]]
    clocks: list[dict[str, list]]


@dataclass
class Refusal:
    entity: str
    uid: str
    reason: str  # in the team's words; on a laptop, with the lead or company it concerns


@dataclass
class SyncResult:
    pushed: int = 0
    pulled: int = 0
    refused: list[Refusal] = field(default_factory=list)
    conflicts: int = 0  # new stage conflicts found by this run
    first_push: bool = False
    # got activities or intent, or a lead at their company became a customer: rescored
    touched_leads: set[int] = field(default_factory=set)
    handed_over: int = 0  # leads now another rep's, removed from this laptop
    note: str | None = None  # something the user should know (the password not kept)
    password_kept: bool | None = None  # a password given this run: kept in the keyring?

    def summary(self) -> str:
        parts = [f"sent {self.pushed} change{'s' * (self.pushed != 1)}",
                 f"received {self.pulled}"]
        if self.refused:
            parts.append(f"{len(self.refused)} refused by the server")
        if self.handed_over:
            parts.append(f"{self.handed_over} lead{'s' * (self.handed_over != 1)} now "
                         "another rep's removed from this laptop")
        if self.conflicts:
            parts.append(f"{self.conflicts} stage conflict{'s' * (self.conflicts != 1)} "
                         "to resolve")
        return "Synced: " + ", ".join(parts) + "."


class SyncError(Exception):
    """A sync that could not run (no server, refused login...); the message says why.
    Nothing local is lost: the changes wait in the outbox for the next run."""


class SyncCancelled(SyncError):
    pass


class SyncBlocked(SyncError):
    """A sync that fails the same way until someone acts (a copied database file, a server
    to upgrade, a refused password): trying again by itself would not help."""


class CopiedDatabase(SyncBlocked):
    """The server holds another token for this device: the file is a copy that its twin has
    synced past. Syncing it as a new device (`as_new_device`) carries on."""

    def __init__(self) -> None:
        super().__init__(
            "This database file is a copy of one that has synced with the team server since "
            "(or an older backup of it, or another user's file), so nothing was sent or "
            "received: its new leads and moves would go under names the other file's already "
            "use. Keep working in the file that syncs, or sync this one as a new device "
            "(workbench sync --as-new-device): what it made since its last sync then goes to "
            "the team as new, and a lead that both files had unsent at the copy may show up "
            "twice (Lead › Possible duplicates…).")


Progress = Callable[[str, int], None]  # (what is happening, rows so far)
PUSH_ENTRIES = 5000
PUSH_ROWS = 5000


def synchronise(store: Store, url: str | None = None, *, password: str | None = None,
                progress: Progress | None = None,
                cancelled: Callable[[], bool] | None = None,
                as_new_device: bool = False) -> SyncResult:
    """Push this laptop's changes to the team server, then pull the others'. Safe to cut
    at any point and run again: nothing is sent or written twice, nothing is lost.
    as_new_device first makes the file a device of its own (see CopiedDatabase)."""
    from psycopg import Error as ServerError

    from workbench import credentials
    from workbench.server_sync import TeamServer

    status = store.sync_status()
    if status.is_demo:
        raise SyncBlocked("This is the demo database; it stays on this laptop. Sync a "
                          "database of your own: workbench --db PATH sync --server URL.")
    url = url or status.server_url
    if not url:
        raise SyncBlocked("No team server is set for this database: run "
                          "`workbench sync --server postgresql://you@host/team` once.")
    clean_url, in_url = credentials.split_password(url)
    given = password or in_url
    try:
        store.set_sync_server(clean_url)
    except ValueError as problem:
        raise SyncBlocked(str(problem)) from None
    if as_new_device:
        if progress is not None:
            progress("Becoming a new device", 0)
        store.become_new_device()
    secret = given or credentials.saved_password(clean_url)
    result = SyncResult()

    def step(what: str, rows: int) -> None:
        if cancelled is not None and cancelled():
            raise SyncCancelled("Sync cancelled; what was sent or received is kept, and the "
                                "rest goes next time.")
        if progress is not None:
            progress(what, rows)

    downloaded = False
    try:
        with TeamServer(credentials.with_password(clean_url, secret)) as server:
            if given:
                result.note = credentials.remember(clean_url, given)
                result.password_kept = result.note is None
            server.check_schema()
            device, held, offered = store.device_token()
            if not server.claim_device(device, held, offered):
                raise CopiedDatabase()
            store.device_token_taken(offered)
            _push(store, server, result, step, first=not status.first_push_done)
            with server.snapshot() as snapshot:
                store.apply_users(snapshot.users())
                downloaded = store.sync_cursor() == 0 and store.is_empty()
                if downloaded:
                    _download(store, snapshot, result, step)
                else:
                    _pull(store, snapshot, result, step, device=device)
    except SyncError as problem:
        store.record_sync_error(str(problem))
        raise
    except ServerError as problem:
        message = f"The team server stopped the sync: {str(problem).strip().splitlines()[0]}"
        store.record_sync_error(message)
        raise SyncError(message) from None
    from workbench import scoring

    if downloaded:  # the team's laptops scored these leads, each as of its own day
        scoring.rescore(store, store.current_criteria(), promote=False)
    elif result.touched_leads:
        scoring.rescore(store, store.current_criteria(), lead_ids=sorted(result.touched_leads),
                        promote=False)
    return result


def _push(store: Store, server: TeamServer, result: SyncResult,
          step: Callable[[str, int], None], *, first: bool) -> None:
    if first:  # every row this laptop has, whatever the outbox holds
        result.first_push = True
        up_to = store.last_outbox_seq()
        refused: list[Refusal] = []
        for entity in ENTITIES:
            after = 0
            while True:
                step("Sending", result.pushed)
                after, batch = store.all_rows(entity, after, PUSH_ROWS)
                if not batch.rows:
                    break
                refused += store.describe_refused(server.push([batch], []))
                result.pushed += len(batch.rows)
        store.push_done(up_to, refused, first_push_done=True)
        result.refused += refused
    last = store.last_outbox_seq()
    while True:
        step("Sending", result.pushed)
        seq, batches, deleted = store.outbox(PUSH_ENTRIES)
        if not seq:
            break
        refused = store.describe_refused(server.push(batches, deleted))
        store.push_done(seq, refused)
        result.pushed += sum(len(b.rows) for b in batches) + len(deleted)
        result.refused += refused
        if seq >= last:  # changes made while sending go next time
            break


def _download(store: Store, snapshot: PullSnapshot, result: SyncResult,
              step: Callable[[str, int], None]) -> None:
    """A new laptop's first download, in one transaction: the shared tables copied as they
    are, with nothing to merge them with (the server reads ahead while the laptop writes),
    then the rest as in any pull. The leads keep the scores the team's laptops gave them,
    as any lead pulled does until it gets new activity."""
    from workbench.read_ahead import read_ahead

    max_clock = 0
    with store.bulk_pull([e.table for e in COPIED]) as build_indexes:
        for entity in COPIED:
            for rows, clock in read_ahead(snapshot.copy(entity), "sync-read"):
                step("Receiving", result.pulled)
                result.pulled += store.insert_downloaded(entity, rows)
                max_clock = max(max_clock, clock)
        build_indexes()
        result.conflicts = store.find_all_conflicts()
        _pull(store, snapshot, result, step, entities=ENTITIES[len(COPIED):],
              max_clock=max_clock)


def _pull(store: Store, snapshot: PullSnapshot, result: SyncResult,
          step: Callable[[str, int], None], *, entities: Sequence[Entity] = ENTITIES,
          max_clock: int = 0, device: str | None = None) -> None:
    """What changed on the server since the last pull; the rows this device made that no
    one else has changed since stay out (a new laptop's first download has none)."""
    cursor = store.sync_cursor()
    new_leads = []
    for entity in entities:
        batches = snapshot.changes(entity, cursor, device=device)
        if new_leads and "lead_uid" in entity.refs:
            # leads this user can newly see (assigned to them): their whole history
            batches = chain(snapshot.changes(entity, cursor, lead_uids=new_leads), batches)
        for batch in batches:
            step("Receiving", result.pulled)
            if entity is LEAD_ENTITY and cursor:
                uids = [r["uid"] for r in batch.rows]
                known = store.known_lead_uids(uids)
                new_leads += [u for u in uids if u not in known]
            applied = store.apply_pulled(batch)
            result.pulled += applied.rows
            result.conflicts += applied.conflicts
            result.touched_leads |= applied.touched_leads or set()
            max_clock = max(max_clock, applied.max_clock)
    deleted = snapshot.deleted(cursor)
    if deleted:
        result.pulled += store.apply_deleted(deleted)
    if cursor:  # leads now another rep's leave this laptop (the server keeps them)
        gone = snapshot.not_visible(store.settled_lead_uids())
        if gone:
            result.handed_over = store.apply_deleted(gone)
    store.finish_pull(snapshot.high_water, max_clock)

