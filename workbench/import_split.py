"""A large CSV file read in two halves at once. Parsing and checking rows is most of a big
import's time and runs on one core; a helper process parses and stages the second half of
the file while the import itself reads the first, and the import then takes the helper's
rows in after its own, numbered as if one reader had read them all.

The file is split at a record boundary found by reading its first half with the csv module
(a quoted value may hold line breaks), so both halves read exactly the rows one reader would.
"""

from __future__ import annotations

import csv
import multiprocessing
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.importing import (
    ImportCancelled,
    ImportFatal,
    Mapping,
    RowProblem,
    RowReader,
    Table,
    has_cells,
    not_csv,
    not_text,
)

PARALLEL_MIN_BYTES = 32 * 1024 * 1024  # below this, starting a helper costs more than it saves
# encodings in which every line ends at the byte b"\n", so a file can be read from the middle
SPLITTABLE_ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "cp1252"}
WAIT_SECONDS = 0.2  # how often a wait for the helper looks at Cancel
FOLDER_PREFIX = "workbench-import-"  # a temporary folder per import, for the helper's rows
STALE_SECONDS = 24 * 3600  # an import's folder this old was left by a killed import


@dataclass(frozen=True)
class Split:
    path: Path
    encoding: str  # for lines after the first (a BOM is only at the start)
    delimiter: str
    size: int
    header_end: int  # the byte after the header record
    at: int  # the byte where the second half begins
    records_before: int  # records in the first half, for row numbers
    lines_before: int  # lines up to the second half, for messages


def _splittable_format(path: Path, table: Table) -> tuple[str, str] | None:
    """The encoding and delimiter of a file that could be split, by a quick look: a CSV
    file large enough, in an encoding that can be read from the middle, without lone
    carriage returns as line ends (which reading by lines from the middle would not see)."""
    if table.csv_format is None or table.csv_format[0] not in SPLITTABLE_ENCODINGS:
        return None
    if path.stat().st_size < PARALLEL_MIN_BYTES:
        return None
    with path.open("rb") as f:
        sample = f.read(1024 * 1024)
    return table.csv_format if sample.count(b"\r") == sample.count(b"\r\n") else None


def may_split(path: Path, table: Table) -> bool:
    return _splittable_format(path, table) is not None


def plan_split(path: Path, table: Table) -> Split | None:
    """Where to split a CSV file between the import and a helper; None for a file that
    may not be split, or of one huge record."""
    csv_format = _splittable_format(path, table)
    if csv_format is None:
        return None
    encoding, delimiter = csv_format
    size = path.stat().st_size
    with path.open("rb") as f:
        state = _Position(0, 0)
        reader = csv.reader(_lines(f, path, SPLITTABLE_ENCODINGS[encoding], None, state),
                            delimiter=delimiter)
        try:
            next(reader)  # the header
            header_end = state.at
            records = 0
            for _row in reader:
                records += 1
                if state.at >= size // 2:
                    break
            else:
                return None
        except (ImportFatal, csv.Error):
            return None  # the import's own reading reports it, row by row as ever
    if state.at >= size:
        return None
    return Split(path, SPLITTABLE_ENCODINGS[encoding], delimiter, size, header_end, state.at,
                 records, state.line)


@dataclass
class _Position:
    at: int  # bytes read
    line: int  # lines read


def _lines(f, path: Path, encoding: str, stop: int | None, state: _Position) -> Iterator[str]:
    for line in f:
        if stop is not None and state.at >= stop:
            return
        state.at += len(line)
        state.line += 1
        try:
            yield line.decode(encoding)
        except UnicodeDecodeError:
            raise not_text(path, state.line, encoding) from None


def read_part(split: Split, headers: list[str], *, first: bool) -> Table:
    """The first or the second half of the file as a Table; its progress is the share of
    the whole file it has read."""
    start, stop = (split.header_end, split.at) if first else (split.at, None)
    state = _Position(start, 1 if first else split.lines_before)  # the header is line 1

    def rows() -> Iterator[tuple[int, list[str]]]:
        with split.path.open("rb") as f:
            f.seek(start)
            reader = csv.reader(_lines(f, split.path, split.encoding, stop, state),
                                delimiter=split.delimiter)
            number = 2 if first else 2 + split.records_before
            try:
                for row in reader:
                    if has_cells(row):
                        yield number, row
                    number += 1
            except csv.Error as problem:
                raise not_csv(split.path, state.line, problem) from None

    return Table(headers, rows(), "", lambda: (state.at - start) / split.size)


def _stage_second_half(plan: Any, headers: list[str], mapping: Mapping,
                       owners: dict[str, int], target: Path, send: Any, done: Any) -> None:
    """The helper process: wait for the split (None: there is none), then parse, check and
    stage the second half, and send back how many rows it read and their problems (or the
    message of a fatal one)."""
    from workbench.store_import import stage_to_file

    try:
        split = plan.recv()
    except EOFError:  # the import ended before it split the file
        split = None
    if split is None:
        return
    parent = multiprocessing.parent_process()

    def report(share: float) -> None:
        done.value = share
        if parent is not None and not parent.is_alive():  # the import was killed
            raise ImportCancelled("nobody is waiting for these rows")

    reader = RowReader(read_part(split, headers, first=False), mapping, owners)
    try:
        stage_to_file(target, reader.records(progress=report))
    except ImportCancelled:
        shutil.rmtree(target.parent, ignore_errors=True)  # its folder is left to nobody else
        return
    except ImportFatal as problem:
        send.send(str(problem))
    else:
        send.send((reader.read, reader.problems))
    send.close()


def remove_stale_folders(temporary: Path) -> None:
    """The folders of imports killed after their helper finished (a helper whose import
    dies first removes its own): left a day, they are nobody's."""
    for folder in temporary.glob(f"{FOLDER_PREFIX}*"):
        try:
            if time.time() - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # gone meanwhile


class SecondHalf:
    """The helper process reading the second half of a file, from its start to its rows.
    It starts before the file is split (starting Python takes a while) and waits for
    begin()."""

    def __init__(self, headers: list[str], mapping: Mapping, owners: dict[str, int],
                 folder: Path) -> None:
        # spawned, never forked: the window's process has threads
        context = multiprocessing.get_context("spawn")
        self.target = folder / "second-half.db"
        self.done = context.Value("d", 0.0, lock=False)
        self._receive, send = context.Pipe(duplex=False)
        plan, self._plan = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_stage_second_half, daemon=True,
            args=(plan, headers, mapping, owners, self.target, send, self.done))
        self._process.start()
        send.close()  # the helper holds the only sending end: its exit ends the pipe
        plan.close()
        self.read = 0
        self.problems: list[RowProblem] = []

    def begin(self, split: Split) -> None:
        self._plan.send(split)

    def staged(self, cancelled: Callable[[], bool] | None) -> list[Path]:
        """Wait for the helper (Cancel still works); its staged file, for import_leads."""
        while not self._receive.poll(WAIT_SECONDS):
            if cancelled is not None and cancelled():
                raise ImportCancelled("The import was cancelled; nothing was changed.")
        try:
            outcome = self._receive.recv()
        except EOFError:
            raise ImportFatal("The import stopped: the process reading the second half of "
                              f"the file ended unexpectedly (exit code "
                              f"{self._process.exitcode}).") from None
        if isinstance(outcome, str):
            raise ImportFatal(outcome)
        self.read, self.problems = outcome
        return [self.target]

    def stop(self) -> None:
        """End the helper, whether it finished or not."""
        self._plan.close()  # a helper still waiting for its split ends
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()
