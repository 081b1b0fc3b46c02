"""Routing new MQLs to reps by the criteria's rules (rules.routing): run after an import,
a promotion by score and a return from recycling, and by `workbench route`; and what a
manager saving rules should know (reps unknown here, territories no rule covers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from workbench.clock import utcnow
from workbench.rules.criteria import Criteria
from workbench.rules.routing import Routed, route, uncovered
from workbench.store.leads import Store

SHOWN_GAPS = 8


def plan(store: Store, lead_ids: Sequence[int] | None = None) -> list[Routed]:
    """Where the pool's MQLs among these leads (None: all of the pool) would go now."""
    return _plan(store, lead_ids)[0]


def _plan(store: Store, lead_ids: Sequence[int] | None) -> tuple[list[Routed], dict[str, int]]:
    rules = store.current_criteria().routing
    if not rules:
        return [], {}
    ids, active, load = store.routing_people()
    return route(store.pool_mqls(lead_ids), rules, load, active), ids


def route_new_mqls(store: Store, lead_ids: Sequence[int] | None = None) -> list[Routed]:
    """Give the pool's MQLs among these leads (None: the whole pool) to their reps, each
    with an activity saying which rule; returns where every one went or why it stayed."""
    routed, ids = _plan(store, lead_ids)
    routes = assignments(routed, ids)
    if routes:
        store.write_routes(routes, utcnow())
    return routed


def assignments(routed: Sequence[Routed], ids: Mapping[str, int]) -> list[tuple[int, int, str]]:
    """(lead id, owner id, the note in its history) of each lead routed to a rep."""
    return [(r.lead_id, ids[r.rep], f"Routed to {r.rep} {r.why}.") for r in routed
            if r.rep is not None]


def warnings(store: Store, criteria: Criteria) -> list[str]:
    """What a manager saving these rules should know: reps the rules name who are not on
    the team here (or deactivated), and territories of the companies no rule covers (their
    MQLs stay in the pool)."""
    if not criteria.routing:
        return []
    ids, active, _load = store.routing_people()
    found = []
    for rule in criteria.routing:
        for rep in rule.reps:
            if rep not in ids:
                found.append(f"Routing rule '{rule.label}': nobody here has the email {rep}; "
                             "they get no leads until they are on the team.")
            elif rep not in active:
                found.append(f"Routing rule '{rule.label}': {rep} is deactivated and gets no "
                             "leads.")
    gaps = uncovered(criteria.routing, store.territories())
    if gaps:
        shown = ", ".join("/".join(part or "unknown" for part in gap)
                          for gap in gaps[:SHOWN_GAPS])
        more = f" and {len(gaps) - SHOWN_GAPS} more" if len(gaps) > SHOWN_GAPS else ""
        found.append(f"No routing rule covers {len(gaps)} of the companies' territories "
                     f"(country/industry/size): {shown}{more}. Their new MQLs stay in the "
                     "pool; add a rule without limits last to catch them.")
    return found
