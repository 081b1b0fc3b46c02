from datetime import datetime, timedelta

import pytest

from ui.text import (
    duration,
    follow_up_line,
    initials,
    plural,
    score_band,
    sla_text,
    source_label,
)
from workbench.rules.sla import sla_state
from workbench.rules.vocabulary import in_words

NOW = datetime(2026, 11, 23, 12)


@pytest.mark.parametrize(("span", "text"), [
    (timedelta(seconds=30), "0m"), (timedelta(minutes=59), "59m"), (timedelta(hours=1), "1h"),
    (timedelta(hours=47), "47h"), (timedelta(days=2), "2d"), (timedelta(days=27), "27d"),
    (timedelta(days=30), "4w"), (timedelta(days=400), "13mo"), (timedelta(hours=-3), "0m")])
def test_duration(span, text):
    assert duration(span) == text


def test_sla_text_for_each_state():
    assert sla_text(sla_state(NOW - timedelta(hours=2), None, NOW)) == "22h left"
    assert sla_text(sla_state(NOW - timedelta(hours=30), None, NOW)) == "overdue 6h"
    assert sla_text(sla_state(NOW - timedelta(hours=30), NOW, NOW)) == "followed up"
    assert sla_state(None, None, NOW) is None
    assert follow_up_line(sla_state(NOW - timedelta(hours=30), NOW, NOW)) == "Followed up"
    assert follow_up_line(sla_state(NOW - timedelta(hours=2), None, NOW)) == (
        "Follow-up: 22h left")


def test_codes_read_as_words():
    assert [in_words(c) for c in ("c_level", "vp", "web_form", "organic_search", "director")] == [
        "C-level", "VP", "Web form", "Organic search", "Director"]
    assert in_words(None) == in_words("") == ""
    assert source_label("paid_ads") == "Paid ads" and source_label(None) == "Unknown source"


def test_initials_and_plural():
    assert initials("Tom O'Brien") == "TO"
    assert initials("Jean-Luc Picard") == "JP"
    assert initials("Cher") == "C"
    assert initials(None) == "" and initials("  ") == ""
    assert plural(1, "lead") == "1 lead" and plural(2000, "lead") == "2,000 leads"
    assert plural(3, "match") == "3 matches" and plural(1, "match") == "1 match"
    assert plural(2, "activity") == "2 activities" and plural(2, "day") == "2 days"


def test_score_bands_cover_every_score():
    assert [score_band(s)[0] for s in (95, 70, 69, 40, 15, 14, 0, -50)] == [
        "hot", "hot", "warm", "warm", "cool", "cold", "cold", "cold"]
