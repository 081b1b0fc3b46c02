"""The rep's follow-up through the team server: touches with their outcome."""

from datetime import timedelta

from tests.sync.test_sync import laptop, me, shared_mql  # noqa: F401 (a fixture)
from workbench.clock import utcnow
from workbench.rules.routing import RoutingRule
from workbench.rules.views import SavedView
from workbench.services import bulk, followup, triage
from workbench.services.sync import synchronise
from workbench.store.leads import BoardFilter


def test_a_touch_reaches_the_manager_with_its_outcome_and_answers_the_sla(team, laptop):  # noqa: F811
    ana, dana = laptop("ana"), laptop("dana")
    lead, on_dana = shared_mql(team, ana, dana, "Tia")
    at = utcnow()  # the suite's fixed clock: the moment the lead became an MQL
    followup.log_touch(ana, lead, "call", "left_message", note="Back Monday", at=at,
                       by=me(ana, "ana"))
    synchronise(ana, team["ana"])
    synchronise(dana, team["dana"])
    [touch] = [a for a in dana.lead_detail(on_dana).activities if a.kind == "call"]
    assert (touch.outcome, touch.note, touch.user_name) == ("left_message", "Back Monday",
                                                            "Ana")
    assert dana.lead(on_dana).first_touch_at == at


def test_a_next_step_syncs_as_one_group_and_the_later_plan_wins(team, laptop):  # noqa: F811
    ana, dana = laptop("ana"), laptop("dana")
    lead, on_dana = shared_mql(team, ana, dana, "Nia")
    due = utcnow() + timedelta(days=1)
    followup.plan_next_step(ana, lead, "call", due, note="Ask for the budget",
                            by=me(ana, "ana"))
    synchronise(ana, team["ana"])
    synchronise(dana, team["dana"])
    on = dana.lead(on_dana)
    assert (on.next_step_kind, on.next_step_due, on.next_step_note) == \
        ("call", due, "Ask for the budget")
    followup.plan_next_step(dana, on_dana, "meeting", due + timedelta(hours=2),
                            by=me(dana, "dana"))
    synchronise(dana, team["dana"])
    synchronise(ana, team["ana"])
    back = ana.lead(lead)
    assert (back.next_step_kind, back.next_step_due, back.next_step_note) == \
        ("meeting", due + timedelta(hours=2), None)


def test_a_reassignment_routing_and_shared_views_reach_the_other_laptops(team, laptop):  # noqa: F811
    ana, ben, dana = laptop("ana"), laptop("ben"), laptop("dana")
    lead, on_dana = shared_mql(team, ana, dana, "Rik")
    synchronise(ben, team["ben"])
    bulk.assign(dana, [on_dana], "ben@sales.example", by=me(dana, "dana"),
                reason="Ben covers Benelux")
    rules = (RoutingRule("Benelux", ("ben@sales.example",), countries=("NL", "BE")),)
    views = (SavedView.from_dict({"name": "Benelux MQLs", "filters": {"search": "NL"},
                                  "stages": ["mql"]}),)
    triage.save_criteria(dana, dana.current_criteria().with_changes(routing=rules,
                                                                    views=views),
                         by=me(dana, "dana"))
    synchronise(dana, team["dana"])
    synchronise(ben, team["ben"])
    synchronise(ana, team["ana"])
    [on_ben] = [i for i in ben.board_lead_ids(BoardFilter())
                if ben.lead(i).first_name == "Rik"]
    assert ben.lead(on_ben).owner_id == me(ben, "ben")
    [note] = [a.note for a in ben.lead_detail(on_ben).activities if a.kind == "assigned"]
    assert note == "Reassigned from Ana to Ben by Dana: Ben covers Benelux"
    assert ben.current_criteria().routing == rules
    assert ana.current_criteria().routing == rules
    assert ana.current_criteria().views == ben.current_criteria().views == views  # shared
    assert not ana.known_lead_uids([f"{ana.sync_status().device}-{lead}"])  # Ben's now
