"""What a service changed, for each view to refresh only that (in the manner of Anki's
OpChanges): a board of a million leads adjusts its columns by the leads that moved instead
of counting them again."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.rules.stages import Stage
from workbench.store.leads import LeadRecord, StageChangeRecord


@dataclass(frozen=True, slots=True)
class StageMove:
    """One lead's move: its audit entry, the lead as it was, and what it left."""

    change: StageChangeRecord  # its id undoes the move
    before: LeadRecord  # what an undo restores; its score leaves the old column's average
    was_overdue: bool  # an overdue MQL: the overdue count loses it
    left_queue: bool  # it was in the acting rep's queue
    # An undo: owner and SLA clock are back as they were, which the views cannot adjust
    # their counts by (was the lead counted where it stood?), so they count again.
    restores: bool = False

    @property
    def lead_id(self) -> int:
        return self.change.lead_id

    @property
    def from_stage(self) -> Stage:
        return self.before.stage

    @property
    def to_stage(self) -> Stage:
        return self.change.to_stage

    @property
    def changes(self) -> Changes:
        return Changes(moves=(self,))


@dataclass(frozen=True, slots=True)
class Changes:
    moves: tuple[StageMove, ...] = ()
    """Leads that changed stage, in order."""
    details: frozenset[int] = frozenset()
    """Leads whose details changed (a note, a BANT item): shown again where they are shown."""
    leads: bool = False
    """Leads were added, merged, rescored or changed in bulk: every list is read again."""
    criteria: bool = False
    """The team's criteria changed: scores, SLAs and reasons follow the new version."""

    def __bool__(self) -> bool:
        """Whether anything changed."""
        return bool(self.moves or self.details or self.leads or self.criteria)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.moves + other.moves, self.details | other.details,
                       self.leads or other.leads, self.criteria or other.criteria)

    def touched(self) -> frozenset[int]:
        """The leads this changed one by one."""
        return self.details | {move.lead_id for move in self.moves}


NOTHING = Changes()
EVERYTHING = Changes(leads=True, criteria=True)
