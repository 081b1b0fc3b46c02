"""The funnel a lead goes through in the demo: its stage changes and rep touches, the
behaviour that follows its intent, its BANT records, and the reasons reps gave."""

from __future__ import annotations

import numpy as np

from workbench.demo.catalogue import (
    BANT_NOTES,
    BEHAVIOUR_MIX,
    DAY,
    FAILED_ITEM,
    FIRST_URL,
    HOUR,
    KIND,
    PAGES,
    RECYCLE_WEIGHTS,
    REJECT_REASONS,
    REJECT_WEIGHTS_GOOD,
    REJECT_WEIGHTS_POOR,
    STAY,
    S,
)
from workbench.demo.columns import nullable, pick, sigmoid, sql_times
from workbench.rules.qualification import BANT_ITEMS
from workbench.rules.stages import ACCOUNT_STAGES, Stage
from workbench.rules.vocabulary import ActivityKind, BantStatus, PageKind


class History:
    """Stage changes and rep touches collected while the funnel runs, as arrays.

    A million leads make millions of rows, so each part is kept in the narrowest type that
    holds it (lead ids int32, stage, kind and reason codes int8) and `take_*` hands the
    columns over once, dropping the parts."""

    _CHANGE_TYPES = (np.int32, np.int8, np.int8, np.int64, np.int32, np.int8)
    _TOUCH_TYPES = (np.int32, np.int64, np.int8, np.int32)

    def __init__(self) -> None:
        self._changes: list[tuple[np.ndarray, ...]] = []
        self._touches: list[tuple[np.ndarray, ...]] = []

    def change(self, lead, from_code, to_code, at, user, reason) -> None:
        self._changes.append(_narrowed((lead, from_code, to_code, at, user, reason),
                                       self._CHANGE_TYPES))

    def touch(self, lead, at, kind, user) -> None:
        self._touches.append(_narrowed((lead, at, kind, user), self._TOUCH_TYPES))

    def take_changes(self) -> list[np.ndarray]:
        """lead, from, to, at, user and reason columns of every stage change."""
        return _concatenated(self._changes, self._CHANGE_TYPES)

    def take_touches(self) -> list[np.ndarray]:
        """lead, at, kind and user columns of every rep touch."""
        return _concatenated(self._touches, self._TOUCH_TYPES)


def _narrowed(columns, types) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(c).astype(t, copy=False) for c, t in zip(columns, types,
                                                                       strict=True))


def _concatenated(parts: list[tuple[np.ndarray, ...]], types) -> list[np.ndarray]:
    columns = [np.concatenate([p[i] for p in parts]) if parts else np.empty(0, t)
               for i, t in enumerate(types)]
    parts.clear()
    return columns


def at_customer_accounts(stage, company, n_co):
    """Per lead, 1 when it is not a customer (or evangelist) itself and another lead at its
    company is (as store._FIT_FIELD_SQL's account_status), else 0."""
    buys = np.isin(stage, [S[s] for s in ACCOUNT_STAGES])
    account = np.zeros(n_co, dtype=bool)
    account[company[buys]] = True
    return (account[company] & ~buys).astype(np.int64)


