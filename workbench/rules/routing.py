"""Routing: which rep a new MQL goes to, by the team's rules (the criteria's [[routing]]).

Each rule names a territory (countries, industries, company sizes: an empty list is any)
and a group of reps. A new MQL goes to the first rule whose territory holds it, and within
the group round robin: to the rep with the fewest open MQLs, the next one in the group's
order on a tie, so equal reps take turns. A rule's cap is the most open MQLs a rep of it
holds; a lead whose group is full, or that no rule covers, stays in the pool, saying why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from workbench.rules.refusals import BadInput

MAX_CAP = 100_000


@dataclass(frozen=True)
class RoutingRule:
    label: str
    reps: tuple[str, ...]  # emails, in the order they take turns
    countries: tuple[str, ...] = ()  # ISO codes; empty: any country
    industries: tuple[str, ...] = ()
    employee_bands: tuple[str, ...] = ()  # "51-200"...
    cap: int | None = None  # most open MQLs per rep; None: no cap

    @classmethod
    def from_dict(cls, data: dict) -> RoutingRule:
        lists = ("reps", "countries", "industries", "employee_bands")
        return cls(**{k: tuple(v) if k in lists else v for k, v in data.items()})

    def covers(self, country: str | None, industry: str | None, band: str | None) -> bool:
        return all(not allowed or value in allowed for allowed, value in (
            (self.countries, country), (self.industries, industry),
            (self.employee_bands, band)))

    def validate(self) -> None:
        if not isinstance(self.label, str) or not self.label.strip():
            raise BadInput("A routing rule needs a label that says what it is.")
        if not self.reps:
            raise BadInput(f"Routing rule '{self.label}' names no reps.")
        for rep in self.reps:
            if not isinstance(rep, str) or "@" not in rep:
                raise BadInput(f"Routing rule '{self.label}': reps are emails, not {rep!r}.")
        for name in ("countries", "industries", "employee_bands"):
            if not all(isinstance(v, str) for v in getattr(self, name)):
                raise BadInput(f"Routing rule '{self.label}': {name} must be text.")
        if self.cap is not None and (not isinstance(self.cap, int) or isinstance(self.cap, bool)
                                     or not 1 <= self.cap <= MAX_CAP):
            raise BadInput(f"Routing rule '{self.label}': cap must be a whole number from 1 "
                           f"to {MAX_CAP:,}, not {self.cap!r}.")


def validate_rules(rules: Sequence[RoutingRule]) -> None:
    for rule in rules:
        rule.validate()
    labels = [rule.label for rule in rules]
    if len(labels) != len(set(labels)):
        raise BadInput("Two routing rules have the same label; each must say what it is.")


@dataclass(frozen=True, slots=True)
class Routed:
    lead_id: int
    rep: str | None  # the email of the rep it goes to; None: it stays in the pool
    rule: str | None  # the label of the rule that covers it
    why: str


def route(leads: Iterable[tuple[int, str | None, str | None, str | None]],
          rules: Sequence[RoutingRule], open_mqls: Mapping[str, int],
          active: set[str]) -> list[Routed]:
    """Where each (lead id, country, industry, employee band) goes, in the order given;
    `open_mqls` counts each rep's open MQLs now (by email), and grows as leads are routed.
    Only active reps (by email) take leads."""
    load = dict.fromkeys((rep for rule in rules for rep in rule.reps), 0) | dict(open_mqls)
    turn = [0] * len(rules)  # where each group's round robin stands
    # per rule, the group's active reps with their place in its order (50,000 leads routed
    # after an import: this loop is the work)
    takers = [[(i, rep) for i, rep in enumerate(rule.reps) if rep in active]
              for rule in rules]
    taken = [f"by '{rule.label}'" for rule in rules]
    routed = []
    rule_of: dict[tuple, int | None] = {}  # by territory: a few hundred for many leads
    for lead_id, *territory in leads:
        key = tuple(territory)
        found = rule_of.get(key, -1)
        if found == -1:
            found = rule_of[key] = next(
                (i for i, rule in enumerate(rules) if rule.covers(*territory)), None)
        if found is None:
            routed.append(Routed(lead_id, None, None, "no routing rule covers it"))
            continue
        rule = rules[found]
        group, start, cap = len(rule.reps), turn[found], rule.cap
        rep, best = None, None  # the least loaded under the cap, the first in turn on a tie
        for i, candidate in takers[found]:
            held = load[candidate]
            if cap is not None and held >= cap:
                continue
            rank = (held, (i - start) % group)
            if best is None or rank < best:
                rep, best = candidate, rank
        if rep is None:
            why = (f"every rep of '{rule.label}' holds {cap} open MQLs (its cap)"
                   if takers[found] else f"'{rule.label}' has no active rep")
            routed.append(Routed(lead_id, None, rule.label, why))
            continue
        load[rep] += 1
        turn[found] = (rule.reps.index(rep) + 1) % group
        routed.append(Routed(lead_id, rep, rule.label, taken[found]))
    return routed


def uncovered(rules: Sequence[RoutingRule],
              territories: Iterable[tuple[str | None, str | None, str | None]]
              ) -> list[tuple[str | None, str | None, str | None]]:
    """The (country, industry, employee band) territories no rule covers: their new MQLs
    would stay in the pool. No rules at all: routing is off, nothing is uncovered."""
    if not rules:
        return []
    return [t for t in territories if not any(rule.covers(*t) for rule in rules)]
