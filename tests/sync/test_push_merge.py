"""The team server's side of a push: rows new to it are copied in as they came, in one
statement; rows it has merge group by group by their clocks; rows that name what it lacks
are refused, in words. One push may hold all of them."""

import psycopg

from tests.sync.test_sync import laptop, me  # noqa: F401  (the laptop fixture)
from workbench.rules.stages import Stage
from workbench.services.sync import synchronise
from workbench.store.leads import Store
from workbench.sync.protocol import ACTIVITY, LEAD_ENTITY, Batch, Entity
from workbench.sync.team_server import TeamServer


def rows(store: Store, entity: Entity) -> list[tuple[dict, dict]]:
    """The laptop's rows of an entity as a first push sends them, with their clocks."""
    return [(dict(row), {g: list(c) for g, c in clocks.items()})
            for batch in store.all_rows(entity, 100)
            for row, clocks in zip(batch.rows, batch.clocks, strict=True)]


def moved(clocks: dict, by: int) -> dict:
    return {group: [hlc + by, device] for group, (hlc, device) in clocks.items()}


def batch(entity: Entity, *pairs: tuple[dict, dict]) -> Batch:
    return Batch(entity, [row for row, _ in pairs], [clocks for _, clocks in pairs])


def on_server(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as owner:
        return owner.execute(sql).fetchall()


def test_one_push_of_new_rows_rows_the_server_has_and_rows_it_refuses(team, laptop,  # noqa: F811
                                                                        server_url):
    ana = laptop("ana")
    synchronise(ana, team["ana"])
    leads = [ana.add_lead(first_name=name, last_name="Mix", owner_id=me(ana, "ana"),
                          stage=Stage.MQL) for name in ("Newer", "Older", "Fresh", "Stray")]
    ana.add_note(leads[2], "met at the fair", by=me(ana, "ana"))
    ana.add_note(leads[3], "never sent", by=me(ana, "ana"))
    newer, older, fresh, stray = rows(ana, LEAD_ENTITY)
    fresh_note, stray_note = rows(ana, ACTIVITY)
    with TeamServer(team["ana"]) as server:
        assert server.push([batch(LEAD_ENTITY, newer, older)], []) == []

        newer[0]["job_title"], older[0]["job_title"] = "CFO", "Intern"
        stray[0]["owner_email"] = "nobody@sales.example"
        refused = server.push([batch(LEAD_ENTITY, (newer[0], moved(newer[1], 10)),
                                     (older[0], moved(older[1], -10)), fresh, stray),
                               batch(ACTIVITY, fresh_note, stray_note)], [])
        again = server.push([batch(LEAD_ENTITY, fresh), batch(ACTIVITY, fresh_note)], [])

    assert [(r.entity, r.uid, r.reason) for r in refused] == [
        ("lead", stray[0]["uid"],
         "its owner nobody@sales.example has no account on the team server"),
        ("activity", stray_note[0]["uid"],
         "its lead is not on the team server, or not yours to see")]
    assert again == []  # sent twice, written once
    assert on_server(server_url, "SELECT first_name, job_title, sync_clocks -> 'contact' "
                                 "FROM leads ORDER BY id") == [
        ("Newer", "CFO", moved(newer[1], 10)["contact"]),  # its clock is later: it wins
        ("Older", None, older[1]["contact"]),  # an earlier clock loses to the server's
        ("Fresh", None, fresh[1]["contact"])]
    assert on_server(server_url, "SELECT l.first_name, a.note, a.uid FROM activities a "
                                 "JOIN leads l ON l.id = a.lead_id") == [
        ("Fresh", "met at the fair", fresh_note[0]["uid"])]


def test_a_first_push_cut_short_and_run_again_writes_each_row_once(team, laptop,  # noqa: F811
                                                                     server_url):
    ana = laptop("ana")
    leads = [ana.add_lead(first_name=f"Lead{i}", last_name="Cut", stage=Stage.MQL)
             for i in range(3)]
    ana.add_note(leads[0], "first call")
    pushed_leads = rows(ana, LEAD_ENTITY)
    with TeamServer(team["ana"]) as server:  # the first push got as far as two leads
        server.push([batch(LEAD_ENTITY, *pushed_leads[:2])], [])
    assert synchronise(ana, team["ana"]).refused == []
    assert on_server(server_url, "SELECT first_name FROM leads ORDER BY id") == [
        ("Lead0",), ("Lead1",), ("Lead2",)]
    assert on_server(server_url, "SELECT count(*) FROM activities") == [(1,)]
