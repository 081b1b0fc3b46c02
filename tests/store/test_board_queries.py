"""The board's queries: keyset windows, filters, search that accepts any input."""

from datetime import datetime, timedelta

import pytest

from workbench.rules.ownership import in_queue
from workbench.rules.refusals import BadInput
from workbench.rules.sla import is_overdue, overdue_cutoff, sla_state
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import ActivityKind
from workbench.store.leads import BoardFilter, BoardSort, OwnerFilter, Store

ODD_SEARCHES = ['"', '""', "'", "(", ")", "()", "AND", "OR", "NOT", "NEAR", "NEAR(a b)", "*",
                "-", "--", "a*b", "^", ":", "name:", "{x}", "[", "\\", "%", "_", "😀", "Zoë",
                "日本", "a AND (b OR", '"unterminated', "x" * 300, "   ", "\t\n", "null"]


@pytest.fixture
def demo_store(demo_db):
    with Store.open(demo_db) as store:
        yield store


def all_pages(store, stage, board, sort, size=7):
    cards, after = [], None
    while True:
        page = store.board_page(stage, board, sort, after=after, limit=size)
        cards += page
        if len(page) < size:
            return cards
        after = page[-1].sort_key(sort)


@pytest.mark.parametrize("sort", list(BoardSort))
def test_keyset_windows_list_every_card_once_in_order(demo_store, sort):
    board = BoardFilter()
    cards = all_pages(demo_store, Stage.SAL, board, sort)
    assert len(cards) == len({c.id for c in cards}) == demo_store.stats().by_stage["sal"]
    keys = [c.sort_key(sort) for c in cards]
    descending = sort in (BoardSort.SCORE, BoardSort.LAST_ACTIVITY)
    assert keys == sorted(keys, reverse=descending)


def test_filters_narrow_cards_and_counts_alike(demo_store):
    rep = demo_store.users()[0]
    boards = [BoardFilter(owner=OwnerFilter.UNASSIGNED), BoardFilter(source="referral"),
              BoardFilter(owner=OwnerFilter.MINE, me=rep[0]),
              BoardFilter(campaign="Customer referral programme")]
    for board in boards:
        summaries = demo_store.column_summaries(board)
        for stage in (Stage.MQL, Stage.CUSTOMER):
            cards = all_pages(demo_store, stage, board, BoardSort.SCORE, size=50)
            assert len(cards) == summaries[stage].count
            if board.source:
                assert {c.source for c in cards} <= {"referral"}
            if board.owner == OwnerFilter.UNASSIGNED:
                assert {c.owner_name for c in cards} <= {None}
    unassigned = demo_store.column_summaries(boards[0])
    assert unassigned[Stage.MQL].count > 0
    assert unassigned[Stage.SAL].count == 0  # an accepted lead always has an owner


def test_the_card_read_after_a_move_is_the_one_its_board_lists(demo_store):
    """board_card keeps its statement per filter: each filter, in turn and again, gives
    the card its column lists, or None for a lead the filter leaves out."""
    rep = demo_store.users()[0][0]
    boards = [BoardFilter(), BoardFilter(owner=OwnerFilter.MINE, me=rep),
              BoardFilter(owner=OwnerFilter.UNASSIGNED), BoardFilter(search="a")]
    listed = {board: all_pages(demo_store, Stage.SAL, board, BoardSort.SCORE, size=200)
              for board in boards}
    leads = [card.id for card in listed[boards[0]][:40]]
    for board in [*boards, *boards]:
        shown = {card.id: card for card in listed[board]}
        for lead_id in leads:
            assert demo_store.board_card(board, lead_id) == shown.get(lead_id)


def test_score_range_and_empty_columns(store):
    for score in (10, 50, 90):
        lead = store.add_lead(first_name="P", last_name=str(score), stage=Stage.MQL)
        with store.writing() as s:
            from workbench.store.tables import Lead
            s.get(Lead, lead).score = score
    summaries = store.column_summaries(BoardFilter(min_score=40, max_score=95))
    assert summaries[Stage.MQL].count == 2 and summaries[Stage.MQL].average_score == 70
    assert summaries[Stage.SAL].count == 0 and summaries[Stage.SAL].average_score is None


