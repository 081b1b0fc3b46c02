"""Sharing criteria as TOML: a round trip, and broken files refused with their line."""

import pytest

from workbench.criteria import DEFAULT_CRITERIA
from workbench.criteria_file import CriteriaFileError, export_criteria, read_criteria


@pytest.fixture
def exported(tmp_path):
    path = tmp_path / "criteria.toml"
    export_criteria(DEFAULT_CRITERIA, path)
    return path


def test_export_then_import_gives_the_same_criteria(exported, store):
    assert read_criteria(exported) == DEFAULT_CRITERIA
    saved = store.save_criteria(read_criteria(exported), note="from marketing")
    assert saved.version == 1 and store.current_criteria() == saved


def edit(path, old, new, count=1):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, count))


def line_of(path, text, occurrence=1):
    lines = path.read_text().splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if text in line]
    return hits[occurrence - 1]


def test_a_toml_syntax_error_names_its_line(exported):
    edit(exported, "mql_threshold = 55", "mql_threshold = = 55")
    with pytest.raises(CriteriaFileError, match=r"line 4: is not valid TOML") as refused:
        read_criteria(exported)
    assert refused.value.line == 4 and "Nothing was changed" in str(refused.value)


def test_an_unknown_field_in_the_third_fit_rule_names_that_rule(exported):
    edit(exported, 'field = "seniority"', 'field = "shoe_size"', 3)  # first three rules
    with pytest.raises(CriteriaFileError, match="unknown field 'shoe_size'") as refused:
        read_criteria(exported)
    assert refused.value.line == line_of(exported, "[[fit_rules]]", 1)


def test_points_that_are_not_a_number(exported):
    edit(exported, "points = 30", 'points = "thirty"')
    with pytest.raises(CriteriaFileError, match="points must be a number") as refused:
        read_criteria(exported)
    assert refused.value.line == line_of(exported, "[[engagement_rules]]", 1)


def test_an_unknown_setting_and_a_bad_journey_step(exported, tmp_path):
    text = exported.read_text()
    exported.write_text("colour = \"red\"\n" + text)
    with pytest.raises(CriteriaFileError, match="line 1: Unknown criteria setting: colour"):
        read_criteria(exported)
    exported.write_text(text.replace('stage = "evaluation"', 'stage = "delight"', 1))
    with pytest.raises(CriteriaFileError, match="unknown stage 'delight'") as refused:
        read_criteria(exported)
    assert refused.value.line == line_of(exported, 'stage = "delight"')


def test_rules_that_clash_are_refused_whole(exported):
    edit(exported, 'label = "Manager"', 'label = "Director or head of a team"')
    with pytest.raises(CriteriaFileError, match="same label"):
        read_criteria(exported)


def test_an_unreadable_file(tmp_path):
    path = tmp_path / "criteria.toml"
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(CriteriaFileError, match="cannot be read"):
        read_criteria(path)
    with pytest.raises(CriteriaFileError, match="cannot be read"):
        read_criteria(tmp_path / "missing.toml")


def test_a_bad_reason_code_names_its_line(exported):
    edit(exported, '{ code = "bad_timing", label = "Bad timing" }',
         '{ code = "Bad Timing", label = "Bad timing" }')
    with pytest.raises(CriteriaFileError, match="a code is 1-40 lowercase") as refused:
        read_criteria(exported)
    assert refused.value.line == line_of(exported, '"Bad Timing"')
