"""An erasure on request reaches every laptop, the offline ones too, and the team server keeps
no trace of the person; do not contact travels both ways."""

from datetime import timedelta

import psycopg
from sqlalchemy import text

from tests.store.test_erasure import file_bytes
from tests.sync.test_sync import laptop, me  # noqa: F401 (a fixture)
from workbench.clock import utcnow
from workbench.rules.erasure import ERASED_NAME
from workbench.rules.routing import RoutingRule
from workbench.rules.stages import Stage
from workbench.services import erasure, followup, routing, triage
from workbench.services.sync import synchronise
from workbench.store.leads import Store

SECRET = "Zyxwquist"  # the person's surname: in nothing else


def the_lead(store: Store) -> int:
    with store.reading() as s:
        return s.execute(text("SELECT id FROM leads")).scalar_one()


def what_each_keeps(store: Store) -> tuple:
    """The lead as every laptop should agree on it: the anonymous row and its history."""
    detail = store.lead_detail(the_lead(store))
    lead = detail.lead
    return (lead.name, lead.email, lead.job_title, lead.stage, lead.erased_at,
            lead.do_not_contact,
            sorted((a.kind, a.outcome, a.occurred_at, a.note, a.url) for a in detail.activities),
            sorted(store.bant(lead.id).items()))


