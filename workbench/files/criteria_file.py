"""The criteria as a TOML file, to share one definition between sales and marketing teams.

Reading checks the file part by part so that a problem is reported with its line; a file
with any problem is refused whole."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from workbench.files.safe import write_text
from workbench.rules.criteria import Criteria
from workbench.rules.refusals import BadInput

RULE_SECTIONS = ("fit_rules", "engagement_rules", "journey", "reject_reasons",
                 "recycle_reasons", "routing", "views")


class CriteriaFileError(BadInput):
    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {problem} Nothing was changed.")
        self.line = line


def _without_none(value: Any) -> Any:
    """TOML has no null: leave out what is not set."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_none(v) for v in value]
    return value


def export_criteria(criteria: Criteria, path: Path, database: Path | None) -> None:
    """Write the criteria to a TOML file (never over the database, see safe_files)."""
    header = (f"# Lead Workbench criteria, version {criteria.version or 'default'}.\n"
              "# Edit and load with: workbench criteria import FILE.toml\n\n")
    data = criteria.to_dict()
    for section in ("routing", "views"):  # left out, so that [[routing]] or [[views]]
        if not data[section]:  # tables can be added at the end
            del data[section]
    write_text(path, header + tomli_w.dumps(_without_none(data)), database)


def read_criteria(path: Path) -> Criteria:
    """The criteria in a TOML file, or CriteriaFileError naming the line and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise CriteriaFileError(path, None, f"cannot be read ({problem}).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as problem:
        found = re.search(r"line (\d+)", str(problem))
        raise CriteriaFileError(path, int(found.group(1)) if found else None,
                                f"is not valid TOML: {problem}.") from None
    for key, value in data.items():
        if key in RULE_SECTIONS:
            if not isinstance(value, list):
                raise CriteriaFileError(path, _line_of_key(text, key),
                                        f"'{key}' must be a list of [[{key}]] tables.")
            for index, rule in enumerate(value):
                _check(path, text, {key: [rule]}, _line_of_table(text, key, index))
        else:
            _check(path, text, {key: value}, _line_of_key(text, key))
    try:
        return Criteria.from_dict(data)
    except BadInput as problem:  # a rule against another (e.g. two with one label)
        raise CriteriaFileError(path, None, str(problem)) from None


def _check(path: Path, text: str, part: dict, line: int | None) -> None:
    try:
        Criteria.from_dict(part, complete=False)
    except BadInput as problem:
        raise CriteriaFileError(path, line, str(problem)) from None


def _line_of_key(text: str, key: str) -> int | None:
    """The line of `key = ...`, or of a `[key]` table."""
    name = re.escape(key)
    found = re.search(rf"^[ \t]*(?:{name}[ \t]*=|\[[ \t]*{name}[ \t]*\])", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _line_of_table(text: str, section: str, index: int) -> int | None:
    """The line of the index-th table of a section: a [[section]] header, or in an inline
    array (`section = [` with one table a line, as export writes it) that table's line."""
    header = rf"^[ \t]*\[\[[ \t]*{re.escape(section)}[ \t]*\]\]"
    headers = list(re.finditer(header, text, re.MULTILINE))
    if index < len(headers):
        return text.count("\n", 0, headers[index].start()) + 1
    start = _line_of_key(text, section)
    return start + 1 + index if start is not None else None
