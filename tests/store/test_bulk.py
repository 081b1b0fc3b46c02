"""Acting on many leads at once: all of them or none, one line per refused lead; and a
manager's reassignment, in the history and the reports."""

from datetime import date, datetime, timedelta

import pytest

from workbench.rules.refusals import BadInput, NotAllowed, NotFound, Refused
from workbench.rules.stages import Stage
from workbench.services import bulk

NOW = datetime(2026, 11, 23, 12)  # the suite's clock (tests/conftest.py)


@pytest.fixture
def team(store):
    return {"alex": store.add_user("Alex Morgan", "alex@sales.example"),
            "sam": store.add_user("Sam Lee", "sam@sales.example"),
            "dana": store.add_user("Dana Boss", "dana@sales.example", role="manager")}


def add(store, name, stage=Stage.MQL, owner=None, hours_ago=30):
    return store.add_lead(first_name=name, last_name="L", stage=stage, owner_id=owner,
                          at=NOW - timedelta(hours=hours_ago))


def history(store, lead_id):
    return [(c.to_stage, c.reason_code) for c in store.stage_history(lead_id)]


def test_a_bulk_reject_moves_every_lead_in_one_go_with_what_the_views_need(store, team):
    ids = [add(store, n, owner=team["alex"]) for n in ("Ann", "Ben", "Cid")]
    moves = bulk.move_many(store, ids, Stage.DISQUALIFIED, by=team["alex"],
                           reason_code="no_budget", note="List import batch 12")
    assert [m.lead_id for m in moves] == ids
    assert all(m.was_overdue and m.left_queue and m.from_stage == Stage.MQL for m in moves)
    for lead_id in ids:
        assert store.lead(lead_id).stage == Stage.DISQUALIFIED
        assert history(store, lead_id)[-1] == (Stage.DISQUALIFIED, "no_budget")
        assert store.stage_history(lead_id)[-1].user_id == team["alex"]


def test_one_refused_lead_refuses_them_all_with_a_line_for_each(store, team):
    mine = add(store, "Ann", owner=team["alex"])
    samss = add(store, "Sid", owner=team["sam"])
    closed = add(store, "Cat", stage=Stage.CUSTOMER, owner=team["alex"])
    with pytest.raises(Refused) as refused:
        bulk.move_many(store, [mine, samss, closed, 999], Stage.DISQUALIFIED,
                       by=team["alex"], reason_code="no_budget")
    lines = str(refused.value).splitlines()
    assert lines[0] == "3 of 4 leads cannot be rejected; nothing was changed:"
    assert lines[1].startswith(f"  #{samss} Sid L: Sid L is Sam Lee's lead")
    assert lines[2].startswith(f"  #{closed} Cat L: Cannot move a lead from Customer")
    assert lines[3] == "  #999: There is no lead with id 999."
    assert store.lead(mine).stage == Stage.MQL and len(history(store, mine)) == 1


def test_a_bulk_recycle_needs_a_reason_and_a_date(store, team):
    ids = [add(store, n) for n in ("Ann", "Ben")]
    with pytest.raises(BadInput, match="needs a recycle reason"):
        bulk.move_many(store, ids, Stage.RECYCLED, reason_code="no_such")
    with pytest.raises(BadInput, match="one at a time"):
        bulk.move_many(store, ids, Stage.SQL)
    bulk.move_many(store, ids, Stage.RECYCLED, reason_code="not_ready",
                   revisit_on=date(2027, 2, 1))
    assert {store.lead(i).revisit_on for i in ids} == {date(2027, 2, 1)}


def test_a_manager_reassigns_with_the_reason_in_the_history_and_the_reports(store, team):
    ids = [add(store, "Ann", owner=team["alex"]), add(store, "Pia")]
    moved = bulk.assign(store, ids, " SAM@sales.example", by=team["dana"],
                        reason="Alex is on leave")
    assert moved == ids and {store.lead(i).owner_id for i in ids} == {team["sam"]}
    notes = [a.note for i in ids for a in store.lead_detail(i).activities
             if a.kind == "assigned"]
    assert notes == ["Reassigned from Alex Morgan to Sam Lee by Dana Boss: Alex is on leave",
                     "Reassigned from the pool to Sam Lee by Dana Boss: Alex is on leave"]
    with store.engine.connect() as conn:
        owners = conn.exec_driver_sql("SELECT DISTINCT owner_id FROM handovers WHERE lead_id "
                                      f"IN ({ids[0]}, {ids[1]})").fetchall()
    assert owners == [(team["sam"],)]
    assert bulk.assign(store, ids, "sam@sales.example", by=team["dana"]) == []  # theirs


def test_reassigning_is_refused_to_a_rep_an_unknown_or_deactivated_person(store, team):
    lead = add(store, "Ann", owner=team["alex"])
    with pytest.raises(NotAllowed, match="Only a manager reassigns leads; Alex Morgan"):
        bulk.assign(store, [lead], "sam@sales.example", by=team["alex"])
    with pytest.raises(NotFound, match="no rep with email x@y.example"):
        bulk.assign(store, [lead], "x@y.example", by=team["dana"])
    store.deactivate_person("sam@sales.example", NOW)
    with pytest.raises(Refused, match="Sam Lee is deactivated"):
        bulk.assign(store, [lead], "sam@sales.example", by=team["dana"])
    with pytest.raises(Refused, match="#77: There is no lead"):
        bulk.assign(store, [lead, 77], "alex@sales.example", by=team["dana"])
    assert store.lead(lead).owner_id == team["alex"]


def test_the_bulk_reads_every_field_of_a_lead_record():
    from dataclasses import fields

    from workbench.store.bulk import LEAD_COLUMNS
    from workbench.store.leads import LeadRecord

    assert set(LEAD_COLUMNS) == {f.name for f in fields(LeadRecord)}
