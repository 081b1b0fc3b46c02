"""Importing files exported from other systems: leads, activities, company intent signals.

A file is read as a stream (CSV in any common delimiter and encoding, or XLSX), its headers
mapped to fields (recognising HubSpot, Salesforce and Odoo exports and plain headers, or as a
saved mapping says), and each row normalised and checked. Rows with a problem are written to
an error CSV beside the file (row, column, value, reason) and left out; the others go in as
one transaction. A fatal problem (unreadable file, wrong encoding, no name, email or id column)
stops the import with a message and writes nothing.
"""

from __future__ import annotations

import codecs
import csv
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from json.encoder import encode_basestring as encode_json_text  # the C encoder json uses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from workbench.files.safe import check_target, replacing, write_text
from workbench.rules import normalise
from workbench.rules.cells import spreadsheet_safe
from workbench.rules.criteria import FREE_MAIL
from workbench.rules.normalise import clean
from workbench.rules.refusals import Refused
from workbench.rules.stages import Stage

if TYPE_CHECKING:
    pass

SAMPLE_BYTES = 64 * 1024


ZIP_MAGIC = b"PK\x03\x04"


class ImportKind(StrEnum):
    LEADS = "leads"
    ACTIVITIES = "activities"
    INTENT = "intent"


class ImportFatal(Refused):
    """The file cannot be imported at all; nothing was written."""


class ImportCancelled(Exception):
    """The user stopped the import; nothing was written."""


PROGRESS_EVERY = 2000  # rows between progress reports and checks for Cancel


# a parser's result by cell text, per column: dates, stages, countries and bands repeat down
# a file, so each distinct value is parsed once (capped, for columns that never repeat)
MEMO_LIMIT = 20_000


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    aliases: tuple[str, ...]  # normalised headers, best first
    parse: Callable[[str], Any] | None = None  # None: the cleaned text as it is
    # a value it cannot read keeps its row: the text goes to a custom field of the header
    kept_when_unreadable: bool = False


def _header_key(header: str) -> str:
    return re.sub(r"[^a-z0-9/]+", " ", header.lower()).strip()


@lru_cache(maxsize=1024)
def _stage(text: str) -> str:
    key = re.sub(r"\s+", " ", text.strip().lower())
    stage = STAGE_VALUES.get(key) or STAGE_VALUES.get(key.replace(" ", ""))
    if stage is None:
        raise ValueError("not a stage the workbench knows; map it in the mapping's [stages]")
    return stage.value


LEAD_FIELDS = (
    Field("external_id", "External id", ("record id", "contact id", "lead id", "prospect id",
                                         "person id", "external id", "crm id", "hubspot id",
                                         "salesforce id", "contactid", "leadid", "prospectid",
                                         "id")),
    Field("first_name", "First name", ("first name", "firstname", "given name", "vorname")),
    Field("last_name", "Last name", ("last name", "lastname", "surname", "family name",
                                     "nachname")),
    Field("full_name", "Name", ("full name", "contact name", "name", "contact")),
    Field("email", "Email", ("email", "email address", "e mail", "work email", "email 1",
                             "business email"), normalise.email),
    Field("phone", "Phone", ("phone number", "phone", "mobile phone number", "mobile",
                             "telephone", "business phone")),
    Field("job_title", "Job title", ("job title", "title", "job position", "position")),
    Field("seniority", "Seniority", ("seniority", "job level", "management level"),
          normalise.seniority_level),
    Field("company", "Company", ("company name", "company", "company / account",
                                 "company account", "account name", "organization",
                                 "organisation", "customer")),
    Field("website", "Company website", ("website url", "website", "company domain name",
                                         "company domain", "domain"), normalise.domain_of),
    Field("industry", "Industry", ("industry",)),
    Field("employees", "Employees", ("number of employees", "no of employees", "employees",
                                     "company size", "employee count", "headcount"),
          normalise.employee_band),
    Field("revenue", "Annual revenue", ("annual revenue", "revenue"), normalise.revenue_band),
    Field("country", "Country", ("country/region", "country region", "country"),
          normalise.country, kept_when_unreadable=True),
    Field("source", "Source", ("lead source", "original source", "original source type",
                               "source", "utm source", "origin", "lead origin", "channel",
                               "lead channel", "source channel", "acquisition channel",
                               "original channel"), normalise.source),
    Field("campaign", "Campaign", ("campaign", "campaign name", "utm campaign",
                                   "first campaign")),
    Field("stage", "Stage", ("lifecycle stage", "lead status", "status", "stage"), _stage),
    Field("owner", "Owner", ("lead owner", "contact owner", "owner", "salesperson",
                             "assigned to", "hubspot owner")),
    Field("created_at", "Created", ("create date", "created date", "created on", "created",
                                    "creation date", "date created", "created at",
                                    "first contact date", "first contact",
                                    "date of first contact", "first touch date", "first seen"),
          normalise.moment),
    # kept as the custom field LANDING_PAGE, one name whichever tool wrote the file
    Field("landing_page", "Landing page", ("landing page", "landing page url",
                                           "first landing page", "first page seen",
                                           "entry page", "first page")),
    Field("outcome", "Historic outcome", ("historic outcome", "converted", "is converted",
                                          "outcome", "won"),
          normalise.outcome),
    # a column of the days leads were won: an empty cell says the lead was not
    Field("won_on", "Won date", ("won date", "date won", "won on", "won at",
                                 "closed won date", "conversion date", "converted date"),
          normalise.moment),
)


