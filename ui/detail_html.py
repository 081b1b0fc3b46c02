"""The detail pane's document. Every value from data is escaped, so it shows as plain text."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from ui.text import duration, follow_up_line, score_band, source_label
from ui.theme import Theme, theme
from workbench.rules.sla import sla_state
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import ActivityKind, in_words
from workbench.store.leads import LeadDetail

if TYPE_CHECKING:
    from workbench.rules.scoring import ScoreResult

# one glyph per activity kind (DejaVu Sans has them all)
ACTIVITY_ICONS = {
    ActivityKind.PAGE_VIEW: "◉", ActivityKind.DOWNLOAD: "⬇", ActivityKind.WEBINAR: "▶",
    ActivityKind.EMAIL_OPEN: "✉", ActivityKind.EMAIL_CLICK: "➚", ActivityKind.FORM_SUBMIT: "✎",
    ActivityKind.DEMO_REQUEST: "★", ActivityKind.PRICING_REQUEST: "$",
    ActivityKind.UNSUBSCRIBE: "⊘", ActivityKind.BOUNCE: "↩", ActivityKind.CALL: "☎",
    ActivityKind.EMAIL_SENT: "✉", ActivityKind.MEETING: "☗", ActivityKind.NOTE: "✍",
    ActivityKind.ASSIGNED: "⇄",
}
# the text takes the palette's colour; muted lines and headings the theme's. Lines, not
# tables: Qt lays a table out several times slower, and the pane is redrawn on every move.
STYLE = """
<style>
 body { font-size: 10pt; }
 h2 { margin: 0 0 2px 0; font-size: 14pt; }
 h3 { margin: 14px 0 4px 0; font-size: 10pt; color: %(muted)s; text-transform: uppercase; }
 .muted { color: %(muted)s; }
 .badge { color: white; font-weight: bold; }
 .line { margin: 1px 0; }
 .hang { margin: 1px 0 1px 18px; text-indent: -18px; }
