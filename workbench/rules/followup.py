"""The rep's follow-up: touches (a call, an email, a meeting, with how it went) and the
next step planned on a lead. Pure rules; the store records them, services.followup checks
them here first.

A touch of any outcome is a touch: a call nobody answered still answers the follow-up SLA
(the rep did reach out), as the SLA counts "the first rep touch". The outcome says what
to do next, which is why each kind has the outcomes that can happen to it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from workbench.rules.refusals import BadInput
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
