"""How values read on screen. Plain Python, no Qt, so it is tested on its own."""

from __future__ import annotations

from datetime import timedelta

from workbench.rules.sla import SlaState
from workbench.rules.vocabulary import in_words

# (lowest score, band name, badge colour): the first band whose threshold the score reaches
SCORE_BANDS = ((70, "hot", "#c0392b"), (40, "warm", "#e67e22"), (15, "cool", "#2e86c1"),
               (-10**9, "cold", "#7f8c8d"))


def score_band(score: int) -> tuple[str, str]:
    """(band name, badge colour) of a score."""
    for threshold, name, colour in SCORE_BANDS:
        if score >= threshold:
            return name, colour
    raise AssertionError("the last band takes every score")


def duration(span: timedelta) -> str:
    """A short, rounded-down duration: 45m, 5h, 3d, 7w, 14mo."""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if days < 28:
        return f"{days}d"
    if days < 120:
        return f"{days // 7}w"
    return f"{days // 30}mo"


def sla_text(state: SlaState) -> str:
    if state.touched:
        return "followed up"
    if state.overdue:
        return f"overdue {duration(-state.remaining)}"
    return f"{duration(state.remaining)} left"


def follow_up_line(state: SlaState) -> str:
    """The follow-up SLA as a line of its own: 'Follow-up: 5h left', 'Followed up'."""
    return "Followed up" if state.touched else f"Follow-up: {sla_text(state)}"


def initials(name: str | None) -> str:
    parts = [p for p in (name or "").replace("-", " ").split() if p[:1].isalpha()]
    if not parts:
        return (name or "").strip()[:1].upper()
    return (parts[0][0] + (parts[-1][0] if len(parts) > 1 else "")).upper()


def source_label(source: str | None) -> str:
    return in_words(source) or "Unknown source"


def plural(count: int, word: str) -> str:
    if count == 1:
        return f"{count:,} {word}"
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):  # activity, not day
        return f"{count:,} {word[:-1]}ies"
    ending = "es" if word.endswith(("s", "ch", "sh", "x")) else "s"
    return f"{count:,} {word}{ending}"
