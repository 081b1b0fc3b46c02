"""Laptops syncing with a real team server: round trips, ownership, merges, conflicts."""

import csv
import io
import json
import time
from datetime import datetime

import keyring
import psycopg
import pytest
from keyring.backends import fail
from sqlalchemy import text

from tests.stage_totals import assert_totals_exact
from workbench import cli
from workbench.clock import local_today
from workbench.files.reading import ImportKind
from workbench.rules.stages import Stage
from workbench.services import scoring
from workbench.services.imports import run_import
from workbench.services.sync import synchronise
from workbench.store.leads import BoardFilter, Store
from workbench.store.reports import HandoverWindow, Measure
from workbench.sync.protocol import SyncError


@pytest.fixture
def laptop(tmp_path):
    opened = []

    def open_laptop(name: str) -> Store:
        store = Store.open(tmp_path / f"{name}.db")
        opened.append(store)
        return store

    yield open_laptop
    for store in opened:
        store.close()


def me(store: Store, name: str) -> int:
    return store.user_by_email(f"{name}@sales.example")


def shared_mql(team, ana: Store, dana: Store, first_name: str) -> tuple[int, int]:
    """An MQL of ana's that she and the manager both have: (its id on ana's, on dana's)."""
    synchronise(ana, team["ana"])
    lead = ana.add_lead(first_name=first_name, last_name="L", owner_id=me(ana, "ana"),
                        stage=Stage.MQL)
    synchronise(ana, team["ana"])
    synchronise(dana, team["dana"])
    [on_dana] = dana.board_lead_ids(BoardFilter())
    return lead, on_dana


def schema(store: Store) -> list[tuple]:
    with store.reading() as s:
        return s.execute(text("SELECT type, name, sql FROM sqlite_master "
                              "WHERE type IN ('index', 'trigger') ORDER BY name")).all()


def lead_names(store: Store) -> list[str]:
    with store.reading() as s:
        return sorted(r[0] for r in s.execute(text("SELECT first_name FROM leads")))


def test_a_lead_made_offline_reaches_the_manager_with_its_history(team, laptop):
    ana, dana = laptop("ana"), laptop("dana")
    synchronise(ana, team["ana"])  # first run: the team's users arrive
    lead = ana.add_lead(first_name="Maria", last_name="Lopez", email="maria@acme.example",
                        owner_id=me(ana, "ana"), stage=Stage.MQL)
    ana.add_note(lead, "Asked for a call on Tuesday", by=me(ana, "ana"))
    ana.move_lead(lead, Stage.SAL, by=me(ana, "ana"))
    result = synchronise(ana, team["ana"])
    assert result.pushed >= 4 and not result.refused
    assert ana.sync_status().waiting == 0

    synchronise(dana, team["dana"])
    assert lead_names(dana) == ["Maria"]
    [maria] = dana.board_lead_ids(BoardFilter())
    detail = dana.lead_detail(maria)
    assert detail.lead.stage == Stage.SAL
    assert detail.lead.owner_id == me(dana, "ana")
    assert [c.to_stage for c in dana.stage_history(maria)] == [Stage.MQL, Stage.SAL]
    assert any(a.note == "Asked for a call on Tuesday" for a in detail.activities)


def test_history_pulled_later_is_searchable_and_counted_in_the_reports(team, laptop):
    ana, dana = laptop("ana"), laptop("dana")
    lead, rui = shared_mql(team, ana, dana, "Rui")  # not yet what follows
    ana.add_note(lead, "Wants the kanban integration", by=me(ana, "ana"))
    ana.add_note(lead, "Budget signed off", by=me(ana, "ana"))
    ana.move_lead(lead, Stage.SAL, by=me(ana, "ana"))
    synchronise(ana, team["ana"])

    synchronise(dana, team["dana"])
    assert dana.search_ids("kanban") == [rui] and dana.search_ids("signed") == [rui]
    accepted = dana.handover_lead_ids(None, None, Measure.ACCEPTED, HandoverWindow(), 10)
    assert accepted == [rui]


def test_running_a_sync_again_changes_nothing(team, laptop):
    ana = laptop("ana")
    synchronise(ana, team["ana"])
    ana.add_lead(first_name="Ola", last_name="N", owner_id=me(ana, "ana"), stage=Stage.MQL)
    synchronise(ana, team["ana"])
    again = synchronise(ana, team["ana"])
    assert again.pushed == 0 and again.pulled == 0
    assert lead_names(ana) == ["Ola"]


