"""Routing new MQLs: returned from recycling, promoted by score, and the whole pool on
demand; what a manager saving rules is warned about."""

from datetime import date, datetime, timedelta

import pytest

from workbench.rules.criteria import DEFAULT_CRITERIA
from workbench.rules.refusals import NotAllowed
from workbench.rules.routing import RoutingRule
from workbench.rules.stages import Stage
from workbench.services import routing, scoring, triage

NOW = datetime(2026, 11, 23, 12)  # the suite's clock (tests/conftest.py)


@pytest.fixture
def team(store):
    people = {"jo": store.add_user("Jo Berg", "jo@sales.example"),
              "mo": store.add_user("Mo Rossi", "mo@sales.example"),
              "dana": store.add_user("Dana Boss", "dana@sales.example", role="manager")}
    rules = (RoutingRule("DACH", ("jo@sales.example", "mo@sales.example"),
                         countries=("DE", "AT", "CH"), cap=3),)
    triage.save_criteria(store, DEFAULT_CRITERIA.with_changes(routing=rules), by=people["dana"])
    return people


def lead_in(store, country, stage=Stage.MQL, name="Lea"):
    with store.writing() as s:
        from workbench.store.tables import Company
        company = Company(name=f"{country} GmbH", country=country, industry="Software")
        s.add(company)
        s.flush()
        company_id = company.id
    return store.add_lead(first_name=name, last_name=country, stage=stage,
                          company_id=company_id, at=NOW - timedelta(hours=2))


def test_the_pool_is_routed_by_territory_round_robin_with_the_reason_in_the_history(store,
                                                                                  team):
    ids = [lead_in(store, c) for c in ("DE", "AT", "FR", "CH")]
    dry = routing.plan(store)
    assert [(r.lead_id, r.rep) for r in dry] == [
        (ids[0], "jo@sales.example"), (ids[1], "mo@sales.example"), (ids[2], None),
        (ids[3], "jo@sales.example")]
    assert all(store.lead(i).owner_id is None for i in ids)  # a dry run changes nothing
    routing.route_new_mqls(store)
    assert [store.lead(i).owner_id for i in ids] == [team["jo"], team["mo"], None, team["jo"]]
    [note] = [a.note for a in store.lead_detail(ids[0]).activities if a.kind == "assigned"]
    assert note == "Routed to jo@sales.example by 'DACH'."


def test_a_lead_back_from_recycling_and_a_promoted_lead_are_routed(store, team):
    recycled = lead_in(store, "DE")
    store.move_lead(recycled, Stage.RECYCLED, reason_code="not_ready",
                    revisit_on=date(2026, 11, 20))
    assert triage.return_recycled(store, date(2026, 11, 23)) == [recycled]
    assert store.lead(recycled).owner_id == team["jo"]
    promoted = lead_in(store, "AT", stage=Stage.LEAD)
    store.add_activity(promoted, "demo_request", at=NOW - timedelta(hours=1))
    store.add_activity(promoted, "pricing_request", at=NOW - timedelta(hours=1))
    scoring.rescore(store, store.current_criteria(), lead_ids=[promoted])
    assert store.lead(promoted).stage == Stage.MQL
    assert store.lead(promoted).owner_id == team["mo"]


def test_a_full_group_leaves_new_mqls_in_the_pool_saying_why(store, team):
    ids = [lead_in(store, "DE", name=f"L{i}") for i in range(7)]
    routed = routing.route_new_mqls(store, ids)
    assert [r.rep is not None for r in routed] == [True] * 6 + [False]
    assert routed[-1].why == "every rep of 'DACH' holds 3 open MQLs (its cap)"


def test_saving_rules_warns_of_unknown_reps_and_uncovered_territories(store, team):
    lead_in(store, "FR")
    rules = (RoutingRule("DACH", ("jo@sales.example", "ghost@sales.example"),
                         countries=("DE",)),)
    criteria = DEFAULT_CRITERIA.with_changes(routing=rules)
    warnings = routing.warnings(store, criteria)
    assert warnings[0].startswith("Routing rule 'DACH': nobody here has the email ghost@")
    assert "No routing rule covers 1 of the companies' territories (country/industry/size): " \
           "FR/Software/unknown." in warnings[1]
    with pytest.raises(NotAllowed, match="Only a manager can change the team's criteria"):
        triage.save_criteria(store, criteria, by=team["jo"])


def test_routed_leads_wait_in_the_outbox_and_the_reports_count_them_as_the_reps(store, team):
    ids = [lead_in(store, c) for c in ("DE", "AT")]
    with store.engine.connect() as conn:
        conn.exec_driver_sql("DELETE FROM sync_outbox")
        conn.commit()
    routing.route_new_mqls(store, ids)
    with store.engine.connect() as conn:
        outbox = conn.exec_driver_sql("SELECT entity, grp, count(*) FROM sync_outbox "
                                      "GROUP BY 1, 2 ORDER BY 1").fetchall()
        owners = conn.exec_driver_sql("SELECT lead_id, owner_id FROM handovers WHERE lead_id "
                                      f"IN ({ids[0]}, {ids[1]}) ORDER BY 1").fetchall()
        triggers = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = "
                                        "'trigger' AND tbl_name = 'leads'").scalar()
    assert outbox == [("activity", "*", 2), ("lead", "owner", 2)]
    assert owners == [(ids[0], team["jo"]), (ids[1], team["mo"])]
    assert triggers > 5  # suspended for the write, and back
    store.move_lead(ids[0], Stage.SAL)  # and working again
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sync_outbox WHERE entity = "
                                    "'stage_change'").scalar() == 1
