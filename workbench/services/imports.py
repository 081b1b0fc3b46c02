"""Running an import: one transaction for a file's valid rows, an error CSV for the others."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.files.reading import (
    UNKNOWN_OWNER,
    ImportKind,
    Mapping,
    RowProblem,
    RowReader,
    Table,
    errors_file_of,
    open_table,
)
from workbench.files.safe import check_target
from workbench.services import people
from workbench.services.changes import Changes
from workbench.store.leads import Store


@dataclass
class ImportResult:
    kind: ImportKind
    format: str
    read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors_file: Path | None = None
    dry_run: bool = False
    lead_ids: list[int] = field(default_factory=list)  # leads created or changed
    warnings: list[str] = field(default_factory=list)  # what of the mapping went unused
    owners_created: list[str] = field(default_factory=list)  # their emails
    owners_unknown: list[str] = field(default_factory=list)  # as the file names them, once
    problems: list[RowProblem] = field(default_factory=list)  # each row's, in row order

    @property
    def changes(self) -> Changes:
        """New and changed leads, activities that rescored them: every list is read again
        (a dry run wrote nothing)."""
        return Changes(leads=not self.dry_run)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "format": self.format, "rows": self.read,
                "imported": self.imported, "updated": self.updated,
                "unchanged": self.unchanged, "skipped": self.skipped,
                "errors_file": str(self.errors_file) if self.errors_file else None,
                "dry_run": self.dry_run, "warnings": self.warnings,
                "owners_created": self.owners_created, "owners_unknown": self.owners_unknown}


def run_import(store: Store, path: Path, kind: ImportKind = ImportKind.LEADS, *,
               mapping: Mapping | None = None, mapping_path: Path | None = None,
               dry_run: bool = False, score: bool = True, create_owners: bool = False,
               write_errors: bool = True, progress: Callable[[float], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> ImportResult:
    """Import a file: one transaction for its valid rows, an error CSV for the others.
    Imported or changed leads are then scored (unless score is False). The mapping is the
    one given, else the saved one at mapping_path, else the one recognised from the headers.
    With create_owners, the owners it names with an email that no one here matches are
    first added as reps (not in a dry run). Without write_errors the problems are only in the
    result (a check in the window writes no file unless asked). Cancelling (ImportCancelled)
    or any error writes nothing."""
    from workbench.clock import utcnow

    path = Path(path)
    check_target(errors_file_of(path), store.path)  # refused before anything is written
    table = open_table(path)
    if mapping is None:
        mapping = (Mapping.load(mapping_path, table.headers, kind) if mapping_path
                   else Mapping.detect(table.headers, kind))
    kind = mapping.kind
    reader = RowReader(table, mapping, store.owner_keys())
    reader.check_usable(path)
    created = []
    if create_owners and kind == ImportKind.LEADS and not dry_run:
        created, _by_name = people.create_owners(
            store, people.owners_to_create(store, path, mapping))
        reader.owners = store.owner_keys()
    now = utcnow()
    with _parts(path, table, reader, cancelled) as staged_files:
        records = reader.records(progress, cancelled)
        if kind == ImportKind.LEADS:
            counts = store.import_leads(records, note=f"Imported from {path.name}", at=now,
                                        dry_run=dry_run, staged_files=staged_files)
        elif kind == ImportKind.ACTIVITIES:
            counts = store.import_activities(records, dry_run=dry_run)
        else:
            counts = store.import_intent(records, dry_run=dry_run)
    reader.problems += [RowProblem(row, "", "", reason) for row, reason in counts.left_out]
    reader.problems.sort(key=lambda p: p.row)
    result = ImportResult(kind=kind, format=f"{mapping.format} ({table.description})",
                          read=reader.read, imported=counts.imported, updated=counts.updated,
                          unchanged=counts.unchanged,
                          skipped=len({p.row for p in reader.problems if p.left_out}),
                          errors_file=(reader.write_problems(path, store.path)
                                       if write_errors else None), dry_run=dry_run,
                          problems=reader.problems,
                          lead_ids=counts.lead_ids, warnings=mapping.warnings,
                          owners_created=[person.email for person in created],
                          owners_unknown=_distinct(p.value for p in reader.problems
                                                   if p.reason == UNKNOWN_OWNER))
    if not dry_run:
        _after_import(store, kind, score)
    return result


def _distinct(values: Iterable[str]) -> list[str]:
    """Each value once, whatever its case, as first written."""
    first: dict[str, str] = {}
    for value in values:
        first.setdefault(value.strip().lower(), value.strip())
    return list(first.values())


@contextmanager
def _parts(path: Path, table: Table, reader: RowReader,
           cancelled: Callable[[], bool] | None) -> Iterator[Callable[[], list[Path]] | None]:
    """For a large leads CSV: a helper process reads the second part of the file while the
    reader reads the first; yields what gives the helper's staged rows (their count and
    problems added to the reader's), else None."""
    from workbench.files import split

    if reader.mapping.kind != ImportKind.LEADS or not split.may_split(path, table):
        yield None
        return
    split.remove_stale_folders(Path(tempfile.gettempdir()))
    with tempfile.TemporaryDirectory(prefix=split.FOLDER_PREFIX) as folder:
        helper = split.SecondPart(path, table, reader.mapping, reader.owners,
                                         Path(folder))
        try:
            table.rows.close()  # read again, in parts
            first = split.read_first_part(path, table)
            table.rows = first.rows
            table.done = lambda: first.done() + helper.done.value

            def staged_files() -> list[Path]:
                files = helper.staged(cancelled)
                reader.read += helper.read
                reader.problems += helper.problems
                return files

            yield staged_files
        finally:
            helper.stop()


def _after_import(store: Store, kind: ImportKind, score: bool) -> None:
    """Score the leads this import created or changed, and those an earlier import left
    unscored (killed after its commit): an import run again finishes what a crash cut."""
    from workbench.services import routing, scoring, triage

    lead_ids = store.unscored_lead_ids()
    if kind == ImportKind.ACTIVITIES:
        triage.return_on_intent(store, lead_ids)
    if score and lead_ids:
        everyone = len(lead_ids) >= store.count_leads()
        scoring.rescore(store, store.current_criteria(),
                        lead_ids=None if everyone else lead_ids)
    if lead_ids:  # imported as MQLs (those promoted by their score are routed already)
        routing.route_new_mqls(store, lead_ids)
