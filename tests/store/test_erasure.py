"""Erasure on request: the person's data leaves the lead, its history, its BANT evidence and
the search index, down to the bytes of the database file; the reports count the same."""


import pytest

from tests.conftest import SUITE_NOW
from workbench.rules.erasure import ERASED_NAME
from workbench.rules.refusals import BadInput, NotAllowed, NotFound
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import ActivityKind
from workbench.services import erasure, routing, triage
from workbench.services.reports import ReportSpec, build_report
from workbench.store.leads import BoardFilter, Store

SECRET = "Zyxwquist"  # the person's surname: in no other lead


def a_person(store: Store, owner: int | None) -> int:
    lead = store.add_lead(first_name="Ines", last_name=SECRET, email=f"ines@{SECRET}.example",
                          phone="+49 30 1234567", job_title=f"Head of {SECRET} Sales",
                          external_id=f"crm-{SECRET}-{owner}", stage=Stage.MQL, owner_id=owner,
                          custom_fields=f'{{"nickname": "{SECRET}y"}}', source="webinar")
    store.add_note(lead, f"Met {SECRET} at the fair")
    store.add_activity(lead, ActivityKind.PAGE_VIEW, url=f"https://x.example/?who={SECRET}",
                       page_kind="pricing")
    store.add_activity(lead, ActivityKind.CALL, note=f"{SECRET} wants a demo", outcome="connected")
    store.set_bant(lead, "budget", "confirmed", f"{SECRET} has 50k")
    return lead


def file_bytes(path) -> bytes:
    """The database and its journal, lowercased (the search index keeps words so)."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*")).lower()


def test_an_erased_person_is_gone_from_every_table_and_the_file(db_copy):
    with Store.open(db_copy) as store:
        owner = store.user_by_email("alex.morgan@sales.example")
        lead = a_person(store, owner)
        triage.move_lead(store, lead, Stage.SAL, by=owner)
        spec = ReportSpec()
        before = build_report(store, spec, 24, SUITE_NOW)
        history = len(store.stage_history(lead))
        assert store.search_ids(SECRET) == [lead]
        assert SECRET.lower().encode() in file_bytes(db_copy)  # the test below can fail
        erasure.erase(store, lead, by=owner)
        record = store.lead(lead)
        assert (record.name, record.email, record.job_title, record.external_id) == (
            ERASED_NAME, None, None, None)
        assert record.erased_at is not None and record.do_not_contact
        assert record.stage == Stage.SAL and len(store.stage_history(lead)) == history
        assert build_report(store, spec, 24, SUITE_NOW) == before  # the same counts
        assert not store.search_ids(SECRET) and lead not in store.search_ids("Ines")
        assert all(a.note is None and a.url is None for a in store.lead_detail(lead).activities)
    # no old db_copy in a free page or the index
    assert SECRET.lower().encode() not in file_bytes(db_copy)


def test_erasing_an_unknown_lead_or_twice_or_another_reps_changes_nothing(db_copy):
    with Store.open(db_copy) as store:
        alex = store.user_by_email("alex.morgan@sales.example")
        rep = store.add_user("Other Rep", "other@sales.example")
        manager = store.add_user("Mia Manager", "mia@sales.example", role="manager")
        lead = a_person(store, alex)
        with pytest.raises(NotFound, match="no lead with id 999999"):
            erasure.erase(store, 999_999, by=alex)
        with pytest.raises(NotAllowed, match="Alex Morgan's lead: only its owner or a manager"):
            erasure.erase(store, lead, by=rep)
        assert store.lead(lead).last_name == SECRET and store.search_ids(SECRET) == [lead]
        pool = a_person(store, None)
        with pytest.raises(NotAllowed, match="unassigned pool"):
            erasure.erase(store, pool, by=rep)
        erasure.erase(store, lead, by=manager)
        with pytest.raises(BadInput, match="erased on request on 2026-11-23 already"):
            erasure.erase(store, lead, by=manager)
        with pytest.raises(BadInput, match="so never to be contacted again"):
            erasure.do_not_contact(store, lead, False, by=manager)


def test_a_lead_not_to_be_contacted_leaves_the_queue_and_is_not_routed(store):
    from workbench.rules.criteria import DEFAULT_CRITERIA
    from workbench.rules.routing import RoutingRule

    ana = store.add_user("Ana", "ana@x")
    store.save_criteria(DEFAULT_CRITERIA.with_changes(routing=(RoutingRule.from_dict(
        {"label": "Everyone", "reps": ["ana@x"]}),)))
    quiet = store.add_lead(first_name="Quiet", last_name="One", stage=Stage.MQL)
    loud = store.add_lead(first_name="Loud", last_name="One", stage=Stage.MQL)
    erasure.do_not_contact(store, quiet)
    assert [c.id for c in store.queue(None)] == [loud]
    routing.route_new_mqls(store)
    assert store.lead(loud).owner_id == ana and store.lead(quiet).owner_id is None
    erasure.do_not_contact(store, quiet, False)
    assert store.lead(quiet).stage == Stage.MQL and quiet in {c.id for c in store.queue(None)}
    assert quiet in {c.id for c in store.board_page(Stage.MQL, BoardFilter())}


def test_nothing_more_is_written_about_an_erased_person_but_touches_and_moves_go_on(db_copy):
    from datetime import timedelta

    from workbench.clock import utcnow
    from workbench.services import bulk, followup

    with Store.open(db_copy) as store:
        owner = store.user_by_email("alex.morgan@sales.example")
        lead = a_person(store, owner)
        erasure.erase(store, lead, by=owner)
        said = "erased on request on 2026-11-23, so nothing more is written about them"
        due = utcnow() + timedelta(days=1)
        for write in (lambda: triage.add_note(store, lead, "Ines called", by=owner),
                      lambda: triage.set_bant(store, lead, "need", "partial", "by March",
                                              by=owner),
                      lambda: followup.log_touch(store, lead, "call", "connected",
                                                 note="Ines again", by=owner),
                      lambda: followup.plan_next_step(store, lead, "call", due,
                                                      note="Ask Ines", by=owner),
                      lambda: triage.reject(store, lead, "no_need", note="Ines left",
                                            by=owner),
                      lambda: bulk.move_many(store, [lead], Stage.DISQUALIFIED, by=owner,
                                             reason_code="no_need", note="Ines left")):
            with pytest.raises(BadInput, match=said):
                write()
        assert all(a.note is None for a in store.lead_detail(lead).activities)
        followup.log_touch(store, lead, "call", "no_answer", by=owner)  # no words: fine
        triage.reject(store, lead, "no_need", by=owner)
        assert store.lead(lead).stage == Stage.DISQUALIFIED


def test_a_change_the_team_server_refused_no_longer_names_an_erased_person(db_copy):
    from sqlalchemy import text

    with Store.open(db_copy) as store:
        owner = store.user_by_email("alex.morgan@sales.example")
        lead = a_person(store, owner)
        with store.writing() as s:
            s.execute(text("INSERT INTO sync_refused (refused_at, entity, uid, reason) VALUES "
                           "('2026-11-23 12:00:00', 'lead', 'x-1', :reason)"),
                      {"reason": f"Lead {lead} (Ines {SECRET}): another rep's now"})
        erasure.erase(store, lead, by=owner)
        with store.reading() as s:
            assert s.execute(text("SELECT reason FROM sync_refused")).scalar_one() == \
                f"Lead {lead} ({ERASED_NAME}): another rep's now"
