"""Triage: accept, reject, recycle, the SQL rule, recycled leads coming back, the queue."""

from datetime import date, datetime, timedelta

import pytest

from workbench.clock import utcnow
from workbench.rules.criteria import ReasonOption
from workbench.rules.qualification import NotQualified
from workbench.rules.refusals import BadInput, NotFound, Refused
from workbench.rules.stages import MoveRefused, Stage
from workbench.rules.vocabulary import ActivityKind
from workbench.services import triage
from workbench.services.changes import NOTHING, Changes
from workbench.store import db
from workbench.store import leads as leads_module

NOW = datetime(2026, 11, 23, 12)


@pytest.fixture
def rep(store):
    return store.add_user("Alex Morgan", "alex@sales.example")


@pytest.fixture
def mql(store):
    return store.add_lead(first_name="Mia", last_name="Queue", stage=Stage.MQL,
                          at=NOW - timedelta(hours=5))


def test_accept_takes_an_mql_then_qualifies_it_when_bant_holds(store, rep, mql):
    change = triage.accept(store, mql, by=rep).change
    lead = store.lead(mql)
    assert (change.from_stage, change.to_stage, change.user_id) == (Stage.MQL, Stage.SAL, rep)
    assert lead.owner_id == rep
    with pytest.raises(NotQualified, match="need must be confirmed"):
        triage.accept(store, mql, by=rep)
    assert store.lead(mql).stage == Stage.SAL
    for item, status in (("need", "confirmed"), ("budget", "partial"),
                         ("authority", "confirmed")):
        store.set_bant(mql, item, status, "evidence", by=rep)
    assert triage.accept(store, mql, by=rep).to_stage == Stage.SQL
    notes = [a.note for a in store.lead_detail(mql).activities if a.kind == "qualification"]
    assert "Need: confirmed (evidence)" in notes and len(notes) == 3
    with pytest.raises(Refused, match="Only an MQL or an accepted lead"):
        triage.accept(store, mql, by=rep)



def test_setting_a_bant_item_to_what_it_is_records_nothing(store, rep, mql):
    def notes():
        return [a.note for a in store.lead_detail(mql).activities if a.kind == "qualification"]

    shown_again = Changes(details=frozenset({mql}))  # services say what they changed
    assert triage.set_bant(store, mql, "need", "confirmed", "evidence", by=rep) == shown_again
    assert triage.set_bant(store, mql, "need", "confirmed", "evidence", by=rep) == NOTHING
    assert notes() == ["Need: confirmed (evidence)"]
    assert triage.set_bant(store, mql, "need", "confirmed", "more evidence",
                           by=rep) == shown_again
    assert len(notes()) == 2

def test_reject_needs_a_catalogued_reason_and_changes_nothing_without(store, rep, mql):
    with pytest.raises(BadInput, match="needs a reject reason"):
        triage.reject(store, mql, None, by=rep)
    with pytest.raises(BadInput, match="needs a reject reason"):
        triage.reject(store, mql, "not_ready", by=rep)  # a recycle code, not a reject one
    assert len(store.stage_history(mql)) == 1
    change = triage.reject(store, mql, "no_budget", note="FY27 at the earliest", by=rep).change
    assert (change.to_stage, change.reason_code, change.note) == (
        Stage.DISQUALIFIED, "no_budget", "FY27 at the earliest")


def test_recycle_defaults_to_the_criteria_days_and_refuses_past_dates(store, rep, mql):
    today = date(2026, 11, 23)
    with pytest.raises(BadInput, match="must be after today"):
        triage.recycle(store, mql, "not_ready", until=today, today=today)
    triage.recycle(store, mql, "not_ready", by=rep, today=today)
    assert store.lead(mql).revisit_on == today + timedelta(days=90)


def test_recycled_leads_return_on_their_date(store, mql):
    triage.recycle(store, mql, "bad_timing", until=date(2027, 2, 1),
                     today=date(2026, 11, 23))
    assert triage.return_recycled(store, today=date(2027, 1, 31)) == []
    assert triage.return_recycled(store, today=date(2027, 2, 1)) == [mql]
    lead = store.lead(mql)
    last = store.stage_history(mql)[-1]
    assert (lead.stage, lead.revisit_on, last.reason_code) == (Stage.MQL, None, "revisit_due")
    assert "2027-02-01" in last.note
    # an MQL from the moment the window or the CLI found its date had come, not from that
    # date's midnight: the SLA counts from when the rep could see it
    assert lead.mql_at == lead.stage_entered_at == last.changed_at == utcnow()