# stages of a lead still being worked: a "not converted" flag is no outcome for them yet
STILL_WORKED = frozenset({Stage.LEAD, Stage.MQL, Stage.SAL, Stage.SQL, Stage.RECYCLED})


LANDING_PAGE = "Landing page"


# columns the workbench computes itself (its own exports have them): read, never stored
COMPUTED_COLUMNS = frozenset({"score", "fit score", "engagement score", "grade",
                              "predicted conversion", "buyer stage", "sla due"})


ACTIVITY_FIELDS = (
    Field("external_id", "Lead external id", ("lead external id", "external id", "record id",
                                              "lead id", "contact id")),
    Field("email", "Lead email", ("email", "email address", "lead email", "contact email"),
          normalise.email),
    Field("occurred_at", "Time", ("occurred at", "time", "timestamp", "date", "event date",
                                  "activity date"), normalise.moment),
    Field("kind", "Kind", ("kind", "activity", "activity type", "event", "event type",
                           "type"), normalise.activity_kind),
    Field("url", "URL", ("url", "page url", "page", "link")),
    Field("note", "Note", ("note", "notes", "comment", "description")),
    Field("by", "By (rep)", ("by", "rep", "user", "performed by", "created by")),
    Field("outcome", "Touch outcome", ("outcome", "touch outcome", "call outcome", "result"),
          normalise.touch_outcome),
)


INTENT_FIELDS = (
    Field("company_domain", "Company domain", ("company domain", "domain", "website",
                                               "company website"), normalise.domain_of),
    Field("topic", "Topic", ("topic", "intent topic", "keyword", "category")),
    Field("strength", "Strength", ("strength", "score", "intent score", "signal strength"),
          normalise.number),
    Field("observed_at", "Date", ("date", "observed at", "week", "time", "timestamp"),
          normalise.moment),
)


FIELDS = {ImportKind.LEADS: LEAD_FIELDS, ImportKind.ACTIVITIES: ACTIVITY_FIELDS,
          ImportKind.INTENT: INTENT_FIELDS}


# Stage and status values of common CRMs (lower case), then the workbench's own.
_S = Stage


STAGE_VALUES: dict[str, Stage] = {
    # HubSpot lifecycle stages (internal names and labels) and lead statuses
    "subscriber": _S.LEAD, "other": _S.LEAD, "marketingqualifiedlead": _S.MQL,
    "marketing qualified lead": _S.MQL, "salesqualifiedlead": _S.SQL,
    "sales qualified lead": _S.SQL, "in progress": _S.SAL, "attempted to contact": _S.SAL,
    "connected": _S.SAL, "open deal": _S.OPPORTUNITY, "bad timing": _S.RECYCLED,
    # Salesforce lead statuses
    "open - not contacted": _S.MQL, "working - contacted": _S.SAL,
    "closed - converted": _S.OPPORTUNITY, "closed - not converted": _S.DISQUALIFIED,
    "open": _S.MQL, "contacted": _S.SAL, "working": _S.SAL, "nurturing": _S.RECYCLED,
    "nurture": _S.RECYCLED, "qualified": _S.SQL, "unqualified": _S.DISQUALIFIED,
    # Odoo CRM stages
    "new": _S.LEAD, "proposition": _S.OPPORTUNITY, "proposal": _S.OPPORTUNITY,
    "negotiation": _S.OPPORTUNITY, "won": _S.CUSTOMER, "lost": _S.DISQUALIFIED,
    # the workbench's own
    **{stage.value: stage for stage in Stage}, **{stage.label.lower(): stage for stage in Stage},
    "marketing qualified": _S.MQL, "sales accepted": _S.SAL, "sales qualified": _S.SQL,
}


