"""BANT qualification: the checklist, and the rule that makes an accepted lead an SQL."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.rules.refusals import BadInput, Refused
from workbench.rules.vocabulary import BantStatus

BANT_ITEMS = ("budget", "authority", "need", "timeline")
POSITIVE = (BantStatus.CONFIRMED, BantStatus.PARTIAL)


class NotQualified(Refused):
    """An accepted lead does not meet the SQL rule; the message says what is missing."""


@dataclass(frozen=True)
class SqlRule:
    """When an accepted lead is sales qualified. The default: need confirmed, at least
    three of the four items confirmed or partial, none failed."""

    confirmed: tuple[str, ...] = ("need",)
    min_positive: int = 3
    none_failed: bool = True

    def validate(self) -> None:
        unknown = set(self.confirmed) - set(BANT_ITEMS)
        if unknown:
            raise BadInput(f"SQL rule: unknown BANT item {', '.join(sorted(unknown))} "
                           f"(one of {', '.join(BANT_ITEMS)}).")
        if self.min_positive not in range(len(BANT_ITEMS) + 1) or \
                isinstance(self.min_positive, bool):
            raise BadInput("SQL rule: min_positive must be a whole number from 0 to 4.")


@dataclass(frozen=True)
class Evaluation:
    qualified: bool
    missing: tuple[str, ...]  # what is missing, in words, one line per unmet condition

    def explain(self) -> str:
        return "; ".join(self.missing)


def evaluate(bant: dict[str, str], rule: SqlRule) -> Evaluation:
    """Whether a BANT checklist ({item: status}) meets the SQL rule, and what is missing."""
    status = {item: BantStatus(bant.get(item, BantStatus.UNKNOWN)) for item in BANT_ITEMS}
    missing = [f"{item} must be confirmed (it is {status[item].value})"
               for item in rule.confirmed if status[item] != BantStatus.CONFIRMED]
    positive = [item for item in BANT_ITEMS if status[item] in POSITIVE]
    if len(positive) < rule.min_positive:
        short = [item for item in BANT_ITEMS if status[item] not in POSITIVE]
        missing.append(f"{rule.min_positive} of the 4 items must be confirmed or partial "
                       f"({len(positive)} are; still open: {', '.join(short)})")
    failed = [item for item in BANT_ITEMS if status[item] == BantStatus.FAILED]
    if rule.none_failed and failed:
        missing.append(f"no item may have failed ({', '.join(failed)} failed)")
    return Evaluation(not missing, tuple(missing))


def parse_item(text: str) -> tuple[str, BantStatus, str | None]:
    """'budget=confirmed:50k EUR' -> ('budget', CONFIRMED, '50k EUR'); BadInput says why."""
    item, sep, rest = text.partition("=")
    item = item.strip().lower()
    if not sep or item not in BANT_ITEMS:
        raise BadInput(f"'{text}': write ITEM=STATUS[:NOTE], ITEM one of "
                       f"{', '.join(BANT_ITEMS)}.")
    status, _, note = rest.partition(":")
    try:
        parsed = BantStatus(status.strip().lower())
    except ValueError:
        raise BadInput(f"'{text}': status must be one of "
                       f"{', '.join(s.value for s in BantStatus)}.") from None
    return item, parsed, note.strip() or None
