"""The rep's follow-up: touches answer the SLA and the reports, show in the timeline, and
are refused when they cannot have happened or are not the rep's to log."""

from datetime import datetime, timedelta

import pytest

from workbench.rules.refusals import BadInput, NotAllowed
from workbench.rules.stages import Stage
from workbench.services import followup

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