# What recognises a CRM's export: headers that only it writes (normalised).
FORMATS = (
    ("Workbench export", {"fit score", "engagement score", "predicted conversion",
                          "historic outcome"}),
    ("HubSpot contacts export", {"record id", "lifecycle stage", "contact owner",
                                 "original source", "country/region"}),
    ("Salesforce leads export", {"lead id", "lead owner", "lead status", "company / account",
                                 "no of employees"}),
    ("Odoo CRM export", {"salesperson", "created on", "job position", "contact name",
                         "opportunity", "expected revenue"}),
)


@dataclass
class Mapping:
    """Which column holds which field; columns mapped to nothing are kept as custom fields
    (leads) or left out (other kinds). Extra stage values map to workbench stages."""

    kind: ImportKind
    columns: dict[str, str]  # header -> field name, "custom" or "ignore"
    stages: dict[str, str] = field(default_factory=dict)
    format: str = "plain headers"
    constants: dict[str, str] = field(default_factory=dict)  # field -> its text on every row
    # header -> {a value (lower case) -> the text read instead}
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # what of a saved mapping was not used

    @classmethod
    def detect(cls, headers: list[str], kind: ImportKind) -> Mapping:
        keys = [_header_key(h) for h in headers]
        columns = {h: ("ignore" if k in COMPUTED_COLUMNS else "custom")
                   for h, k in zip(headers, keys, strict=True)}
        if kind != ImportKind.LEADS:
            columns = dict.fromkeys(headers, "ignore")
        for spec in FIELDS[kind]:
            # the field's own label first: a workbench export's "Stage" is its stage even
            # beside another system's "Lead Status"
            label = _header_key(spec.label)
            for alias in sorted(spec.aliases, key=lambda alias: alias != label):
                found = next((h for h, k in zip(headers, keys, strict=True)
                              if k == alias and columns[h] in ("custom", "ignore")
                              and k not in COMPUTED_COLUMNS), None)
                if found is not None:
                    columns[found] = spec.name
                    break
        present = set(keys)
        name = next((label for label, marks in FORMATS if len(marks & present) >= 2),
                    "plain headers")
        return cls(kind=kind, columns=columns, format=name)

    @classmethod
    def load(cls, path: Path, headers: list[str], kind: ImportKind) -> Mapping:
        """A saved mapping applied to this file's headers; headers it does not name are
        recognised as usual."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as problem:
            raise ImportFatal(f"The mapping {path} cannot be read: {problem}.") from None
        mapping = cls.detect(headers, kind)
        specs = {spec.name: spec for spec in FIELDS[kind]}
        names = set(specs) | {"custom", "ignore"}
        missing = [header for header in {**data.get("columns", {}), **data.get("values", {})}
                   if header not in mapping.columns]
        # one mapping serves every file of a system: a history file has columns a fresh
        # export lacks
        mapping.warnings += [f"The mapping {path.name} names a column '{header}' that this "
                             "file does not have; it was left out." for header in missing]
        for header, target in data.get("columns", {}).items():
            if header not in mapping.columns:
                continue
            if not isinstance(target, str) or target not in names:
                raise ImportFatal(f"The mapping {path} maps '{header}' to '{target}', which is "
                                  f"not one of: {', '.join(sorted(names))}.")
            for other, current in mapping.columns.items():
                if current == target and target not in ("custom", "ignore"):
                    mapping.columns[other] = "custom" if kind == ImportKind.LEADS else "ignore"
            mapping.columns[header] = target
        for value, stage in data.get("stages", {}).items():
            if stage not in {s.value for s in Stage}:
                raise ImportFatal(f"The mapping {path} maps stage '{value}' to '{stage}', which "
                                  "is not a workbench stage.")
            mapping.stages[value.strip().lower()] = stage
        for name, value in data.get("constants", {}).items():
            spec = specs.get(name)
            if spec is None:
                raise ImportFatal(f"The mapping {path} gives '{name}' a constant, but that is "
                                  f"not one of: {', '.join(sorted(specs))}.")
            if mapping.column_of(name) is not None:
                raise ImportFatal(f"The mapping {path} gives '{name}' a constant and the "
                                  f"column '{mapping.column_of(name)}' too; keep one.")
            text = str(value).strip()
            if spec.parse is not None:
                parsed = _parsed(mapping.parser(spec), text)
                if type(parsed) is _Unparsable or parsed is None:
                    reason = parsed.reason if parsed is not None else "an empty value"
                    raise ImportFatal(f"The mapping {path} gives '{name}' the constant "
                                      f"'{text}': {reason}.")
            mapping.constants[name] = text
        for header, table in data.get("values", {}).items():
            if header not in mapping.columns:
                continue
            if not isinstance(table, dict):
                raise ImportFatal(f"The mapping {path}: [values.\"{header}\"] must list "
                                  "values as \"in the file\" = \"read as\".")
            mapping.values[header] = {str(k).strip().lower(): str(v) for k, v in table.items()}
        return mapping

    def save(self, path: Path, database: Path | None) -> None:
        """Write the mapping to a TOML file (never over the database, see safe_files)."""
        data: dict[str, Any] = {"kind": self.kind.value, "columns": self.columns}
        for name in ("stages", "constants", "values"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        write_text(path, f"# Column mapping ({self.format}). Edit, then: workbench import FILE "
                         f"--mapping {path.name}\n" + tomli_w.dumps(data), database)

    def parser(self, spec: Field) -> Callable[[str], Any] | None:
        """The field's parser; a stage is looked up in the mapping's [stages] first."""
        if spec.name != "stage":
            return spec.parse
        return lambda value: self.stages.get(value.strip().lower()) or _stage(value)

    def column_of(self, name: str) -> str | None:
        return next((h for h, target in self.columns.items() if target == name), None)


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (row number as a spreadsheet counts, cells)
    description: str  # how the file was read, in words
    done: Callable[[], float] = lambda: 0.0  # how much of the file was read, 0 to 1
    csv_format: tuple[str, str] | None = None  # a CSV file's (encoding, delimiter)


def open_table(path: Path) -> Table:
    """Read a CSV or XLSX file as a stream of rows; ImportFatal when it is neither."""
    try:
        with path.open("rb") as f:
            sample = f.read(SAMPLE_BYTES)
    except OSError as problem:
        raise ImportFatal(f"{path} cannot be read: {problem.strerror or problem}.") from None
    if sample.startswith(ZIP_MAGIC):
        return _open_xlsx(path)
    if not sample.strip():
        raise ImportFatal(f"{path} is empty.")
    return _open_csv(path, sample)


def _encoding(sample: bytes) -> str:
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if sample.startswith(bom):
            return name
    if b"\x00" in sample:
        raise ImportFatal("the file is not a CSV or XLSX file (it holds binary data)")
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as problem:
        if problem.start < len(sample) - 4:  # not just a character cut at the sample's end
            return "cp1252"
    return "utf-8"


def _open_csv(path: Path, sample: bytes) -> Table:
    try:
        encoding = _encoding(sample)
    except ImportFatal as problem:
        raise ImportFatal(f"{path}: {problem}.") from None
    text = sample.decode(encoding if encoding != "utf-8-sig" else "utf-8", errors="ignore")
    try:
        dialect = csv.Sniffer().sniff(text[:16384], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    handle = path.open("r", encoding=encoding, errors="strict", newline="")
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        handle.close()
        raise ImportFatal(f"{path} is empty.") from None
    except (UnicodeDecodeError, csv.Error) as problem:
        handle.close()
        raise ImportFatal(f"{path} cannot be read as text ({problem}).") from None
    _check_headers(path, headers)

    def rows() -> Iterator[tuple[int, list[str]]]:
        with handle:
            try:
                for number, row in enumerate(reader, start=2):
                    if has_cells(row):
                        yield number, row
            except UnicodeDecodeError:
                raise not_text(path, reader.line_num + 1, encoding) from None
            except csv.Error as problem:
                raise not_csv(path, reader.line_num, problem) from None

    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
    size = max(path.stat().st_size, 1)
    return Table(headers, rows(), f"CSV, {names[delimiter]}-separated, {encoding}",
                 lambda: 1.0 if handle.closed else min(handle.buffer.tell() / size, 1.0),
                 (encoding, delimiter))


def not_text(path: Path, line: int, encoding: str) -> ImportFatal:
    return ImportFatal(f"{path}: line {line} is not {encoding} text; save the file as UTF-8 "
                       "and import it again.")


def not_csv(path: Path, line: int, problem: csv.Error) -> ImportFatal:
    return ImportFatal(f"{path}: line {line} is not valid CSV ({problem}).")


def has_cells(row: list[str]) -> bool:
    """False for a blank line, or one of blank cells only: such rows are left out."""
    return bool(row) and bool(row[0] and not row[0].isspace() or "".join(row).strip())


def _open_xlsx(path: Path) -> Table:
    from zipfile import BadZipFile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    handle = path.open("rb")  # a file object: the content decides, not the name's ending
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError, InvalidFileException) as problem:
        handle.close()
        raise ImportFatal(f"{path} is not a CSV or XLSX file ({problem}).") from None
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    try:
        headers = ["" if v is None else str(v).strip() for v in next(cells)]
    except StopIteration:
        book.close()
        handle.close()
        raise ImportFatal(f"{path} is empty.") from None
    while headers and not headers[-1]:
        headers.pop()
    try:
        _check_headers(path, headers)
    except ImportFatal:
        book.close()
        handle.close()
        raise

    last = max(sheet.max_row or 1, 1)
    reached = [1]

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, row in enumerate(cells, start=2):
                reached[0] = number
                values = ["" if v is None else _cell_text(v) for v in row[:len(headers)]]
                if any(v.strip() for v in values):
                    yield number, values
        finally:
            book.close()
            handle.close()

    return Table(headers, rows(), f"XLSX, sheet '{sheet.title}'",
                 lambda: min(reached[0] / last, 1.0))


def _cell_text(value: Any) -> str:
    from datetime import datetime

    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_headers(path: Path, headers: list[str]) -> None:
    if not any(headers):
        raise ImportFatal(f"{path} has no header row.")
    seen = set()
    for header in headers:
        if header and header in seen:
            raise ImportFatal(f"{path} has two columns named '{header}'; rename one.")
        seen.add(header)


# an owner no one here matches: the lead goes in unassigned (see `import --create-owners`)
UNKNOWN_OWNER = "no user with this email or name; imported unassigned"
UNKNOWN_REP = "no user with this email or name; imported without one"  # an activity's


@dataclass
class RowProblem:
    row: int
    column: str
    value: str
    reason: str
    left_out: bool = True  # False: the row went in, with this field empty


@dataclass(frozen=True)
class _Unparsable:
    reason: str


_UNSEEN = object()


def _parsed(parse: Callable[[str], Any], raw: str) -> Any:
    """The cell cleaned and parsed; None for a placeholder, _Unparsable for a bad value."""
    value = clean(raw)
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as problem:
        return _Unparsable(str(problem))


def errors_file_of(path: Path) -> Path:
    return path.with_name(f"{path.stem}.errors.csv")


class RowReader:
    """Turns a table's rows into records for the store, and its problems into RowProblems."""

    def __init__(self, table: Table, mapping: Mapping, owners: dict[str, int]) -> None:
        self.table, self.mapping, self.owners = table, mapping, owners
        self.problems: list[RowProblem] = []
        self.read = 0
        index = {h: i for i, h in enumerate(table.headers)}
        self.fields = [(spec, index[header], header) for spec in FIELDS[mapping.kind]
                       if (header := mapping.column_of(spec.name)) is not None]
        self.custom = [(index[h], h) for h, target in mapping.columns.items()
                       if target == "custom"]
        # a constant is a field on every row: parsed once (Mapping.load checked it)
        specs = {spec.name: spec for spec in FIELDS[mapping.kind]}
        self.constants = {name: parse(text) if (parse := mapping.parser(specs[name])) else text
                          for name, text in mapping.constants.items()}
        self.named = {spec.name for spec, _i, _header in self.fields} | set(self.constants)
        self.value_maps = [(index[h], table) for h, table in mapping.values.items()]
        # the per-row work, looked up once: fields taken as cleaned text (field, column
        # index), and fields parsed (field, parser, column index, header, memo)
        self.texts = [(spec.name, i) for spec, i, _header in self.fields if spec.parse is None]
        self.parsers = [(spec.name, mapping.parser(spec), i, header, {})
                        for spec, i, header in self.fields if spec.parse is not None]
        self.kept_when_unreadable = {spec.name for spec, _i, _header in self.fields
                                     if spec.kept_when_unreadable}
        self.width = 1 + max([i for _spec, i, _header in self.fields]
                             + [i for i, _header in self.custom], default=0)
        # custom fields become a JSON object: each header encoded once, values by the C encoder
        self.custom_keys = [(i, encode_json_text(h) + ":") for i, h in self.custom]

    def check_usable(self, path: Path) -> None:
        named = self.named
        kind = self.mapping.kind
        if kind == ImportKind.LEADS and not ({"email", "full_name", "external_id"} & named
                                             or {"first_name", "last_name"} <= named):
            raise ImportFatal(f"{path} has no usable name, email or id column (found: "
                              f"{', '.join(self.table.headers)}). Map one with --mapping "
                              "(a column = \"external_id\" under [columns]).")
        if kind == ImportKind.ACTIVITIES and not (
                {"email", "external_id"} & named and {"occurred_at", "kind"} <= named):
            raise ImportFatal(f"{path} needs a lead email or external id, a time and a kind "
                              "column for activities.")
        if kind == ImportKind.INTENT and not {"company_domain", "topic", "strength",
                                              "observed_at"} <= named:
            raise ImportFatal(f"{path} needs company domain, topic, strength and date columns "
                              "for intent signals.")

    def records(self, progress: Callable[[float], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> Iterator[dict[str, Any]]:
        kind, width = self.mapping.kind, self.width
        for number, cells in self.table.rows:
            self.read += 1
            if self.read % PROGRESS_EVERY == 0:
                if cancelled is not None and cancelled():
                    raise ImportCancelled("The import was cancelled; nothing was changed.")
                if progress is not None:
                    progress(self.table.done())
            if len(cells) < width:  # a short row: its missing cells are empty
                cells = cells + [""] * (width - len(cells))
            for i, table in self.value_maps:
                read_as = table.get(cells[i].strip().lower())
                if read_as is not None:
                    cells[i] = read_as
            record: dict[str, Any] = {"row": number, **self.constants}
            for name, i in self.texts:
                raw = cells[i]
                record[name] = clean(raw) if raw else None
            problems = []
            kept: list[tuple[str, str]] = []  # (header, text) of unreadable values kept
            for name, parse, i, header, memo in self.parsers:
                raw = cells[i]
                if not raw:
                    record[name] = None
                    continue
                value = memo.get(raw, _UNSEEN)
                if value is _UNSEEN:
                    value = _parsed(parse, raw)
                    if len(memo) < MEMO_LIMIT:
                        memo[raw] = value
                if type(value) is _Unparsable:
                    if name in self.kept_when_unreadable:
                        problems.append(RowProblem(
                            number, header, raw, f"{value.reason}; kept as the custom field "
                            f"'{header}'", left_out=False))
                        kept.append((header, raw.strip()))
                    else:
                        problems.append(RowProblem(number, header, raw, value.reason))
                    continue
                record[name] = value
            if kind == ImportKind.LEADS:
                self._lead(record, cells, number, problems, kept)
            elif kind == ImportKind.ACTIVITIES:
                self._required(record, ("occurred_at", "kind"), number, problems)
                if not record.get("email") and not record.get("external_id"):
                    problems.append(RowProblem(number, "", "", "no lead email or external id"))
                record["user_id"] = self._user(record.pop("by", None), "by", number, problems,
                                               UNKNOWN_REP)
                record["page_kind"] = normalise.page_kind(record.get("url"))
            else:
                self._required(record, ("company_domain", "topic", "strength", "observed_at"),
                               number, problems)
            if problems:
                self.problems += problems
                if any(p.left_out for p in problems):
                    continue
            yield record
        if progress is not None:
            progress(1.0)  # every row read: what is left is the store's work

    def _user(self, person: str | None, name: str, number: int, problems: list,
              reason: str) -> int | None:
        """The user a cell names (by email or name); one the workbench does not know is
        reported and the row goes in without."""
        if person is None:
            return None
        user = self.owners.get(person.strip().lower())
        if user is None:
            problems.append(RowProblem(number, self.mapping.column_of(name) or "", person,
                                       reason, left_out=False))
        return user

    def _required(self, record, names, number, problems) -> None:
        for name in names:
            if record.get(name) is None and not any(p.column == self.mapping.column_of(name)
                                                    for p in problems):
                problems.append(RowProblem(number, self.mapping.column_of(name) or name, "",
                                           "missing"))

    def _lead(self, record: dict, cells: list[str], number: int, problems: list,
              kept: list[tuple[str, str]]) -> None:
        full = record.pop("full_name", None)
        if full and not (record.get("first_name") or record.get("last_name")):
            first, _, last = full.partition(" ") if " " in full else ("", "", full)
            record["first_name"], record["last_name"] = first.strip(), last.strip()
        if not (record.get("first_name") or record.get("last_name") or record.get("email")
                or record.get("external_id")):  # an id alone: named by a later file
            problems.append(RowProblem(number, "", "", "no name, email or id"))
        # another system's user: the lead goes in unassigned
        record["owner_id"] = self._user(record.pop("owner", None), "owner", number, problems,
                                        UNKNOWN_OWNER)
        if not record.get("website") and record.get("email") and record.get("company"):
            domain = record["email"].rsplit("@", 1)[1]
            if domain not in FREE_MAIL:
                record["website"] = domain
        # a guess from the title: it fills a missing seniority, never replaces one
        record["seniority_guess"] = normalise.seniority(record.get("job_title"))
        custom = [key + encode_json_text(value) for i, key in self.custom_keys
                  if (value := clean(cells[i])) is not None]
        if (page := record.pop("landing_page", None)) is not None:
            kept.append((LANDING_PAGE, page))
        custom += [encode_json_text(key) + ":" + encode_json_text(value) for key, value in kept]
        record["custom_fields"] = "{" + ",".join(custom) + "}" if custom else None
        won_on = record.pop("won_on", None)
        if "won_on" in self.named and record.get("outcome") is None:
            record["outcome"] = "won" if won_on is not None else "not_won"
        if record.get("outcome") == "not_won":  # Converted = 0: lost, unless still worked
            record["outcome"] = None if record.get("stage") in STILL_WORKED else "lost"

    def write_problems(self, path: Path, database: Path | None) -> Path | None:
        """The error CSV beside the input (row, column, value, reason); None when clean."""
        target = errors_file_of(path)
        if not self.problems:
            check_target(target, database).unlink(missing_ok=True)  # from an earlier import
            return None
        return write_problem_csv(self.problems, target, database)


def write_problem_csv(problems: list[RowProblem], target: Path,
                      database: Path | None) -> Path:
    """The problems of an import as a CSV a spreadsheet opens safely."""
    with replacing(target, database) as temporary, \
            temporary.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["row", "column", "value", "reason", "row imported"])
        for p in problems:
            writer.writerow([p.row, p.column, spreadsheet_safe(p.value), p.reason,
                             "no" if p.left_out else "yes"])
    return target


def sample_problems(table: Table, mapping: Mapping, sample: list[list[str]],
                    owners: dict[str, int], first_row: int = 2) -> list[RowProblem]:
    """What the import would say of a preview's rows (numbered as in the file, the headers
    on the row before the first): its cells that cannot be read, rows it would leave out."""
    preview = Table(table.headers, iter(enumerate((list(cells) for cells in sample),
                                                  start=first_row)), table.description)
    reader = RowReader(preview, mapping, owners)
    for _record in reader.records():
        pass
    return reader.problems


def read_sample(path: Path, kind: ImportKind, mapping_path: Path | None = None,
                rows: int = 20) -> tuple[Table, Mapping, list[list[str]]]:
    """The headers, the mapping it would use and the first rows: for a preview."""
    table = open_table(path)
    mapping = (Mapping.load(mapping_path, table.headers, kind) if mapping_path
               else Mapping.detect(table.headers, kind))
    sample = []
    for _number, cells in table.rows:
        sample.append(cells)
        if len(sample) >= rows:
            break
    table.rows.close()  # the file is read again, whole, by the import itself
    return table, mapping, sample
