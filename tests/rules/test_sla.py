"""The follow-up SLA and the one overdue test."""

from datetime import datetime, timedelta

from workbench.rules.sla import is_overdue, overdue_cutoff, sla_state

NOW = datetime(2026, 11, 23, 12)


def test_an_mql_is_overdue_only_untouched_and_past_its_hours():
    cutoff = overdue_cutoff(NOW, 24)
    assert cutoff == NOW - timedelta(hours=24)
    assert is_overdue(cutoff - timedelta(microseconds=1), None, cutoff)
    assert not is_overdue(cutoff, None, cutoff)  # due this very moment: not yet late
    assert not is_overdue(cutoff - timedelta(days=9), NOW, cutoff)  # touched
    assert not is_overdue(None, None, cutoff)  # never an MQL


def test_the_sla_state_says_the_same_as_the_overdue_test():
    for hours_ago in (0, 23, 24, 25, 100):
        mql_at = NOW - timedelta(hours=hours_ago)
        for touched in (None, NOW):
            state = sla_state(mql_at, touched, NOW, 24)
            assert state.overdue == is_overdue(mql_at, touched, overdue_cutoff(NOW, 24))
            assert state.due_at == mql_at + timedelta(hours=24)
            assert state.remaining == timedelta(hours=24 - hours_ago)
            assert state.touched is (touched is not None)
    assert sla_state(None, None, NOW) is None
    assert sla_state(NOW - timedelta(hours=30), None, NOW, 24).overdue