def run_funnel(rng, history: History, n, created, end, quality, rep, covered):
    """Walk every lead through the stage machine until it stops or reaches today.

    Each round moves all still-moving leads one step, stage by stage, with
    probabilities that rise with quality; a step whose time would fall after
    `end` does not happen, which leaves recent leads early in the funnel. `rep` is who
    works each lead, `covered` whether routing hands its new MQLs to that rep.
    """
    stage = np.full(n, S[Stage.LEAD])
    at = created.copy()
    owner = np.zeros(n, dtype=np.int64)
    revisit = np.zeros(n, dtype=np.int64)
    mql_at = np.zeros(n, dtype=np.int64)
    reached_sql = np.zeros(n, dtype=bool)
    reject_reason = np.full(n, -1)
    moving = np.ones(n, dtype=bool)
    all_leads = np.arange(n)
    history.change(all_leads, np.full(n, -1), stage.copy(), created.copy(),
                   np.zeros(n, np.int64), np.full(n, -1))
    n_reject = len(REJECT_REASONS)
    # when the team's first window looked each day (a generator of its own: these draws
    # change none of the others)
    first_day = int(created.min()) // DAY
    looks = _first_looks(rng.spawn(1)[0], first_day, end)

    for _round in range(64):  # ends long before: every step moves time towards `end`
        idx = np.flatnonzero(moving)
        if idx.size == 0:
            break
        for code in np.unique(stage[idx]):
            sub = idx[stage[idx] == code]
            k = sub.size
            q = quality[sub]
            u = rng.random(k)
            nxt = np.full(k, STAY)
            reason = np.full(k, -1)
            by_rep = np.zeros(k, dtype=bool)
            if code == S[Stage.LEAD]:
                gap = rng.exponential(12 * DAY, k)
                p_mql = 0.85 * sigmoid(1.3 * q - 0.4)
                nxt[u < p_mql] = S[Stage.MQL]
                junk = (u >= p_mql) & (u < p_mql + 0.04)
                nxt[junk] = S[Stage.DISQUALIFIED]
                reason[junk] = REJECT_REASONS.index("bad_data")
            elif code == S[Stage.MQL]:
                # first touch and decision: most within the 24-hour SLA, some left waiting
                slow = rng.random(k) < 0.45
                gap = np.where(slow, rng.exponential(12 * DAY, k), rng.exponential(10 * HOUR, k))
                gap += 0.5 * HOUR
                p_accept = sigmoid(1.4 * q - 0.9)
                accept = u < p_accept
                recycle = ~accept & (rng.random(k) < 0.35)
                nxt[accept] = S[Stage.SAL]
                nxt[recycle] = S[Stage.RECYCLED]
                reject = ~accept & ~recycle
                nxt[reject] = S[Stage.DISQUALIFIED]
                reason[reject] = _reject_reasons(rng, q[reject])
                reason[recycle] = n_reject + pick(rng, RECYCLE_WEIGHTS, int(recycle.sum()))
                by_rep[:] = True
                touch_at = at[sub] + (0.7 * gap).astype(np.int64)
                ok = touch_at < end
                history.touch(sub[ok], touch_at[ok],
                              np.where(rng.random(int(ok.sum())) < 0.55,
                                       KIND[ActivityKind.CALL], KIND[ActivityKind.EMAIL_SENT]),
                              rep[sub[ok]])
            elif code in (S[Stage.SAL], S[Stage.SQL], S[Stage.OPPORTUNITY]):
                step = {S[Stage.SAL]: (S[Stage.SQL], 8, 1.3, -0.6),
                        S[Stage.SQL]: (S[Stage.OPPORTUNITY], 14, 1.2, -0.3),
                        S[Stage.OPPORTUNITY]: (S[Stage.CUSTOMER], 35, 1.3, -1.6)}[int(code)]
                target, days, slope, shift = step
                gap = rng.exponential(days * DAY, k) + HOUR
                win = u < sigmoid(slope * q + shift)
                nxt[win] = target
                lost = ~win
                recycle = lost & (rng.random(k) < 0.5)
                nxt[recycle] = S[Stage.RECYCLED]
                reason[recycle] = n_reject + pick(rng, RECYCLE_WEIGHTS, int(recycle.sum()))
                disq = lost & ~recycle
                nxt[disq] = S[Stage.DISQUALIFIED]
                reason[disq] = _reject_reasons(rng, q[disq])
                by_rep[:] = True
                meet = win & (target != S[Stage.CUSTOMER])
                meet_at = at[sub[meet]] + (0.8 * gap[meet]).astype(np.int64)
                ok = meet_at < end
                history.touch(sub[meet][ok], meet_at[ok],
                              np.full(int(ok.sum()), KIND[ActivityKind.MEETING]),
                              rep[sub[meet][ok]])
            elif code == S[Stage.CUSTOMER]:
                gap = rng.exponential(120 * DAY, k)
                nxt[u < 0.2] = S[Stage.EVANGELIST]
                by_rep[:] = True
            elif code == S[Stage.RECYCLED]:
                # back in the queue on its date, when a window first looked that day, as
                # the product brings them back (triage.return_recycled); on the demo's
                # day, before its 'now'
                due = revisit[sub]
                back = due + looks[due // DAY - first_day]
                today = (due < end) & (back >= end)
                back[today] = due[today] + (end - due[today]) // 2
                gap = (back - at[sub]).astype(float)
                nxt[:] = S[Stage.MQL]
            else:  # disqualified and evangelist end the walk
                gap = np.zeros(k)

            when = at[sub] + gap.astype(np.int64)
            moves = (nxt != STAY) & (when < end)
            moved = sub[moves]
            history.change(moved, stage[moved], nxt[moves], when[moves],
                           np.where(by_rep[moves], rep[moved], 0), reason[moves])
            moving[sub[~moves]] = False
            new = nxt[moves]
            stage[moved] = new
            at[moved] = when[moves]
            mql_at[moved[new == S[Stage.MQL]]] = when[moves][new == S[Stage.MQL]]
            reached_sql[moved[new == S[Stage.SQL]]] = True
            rejected = moved[(new == S[Stage.DISQUALIFIED]) & (reason[moves] >= 0)]
            reject_reason[rejected] = reason[moves][(new == S[Stage.DISQUALIFIED])
                                                    & (reason[moves] >= 0)]
            # routing gives a new MQL to its rep; one no rule covers waits in the pool
            routed = moved[(new == S[Stage.MQL]) & covered[moved]]
            owner[routed] = rep[routed]
            owner[moved[by_rep[moves]]] = rep[moved[by_rep[moves]]]
            recycled = moves & (nxt == S[Stage.RECYCLED])
            # a date to look again means from the start of that day: midnight
            revisit[sub[recycled]] = (when[recycled] // DAY + rng.integers(
                30, 121, int(recycled.sum()))) * DAY
            moving[moved[(new == S[Stage.DISQUALIFIED]) | (new == S[Stage.EVANGELIST])]] = False
    owner[stage == S[Stage.LEAD]] = 0
    return stage, at, owner, revisit, mql_at, reached_sql, reject_reason


