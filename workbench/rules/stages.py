"""Lifecycle stages and the one table of moves allowed between them.

Every stage change in the product is checked here; the store writes the
StageChange audit row in the same transaction as the stage update.
"""

from __future__ import annotations

from enum import StrEnum

from workbench.rules.refusals import Refused


class Stage(StrEnum):
    LEAD = "lead"
    MQL = "mql"
    SAL = "sal"
    SQL = "sql"
    OPPORTUNITY = "opportunity"
    CUSTOMER = "customer"
    EVANGELIST = "evangelist"
    RECYCLED = "recycled"
    DISQUALIFIED = "disqualified"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS: dict[Stage, str] = {
    Stage.LEAD: "Lead",
    Stage.MQL: "MQL",
    Stage.SAL: "SAL",
    Stage.SQL: "SQL",
    Stage.OPPORTUNITY: "Opportunity",
    Stage.CUSTOMER: "Customer",
    Stage.EVANGELIST: "Evangelist",
    Stage.RECYCLED: "Recycled",
    Stage.DISQUALIFIED: "Disqualified",
}

# The funnel in order; recycled and disqualified sit beside it.
FUNNEL: tuple[Stage, ...] = (
    Stage.LEAD,
    Stage.MQL,
    Stage.SAL,
    Stage.SQL,
    Stage.OPPORTUNITY,
    Stage.CUSTOMER,
    Stage.EVANGELIST,
)

# a lead in these stages makes its company an account that buys already
ACCOUNT_STAGES = frozenset({Stage.CUSTOMER, Stage.EVANGELIST})

_S = Stage
# from-stage -> (stages it may move to, the rule in words for refusals)
TRANSITIONS: dict[Stage, tuple[frozenset[Stage], str]] = {
    _S.LEAD: (
        frozenset({_S.MQL, _S.RECYCLED, _S.DISQUALIFIED}),
        "a lead becomes an MQL when it meets the MQL criteria, or is recycled or disqualified",
    ),
    _S.MQL: (
        frozenset({_S.SAL, _S.RECYCLED, _S.DISQUALIFIED}),
        "sales accepts an MQL (SAL), recycles it or rejects it (disqualified)",
    ),
    _S.SAL: (
        frozenset({_S.SQL, _S.RECYCLED, _S.DISQUALIFIED}),
        "an accepted lead becomes an SQL once qualified, or is recycled or disqualified",
    ),
    _S.SQL: (
        frozenset({_S.OPPORTUNITY, _S.RECYCLED, _S.DISQUALIFIED}),
        "an SQL becomes an opportunity, or is recycled or disqualified",
    ),
    _S.OPPORTUNITY: (
        frozenset({_S.CUSTOMER, _S.RECYCLED, _S.DISQUALIFIED}),
        "an opportunity is won (customer), or lost (recycled or disqualified)",
    ),
    _S.CUSTOMER: (
        frozenset({_S.EVANGELIST}),
        "a customer can only become an evangelist",
    ),
    _S.EVANGELIST: (
        frozenset({_S.CUSTOMER}),
        "an evangelist can only go back to being a customer",
    ),
    _S.RECYCLED: (
        frozenset({_S.MQL, _S.DISQUALIFIED}),
        "a recycled lead returns to MQL (revisit date or new intent) or is disqualified",
    ),
    _S.DISQUALIFIED: (
        frozenset({_S.LEAD}),
        "a disqualified lead can only be reopened as a new lead",
    ),
}


# Moves that need a reason from a catalogue (see the reasons table): a rejection tells
# marketing why; a recycle says why not now, and when to look again.
REASON_KIND: dict[Stage, str] = {Stage.DISQUALIFIED: "reject", Stage.RECYCLED: "recycle"}


class MoveRefused(Refused):
    """A move the stage machine refuses; the message names both stages and the rule."""

    def __init__(self, from_stage: Stage, to_stage: Stage, rule: str) -> None:
        self.from_stage = from_stage
        self.to_stage = to_stage
        self.rule = rule
        super().__init__(
            f"Cannot move a lead from {from_stage.label} to {to_stage.label}: {rule}."
        )


def allowed_targets(from_stage: Stage) -> frozenset[Stage]:
    return TRANSITIONS[from_stage][0]


def check_transition(from_stage: Stage | str, to_stage: Stage | str) -> None:
    """Raise MoveRefused unless the move is allowed."""
    from_stage, to_stage = Stage(from_stage), Stage(to_stage)
    targets, rule = TRANSITIONS[from_stage]
    if from_stage == to_stage:
        raise MoveRefused(from_stage, to_stage, "the lead is already in that stage")
    if to_stage not in targets:
        raise MoveRefused(from_stage, to_stage, rule)