def test_overdue_filter_shows_untouched_mqls_past_the_sla(store):
    now = datetime(2026, 11, 23, 12)
    late = store.add_lead(first_name="Late", last_name="Lead", stage=Stage.MQL,
                          at=now - timedelta(hours=30))
    touched = store.add_lead(first_name="Touched", last_name="Lead", stage=Stage.MQL,
                             at=now - timedelta(hours=30))
    fresh = store.add_lead(first_name="Fresh", last_name="Lead", stage=Stage.MQL,
                           at=now - timedelta(hours=2))
    store.add_activity(touched, ActivityKind.CALL, at=now - timedelta(hours=29))
    board = BoardFilter(overdue_before=overdue_cutoff(now))
    assert [c.id for c in store.board_page(Stage.MQL, board)] == [late]
    states = {c.id: sla_state(c.mql_at, c.first_touch_at, now)
              for c in store.board_page(Stage.MQL, BoardFilter())}
    assert states[late].overdue and states[late].remaining == timedelta(hours=-6)
    assert states[touched].touched and not states[touched].overdue
    assert not states[fresh].overdue and states[fresh].remaining == timedelta(hours=22)



def test_the_stores_queue_and_overdue_sql_agree_with_the_rules(store):
    """store.leads.queue_clause and overdue_clause are rules.ownership.in_queue and
    rules.sla.is_overdue in SQL: the same leads, down to the microsecond at the cutoff."""
    now, hours = datetime(2026, 11, 23, 12), 24
    cutoff = overdue_cutoff(now, hours)
    ana, ben = store.add_user("Ana", "ana@x"), store.add_user("Ben", "ben@x")
    leads = []
    for stage in (Stage.MQL, Stage.SAL):
        for owner in (None, ana, ben):
            for age in (timedelta(hours=30), timedelta(hours=hours, microseconds=1),
                        timedelta(hours=hours), timedelta(hours=2)):
                lead = store.add_lead(first_name=stage.value, last_name=str(age),
                                      stage=stage, owner_id=owner, at=now - age)
                leads.append(lead)
                if age == timedelta(hours=30) and owner == ben:
                    store.add_activity(lead, ActivityKind.CALL, at=now - timedelta(hours=29))
                if age == timedelta(hours=2):  # asked not to be contacted
                    store.set_do_not_contact(lead, True, now)
    rows = {lead.id: lead for lead in map(store.lead, leads)}
    for me in (None, ana, ben):
        expected = {i for i, r in rows.items()
                    if in_queue(r.stage, r.owner_id, me, r.do_not_contact)}
        late = {i for i in expected
                if is_overdue(rows[i].mql_at, rows[i].first_touch_at, cutoff)}
        assert {c.id for c in store.queue(me)} == expected
        assert store.queue_summary(me, cutoff) == (len(expected), len(late))
        assert 0 < len(late) < len(expected)
    overdue = {i for i, r in rows.items() if r.stage == Stage.MQL
               and is_overdue(r.mql_at, r.first_touch_at, cutoff)}
    assert {c.id for c in store.board_page(Stage.MQL, BoardFilter(overdue_before=cutoff))} \
        == overdue
    assert store.overdue_count(cutoff) == len(overdue)  # the status bar's count
    assert overdue == {i for i, r in rows.items() if r.stage == Stage.MQL
                       and sla_state(r.mql_at, r.first_touch_at, now, hours).overdue}

def test_a_note_is_an_activity_and_is_searchable(store):
    lead = store.add_lead(first_name="Ada", last_name="Byron", email="ada@example.com",
                          stage=Stage.MQL)
    store.add_note(lead, "Asked about Salesforce migration")
    detail = store.lead_detail(lead)
    assert [(a.kind, a.note) for a in detail.activities] == [
        ("note", "Asked about Salesforce migration")]
    hits = store.board_page(Stage.MQL, BoardFilter(search="salesf"))
    assert [c.id for c in hits] == [lead]
    with pytest.raises(BadInput, match="needs some text"):
        store.add_note(lead, "   ")


