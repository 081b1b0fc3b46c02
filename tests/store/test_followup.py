"""The rep's follow-up: touches answer the SLA and the reports, show in the timeline, and
are refused when they cannot have happened or are not the rep's to log."""

from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest

from workbench.rules.refusals import BadInput, NotAllowed, Refused
from workbench.rules.stages import Stage
from workbench.services import followup
from workbench.store import db

NOW = datetime(2026, 11, 23, 12)  # the suite's clock (tests/conftest.py)


@pytest.fixture
def rep(store):
    return store.add_user("Alex Morgan", "alex@sales.example")


@pytest.fixture
def mql(store, rep):
    return store.add_lead(first_name="Mia", last_name="Queue", stage=Stage.MQL,
                          at=NOW - timedelta(hours=30), owner_id=rep)


def response_hours(store, lead_id):
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT response_hours FROM handovers WHERE lead_id = ?",
                                    (lead_id,)).scalar()


def test_a_call_nobody_answered_is_the_first_touch_for_the_sla_and_the_reports(store, rep,
                                                                               mql):
    assert response_hours(store, mql) is None
    at = NOW - timedelta(hours=6)
    changes = followup.log_touch(store, mql, "call", "no_answer", note="Voicemail full",
                                 at=at, by=rep)
    assert changes.leads and changes.details == {mql}  # the overdue counts change
    assert store.lead(mql).first_touch_at == at
    assert response_hours(store, mql) == pytest.approx(24)
    [touch] = store.lead_detail(mql).activities[:1]
    assert (touch.kind, touch.outcome, touch.note, touch.user_name) == \
        ("call", "no_answer", "Voicemail full", "Alex Morgan")


def test_a_second_touch_keeps_the_first_and_only_shows_in_the_timeline(store, rep, mql):
    followup.log_touch(store, mql, "email", "replied", at=NOW - timedelta(hours=2), by=rep)
    changes = followup.log_touch(store, mql, "meeting", "connected", by=rep)
    assert not changes.leads and changes.details == {mql}
    assert store.lead(mql).first_touch_at == NOW - timedelta(hours=2)
    assert [(a.kind, a.outcome) for a in store.lead_detail(mql).activities[:2]] == \
        [("meeting", "connected"), ("email_sent", "replied")]


def test_a_touch_in_the_future_or_of_another_reps_lead_changes_nothing(store, rep, mql):
    other = store.add_user("Sam Lee", "sam@sales.example")
    with pytest.raises(BadInput, match="in the future"):
        followup.log_touch(store, mql, "call", "connected", at=NOW + timedelta(hours=1),
                           by=rep)
    with pytest.raises(NotAllowed, match="Alex Morgan's lead"):
        followup.log_touch(store, mql, "call", "connected", by=other)
    with pytest.raises(BadInput, match="An email is replied, no_answer or bounced"):
        followup.log_touch(store, mql, "email", "left_message", by=rep)
    assert store.lead(mql).first_touch_at is None
    assert [a.kind for a in store.lead_detail(mql).activities] == []


def test_a_next_step_is_planned_replaced_and_completed_by_the_next_touch(store, rep, mql):
    due = NOW + timedelta(days=1)
    followup.plan_next_step(store, mql, "meeting", due, note=" Demo the API ", by=rep)
    followup.plan_next_step(store, mql, "call", due - timedelta(hours=2), by=rep)
    lead = store.lead(mql)
    assert (lead.next_step_kind, lead.next_step_due, lead.next_step_note) == \
        ("call", due - timedelta(hours=2), None)
    followup.log_touch(store, mql, "call", "connected", by=rep)
    lead = store.lead(mql)
    assert (lead.next_step_kind, lead.next_step_due) == (None, None)


def test_a_next_step_is_refused_on_a_closed_lead_and_for_another_rep(store, rep, mql):
    other = store.add_user("Sam Lee", "sam@sales.example")
    with pytest.raises(NotAllowed):
        followup.plan_next_step(store, mql, "call", NOW, by=other)
    closed = store.add_lead(first_name="Cleo", last_name="Closed", stage=Stage.DISQUALIFIED,
                            owner_id=rep)
    with pytest.raises(BadInput, match="Cleo Closed is Disqualified"):
        followup.plan_next_step(store, closed, "call", NOW, by=rep)
    with pytest.raises(BadInput, match="not 'visit'"):
        followup.plan_next_step(store, mql, "visit", NOW, by=rep)
    assert store.lead(mql).next_step_kind is None


