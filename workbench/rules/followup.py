"""The rep's follow-up: touches (a call, an email, a meeting, with how it went) and the
next step planned on a lead. Pure rules; the store records them, services.followup checks
them here first.

A touch of any outcome is a touch: a call nobody answered still answers the follow-up SLA
(the rep did reach out), as the SLA counts "the first rep touch". The outcome says what
to do next, which is why each kind has the outcomes that can happen to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from workbench.rules.refusals import BadInput
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import ActivityKind


class TouchKind(StrEnum):
    """What a rep logs, in the rep's words; each is stored as its activity kind."""

    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"

    @property
    def activity(self) -> ActivityKind:
        return {TouchKind.CALL: ActivityKind.CALL, TouchKind.EMAIL: ActivityKind.EMAIL_SENT,
                TouchKind.MEETING: ActivityKind.MEETING}[self]


class Outcome(StrEnum):
    CONNECTED = "connected"
    NO_ANSWER = "no_answer"
    LEFT_MESSAGE = "left_message"
    BOUNCED = "bounced"
    REPLIED = "replied"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# what can happen to each kind of touch (a meeting nobody came to: no answer)
OUTCOMES = {
    TouchKind.CALL: (Outcome.CONNECTED, Outcome.NO_ANSWER, Outcome.LEFT_MESSAGE),
    TouchKind.EMAIL: (Outcome.REPLIED, Outcome.NO_ANSWER, Outcome.BOUNCED),
    TouchKind.MEETING: (Outcome.CONNECTED, Outcome.NO_ANSWER),
}


def touch_kind(text: str) -> TouchKind:
    try:
        return TouchKind(text)
    except ValueError:
        raise BadInput(f"A touch is a call, an email or a meeting, not '{text}'.") from None


def check_touch(kind: TouchKind, outcome: str, at: datetime, now: datetime) -> Outcome:
    """The outcome of a touch of this kind at this moment, or a refusal that says why not:
    a touch is logged once it has happened, never ahead of time."""
    choices = OUTCOMES[kind]
    if outcome not in {o.value for o in choices}:
        article = "An" if kind.value[0] in "aeiou" else "A"
        raise BadInput(f"{article} {kind.value} is {', '.join(o.value for o in choices[:-1])} or "
                       f"{choices[-1].value}, not '{outcome}'.")
    if at > now:
        raise BadInput(f"A touch is logged once it has happened: {at:%Y-%m-%d %H:%M} (UTC) is "
                       f"in the future. Plan it as the next step instead.")
    return Outcome(outcome)


# the stages a lead is worked in: a next step is planned, and shows in Today, only there
OPEN_STAGES = frozenset({Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY})


def check_next_step(stage: Stage, lead_name: str) -> None:
    """A due date in the past is allowed (the step is shown overdue at once); a lead no one
    works any more has no next step."""
    if stage not in OPEN_STAGES:
        raise BadInput(f"{lead_name} is {stage.label}: a next step is planned on an open "
                       "lead (MQL, SAL, SQL or opportunity).")


class TodayReason(StrEnum):
    """Why a lead is on a rep's Today list."""

    NEXT_STEP = "next_step"  # a planned step that is due today or overdue
    SLA = "sla"  # an MQL not touched yet whose follow-up SLA falls due today or has
    NO_NEXT_STEP = "no_next_step"  # touched, and nothing planned since


@dataclass(frozen=True, slots=True)
class TodayItem:
    lead_id: int
    name: str
    company: str | None
    stage: Stage
    reason: TodayReason
    kind: str | None  # the next step's kind
    due: datetime | None  # None: no next step after a touch
    note: str | None

    def overdue(self, now: datetime) -> bool:
        return self.due is not None and self.due < now


def today_order(items: list[TodayItem]) -> list[TodayItem]:
    """One list in the order to work it, each lead once: by when each is due (the overdue
    first, longest overdue first; a lead with a step and an SLA due under its earlier one),
    then the leads with no next step after a touch, as they were given."""
    dated = sorted((i for i in items if i.due is not None), key=lambda i: (i.due, i.lead_id))
    seen: set[int] = set()
    ordered = []
    for item in dated + [i for i in items if i.due is None]:
        if item.lead_id not in seen:
            seen.add(item.lead_id)
            ordered.append(item)
    return ordered
