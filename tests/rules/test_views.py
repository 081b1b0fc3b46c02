"""Saved views: what a view may say, and a broken one refused with what is wrong."""

import pytest

from workbench.rules.criteria import DEFAULT_CRITERIA, Criteria
from workbench.rules.refusals import BadInput
from workbench.rules.views import OWNERS, SORTS, SavedView
from workbench.store.leads import BoardSort, OwnerFilter

GOOD = {"name": "Hot webinar MQLs", "filters": {"owner": "mine", "campaign": "Webinar",
                                               "min_score": 60, "overdue": True},
        "sort": "time_in_stage", "stages": ["mql", "sal"]}


def test_the_views_values_are_the_boards():
    assert tuple(OwnerFilter) == OWNERS and tuple(BoardSort) == SORTS


def test_a_view_reads_back_as_it_was_written():
    view = SavedView.from_dict(GOOD)
    assert view.stages == ("mql", "sal") and SavedView.from_dict(view.to_dict()) == view


@pytest.mark.parametrize(("change", "says"), [
    ({"name": " "}, "needs a name"),
    ({"sort": "newest"}, "sort must be one of"),
    ({"stages": ["mql", "won"]}, "unknown stage 'won'"),
    ({"filters": {"colour": "red"}}, "unknown filter 'colour'"),
    ({"filters": {"min_score": "high"}}, "filter 'min_score' must be int"),
    ({"filters": {"overdue": "yes"}}, "must be true or false"),
    ({"filters": {"min_score": True}}, "filter 'min_score' must be int"),
    ({"filters": {"owner": "theirs"}}, "owner must be one of"),
    ({"filters": {"min_score": 80, "max_score": 20}}, "above max_score"),
    ({"columns": ["mql"]}, "unknown setting columns"),
])
def test_a_broken_view_is_refused_saying_why(change, says):
    with pytest.raises(BadInput, match=says):
        SavedView.from_dict({**GOOD, **change})


def test_the_criteria_carry_shared_views_and_refuse_two_of_one_name():
    data = DEFAULT_CRITERIA.to_dict()
    criteria = Criteria.from_dict({**data, "views": [GOOD]})
    assert criteria.views[0].name == "Hot webinar MQLs"
    assert not criteria.scores_differently(DEFAULT_CRITERIA)  # a view changes no score
    with pytest.raises(BadInput, match="same name"):
        Criteria.from_dict({**data, "views": [GOOD, {**GOOD, "name": "hot WEBINAR mqls"}]})
