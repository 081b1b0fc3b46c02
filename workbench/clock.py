"""The workbench's one clock: every business 'now' and 'today' is read here.

Times are stored as naive UTC. `WORKBENCH_NOW` (an ISO time, read as UTC) fixes the clock
for a whole process and the processes it starts: the test suite sets it, so no test depends
on the day it runs, and it makes a screenshot or a demo reproducible.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from workbench.rules.refusals import BadInput

FIXED_NOW = "WORKBENCH_NOW"


def utcnow() -> datetime:
    """Naive UTC, as every time is stored."""
    fixed = os.environ.get(FIXED_NOW)
    if fixed:
        return _parse_fixed(fixed)
    return datetime.now(UTC).replace(tzinfo=None)


@lru_cache(maxsize=4)
def _parse_fixed(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{FIXED_NOW} wants an ISO time such as 2026-11-23T09:00, "
                       f"not {text!r}.") from None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def local_today(now: datetime | None = None) -> date:
    """The date on the user's calendar (the machine's time zone) at a UTC moment."""
    return _to_local(now or utcnow()).date()


def day_start(now: datetime | None = None) -> datetime:
    """The start of the user's day (local midnight) at a UTC moment, as naive UTC: the
    moment every stored score is computed as of (see scoring)."""
    midnight = datetime.combine(local_today(now), time()).astimezone()  # local zone
    return midnight.astimezone(UTC).replace(tzinfo=None)


def next_day_start(now: datetime | None = None) -> datetime:
    """The next local midnight after a UTC moment, as naive UTC."""
    tomorrow = local_today(now) + timedelta(days=1)
    return datetime.combine(tomorrow, time()).astimezone().astimezone(UTC).replace(tzinfo=None)


def _to_local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone()


def parse_local_time(text: str, what: str = "A time") -> datetime:
    """A time a person typed (2026-12-07T10:00, or with a date alone the start of that
    day), read on their calendar (the machine's time zone) unless it names its own offset;
    returned as naive UTC, as every time is stored."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"{what} is written like 2026-12-07T10:00, not '{text}'.") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the local zone
    return moment.astimezone(UTC).replace(tzinfo=None)
