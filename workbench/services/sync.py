"""One sync run: push this laptop's outbox to the team server, then pull what changed
there (the protocol and its merge rules: sync.protocol)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import chain
from typing import TYPE_CHECKING

from workbench.rules.refusals import Refused
from workbench.sync.protocol import (
    COPIED,
    ENTITIES,
    LEAD_ENTITY,
    CopiedDatabase,
    Entity,
    Refusal,
    SyncBlocked,
    SyncCancelled,
    SyncError,
    SyncResult,
)

if TYPE_CHECKING:
    from workbench.store.leads import Store
    from workbench.sync.team_server import PullSnapshot, TeamServer

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

    from workbench.sync import credentials
    from workbench.sync.team_server import TeamServer

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
    except Refused as problem:
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
    from workbench.services import scoring

    if downloaded:  # the team's laptops scored these leads, each as of its own day
        scoring.rescore(store, store.current_criteria(), promote=False)
    elif result.touched_leads:
        scoring.rescore(store, store.current_criteria(), lead_ids=sorted(result.touched_leads),
                        promote=False)
    return result


def _push(store: Store, server: TeamServer, result: SyncResult,
          step: Callable[[str, int], None], *, first: bool) -> None:
    from workbench.read_ahead import read_ahead

    if first:  # every row this laptop has, whatever the outbox holds
        result.first_push = True
        up_to = store.last_outbox_seq()
        refused: list[Refusal] = []
        for entity in ENTITIES:
            # the laptop reads the next batch while the server writes this one
            for batch in read_ahead(store.all_rows(entity, PUSH_ROWS), "sync-send"):
                step("Sending", result.pushed)
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
            result.erased += len(applied.erased)
            max_clock = max(max_clock, applied.max_clock)
    deleted = snapshot.deleted(cursor)
    if deleted:
        result.pulled += store.apply_deleted(deleted)
    if cursor:  # leads now another rep's leave this laptop (the server keeps them)
        gone = snapshot.not_visible(store.settled_lead_uids())
        if gone:
            result.handed_over = store.apply_deleted(gone)
    store.finish_pull(snapshot.high_water, max_clock)
