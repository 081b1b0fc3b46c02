import itertools

import pytest

from workbench.rules.stages import MoveRefused, Stage, check_transition

# Written out independently of workbench.stages so that a change to the rules shows here.
ALLOWED = {
    ("lead", "mql"), ("lead", "recycled"), ("lead", "disqualified"),
    ("mql", "sal"), ("mql", "recycled"), ("mql", "disqualified"),
    ("sal", "sql"), ("sal", "recycled"), ("sal", "disqualified"),
    ("sql", "opportunity"), ("sql", "recycled"), ("sql", "disqualified"),
    ("opportunity", "customer"), ("opportunity", "recycled"), ("opportunity", "disqualified"),
    ("customer", "evangelist"), ("evangelist", "customer"),
    ("recycled", "mql"), ("recycled", "disqualified"),
    ("disqualified", "lead"),
}
PAIRS = list(itertools.product([s.value for s in Stage], repeat=2))


def test_stage_names_are_the_lowercase_lifecycle_names():
    assert [s.value for s in Stage] == [
        "lead", "mql", "sal", "sql", "opportunity", "customer", "evangelist", "recycled",
        "disqualified"]


@pytest.mark.parametrize(("from_stage", "to_stage"), sorted(ALLOWED))
def test_allowed_move(from_stage, to_stage):
    check_transition(from_stage, to_stage)


@pytest.mark.parametrize(("from_stage", "to_stage"),
                         [p for p in PAIRS if p not in ALLOWED])
def test_refused_move_names_both_stages_and_the_rule(from_stage, to_stage):
    with pytest.raises(MoveRefused) as refused:
        check_transition(from_stage, to_stage)
    message = str(refused.value)
    assert Stage(from_stage).label in message
    assert Stage(to_stage).label in message
    assert refused.value.rule and refused.value.rule in message


def test_unknown_stage_is_refused_with_its_name():
    with pytest.raises(ValueError, match="'won'"):
        check_transition("mql", "won")
