"""A large CSV file read in two parts at once. Parsing and checking rows is most of a big
import's time and runs on one core; a helper process parses and stages the second part of
the file while the import itself reads the first, and the import then takes the helper's
rows in after its own, numbered as if one reader had read them all.

The first part ends with the record that reaches FIRST_SHARE of the file's bytes. The import
reads records from the start and stops there; the helper finds the same place by reading
records from the start with the csv module (a quoted value may hold line breaks), which is
several times faster than parsing them, and then parses from there to the end. So both
parts read exactly the rows one reader would, and neither waits for the other to begin.
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

from workbench.files.reading import (
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
# the first part's share of the bytes: a little over half, since the helper also reads
# the first part quickly to find where its own begins
FIRST_SHARE = 0.55
WAIT_SECONDS = 0.2  # how often a wait for the helper looks at Cancel
FOLDER_PREFIX = "workbench-import-"  # a temporary folder per import, for the helper's rows
STALE_SECONDS = 24 * 3600  # an import's folder this old was left by a killed import


@dataclass(frozen=True)
class Split:
    path: Path
    encoding: str  # for lines after the first (a BOM is only at the start)
    delimiter: str
    size: int
    at: int  # the byte where the second part begins
    records_before: int  # records in the first part, for row numbers
    lines_before: int  # lines up to the second part, for messages


def may_split(path: Path, table: Table) -> bool:
    """Whether a file may be read in two parts, by a quick look: a CSV file large enough,
    in an encoding that can be read from the middle, without lone carriage returns as line
    ends (which reading by lines from the middle would not see)."""
    if table.csv_format is None or table.csv_format[0] not in SPLITTABLE_ENCODINGS:
        return False
    if path.stat().st_size < PARALLEL_MIN_BYTES:
        return False
    with path.open("rb") as f:
        sample = f.read(1024 * 1024)
    return sample.count(b"\r") == sample.count(b"\r\n")


@dataclass
class _Position:
    at: int  # bytes read
    line: int  # lines read


def _lines(f, path: Path, encoding: str, state: _Position) -> Iterator[str]:
    for line in f:
        state.at += len(line)
        state.line += 1
        try:
            yield line.decode(encoding)
        except UnicodeDecodeError:
            raise not_text(path, state.line, encoding) from None


def _first_part(path: Path, encoding: str, delimiter: str,
                state: _Position) -> Iterator[list[str]]:
    """The records of a file's first part, blank ones too: from after the header to the
    one that reaches FIRST_SHARE of the bytes. The import reads these and the helper
    counts them, so both split the file at the same record."""
    size = path.stat().st_size
    with path.open("rb") as f:
        reader = csv.reader(_lines(f, path, SPLITTABLE_ENCODINGS[encoding], state),
                            delimiter=delimiter)
        next(reader, None)  # the header
        for row in reader:
            yield row
            if state.at >= int(size * FIRST_SHARE):
                return


def plan_split(path: Path, csv_format: tuple[str, str]) -> Split | None:
    """Where the second part of a file that may be split begins; None when no record
    begins after the first part, or when the first part cannot be read (the import
    reading it says why)."""
    encoding, delimiter = csv_format
    state = _Position(0, 0)
    try:
        records = sum(1 for _row in _first_part(path, encoding, delimiter, state))
    except (ImportFatal, csv.Error):
        return None
    size = path.stat().st_size
    if state.at >= size:
        return None
    return Split(path, SPLITTABLE_ENCODINGS[encoding], delimiter, size, state.at, records,
                 state.line)


def read_first_part(path: Path, table: Table) -> Table:
    """The first part of a file that may be split, as a Table; its progress is the share
    of the whole file it has read."""
    assert table.csv_format is not None
    encoding, delimiter = table.csv_format
    size = path.stat().st_size
    state = _Position(0, 0)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(_first_part(path, encoding, delimiter, state),
                                         start=2):
                if has_cells(row):
                    yield number, row
        except csv.Error as problem:
            raise not_csv(path, state.line, problem) from None

    return Table(table.headers, rows(), "", lambda: state.at / size)


def read_second_part(split: Split, headers: list[str]) -> Table:
    """The rest of the file after the split; its progress is the share of the whole file
    it has read."""
    state = _Position(split.at, split.lines_before)

    def rows() -> Iterator[tuple[int, list[str]]]:
        with split.path.open("rb") as f:
            f.seek(split.at)
            reader = csv.reader(_lines(f, split.path, split.encoding, state),
                                delimiter=split.delimiter)
            try:
                for number, row in enumerate(reader, start=2 + split.records_before):
                    if has_cells(row):
                        yield number, row
            except csv.Error as problem:
                raise not_csv(split.path, state.line, problem) from None

    return Table(headers, rows(), "", lambda: (state.at - split.at) / split.size)


def _stage_second_part(path: Path, csv_format: tuple[str, str], headers: list[str],
                       mapping: Mapping, owners: dict[str, int], target: Path, send: Any,
                       done: Any) -> None:
    """The helper process: find where the second part begins, then parse, check and stage
    it, and send back how many rows it read and their problems (or the message of a fatal
    one). With no second part it stages nothing and sends (0, [])."""
    from workbench.store.imports import stage_to_file

    split = plan_split(path, csv_format)
    if split is None:
        send.send((0, []))
        send.close()
        return
    parent = multiprocessing.parent_process()

    def report(share: float) -> None:
        done.value = share
        if parent is not None and not parent.is_alive():  # the import was killed
            raise ImportCancelled("nobody is waiting for these rows")

    reader = RowReader(read_second_part(split, headers), mapping, owners)
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


class SecondPart:
    """The helper process reading the second part of a file, from its start to its rows."""

    def __init__(self, path: Path, table: Table, mapping: Mapping, owners: dict[str, int],
                 folder: Path) -> None:
        # spawned, never forked: the window's process has threads
        context = multiprocessing.get_context("spawn")
        self.target = folder / "second-part.db"
        self.done = context.Value("d", 0.0, lock=False)
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_stage_second_part, daemon=True,
            args=(path, table.csv_format, table.headers, mapping, owners, self.target, send,
                  self.done))
        self._process.start()
        send.close()  # the helper holds the only sending end: its exit ends the pipe
        self.read = 0
        self.problems: list[RowProblem] = []

    def staged(self, cancelled: Callable[[], bool] | None) -> list[Path]:
        """Wait for the helper (Cancel still works); its staged file if it had rows to
        stage, for import_leads."""
        while not self._receive.poll(WAIT_SECONDS):
            if cancelled is not None and cancelled():
                raise ImportCancelled("The import was cancelled; nothing was changed.")
        try:
            outcome = self._receive.recv()
        except EOFError:
            raise ImportFatal("The import stopped: the process reading the second part of "
                              f"the file ended unexpectedly (exit code "
                              f"{self._process.exitcode}).") from None
        if isinstance(outcome, str):
            raise ImportFatal(outcome)
        self.read, self.problems = outcome
        return [self.target] if self.target.exists() else []

    def stop(self) -> None:
        """End the helper, whether it finished or not."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()