def _first_looks(rng, first_day: int, end: int) -> np.ndarray:
    """Seconds into each day from `first_day` (and the 120 days after `end` a revisit date
    may fall on) at which the team's first window, or `workbench queue`, looked: mornings,
    around half past eight."""
    days = end // DAY - first_day + 1 + 130
    return np.minimum(7 * HOUR + rng.gamma(2.0, 45 * 60, days).astype(np.int64), DAY - 1)


def _reject_reasons(rng, q: np.ndarray) -> np.ndarray:
    good = q > 0
    out = np.empty(q.size, dtype=np.int64)
    out[good] = pick(rng, REJECT_WEIGHTS_GOOD, int(good.sum()))
    out[~good] = pick(rng, REJECT_WEIGHTS_POOR, int((~good).sum()))
    return out


def behaviour(rng, n, created, end, intent, mql_at) -> dict[str, np.ndarray]:
    """Behaviour events: more and hotter for leads with more intent."""
    counts = np.minimum(rng.poisson(np.exp(0.95 + 0.55 * intent)), 80)
    lead = np.repeat(np.arange(n, dtype=np.int32), counts)
    total = lead.size
    span = (end - created)[lead]
    # hot leads act around their MQL moment; others spread over their lifetime
    at = created[lead] + (span * rng.beta(1.2, 1.6, total)).astype(np.int64)
    near_mql = (mql_at[lead] > 0) & (rng.random(total) < 0.5)
    at[near_mql] = np.maximum(
        created[lead][near_mql],
        mql_at[lead][near_mql] - rng.exponential(3 * DAY, int(near_mql.sum())).astype(np.int64))
    at = np.minimum(at, end - 60)
    band = np.where(intent[lead] > 1.0, 2, np.where(intent[lead] > -0.2, 1, 0))
    kind = np.empty(total, dtype=np.int8)
    page = np.zeros(total, dtype=np.int8)  # codes into PAGE_NAMES
    url = np.zeros(total, dtype=np.int16)  # codes into URL_NAMES
    for b, name in enumerate(("cold", "warm", "hot")):
        rows = np.flatnonzero(band == b)
        mix = BEHAVIOUR_MIX[name]
        choice = pick(rng, [m[2] for m in mix], rows.size)
        kind[rows] = np.array([KIND[m[0]] for m in mix])[choice]
        for j, (_k, page_kind, _w) in enumerate(mix):
            if page_kind is None:
                continue
            hit = rows[choice == j]
            page[hit] = list(PageKind).index(page_kind) + 1
            url[hit] = FIRST_URL[page_kind] + rng.integers(0, len(PAGES[page_kind]), hit.size)
    return {"lead": lead, "at": at, "kind": kind, "page": page, "url": url}


def bant_rows(rng, stage, reached_sql, reject_reason, at, owner):
    """BANT records for every lead sales has worked, consistent with where it went."""
    worked = np.flatnonzero(reached_sql | np.isin(stage, [S[Stage.SAL], S[Stage.SQL]])
                            | (reject_reason >= 0) & (owner > 0))
    k = worked.size
    statuses = np.array([s.value for s in BantStatus], dtype=object)
    columns = {}
    for item in BANT_ITEMS:
        # SQLs meet the default rule: need confirmed, the rest confirmed or partial
        status = pick(rng, (30, 30, 30, 10), k)  # unknown, confirmed, partial, failed
        qualified = reached_sql[worked]
        status[qualified] = np.where(rng.random(int(qualified.sum())) < 0.7, 1, 2)
        if item == "need":
            status[qualified] = 1
        failed_here = np.array([FAILED_ITEM.get(REJECT_REASONS[r]) == item if r >= 0 else False
                                for r in reject_reason[worked].tolist()], dtype=bool)
        status[failed_here] = 3
        status[~qualified & ~failed_here & (status == 3)] = 0
        notes = np.array(BANT_NOTES[item], dtype=object)[rng.integers(0, 3, k)]
        notes[status == 0] = None
        columns[item] = statuses[status].tolist()
        columns[f"{item}_note"] = notes.tolist()
    cols = ("lead_id", *[c for item in BANT_ITEMS for c in (item, f"{item}_note")],
            "updated_at", "updated_by")
    rows = zip((worked + 1).tolist(),
               *[columns[c] for item in BANT_ITEMS for c in (item, f"{item}_note")],
               sql_times(at[worked]), nullable(owner[worked], owner[worked] > 0),
               strict=True)
    return cols, rows