def test_a_laptop_gets_back_only_what_others_changed_of_its_rows(team, laptop, monkeypatch):
    ana, dana = laptop("ana"), laptop("dana")
    synchronise(ana, team["ana"])
    lead = ana.add_lead(first_name="Ola", last_name="N", owner_id=me(ana, "ana"),
                        stage=Stage.MQL)
    ana.set_bant(lead, "budget", "confirmed", "50k", by=me(ana, "ana"))
    offered = []
    original_apply = ana.apply_pulled
    monkeypatch.setattr(ana, "apply_pulled",
                        lambda batch: offered.append((batch.entity.name, len(batch.rows)))
                        or original_apply(batch))
    synchronise(ana, team["ana"])
    assert offered == []  # what ana sent does not come back to her
    synchronise(dana, team["dana"])
    [on_dana] = dana.board_lead_ids(BoardFilter())
    dana.set_bant(on_dana, "need", "partial", "one team", by=me(dana, "dana"))
    set_title(dana, on_dana, "Head of Growth")
    synchronise(dana, team["dana"])
    synchronise(ana, team["ana"])
    assert {name for name, _rows in offered} >= {"lead", "qualification"}
    assert ana.lead_detail(lead).lead.job_title == "Head of Growth"
    bant = ana.bant(lead)
    assert (bant["budget"], bant["need"]) == (("confirmed", "50k"), ("partial", "one team"))


def test_a_customer_won_elsewhere_rescores_its_colleagues_after_a_pull(team, laptop):
    from workbench.store.tables import Company

    ana, dana = laptop("ana"), laptop("dana")
    synchronise(ana, team["ana"])
    with ana.writing() as s:
        acme = Company(name="Acme", domain="acme.example")
        s.add(acme)
        s.flush()
        acme = acme.id
    buyer, colleague = (ana.add_lead(first_name=name, last_name="Acme", company_id=acme,
                                     owner_id=me(ana, "ana"), stage=Stage.MQL)
                        for name in ("Bea", "Cal"))
    scoring.rescore(ana, ana.current_criteria(), promote=False)
    fit_before = ana.lead_detail(colleague).fit_score
    synchronise(ana, team["ana"])
    synchronise(dana, team["dana"])
    on_dana = next(i for i in dana.board_lead_ids(BoardFilter())
                   if dana.lead(i).name.startswith("Bea"))
    for stage in (Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER):
        dana.move_lead(on_dana, stage, by=me(dana, "dana"))
    synchronise(dana, team["dana"])
    synchronise(ana, team["ana"])
    assert ana.lead(buyer).stage == Stage.CUSTOMER
    assert ana.lead_detail(colleague).fit_score == fit_before - 25  # now at a customer


def test_a_rep_never_receives_another_reps_leads(team, laptop):
    ana, ben = laptop("ana"), laptop("ben")
    synchronise(ana, team["ana"])
    ana.add_lead(first_name="Mine", last_name="A", owner_id=me(ana, "ana"), stage=Stage.MQL)
    ana.add_lead(first_name="Pool", last_name="P", stage=Stage.MQL)
    synchronise(ana, team["ana"])
    synchronise(ben, team["ben"])
    assert lead_names(ben) == ["Pool"]


def test_a_lead_given_to_another_rep_leaves_the_first_reps_laptop(team, laptop):
    ana, ben, dana = laptop("ana"), laptop("ben"), laptop("dana")
    synchronise(ana, team["ana"])
    lead = ana.add_lead(first_name="Moved", last_name="M", owner_id=me(ana, "ana"),
                        stage=Stage.MQL)
    ana.add_note(lead, "Spoke on Monday", by=me(ana, "ana"))
    kept = ana.add_lead(first_name="Kept", last_name="K", owner_id=me(ana, "ana"),
                        stage=Stage.MQL)
    synchronise(ana, team["ana"])
    synchronise(ben, team["ben"])
    synchronise(dana, team["dana"])
    with dana.writing() as s:  # the manager gives it to ben
        s.execute(text("UPDATE leads SET owner_id = :ben WHERE first_name = 'Moved'"),
                  {"ben": me(dana, "ben")})
    synchronise(dana, team["dana"])
    ana.add_note(kept, "Still mine", by=me(ana, "ana"))  # waiting to be sent: stays

    result = synchronise(ana, team["ana"])
    assert result.handed_over == 1 and "1 lead now another rep's" in result.summary()
    assert lead_names(ana) == ["Kept"]
    synchronise(ben, team["ben"])
    [moved] = ben.board_lead_ids(BoardFilter())
    assert any(a.note == "Spoke on Monday" for a in ben.lead_detail(moved).activities)
    assert lead_names(dana) == ["Kept", "Moved"]  # the manager still sees both


