"""The demo team's routing: its reps split between two regions as a team would split them,
and the MQLs the demo's scores promote handed to them by those rules (rules.routing), each
when it was promoted, as the rescore that promoted it would have routed it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from workbench.demo.catalogue import COUNTRIES, EMPLOYEE_BANDS, INDUSTRIES
from workbench.rules.routing import RoutingRule, route
from workbench.services.routing import assignments

NORTH_AMERICA = ("US", "CA")
EUROPE = ("GB", "DE", "FR", "NL", "SE")
# Spain, Italy, Australia, Japan and Brazil are nobody's territory yet: their new MQLs wait
# in the pool for whoever takes them, and the criteria say so (routing.warnings)
NORTH_AMERICA_SHARE = 0.4  # of the reps; the rest cover Europe, where most companies are


def routing_rules(rep_emails: Sequence[str]) -> tuple[RoutingRule, ...]:
    split = max(1, round(len(rep_emails) * NORTH_AMERICA_SHARE))
    return (RoutingRule("North America", tuple(rep_emails[:split]), countries=NORTH_AMERICA),
            RoutingRule("Europe", tuple(rep_emails[split:]), countries=EUROPE))


def reps_by_territory(rng: np.random.Generator, rules: Sequence[RoutingRule],
                      people: dict[str, int], territory: tuple[np.ndarray, ...]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """The rep who works each lead and whether a rule covers its territory (its
    (country, industry, employee band) codes): one of the covering rule's group, or of the
    whole team for a lead only the pool would take."""
    rule_of = np.array([[[next((k for k, rule in enumerate(rules)
                                if rule.covers(country[0], industry[0], band[0])), -1)
                          for band in EMPLOYEE_BANDS] for industry in INDUSTRIES]
                        for country in COUNTRIES], dtype=np.int8)[territory]
    everyone = [people[email] for rule in rules for email in rule.reps]
    groups = [[people[email] for email in rule.reps] for rule in rules] + [everyone]
    rep = np.zeros(rule_of.size, dtype=np.int64)
    for k, group in enumerate(groups):
        here = np.flatnonzero(rule_of == (k if k < len(rules) else -1))
        rep[here] = np.array(group)[rng.integers(0, len(group), here.size)]
    return rep, rule_of >= 0


def route_promoted(rules: Sequence[RoutingRule], people: dict[str, int],
                   promoted: np.ndarray, became_mql: np.ndarray, territory: tuple,
                   open_mqls: dict[str, int]) -> list[tuple[int, int, str, datetime]]:
    """(lead id, owner id, why, when) of the promoted leads (indexes, with the moments they
    became MQLs) that the rules give a rep, taken in the order they were promoted.
    `territory` is their (country, industry, employee band) as catalogue codes;
    `open_mqls` counts the MQLs each rep (by email) held before."""
    country, industry, band = territory
    names = ([c[0] for c in COUNTRIES], [i[0] for i in INDUSTRIES], [b[0] for b in EMPLOYEE_BANDS])
    order = np.lexsort((promoted, became_mql))
    leads = [(int(promoted[i]) + 1, names[0][country[i]], names[1][industry[i]],
              names[2][band[i]]) for i in order.tolist()]
    routed = assignments(route(leads, rules, open_mqls, set(people)), people)
    epoch = datetime(1970, 1, 1)
    moment = dict(zip((promoted + 1).tolist(), became_mql.tolist(), strict=True))
    return [(lead_id, owner, why, epoch + timedelta(seconds=moment[lead_id]))
            for lead_id, owner, why in routed]