def test_today_lists_due_steps_sla_due_mqls_and_unplanned_touched_leads_in_order(store, rep,
                                                                                mql):
    other = store.add_user("Sam Lee", "sam@sales.example")
    add = lambda name, stage, owner, hours_ago=1: store.add_lead(  # noqa: E731
        first_name=name, last_name="L", stage=stage, owner_id=owner,
        at=NOW - timedelta(hours=hours_ago))
    due_later_today = add("Dora", Stage.SAL, rep)
    followup.plan_next_step(store, due_later_today, "call", NOW + timedelta(hours=3), by=rep)
    overdue_step = add("Olaf", Stage.SQL, rep)
    followup.plan_next_step(store, overdue_step, "email", NOW - timedelta(days=2), by=rep)
    tomorrow = add("Tom", Stage.SAL, rep)
    followup.plan_next_step(store, tomorrow, "call", NOW + timedelta(days=1), by=rep)
    add("Pia", Stage.MQL, None, hours_ago=20)  # due at 16:00 today
    add("Fresh", Stage.MQL, None, hours_ago=1)  # due tomorrow: not today
    add("Sams", Stage.MQL, other, hours_ago=30)  # another rep's
    touched = add("Tess", Stage.SAL, rep)
    store.add_activity(touched, "email_sent", by=rep, at=NOW - timedelta(minutes=5))
    closed = add("Cleo", Stage.SQL, rep)
    followup.plan_next_step(store, closed, "call", NOW - timedelta(hours=1), by=rep)
    store.move_lead(closed, Stage.DISQUALIFIED, reason_code="no_budget")

    items = followup.today(store, rep, NOW)
    assert [(store.lead(i.lead_id).first_name, i.reason.value, i.due) for i in items] == [
        ("Olaf", "next_step", NOW - timedelta(days=2)),
        ("Mia", "sla", NOW - timedelta(hours=6)),
        ("Dora", "next_step", NOW + timedelta(hours=3)),
        ("Pia", "sla", NOW + timedelta(hours=4)),
        ("Tess", "no_next_step", None)]
    assert [i.overdue(NOW) for i in items] == [True, True, False, False, False]
    assert [store.lead(i.lead_id).first_name for i in followup.today(store, None, NOW)] == \
        ["Pia"]
    falling = store.next_steps_falling_due(rep, NOW, NOW + timedelta(hours=3))
    assert [(i.lead_id, i.kind) for i in falling] == [(due_later_today, "call")]


def test_todays_reads_are_ranges_of_their_indexes_not_a_walk_through_the_leads(
        store, rep, mql, monkeypatch):
    # the unplanned leads' index leaves the pool out (routing then only adds to it): the
    # read of a rep's own must still be one of its ranges
    touched = store.add_lead(first_name="Tess", last_name="L", stage=Stage.SAL, owner_id=rep,
                             at=NOW - timedelta(hours=1))
    store.add_activity(touched, "email_sent", by=rep, at=NOW - timedelta(minutes=5))
    read = []
    reading = db.read_connection

    @contextmanager
    def traced(engine):
        with reading(engine) as raw:
            raw.set_trace_callback(read.append)
            try:
                yield raw
            finally:
                raw.set_trace_callback(None)

    monkeypatch.setattr(db, "read_connection", traced)
    assert [i.lead_id for i in followup.today(store, rep, NOW)] == [mql, touched]
    with store.engine.connect() as conn:
        plans = [" / ".join(row[3] for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + sql)) for sql in read if "FROM leads l " in sql]
    assert len(plans) == 3 and not any("SCAN l" in plan for plan in plans), plans
    assert "SEARCH l USING INDEX ix_leads_unplanned (owner_id=?)" in plans[2], plans[2]


def test_one_touch_logged_on_several_leads_at_once_or_on_none(store, rep, mql):
    other = store.add_user("Sam Lee", "sam@sales.example")
    touched = store.add_lead(first_name="Tom", last_name="Touched", stage=Stage.MQL,
                             at=NOW - timedelta(hours=30), owner_id=rep)
    followup.log_touch(store, touched, "email", "replied", at=NOW - timedelta(hours=3), by=rep)
    theirs = store.add_lead(first_name="Sal", last_name="Other", stage=Stage.MQL,
                            at=NOW - timedelta(hours=30), owner_id=other)
    with pytest.raises(Refused, match=r"2 of 3 leads cannot be given this touch; nothing was "
                                      r"changed:\n  #\d+ Sal Other: Sal Other is Sam Lee's "
                                      r"lead.*\n  #999: There is no lead with id 999"):
        followup.log_touches(store, [mql, theirs, 999], "call", "connected", by=rep)
    assert store.lead_detail(mql).activities == []
    at = NOW - timedelta(hours=1)
    changes = followup.log_touches(store, [mql, touched, mql], "call", "left_message",
                                   note="List call", at=at, by=rep)
    assert changes.leads and changes.details == {mql, touched}  # mql's SLA is answered
    assert store.lead(mql).first_touch_at == at
    assert store.lead(touched).first_touch_at == NOW - timedelta(hours=3)
    for lead_id in (mql, touched):
        assert [(a.kind, a.outcome, a.note) for a in store.lead_detail(lead_id).activities
                if a.note == "List call"] == [("call", "left_message", "List call")]
    again = followup.log_touches(store, [mql, touched], "email", "replied", by=rep)
    assert not again.leads  # no SLA left to answer: only the details change