def server_rows_naming(server_url: str, word: str) -> list[str]:
    """The server's tables with a row that holds the word, anywhere in it."""
    with psycopg.connect(server_url) as owner:
        tables = [r[0] for r in owner.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return [t for t in tables if owner.execute(
            f"SELECT EXISTS (SELECT 1 FROM {t} x WHERE x::text ILIKE %s)",
            (f"%{word}%",)).fetchone()[0]]


def test_an_erased_person_leaves_three_laptops_and_the_server_the_offline_one_too(
        team, laptop, server_url, tmp_path):  # noqa: F811
    dana, ana, ben = laptop("dana"), laptop("ana"), laptop("ben")  # laptops A, B and C
    synchronise(dana, team["dana"])
    lead = dana.add_lead(first_name="Ines", last_name=SECRET, email=f"ines@{SECRET}.example",
                         phone="+49 30 1234567", job_title=f"Head of {SECRET} Sales",
                         stage=Stage.MQL)  # in the pool: every rep sees it
    dana.add_note(lead, f"Met {SECRET} at the fair", by=me(dana, "dana"))
    dana.set_bant(lead, "budget", "confirmed", f"{SECRET} has 50k", by=me(dana, "dana"))
    for store, name in ((dana, "dana"), (ana, "ana"), (ben, "ben")):
        synchronise(store, team[name])
    assert SECRET.lower().encode() in file_bytes(tmp_path / "ana.db")  # this test can fail

    # C goes offline, its clock a day ahead: by the clocks, its edits come after the erasure
    with ben.writing() as s:
        s.execute(text("UPDATE sync_state SET hlc = hlc + :day"), {"day": 86_400_000 * 65536})
    on_ben = the_lead(ben)
    with ben.writing() as s:
        s.execute(text("UPDATE leads SET email = :e, job_title = :t WHERE id = :i"),
                  {"e": f"ines.{SECRET}@newjob.example", "t": f"CEO of {SECRET} GmbH",
                   "i": on_ben})
    followup.log_touch(ben, on_ben, "call", "connected", note=f"{SECRET} called back",
                       at=utcnow() - timedelta(minutes=5), by=me(ben, "ben"))
    ben.set_bant(on_ben, "need", "partial", f"{SECRET} needs it by March", by=me(ben, "ben"))
    erasure.do_not_contact(ben, on_ben, True, by=me(ben, "ben"))  # and off again, later
    erasure.do_not_contact(ben, on_ben, False, by=me(ben, "ben"))

    erasure.erase(dana, lead, by=me(dana, "dana"))  # A erases, and syncs
    synchronise(dana, team["dana"])
    pulled = synchronise(ana, team["ana"])  # B: gone after one sync
    assert pulled.erased == 1
    assert "1 person erased on request elsewhere, erased here too" in pulled.summary()
    assert ana.lead(the_lead(ana)).name == ERASED_NAME
    assert SECRET.lower().encode() not in file_bytes(tmp_path / "ana.db")

    result = synchronise(ben, team["ben"])  # C comes back: its edits bring no one back
    assert not result.refused
    assert SECRET.lower().encode() not in file_bytes(tmp_path / "ben.db")
    assert not ben.search_ids(SECRET) and not ben.search_ids("Ines")
    assert server_rows_naming(server_url, SECRET) == []
    assert server_rows_naming(server_url, "Ines") == []

    for store, name in ((dana, "dana"), (ana, "ana"), (ben, "ben")):
        synchronise(store, team[name])
    kept = what_each_keeps(dana)
    assert what_each_keeps(ana) == what_each_keeps(ben) == kept
    name, email, title, stage, erased_at, do_not_contact, activities, bant = kept
    assert (name, email, title, stage, do_not_contact) == (ERASED_NAME, None, None,
                                                          Stage.MQL, True)
    assert erased_at is not None
    assert ("call", "connected") in {a[:2] for a in activities}  # C's call counts, unnamed
    assert all(a[3] is None and a[4] is None for a in activities)
    assert bant == [("authority", ("unknown", None)), ("budget", ("confirmed", None)),
                    ("need", ("partial", None)), ("timeline", ("unknown", None))]
    for path in ("dana.db", "ana.db", "ben.db"):
        assert SECRET.lower().encode() not in file_bytes(tmp_path / path)


def test_do_not_contact_travels_both_ways_and_keeps_a_lead_out_of_every_queue(
        team, laptop):  # noqa: F811
    ana, dana = laptop("ana"), laptop("dana")
    synchronise(ana, team["ana"])
    quiet = ana.add_lead(first_name="Quiet", last_name="One", stage=Stage.MQL)  # the pool's
    synchronise(ana, team["ana"])
    synchronise(dana, team["dana"])
    on_dana = the_lead(dana)
    assert [c.id for c in dana.queue(None)] == [on_dana]

    erasure.do_not_contact(ana, quiet, by=me(ana, "ana"))
    synchronise(ana, team["ana"])
    synchronise(dana, team["dana"])
    assert dana.lead(on_dana).do_not_contact and dana.queue(None) == []
    everyone = (RoutingRule("Everyone", ("ben@sales.example",)),)
    triage.save_criteria(dana, dana.current_criteria().with_changes(routing=everyone),
                         by=me(dana, "dana"))
    assert routing.route_new_mqls(dana) == []  # routed to nobody
    assert dana.lead(on_dana).owner_id is None

    erasure.do_not_contact(dana, on_dana, False, by=me(dana, "dana"))
    synchronise(dana, team["dana"])
    synchronise(ana, team["ana"])
    assert not ana.lead(quiet).do_not_contact
    assert [c.id for c in ana.queue(None)] == [quiet]


def test_an_erasure_made_before_erasures_travelled_goes_at_the_next_sync(team, server_url,
                                                                         tmp_path):
    from alembic import command

    from workbench.store import db
    from workbench.store.erasure import erase_people

    path = tmp_path / "ana.db"
    with Store.open(path) as ana:
        synchronise(ana, team["ana"])
        lead = ana.add_lead(first_name="Ines", last_name=SECRET, owner_id=me(ana, "ana"),
                            stage=Stage.MQL)
        ana.add_note(lead, f"Met {SECRET} at the fair", by=me(ana, "ana"))
        synchronise(ana, team["ana"])
    engine = db.create_sqlite_engine(path)
    with db.write_connection(engine) as conn:  # erased by the workbench of migration 0019
        command.downgrade(db._alembic_config(conn), "20261206_0019")
        erase_people(conn.connection.driver_connection, [lead], "2026-11-23 12:00:00.000000")
        # and synced then: nothing waits to be sent, yet the server has the notes
        conn.exec_driver_sql("DELETE FROM sync_outbox")
    engine.dispose()
    assert server_rows_naming(server_url, SECRET) == ["activities", "leads"]  # can fail
    with Store.open(path) as ana:  # upgraded: the erasure waits to be sent
        synchronise(ana, team["ana"])
    assert server_rows_naming(server_url, SECRET) == []