def test_what_a_file_imported_again_changes_reaches_the_team(team, laptop):
    """An import writes its own outbox entries (the row triggers are suspended): a changed
    title, owner and stage of a known lead must all be sent."""
    ana, ben, dana = laptop("ana"), laptop("ben"), laptop("dana")
    synchronise(dana, team["dana"])
    row = {"row": 2, "external_id": "CRM-7", "first_name": "Imke", "last_name": "Vos",
           "email": "imke@acme.example", "job_title": "Analyst", "stage": "mql",
           "owner_id": me(dana, "ana")}
    dana.import_leads([row], note="first file", at=datetime(2026, 11, 1))
    synchronise(dana, team["dana"])
    synchronise(ana, team["ana"])
    assert lead_names(ana) == ["Imke"]
    [on_ana] = ana.board_lead_ids(BoardFilter())
    assert [c.to_stage for c in ana.stage_history(on_ana)] == [Stage.MQL]

    counts = dana.import_leads([row | {"job_title": "Head of Data", "stage": "sql",
                                       "owner_id": me(dana, "ben")}],
                               note="second file", at=datetime(2026, 11, 2))
    assert (counts.imported, counts.updated) == (0, 1)
    synchronise(dana, team["dana"])
    assert synchronise(ana, team["ana"]).handed_over == 1
    synchronise(ben, team["ben"])
    [imke] = ben.board_lead_ids(BoardFilter())
    lead = ben.lead(imke)
    assert (lead.job_title, lead.stage, lead.owner_id) == ("Head of Data", Stage.SQL,
                                                           me(ben, "ben"))
    assert [c.to_stage for c in ben.stage_history(imke)] == [Stage.MQL, Stage.SQL]


def test_a_wrong_password_says_so_and_keeps_the_changes(team, laptop):
    ana = laptop("ana")
    ana.add_lead(first_name="Kept", last_name="K", stage=Stage.MQL)
    with pytest.raises(SyncError, match="did not accept the password"):
        synchronise(ana, team["ana"].replace("ana-pw", "wrong"))
    assert "did not accept the password" in ana.sync_status().last_error
    assert lead_names(ana) == ["Kept"]


def test_the_password_goes_to_the_keyring_never_to_the_database(team, laptop, tmp_path,
                                                               memory_keyring):
    ana = laptop("ana")
    synchronise(ana, team["ana"])
    saved = ana.sync_status().server_url
    role = team["ana"].split("//", 1)[1].split(":", 1)[0]
    assert "ana-pw" not in saved and saved.startswith(f"postgresql://{role}@")
    assert memory_keyring.get_password("lead-qualification-workbench", saved) == "ana-pw"
    synchronise(ana)  # the next runs need neither the URL nor the password
    ana.close()
    for file in tmp_path.glob("ana.db*"):
        assert b"ana-pw" not in file.read_bytes()


def test_two_offline_moves_of_one_lead_are_a_conflict_on_both_laptops(team, laptop):
    ana, dana = laptop("ana"), laptop("dana")
    lead, on_dana = shared_mql(team, ana, dana, "Maria")
    # offline, both act on the same MQL
    ana.move_lead(lead, Stage.SAL, by=me(ana, "ana"))
    dana.move_lead(on_dana, Stage.DISQUALIFIED, by=me(dana, "dana"), reason_code="no_budget")
    synchronise(ana, team["ana"])
    assert synchronise(dana, team["dana"]).conflicts == 1
    assert synchronise(ana, team["ana"]).conflicts == 1
    [seen_by_ana] = ana.stage_conflicts()
    [seen_by_dana] = dana.stage_conflicts()
    assert {seen_by_ana.first[0], seen_by_ana.second[0]} == {"sal", "disqualified"}
    assert (seen_by_ana.first[3], seen_by_ana.second[3]) == (seen_by_dana.first[3],
                                                             seen_by_dana.second[3])
    # both moves are in both histories, and both laptops agree on the stage meanwhile
    history = [c.to_stage for c in ana.stage_history(lead)]
    assert history == [c.to_stage for c in dana.stage_history(on_dana)]  # in clock order
    assert sorted(history) == sorted([Stage.MQL, Stage.SAL, Stage.DISQUALIFIED])
    assert ana.lead(lead).stage == dana.lead(on_dana).stage

    ana.resolve_conflict(seen_by_ana.id, Stage.SAL, by=me(ana, "ana"))
    synchronise(ana, team["ana"])
    synchronise(dana, team["dana"])
    assert dana.stage_conflicts() == []
    assert dana.lead(on_dana).stage == Stage.SAL == ana.lead(lead).stage