def test_many_recycled_leads_return_a_few_at_a_time_and_a_lead_moved_meanwhile_stays(
        store, monkeypatch):
    """The first look after a long absence brings back thousands at a million leads: a few
    hundred a transaction, so a rep's move waits for one batch, not for all of them."""
    monkeypatch.setattr(leads_module, "RETURN_BATCH", 2)
    recycled = [store.add_lead(first_name="Ada", last_name=f"Back {i}", stage=Stage.MQL)
                for i in range(5)]
    for lead_id in recycled:
        triage.recycle(store, lead_id, "bad_timing", until=date(2027, 2, 1),
                       today=date(2026, 11, 23))
    batches = []
    write_connection = db.write_connection

    def watched(engine):
        batches.append(len(batches))
        if len(batches) == 2:  # the rep disqualifies the next one while the first came back
            triage.move_lead(store, recycled[2], Stage.DISQUALIFIED, reason_code="bad_data")
        return write_connection(engine)

    monkeypatch.setattr(db, "write_connection", watched)
    returned = triage.return_recycled(store, today=date(2027, 2, 1))
    assert len(batches) >= 3  # 5 leads, 2 at a time
    assert returned == [recycled[i] for i in (0, 1, 3, 4)]
    assert store.lead(recycled[2]).stage == Stage.DISQUALIFIED
    for lead_id in returned:
        assert store.lead(lead_id).stage == Stage.MQL
        assert [c.reason_code for c in store.stage_history(lead_id)].count("revisit_due") == 1


def test_strong_intent_brings_a_recycled_lead_back_early(store, mql):
    triage.recycle(store, mql, "not_ready", until=date(2027, 6, 1), today=date(2026, 11, 23))
    triage.record_activity(store, mql, ActivityKind.EMAIL_OPEN)
    assert store.lead(mql).stage == Stage.RECYCLED
    triage.record_activity(store, mql, ActivityKind.DEMO_REQUEST)
    last = store.stage_history(mql)[-1]
    assert (store.lead(mql).stage, last.reason_code) == (Stage.MQL, "intent")
    assert last.note == "Back in the queue early: demo request."


def test_moves_into_sql_obey_the_rule_whoever_asks(store, rep, mql):
    triage.accept(store, mql, by=rep)
    with pytest.raises(NotQualified):
        triage.move_lead(store, mql, Stage.SQL, by=rep)
    with pytest.raises(MoveRefused):
        triage.move_lead(store, mql, Stage.CUSTOMER, by=rep)


def test_the_queue_puts_the_sla_due_first_then_score(store, rep):
    other = store.add_user("Other Rep", "other@sales.example")
    oldest = store.add_lead(first_name="Oldest", last_name="Waiting", stage=Stage.MQL,
                            at=NOW - timedelta(hours=30), owner_id=rep)
    newer = store.add_lead(first_name="Newer", last_name="Pool", stage=Stage.MQL,
                           at=NOW - timedelta(hours=2))
    touched = store.add_lead(first_name="Touched", last_name="Lead", stage=Stage.MQL,
                             at=NOW - timedelta(hours=40), owner_id=rep)
    store.add_activity(touched, ActivityKind.CALL, at=NOW - timedelta(hours=39))
    store.add_lead(first_name="Not", last_name="Mine", stage=Stage.MQL, owner_id=other)
    store.add_lead(first_name="Not", last_name="Mql", stage=Stage.SAL, owner_id=rep)
    assert [c.id for c in store.queue(rep)] == [oldest, newer, touched]
    assert [c.id for c in store.queue(None)] == [newer]


def test_unknown_leads_and_users_say_so(store):
    with pytest.raises(NotFound, match="no lead with id 77"):
        triage.accept(store, 77)
    with pytest.raises(NotFound, match="no user with email nobody@x"):
        store.user_by_email("nobody@x")
    with pytest.raises(NotFound):
        store.set_bant(77, "need", "confirmed")


def test_the_reason_catalogue_is_part_of_the_versioned_criteria(store, rep, mql):
    criteria = store.current_criteria()
    ours = (ReasonOption("price", "Too expensive for them"),
            ReasonOption("no_need", "No need"))
    store.save_criteria(criteria.with_changes(reject_reasons=ours), author=rep,
                        note="marketing asked for a price reason")
    assert store.reasons("reject") == [("price", "Too expensive for them"),
                                       ("no_need", "No need")]
    with pytest.raises(BadInput, match="one of: price, no_need"):
        triage.reject(store, mql, "competitor", by=rep)  # retired
    assert triage.reject(store, mql, "price", by=rep).change.reason_code == "price"
    # a retired code keeps its label for the history and the reports
    labels = store.reason_labels("reject")
    assert labels["competitor"] == "Competitor" and labels["price"] == "Too expensive for them"
    versions = store.criteria_versions()
    assert [(v.version, v.author, v.note) for v in versions] == [
        (1, "Alex Morgan", "marketing asked for a price reason")]


@pytest.mark.parametrize(("reasons", "problem"), [
    ((), "must offer at least one reason"),
    ((ReasonOption("Price!", "Too expensive"),), "a code is 1-40 lowercase letters"),
    ((ReasonOption("price", " "),), "needs a label"),
    ((ReasonOption("price", "A"), ReasonOption("price", "B")), "the same code"),
])
def test_a_broken_catalogue_is_refused(store, reasons, problem):
    with pytest.raises(BadInput, match=problem):
        store.save_criteria(store.current_criteria().with_changes(recycle_reasons=reasons))
    assert store.criteria_versions() == []
