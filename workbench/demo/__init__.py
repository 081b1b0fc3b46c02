"""The demo database: a sales team, companies and leads in every stage with their history,
activity and BANT records, generated in bulk (generator.py) from a catalogue of names and
behaviours (catalogue.py) through a simulated funnel (funnel.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from workbench.demo.generator import DemoResult, generate, parse_as_of
from workbench.rules.refusals import Refused
from workbench.store import db
from workbench.store.leads import Store

__all__ = ["DemoResult", "create_database", "generate", "parse_as_of"]


def create_database(path: Path, *, leads: int = 2000, seed: int = 7,
                    as_of: datetime | None = None, replace: bool = False, score: bool = True,
                    progress: Callable[[str], None] | None = None) -> DemoResult:
    """Generate the demo into a new file beside `path` and move it into place when complete,
    so an interrupted run leaves no half-written database behind.

    With score, the leads are stored with their scores under the default criteria as of
    the start of the demo's day, as a rescore would store them (leads reaching the MQL
    threshold became MQLs over the hours and days before the demo's 'now')."""
    # inspect_file also refuses a file of another program, whatever --replace says
    if db.inspect_file(path) is not None and not replace:
        with Store.open(path) as existing:
            count = existing.stats().leads
        raise Refused(f"{path} already holds a workbench database ({count:,} leads). "
                      "Pass --replace to overwrite it with a new demo, "
                      "or choose another file with --db.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    _remove_database_files(partial)
    try:
        with Store.open(partial, durable=False) as store:
            result = generate(store, leads=leads, seed=seed, as_of=as_of,
                              criteria=store.current_criteria() if score else None,
                              progress=progress)
            store.mark_demo()  # made-up leads never go to a team server
        with partial.open("rb+") as built:  # written without syncs: sync once, then publish
            os.fsync(built.fileno())
        _remove_database_files(path)
        os.replace(partial, path)
    finally:
        _remove_database_files(partial)
    return result


def _remove_database_files(path: Path) -> None:
    # A stale -wal beside a new main file would be replayed into it: remove all three.
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
