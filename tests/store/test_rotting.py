"""The store's stale filter is rules.rotting.is_stale in SQL (store.leads.stale_clause)."""

from datetime import datetime, timedelta

from workbench.rules.rotting import Rotting, is_stale, stale_cutoffs
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import ActivityKind
from workbench.store.leads import BoardFilter, OwnerFilter

NOW = datetime(2026, 12, 6, 12)
TICK = timedelta(microseconds=1)


def test_the_stale_sql_agrees_with_the_rule_down_to_the_cutoff(store):
    rotting = Rotting(mql=3, sal=14, sql=21, opportunity=0)
    cutoffs = stale_cutoffs(rotting, NOW)
    ages = (timedelta(days=40), timedelta(days=14) + TICK, timedelta(days=14),
            timedelta(days=3) + TICK, timedelta(days=3), timedelta(hours=5))
    leads = []
    for stage in (Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER):
        for entered in ages:
            for touched in (None, *ages):
                if touched is not None and touched > entered:
                    continue  # a touch before the stage: the stage's entry counts
                lead = store.add_lead(first_name=stage.value, last_name="L", stage=stage,
                                      at=NOW - entered)
                if touched is not None:
                    store.add_activity(lead, ActivityKind.CALL, at=NOW - touched)
                # behaviour and notes are no touch
                store.add_activity(lead, ActivityKind.PAGE_VIEW, at=NOW - timedelta(hours=1))
                store.add_note(lead, "thinking of them")
                leads.append(lead)
    listed = {c.id for c in store.stale_cards(BoardFilter(stale_cutoffs=cutoffs), 10_000)}
    by_stage = dict(cutoffs)
    expected = set()
    for card in store.stale_cards(BoardFilter(stale_cutoffs=None), 10_000):
        if is_stale(card.stage, card.stage_entered_at, card.last_touch_at,
                    by_stage.get(card.stage)):
            expected.add(card.id)
    assert listed == expected
    # both sides of each cutoff are there: the test is not vacuous
    assert any(store.lead(i).stage == Stage.SAL for i in expected)
    assert any(store.lead(i).stage == Stage.SAL for i in set(leads) - expected)
    assert not any(store.lead(i).stage in (Stage.OPPORTUNITY, Stage.CUSTOMER) for i in expected)


def test_a_board_lists_only_the_stale_leads_of_its_owner(store):
    ana = store.add_user("Ana", "ana@x")
    old = store.add_lead(first_name="Old", last_name="L", stage=Stage.SAL, owner_id=ana,
                         at=NOW - timedelta(days=20))
    store.add_lead(first_name="Pool", last_name="L", stage=Stage.SAL, at=NOW - timedelta(days=20))
    worked = store.add_lead(first_name="Worked", last_name="L", stage=Stage.SAL, owner_id=ana,
                            at=NOW - timedelta(days=20))
    store.add_activity(worked, ActivityKind.EMAIL_SENT, at=NOW - timedelta(days=2))
    board = BoardFilter(owner=OwnerFilter.MINE, me=ana,
                        stale_cutoffs=stale_cutoffs(Rotting(), NOW))
    assert [c.id for c in store.board_page(Stage.SAL, board)] == [old]
    cards = {c.id: c for c in store.board_page(Stage.SAL, BoardFilter())}
    assert cards[worked].last_touch_at == NOW - timedelta(days=2)
    assert cards[old].last_touch_at is None
