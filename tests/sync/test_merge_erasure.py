"""The merge's erasure rule, on its own (no server): an erasure wins over any edit, whatever
the clocks and whichever arrives first, and an erased person's data is never taken back."""

from workbench.rules.erasure import ERASED_NAME
from workbench.sync.protocol import ACTIVITY, LEAD_ENTITY, QUALIFICATION, merge

PERSON = {"uid": "a-1", "first_name": "Ines", "last_name": "Zyx", "email": "ines@zyx.example",
          "job_title": "CTO", "country": "DE", "erased_at": None, "do_not_contact": False,
          "next_step_note": "Call Ines", "stage": "mql"}
ERASED = {**PERSON, "first_name": ERASED_NAME, "last_name": "", "email": None,
          "job_title": None, "next_step_note": None, "erased_at": "2026-11-23 12:00:00.000000",
          "do_not_contact": True}
EARLY, LATE = [1, "a"], [9, "c"]  # the erasure's clock, and a later edit's (a clock ahead)


def merged(current, current_clocks, incoming, incoming_clocks, **kw):
    values, _clocks = merge(LEAD_ENTITY, current, current_clocks, incoming, incoming_clocks,
                            **kw)
    return {**current, **values}


def test_an_erasure_wins_over_a_later_edit_whichever_arrives_first():
    edited = {**PERSON, "email": "ines@newjob.example", "job_title": "CEO", "country": "FR",
              "do_not_contact": False}
    edit_clocks = {"contact": LATE, "consent": LATE}
    erase_clocks = {"contact": EARLY, "consent": EARLY}
    # the server has the erasure; the offline laptop's edit comes later, with a later clock
    on_server = merged(ERASED, erase_clocks, edited, edit_clocks)
    # the offline laptop made its edit; the erasure comes to it, with an earlier clock
    on_laptop = merged(edited, edit_clocks, ERASED, erase_clocks)
    assert on_server == on_laptop == ERASED


def test_an_erased_lead_takes_other_edits_but_never_the_persons_data():
    moved = {**ERASED, "stage": "sal", "next_step_note": "Call Ines back"}
    result = merged(ERASED, {"stage": EARLY, "next_step": EARLY}, moved,
                    {"stage": LATE, "next_step": LATE})
    assert result == {**ERASED, "stage": "sal"}


def test_history_and_bant_evidence_of_an_erased_lead_arrive_without_the_persons_words():
    touch = {"uid": "c-7", "lead_uid": "a-1", "kind": "call", "note": "Ines called back",
             "url": None, "outcome": "connected"}
    new, _clocks = merge(ACTIVITY, None, {}, touch, {"lead": LATE}, erased=True)
    assert new == {**touch, "note": None}
    checklist = {"lead_uid": "a-1", "need": "unknown", "need_note": None}
    values, _clocks = merge(QUALIFICATION, checklist, {"need": EARLY},
                            {**checklist, "need": "partial", "need_note": "Ines: by March"},
                            {"need": LATE}, erased=True)
    assert values == {"need": "partial"}