</style>
"""


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d\u00a0%H:%M")  # one unbreakable piece


def _row(label: str, value: str | None) -> str:
    return (f"<p class='line'><span class='muted'>{escape(label)}</span>&nbsp; "
            f"{escape(value or '—')}</p>")


def lead_html(detail: LeadDetail, score: ScoreResult | None, now: datetime,
              sla_hours: float) -> str:
    lead = detail.lead
    company = detail.company
    colours = theme()
    _band, colour = score_band(lead.score)
    parts = [STYLE % {"muted": colours.css("muted")}, f"<h2>{escape(lead.name)}</h2>"]
    title = " at ".join(filter(None, (lead.job_title, company.name if company else None)))
    parts.append(f"<div class='muted'>{escape(title)}</div>")
    parts.append(
        f"<p><span class='badge' style='background:{colour}'>&nbsp;{lead.score}&nbsp;</span>"
        f"&nbsp; {escape(lead.stage.label)} for {duration(now - lead.stage_entered_at)}"
        f" &nbsp;·&nbsp; {escape(source_label(lead.source))}"
        + (f" &nbsp;·&nbsp; {escape(lead.campaign)}" if lead.campaign else "") + "</p>")
    for conflict in detail.open_conflicts:
        moves = " and ".join(
            f"{escape(Stage(stage).label)} by {escape(by or 'someone')}"
            for stage, _at, by, _uid in (conflict.first, conflict.second))
        parts.append(f"<p style='color:{colours.css('overdue')}'><b>Stage conflict:</b> "
                     f"moved to {moves} on "
                     "two laptops offline. Resolve it in Lead › Stage conflicts…</p>")
    # said before the email and phone, which a rep would otherwise use
    if lead.erased_at is not None:
        parts.append(f"<p style='color:{colours.css('overdue')}'><b>Erased on request</b> on "
                     f"{lead.erased_at:%Y-%m-%d}: never contacted again, and nothing more is "
                     "written about this person.</p>")
    elif lead.do_not_contact:
        parts.append(f"<p style='color:{colours.css('overdue')}'><b>Do not contact</b>: in no "
                     "queue, routed to nobody (Lead › Do not contact allows it again).</p>")
    if lead.stage == Stage.MQL:
        state = sla_state(lead.mql_at, lead.first_touch_at, now, sla_hours)
        if state is not None:
            colour = colours.css("touched" if state.touched else "overdue" if state.overdue
                                 else "due")
            parts.append(f"<p style='color:{colour}'>{escape(follow_up_line(state))}</p>")
    if lead.next_step_due is not None:
        late = lead.next_step_due < now
        style = f" style='color:{colours.css('overdue')}'" if late else ""
        parts.append(f"<p{style}>Next step: "
                     f"{escape(lead.next_step_kind or '')}, due {_when(lead.next_step_due)}"
                     + (" (overdue)" if late else "")
                     + (f" — {escape(lead.next_step_note)}" if lead.next_step_note else "")
                     + "</p>")

    contact = []
    if lead.email:
        contact.append(f"<a href='mailto:{quote(lead.email, safe='@.+')}'>"
                       f"{escape(lead.email)}</a>")
    if detail.phone:
        contact.append(f"<a href='tel:{quote(detail.phone.replace(' ', ''), safe='+')}'>"
                       f"{escape(detail.phone).replace(' ', '&nbsp;')}</a>")
    parts.append("<p>" + " &nbsp;·&nbsp; ".join(contact or ["No email or phone"]) + "</p>")

    parts.append("<h3>Person</h3>")
    parts += [_row("Owner", detail.owner_name or "Unassigned"),
              _row("Seniority", in_words(detail.seniority)),
              _row("Created", _when(lead.created_at)), _row("External id", detail.external_id)]
    if company is None and lead.country:  # else the company's country, below
        parts.append(_row("Country", lead.country))
    if company is not None:
        parts.append("<h3>Company</h3>")
        parts += [_row("Name", company.name), _row("Domain", company.domain),
                  _row("Industry", company.industry), _row("Employees", company.employee_band),
                  _row("Revenue", company.revenue_band), _row("Country", company.country)]

    parts.append(_score_html(score, colours) if score is not None else "")
    if detail.predicted_conversion is not None:
        why = " &nbsp;·&nbsp; ".join(f"{escape(feature)} ({part:+.2f})"
                                     for feature, part in detail.prediction_reasons)
        parts.append(f"<p><b>Predicted to convert: {detail.predicted_conversion:.0%}</b> "
                     f"(learned from the team's outcomes)<br><span class='muted'>{why}"
                     "</span></p>")
    if detail.custom_fields:
        parts.append("<h3>Imported fields</h3>")
        parts += [_row(name, str(value)) for name, value in detail.custom_fields.items()]

    parts.append(f"<h3>Activity ({len(detail.activities)})</h3>")
    for activity in detail.activities:
        icon = ACTIVITY_ICONS.get(ActivityKind(activity.kind), "•")
        what = in_words(activity.kind) + (
            f": {activity.outcome.replace('_', ' ')}" if activity.outcome else "")
        extra = activity.note or activity.url or ""
        by = f" — {activity.user_name}" if activity.user_name else ""
        parts.append(f"<p class='hang'>{icon}&nbsp; {escape(what + by)} &nbsp;"
                     f"<span class='muted'>{_when(activity.occurred_at)}</span>"
                     + (f"<br><span class='muted'>{escape(extra)}</span>" if extra else "")
                     + "</p>")

    parts.append("<h3>Stage history</h3>")
    for change in detail.history:
        moved = (f"{change.from_stage.label} → {change.to_stage.label}" if change.from_stage
                 else f"Created as {change.to_stage.label}")
        who = detail.user_names.get(change.user_id, "") if change.user_id else ""
        why = " · ".join(filter(None, (change.reason_code, change.note, who)))
        parts.append(f"<p class='line'>{escape(moved)} &nbsp;"
                     f"<span class='muted'>{_when(change.changed_at)}</span>"
                     + (f"<br><span class='muted'>{escape(why)}</span>" if why else "")
                     + "</p>")
    return "".join(parts)


def _score_html(score: ScoreResult, colours: Theme) -> str:
    """Why the lead has its score: every rule that fired, with its points now."""
    journey = score.buyer_stage or "no recent activity"
    parts = [f"<h3>Why {score.total}?</h3>",
             f"<p>Fit {score.fit} + engagement {score.engagement} &nbsp;·&nbsp; grade "
             f"{escape(score.grade)} &nbsp;·&nbsp; buyer journey: {escape(journey)}</p>"]
    for part in score.breakdown:
        colour = colours.css("touched" if part.points > 0 else "overdue")
        parts.append(f"<p class='hang' style='margin-left: 36px; text-indent: -36px'>"
                     f"<span style='color:{colour}'>{part.points:+d}</span>&nbsp; "
                     f"{escape(part.rule)}</p>")
    if not score.breakdown:
        parts.append("<p class='line muted'>No rule applies to this lead yet.</p>")
    return "".join(parts)
