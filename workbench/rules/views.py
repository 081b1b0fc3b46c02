"""Saved views: a name for the board's filters, sort and visible columns, kept on the
laptop per database or shared with the team as the criteria's [[views]] tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.rules.refusals import BadInput
from workbench.rules.stages import Stage

# the values of the store's OwnerFilter and BoardSort (rules read no store; a test checks)
OWNERS = ("all", "mine", "unassigned")
SORTS = ("score", "time_in_stage", "last_activity")
MAX_VIEWS = 9  # Ctrl+Shift+1 … 9
MAX_NAME = 40
# what a view's filters may say, and the type each takes
FILTER_TYPES: dict[str, tuple[type, ...]] = {
    "owner": (str,), "source": (str,), "campaign": (str,), "min_score": (int,),
    "max_score": (int,), "overdue": (bool,), "stale": (bool,), "search": (str,)}


@dataclass(frozen=True)
class SavedView:
    name: str
    filters: Mapping[str, Any] = field(default_factory=dict)  # FILTER_TYPES' keys; absent: any
    sort: str = "score"
    stages: tuple[str, ...] = ()  # the board's visible columns; empty: as they are

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SavedView:
        if not isinstance(data, Mapping):
            raise BadInput(f"A view is a table with a name, filters, sort and stages, "
                           f"not {data!r}.")
        unknown = set(data) - {"name", "filters", "sort", "stages"}
        if unknown:
            raise BadInput(f"View '{data.get('name', '?')}': unknown setting "
                           f"{', '.join(sorted(unknown))} (name, filters, sort, stages).")
        stages = data.get("stages", ())
        view = cls(name=data.get("name", ""), filters=dict(data.get("filters") or {}),
                   sort=data.get("sort", "score"),
                   stages=tuple(stages) if isinstance(stages, list | tuple) else stages)
        view.validate()
        return view

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "filters": dict(self.filters), "sort": self.sort,
                "stages": list(self.stages)}

    def validate(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise BadInput("A view needs a name.")
        if len(self.name) > MAX_NAME:
            raise BadInput(f"View '{self.name[:MAX_NAME]}…': a name is at most {MAX_NAME} "
                           "characters.")
        what = f"View '{self.name}'"
        for key, value in self.filters.items():
            types = FILTER_TYPES.get(key)
            if types is None:
                raise BadInput(f"{what}: unknown filter '{key}' (one of "
                               f"{', '.join(FILTER_TYPES)}).")
            if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
                raise BadInput(f"{what}: filter '{key}' must be "
                               f"{'true or false' if bool in types else types[0].__name__}, "
                               f"not {value!r}.")
        if self.filters.get("owner", "all") not in OWNERS:
            raise BadInput(f"{what}: owner must be one of {', '.join(OWNERS)}.")
        low, high = self.filters.get("min_score"), self.filters.get("max_score")
        if low is not None and high is not None and low > high:
            raise BadInput(f"{what}: min_score {low} is above max_score {high}.")
        if self.sort not in SORTS:
            raise BadInput(f"{what}: sort must be one of {', '.join(SORTS)}, "
                           f"not {self.sort!r}.")
        if not isinstance(self.stages, tuple):
            raise BadInput(f"{what}: stages must be a list of stages.")
        known = {stage.value for stage in Stage}
        for stage in self.stages:
            if stage not in known:
                raise BadInput(f"{what}: unknown stage {stage!r} (one of "
                               f"{', '.join(sorted(known))}).")


def validate_views(views: Sequence[SavedView]) -> None:
    for view in views:
        view.validate()
    names = [view.name.strip().casefold() for view in views]
    if len(names) != len(set(names)):
        raise BadInput("Two views have the same name; each view's name must be its own.")
    if len(views) > MAX_VIEWS:
        raise BadInput(f"At most {MAX_VIEWS} shared views (Ctrl+Shift+1 … 9).")