def test_a_new_laptop_downloads_everything_and_finds_conflicts_not_yet_reported(team,
                                                                                laptop):
    ana, dana = laptop("ana"), laptop("dana")
    lead, on_dana = shared_mql(team, ana, dana, "Maria")
    ana.add_note(lead, "Prefers the annual plan", by=me(ana, "ana"))
    ana.set_bant(lead, "budget", "confirmed", note="Signed off by the CFO", by=me(ana, "ana"))
    ana.move_lead(lead, Stage.SAL, by=me(ana, "ana"))
    dana.move_lead(on_dana, Stage.DISQUALIFIED, by=me(dana, "dana"), reason_code="no_budget")
    synchronise(ana, team["ana"])
    synchronise(dana, team["dana"])  # found the conflict, has not sent it yet

    desk = laptop("dana-desk")
    result = synchronise(desk, team["dana"])
    assert result.conflicts == 1
    # the download suspends indexes and triggers: all of them are back
    assert schema(desk) == schema(laptop("fresh"))
    [on_desk] = desk.board_lead_ids(BoardFilter())
    assert desk.lead(on_desk).stage == dana.lead(on_dana).stage  # the later move's
    assert desk.bant(on_desk)["budget"] == ("confirmed", "Signed off by the CFO")
    assert desk.search_ids("annual") == [on_desk]
    assert ([c.to_stage for c in desk.stage_history(on_desk)]
            == [c.to_stage for c in dana.stage_history(on_dana)])
    assert desk.lead(on_desk).score == dana.lead(on_dana).score
    assert_totals_exact(desk)

    synchronise(dana, team["dana"])  # the conflict reaches the server: still one
    synchronise(desk, team["dana"])
    [conflict] = desk.stage_conflicts()
    # the new laptop's clock is past every clock it received: its move is the latest
    desk.resolve_conflict(conflict.id, Stage.SAL, by=me(desk, "dana"))
    synchronise(desk, team["dana"])
    synchronise(ana, team["ana"])
    assert ana.stage_conflicts() == []
    assert ana.lead(lead).stage == Stage.SAL


def test_concurrent_edits_of_one_field_end_the_same_everywhere(team, laptop):
    ana, dana = laptop("ana"), laptop("dana")
    synchronise(ana, team["ana"])
    lead = ana.add_lead(first_name="Jo", last_name="K", job_title="Analyst",
                        owner_id=me(ana, "ana"), stage=Stage.MQL)
    synchronise(ana, team["ana"])
    synchronise(dana, team["dana"])
    [on_dana] = dana.board_lead_ids(BoardFilter())
    set_title(ana, lead, "Head of Sales")
    # the clocks count milliseconds: two edits within one are a tie, settled by the device
    time.sleep(0.002)
    set_title(dana, on_dana, "VP Sales")  # later: the last writer wins...
    for store, name in ((dana, "dana"), (ana, "ana"), (dana, "dana")):  # ...not the last sent
        synchronise(store, team[name])
    assert ana.lead_detail(lead).lead.job_title == "VP Sales"
    assert dana.lead_detail(on_dana).lead.job_title == "VP Sales"


def test_a_laptop_whose_clock_is_wrong_does_not_reorder_history(team, laptop):
    ana, dana = laptop("ana"), laptop("dana")
    synchronise(ana, team["ana"])
    with ana.writing() as s:  # ana's clock runs a day ahead
        s.execute(text("UPDATE sync_state SET hlc = hlc + :day"),
                  {"day": 86_400_000 * 65536})
    lead = ana.add_lead(first_name="Jo", last_name="K", job_title="Analyst",
                        owner_id=me(ana, "ana"), stage=Stage.MQL)
    set_title(ana, lead, "Head of Sales")
    synchronise(ana, team["ana"])
    synchronise(dana, team["dana"])
    [on_dana] = dana.board_lead_ids(BoardFilter())
    # dana saw ana's change and acts after it: her change sorts after, wall clocks aside
    set_title(dana, on_dana, "VP Sales")
    dana.move_lead(on_dana, Stage.SAL, by=me(dana, "dana"))
    synchronise(dana, team["dana"])
    synchronise(ana, team["ana"])
    assert ana.lead_detail(lead).lead.job_title == "VP Sales"
    assert [c.to_stage for c in ana.stage_history(lead)] == [Stage.MQL, Stage.SAL]
    assert ana.stage_conflicts() == []


