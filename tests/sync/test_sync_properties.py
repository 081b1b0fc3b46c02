"""Three laptops doing random offline work and syncing in random orders end with the same
data (property-based, on a real team server)."""

import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from tests.stage_totals import assert_totals_exact
from workbench.rules.stages import REASON_KIND, TRANSITIONS, Stage
from workbench.services import erasure
from workbench.services.sync import synchronise
from workbench.store.leads import Store
from workbench.sync.server import add_account, init_server

LAPTOPS = ("ana", "ben", "cy")
TITLES = ("Analyst", "Head of Sales", "VP Sales", "CTO")
BANT = ("budget", "authority", "need", "timeline")

operation = st.tuples(
    st.integers(0, len(LAPTOPS) - 1),
    st.sampled_from(("sync", "sync", "note", "title", "move", "move", "bant", "add",
                     "erase", "dnc")),
    st.integers(0, 50),
)


def fresh_team(cluster: str) -> dict[str, str]:
    name = f"prop_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{cluster}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = f"{cluster}/{name}"
    init_server(url)
    host = url.split("@", 1)[1]
    urls = {}
    for laptop in LAPTOPS:  # managers all: every laptop may see every lead
        role = add_account(url, email=f"{laptop}@sales.example", name=laptop.title(),
                           password=f"{laptop}-pw", manager=True)
        urls[laptop] = f"postgresql://{role}:{laptop}-pw@{host}"
    return urls


def lead_ids(store: Store) -> list[int]:
    with store.reading() as s:
        return [r[0] for r in s.execute(text("SELECT id FROM leads ORDER BY id"))]


def act(store: Store, user: int, kind: str, pick: int) -> None:
    ids = lead_ids(store)
    if kind == "add" or not ids:
        store.add_lead(first_name=f"Lead{pick}", last_name="X", stage=Stage.MQL, by=user)
        return
    lead = ids[pick % len(ids)]
    if store.lead(lead).erased_at is not None and kind in ("note", "title", "bant", "erase",
                                                          "dnc"):
        return  # nothing more is written about an erased person, nor marked (rules.erasure)
    if kind == "erase":
        erasure.erase(store, lead, by=user)
    elif kind == "dnc":
        erasure.do_not_contact(store, lead, not store.lead(lead).do_not_contact, by=user)
    elif kind == "note":
        store.add_note(lead, f"note {pick}", by=user)
    elif kind == "title":
        with store.writing() as s:
            s.execute(text("UPDATE leads SET job_title = :t WHERE id = :i"),
                      {"t": TITLES[pick % len(TITLES)], "i": lead})
    elif kind == "bant":
        store.set_bant(lead, BANT[pick % 4], "confirmed", f"by {user}", by=user)
    elif kind == "move":
        current = store.lead(lead).stage
        targets = sorted(TRANSITIONS[current][0])
        if not targets:
            return
        target = targets[pick % len(targets)]
        reason = REASON_KIND.get(target)
        store.move_lead(lead, target, by=user,
                        reason_code=store.reasons(reason)[0][0] if reason else None,
                        revisit_on=date(2027, 1, 1) + timedelta(days=pick)
                        if target == Stage.RECYCLED else None)


def team_data(store: Store) -> dict:
    """What every laptop must agree on, by uid (local ids differ between laptops)."""
    uid = "coalesce({t}.uid, (SELECT device FROM sync_state) || '-' || {t}.id)"
    with store.reading() as s:
        leads = s.execute(text(
            f"SELECT {uid.format(t='l')}, l.first_name, l.job_title, l.stage, "
            "l.stage_entered_at, l.mql_at, l.revisit_on, u.email, l.erased_at, "
            "l.do_not_contact FROM leads l "
            "LEFT JOIN users u ON u.id = l.owner_id")).all()
        history = s.execute(text(
            f"SELECT {uid.format(t='l')}, {uid.format(t='c')}, c.to_stage FROM stage_changes c "
            "JOIN leads l ON l.id = c.lead_id ORDER BY 1, coalesce(c.hlc, 0), 2")).all()
        notes = s.execute(text(
            f"SELECT {uid.format(t='a')}, {uid.format(t='l')}, a.kind, a.note FROM activities a "
            "JOIN leads l ON l.id = a.lead_id")).all()
        bant = s.execute(text(
            f"SELECT {uid.format(t='l')}, q.budget, q.budget_note, q.authority, q.need, "
            "q.timeline FROM qualifications q JOIN leads l ON l.id = q.lead_id")).all()
        conflicts = s.execute(text("SELECT uid, resolved_at FROM stage_conflicts")).all()
    return {"leads": sorted(map(tuple, leads)), "history": [tuple(r) for r in history],
            "activities": sorted(map(tuple, notes)), "bant": sorted(map(tuple, bant)),
            "conflicts": sorted(map(tuple, conflicts))}


# no shrinking: each example builds a server database and three laptops, and a failing
# example is printed as it was found
@settings(max_examples=12, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=5, max_size=30))
@pytest.mark.slow
def test_three_laptops_end_with_identical_data(pg_cluster, operations):
    urls = fresh_team(pg_cluster)
    with tempfile.TemporaryDirectory() as folder:
        stores = [Store.open(Path(folder) / f"{name}.db") for name in LAPTOPS]
        try:
            for store, name in zip(stores, LAPTOPS, strict=True):
                synchronise(store, urls[name])
            users = [s.user_by_email(f"{n}@sales.example")
                     for s, n in zip(stores, LAPTOPS, strict=True)]
            act(stores[0], users[0], "add", 0)
            for laptop, kind, pick in operations:
                if kind == "sync":
                    synchronise(stores[laptop], urls[LAPTOPS[laptop]])
                else:
                    act(stores[laptop], users[laptop], kind, pick)
            for _round in range(2):
                for store, name in zip(stores, LAPTOPS, strict=True):
                    result = synchronise(store, urls[name])
                    assert not result.refused
            first = team_data(stores[0])
            assert first["leads"]
            for other in stores[1:]:
                assert team_data(other) == first
            for store in stores:
                assert_totals_exact(store)
        finally:
            for store in stores:
                store.close()