def test_search_matches_name_email_company_and_title_by_prefix(demo_store):
    card = demo_store.board_page(Stage.MQL, BoardFilter(), limit=1)[0]
    first, last = card.name.split(" ", 1)
    company_word = card.company.split()[0]
    for text in (f"{first[:3]} {last[:3]}", f"{first} {last[:2]}",
                 f"{company_word[:4].upper()} {last}", card.job_title.split()[-1] + " " + last):
        ids = {c.id for c in demo_store.board_page(Stage.MQL, BoardFilter(search=text),
                                                   limit=2000)}
        assert card.id in ids, text


def test_a_broad_search_lists_the_newest_matches(demo_store, monkeypatch):
    monkeypatch.setattr("workbench.store.leads.SEARCH_MATCH_LIMIT", 10)
    ids = demo_store.search_ids("sales")
    assert len(ids) == 10 and ids == sorted(ids, reverse=True)
    assert demo_store.search_is_capped("sales")
    assert not demo_store.search_is_capped("no-such-person-xyz")


@pytest.mark.parametrize("text", ODD_SEARCHES)
def test_any_typed_text_just_searches(demo_store, text):
    board = BoardFilter(search=text)
    demo_store.board_page(Stage.MQL, board)
    demo_store.column_summaries(board)


def test_markup_and_syntax_are_found_as_literal_text(store):
    lead = store.add_lead(first_name="<b>x</b>", last_name="AND (NEAR", stage=Stage.LEAD)
    assert [c.name for c in store.board_page(Stage.LEAD, BoardFilter(search="<b>x</b>"))] == [
        "<b>x</b> AND (NEAR"]
    assert [c.id for c in store.board_page(Stage.LEAD, BoardFilter(search='AND (NEAR'))] == [lead]


def test_data_version_sees_commits_of_other_processes(tmp_path):
    with Store.open(tmp_path / "v.db") as window, Store.open(tmp_path / "v.db") as other:
        before = window.data_version()
        assert window.data_version() == before
        other.add_lead(first_name="New", last_name="Lead")
        assert window.data_version() != before


def test_journey_columns_hold_open_leads_by_their_buyer_stage(demo_store):
    from workbench.store.leads import JOURNEY_BOARD_STAGES, BoardGrouping

    summaries = demo_store.column_summaries(BoardFilter(), BoardGrouping.JOURNEY)
    assert list(summaries) == ["awareness", "interest", "evaluation", "intent"]
    assert summaries["intent"].count > 0
    cards, after = [], None
    while page := demo_store.board_page("intent", BoardFilter(), after=after, limit=50,
                                        by=BoardGrouping.JOURNEY):
        cards += page
        after = page[-1].sort_key(BoardSort.SCORE)
    assert len(cards) == summaries["intent"].count
    assert {c.buyer_stage for c in cards} == {"intent"}
    assert {c.stage for c in cards} <= set(JOURNEY_BOARD_STAGES)
    searched = BoardFilter(search=cards[0].name)
    found = demo_store.board_page("intent", searched, by=BoardGrouping.JOURNEY)
    assert cards[0].id in [c.id for c in found]
    assert demo_store.column_summaries(searched, BoardGrouping.JOURNEY)["intent"].count >= 1


def test_a_board_shows_everything_until_a_filter_narrows_it():
    assert BoardFilter().shows_everything
    assert BoardFilter(me=3).shows_everything  # "me" is read only by the owner filter "mine"
    for narrowed in (BoardFilter(owner=OwnerFilter.MINE, me=3), BoardFilter(source="event"),
                     BoardFilter(search="anna"), BoardFilter(min_score=10),
                     BoardFilter(lead_ids=(1, 2))):
        assert not narrowed.shows_everything, narrowed