def set_title(store: Store, lead_id: int, title: str) -> None:
    with store.writing() as s:
        s.execute(text("UPDATE leads SET job_title = :t WHERE id = :i"),
                  {"t": title, "i": lead_id})


def test_what_the_server_refuses_is_kept_and_reported_and_the_rest_goes_in(team, laptop):
    ana, dana = laptop("ana"), laptop("dana")
    synchronise(ana, team["ana"])
    ana.add_lead(first_name="Mine", last_name="A", owner_id=me(ana, "ana"), stage=Stage.MQL)
    ana.add_lead(first_name="Given", last_name="Away", owner_id=me(ana, "ben"),
                 stage=Stage.MQL)  # a rep may not give a lead to another rep
    result = synchronise(ana, team["ana"])
    given = next(i for i in ana.board_lead_ids(BoardFilter())
                 if ana.lead(i).name == "Given Away")
    assert ("lead", f"Lead {given} (Given Away): a rep keeps their own leads and takes pool "
                    "leads, but gives none to another rep") in [(r.entity, r.reason)
                                                                for r in result.refused]
    assert ana.sync_status().refused == len(result.refused) and ana.sync_status().waiting == 0
    synchronise(dana, team["dana"])
    assert lead_names(dana) == ["Mine"]


def test_intent_signals_imported_on_one_laptop_score_leads_on_another(team, laptop,
                                                                      tmp_path):
    def intent_file(name: str, topics: list[str]):
        path = tmp_path / name
        with path.open("w", newline="") as f:
            csv.writer(f).writerows([["Domain", "Topic", "Strength", "Date"],
                                     *[["acme.example", t, "90", local_today().isoformat()]
                                       for t in topics]])
        return path

    ana, ben = laptop("ana"), laptop("ben")
    synchronise(ben, team["ben"])
    ben.import_leads([{"row": 2, "email": "eva@acme.example", "first_name": "Eva",
                       "company": "Acme", "website": "acme.example",
                       "owner_id": me(ben, "ben")}], note="test", at=datetime(2026, 11, 1))
    [eva] = ben.board_lead_ids(BoardFilter())
    run_import(ana, intent_file("a.csv", ["Lead scoring"]), ImportKind.INTENT)
    run_import(ben, intent_file("b.csv", ["Lead scoring", "CRM"]), ImportKind.INTENT)
    assert not synchronise(ben, team["ben"]).refused
    assert not synchronise(ana, team["ana"]).refused  # its signal is already there: one
    synchronise(ben, team["ben"])
    for store in (ana, ben):
        with store.reading() as s:
            assert s.execute(text("SELECT topic FROM intent_signals ORDER BY topic")
                             ).scalars().all() == ["CRM", "Lead scoring"]

    # a new signal from ana's laptop rescores ben's lead at that company
    run_import(ana, intent_file("c.csv", ["Payroll"]), ImportKind.INTENT)
    synchronise(ana, team["ana"])
    before = ben.lead(eva).score
    synchronise(ben, team["ben"])
    parts = scoring.explain(ben, ben.current_criteria(), eva).breakdown
    assert ben.lead(eva).score == sum(p.points for p in parts) > before


def test_a_change_to_a_lead_now_another_reps_is_refused_in_words_naming_it(team, laptop,
                                                                          tmp_path, capsys):
    ana, dana = laptop("ana"), laptop("dana")
    synchronise(ana, team["ana"])
    lead = ana.add_lead(first_name="Maria", last_name="Lopez", owner_id=me(ana, "ana"),
                        stage=Stage.MQL)
    synchronise(ana, team["ana"])
    synchronise(dana, team["dana"])
    with dana.writing() as s:  # the manager gives it to ben
        s.execute(text("UPDATE leads SET owner_id = :ben"), {"ben": me(dana, "ben")})
    synchronise(dana, team["dana"])
    set_title(ana, lead, "CFO")  # offline, before she hears of it
    ana.close()

    assert cli.main(["sync", "--db", str(tmp_path / "ana.db")]) == 0
    said = f"Lead {lead} (Maria Lopez): on the team server this lead is another rep's now"
    assert f"refused: {said}\n" in capsys.readouterr().out
    with Store.open(tmp_path / "ana.db") as ana, ana.reading() as s:  # kept, in those words
        assert s.execute(text("SELECT reason FROM sync_refused ORDER BY id")
                         ).scalars().all() == [said]


def test_history_sent_by_a_laptop_is_by_the_account_that_sent_it(team, laptop, server_url):
    ana = laptop("ana")
    synchronise(ana, team["ana"])
    lead = ana.add_lead(first_name="Jo", last_name="K", owner_id=me(ana, "ana"),
                        stage=Stage.MQL)
    ana.move_lead(lead, Stage.SAL, by=me(ana, "dana"))  # claims the manager accepted it
    ana.add_note(lead, "Approved by Dana", by=me(ana, "dana"))
    assert not synchronise(ana, team["ana"]).refused
    with psycopg.connect(server_url) as owner:
        authors = owner.execute(
            "SELECT DISTINCT u.email FROM (SELECT user_id FROM stage_changes UNION ALL "
            "SELECT user_id FROM activities) h JOIN users u ON u.id = h.user_id").fetchall()
    assert authors == [("ana@sales.example",)]


def test_a_reps_merge_is_refused_in_words_and_the_history_stays_on_the_server(team, laptop,
                                                                             server_url):
    ana = laptop("ana")
    synchronise(ana, team["ana"])
    keep, other = (ana.add_lead(first_name=name, last_name="Twin", owner_id=me(ana, "ana"),
                                stage=Stage.MQL) for name in ("Kept", "Other"))
    synchronise(ana, team["ana"])
    ana.merge_leads(keep, other, by=me(ana, "ana"))
    refused = {r.reason for r in synchronise(ana, team["ana"]).refused}
    assert refused == {
        f"A stage change of lead {keep} (Kept Twin): only a manager merges leads, moving "
        "history to the kept lead",
        f"Lead {ana.sync_status().device}-{other} (removed here): only a manager removes a "
        "lead from the team server (as merging two leads does)"}
    with psycopg.connect(server_url) as owner:
        history = owner.execute("SELECT l.first_name, count(*) FROM stage_changes c JOIN leads "
                                "l ON l.id = c.lead_id GROUP BY 1 ORDER BY 1").fetchall()
    assert history == [("Kept", 1), ("Other", 1)]


def test_a_mistyped_server_on_the_first_sync_can_be_corrected(team, laptop):
    ana = laptop("ana")
    ana.add_lead(first_name="Kept", last_name="K", stage=Stage.MQL)
    mistyped = team["ana"].rsplit("/", 1)[0] + "/no_such_team"
    with pytest.raises(SyncError, match="Cannot reach"):
        synchronise(ana, mistyped)
    assert synchronise(ana, team["ana"]).pushed >= 1
    # once a server has synced with the file, it is that server's
    with pytest.raises(SyncError, match="syncs with one team server"):
        synchronise(ana, mistyped)


def team_url(url: str) -> tuple[str, str]:
    """(the URL without its password, the password)."""
    user, rest = url.split("//", 1)[1].split("@", 1)
    role, password = user.split(":")
    return f"postgresql://{role}@{rest}", password


def test_a_password_on_standard_input_stays_out_of_the_command_line(team, tmp_path,
                                                                   monkeypatch, capsys):
    keyring.set_keyring(fail.Keyring())  # as on this machine and CI: no keyring at all
    url, password = team_url(team["ana"])
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    argv = ["sync", "--db", str(tmp_path / "ana.db"), "--server", url, "--password-stdin",
            "--json"]
    assert cli.main(argv) == 0
    said = json.loads(capsys.readouterr().out)
    assert said["password_kept"] is False and "could not be kept in a keyring" in said["note"]
    assert password not in " ".join(argv)


def test_pgpassword_serves_sync_and_server_commands(team, server_url, tmp_path, monkeypatch,
                                                    capsys, memory_keyring):
    url, password = team_url(team["ana"])
    monkeypatch.setenv("PGPASSWORD", password)
    assert cli.main(["sync", "--db", str(tmp_path / "ana.db"), "--server", url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["password_kept"] is None
    assert memory_keyring.passwords == {}  # PostgreSQL's convention, not ours to copy
    owner, owner_password = team_url(server_url)
    monkeypatch.setenv("PGPASSWORD", owner_password)
    assert cli.main(["server", "init", "--url", owner]) == 0
