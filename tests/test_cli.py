"""The `workbench` command as a user runs it, in this process (`cli.main`, output
captured); two smoke tests start the real program."""

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import cli
from workbench.rules.stages import Stage

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def run_process(*args, env_dir=None):
    """`workbench ARGS` as a real process, for what only a process shows (exit, locks)."""
    env = None
    if env_dir is not None:
        import os
        env = {**os.environ, "WORKBENCH_DATA_DIR": str(env_dir)}
    return subprocess.run([sys.executable, "-m", "workbench.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300, env=env)


def test_help_lists_the_subcommands():  # the real program, as installed
    result = run_process("--help")
    assert result.returncode == 0
    assert "demo" in result.stdout and "stats" in result.stdout and "--db" in result.stdout


def test_stats_json_contract(workbench, demo_db):
    result = workbench("stats", "--db", demo_db, "--json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert set(stats) == {"leads", "by_stage", "by_source"}
    assert stats["leads"] == 2000
    assert list(stats["by_stage"]) == [s.value for s in Stage]
    assert sum(stats["by_stage"].values()) == sum(stats["by_source"].values()) == 2000
    assert all(isinstance(v, int) for v in stats["by_source"].values())


def test_stats_as_a_table(workbench, demo_db):
    result = workbench("--db", demo_db, "stats")
    assert result.returncode == 0, result.stderr
    assert "2,000 leads" in result.stdout and "Disqualified" in result.stdout


def test_demo_goes_to_the_data_folder_by_default(workbench, tmp_path):
    result = workbench("demo", "--leads", 40, "--seed", 3, env_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo.db").exists()
    assert "40 leads" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["stats", "--db", "{tmp}/missing.db"], "There is no database at"),
    (["stats", "--db", "{tmp}/notes.txt"], "not a workbench database"),
    (["demo", "--db", "{tmp}/x.db", "--leads", "0"], "at least one lead"),
    (["demo", "--db", "{tmp}/x.db", "--as-of", "yesterday"], "--as-of wants a date"),
])
def test_bad_input_gets_a_clear_message(workbench, tmp_path, args, message):
    (tmp_path / "notes.txt").write_text("not a database")
    result = workbench(*[a.format(tmp=tmp_path) for a in args])
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "not a database"
    assert not (tmp_path / "x.db").exists()


def test_demo_refuses_to_overwrite_without_replace(workbench, demo_db, tmp_path):
    copy = tmp_path / "demo.db"
    shutil.copy(demo_db, copy)
    result = workbench("demo", "--db", copy, "--leads", 5)
    assert result.returncode == 1 and "--replace" in result.stderr
    assert json.loads(workbench("stats", "--db", copy, "--json").stdout)["leads"] == 2000


def test_lead_show_json_explains_the_score(workbench, demo_db):
    result = workbench("lead", "show", "7", "--db", demo_db, "--json")
    assert result.returncode == 0, result.stderr
    lead = json.loads(result.stdout)
    score = lead["score"]
    assert set(score) >= {"total", "fit", "engagement", "grade", "breakdown"}
    assert sum(part["points"] for part in score["breakdown"]) == score["total"]
    assert all(set(part) == {"rule", "points"} for part in score["breakdown"])
    assert lead["id"] == 7 and lead["history"][0]["from"] is None


def test_lead_show_of_a_missing_lead(workbench, demo_db):
    result = workbench("lead", "show", "999999", "--db", demo_db)
    assert result.returncode == 1 and "no lead with id 999999" in result.stderr


def test_score_rescores_and_promotes(workbench, demo_db, tmp_path):
    copy = tmp_path / "score.db"
    shutil.copy(demo_db, copy)
    before = json.loads(workbench("stats", "--db", copy, "--json").stdout)["by_stage"]
    assert json.loads(workbench("score", "--db", copy, "--json").stdout)["changed"] == 0
    criteria = tmp_path / "criteria.toml"  # the team lowers its MQL threshold
    assert workbench("criteria", "export", criteria, "--db", copy).returncode == 0
    criteria.write_text(criteria.read_text().replace("mql_threshold = 55",
                                                     "mql_threshold = 45"))
    assert workbench("criteria", "import", criteria, "--db", copy).returncode == 0
    result = workbench("score", "--db", copy, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["leads"] == 2000 and report["promoted_to_mql"] > 0
    after = json.loads(workbench("stats", "--db", copy, "--json").stdout)["by_stage"]
    assert after["mql"] == before["mql"] + report["promoted_to_mql"]
    assert after["lead"] == before["lead"] - report["promoted_to_mql"]


def test_triage_from_the_command_line(workbench, demo_db, tmp_path):
    copy = tmp_path / "triage.db"
    shutil.copy(demo_db, copy)
    queue = json.loads(workbench("queue", "--db", copy, "--rep", "alex.morgan@sales.example",
                                 "--json").stdout)
    assert queue and all(set(item) == {"id", "name", "company", "stage", "score", "sla_due"}
                         for item in queue)
    lead = str(queue[0]["id"])
    assert workbench("lead", "accept", lead, "--db", copy, "--as",
                     "alex.morgan@sales.example").returncode == 0
    assert workbench("lead", "bant", lead, "--db", copy, "need=confirmed:Inbox chaos",
                     "budget=partial", "authority=confirmed").returncode == 0
    assert workbench("lead", "accept", lead, "--db", copy).returncode == 0
    shown = json.loads(workbench("lead", "show", lead, "--db", copy, "--json").stdout)
    assert shown["stage"] == "sql"
    assert shown["bant"]["need"] == {"status": "confirmed", "note": "Inbox chaos"}
    assert [h["to"] for h in shown["history"]][-2:] == ["sal", "sql"]
    assert shown["history"][-2]["by"] == "Alex Morgan"
    assert set(shown["history"][0]) == {"from", "to", "at", "by", "reason", "note"}


@pytest.mark.parametrize("args", [
    ["lead", "accept", "999999"],
    ["lead", "reject", "{mql}"],
    ["lead", "reject", "{mql}", "--reason", "no_such_code"],
    ["lead", "recycle", "{mql}", "--reason", "not_ready", "--until", "2001-01-01"],
    ["lead", "accept", "{sal}"],
    ["lead", "bant", "{mql}", "need=perhaps"],
    ["lead", "accept", "{mql}", "--as", "nobody@example.com"],
])
def test_a_refused_action_says_why_in_one_line_and_changes_nothing(workbench, demo_db, tmp_path,
                                                                  args):
    copy = tmp_path / "refuse.db"
    shutil.copy(demo_db, copy)
    from workbench.store.leads import BoardFilter, Store
    with Store.open(copy) as store:
        ids = {"mql": store.board_page(Stage.MQL, BoardFilter(), limit=1)[0].id,
               # a SAL whose need nobody confirmed: the SQL rule refuses it
               "sal": next(card.id for card in store.board_page(Stage.SAL, BoardFilter())
                           if store.bant(card.id)["need"][0] != "confirmed")}

    def contents():
        with sqlite3.connect(copy) as conn:
            return [conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                    for table in ("leads", "stage_changes", "activities", "qualifications")]

    before = contents()
    result = workbench(*[a.format(**ids) for a in args], "--db", copy)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("workbench: ")
    assert contents() == before


def test_criteria_round_trip_and_a_broken_file(workbench, demo_db, tmp_path):
    copy = tmp_path / "criteria.db"
    shutil.copy(demo_db, copy)
    path = tmp_path / "team.toml"
    assert workbench("criteria", "export", path, "--db", copy).returncode == 0
    path.write_text(path.read_text().replace("mql_threshold = 55", "mql_threshold = 60"))
    loaded = workbench("criteria", "import", path, "--db", copy, "--note", "stricter")
    # version 1 is the demo team's routing
    assert loaded.returncode == 0 and "saved as version 2" in loaded.stdout
    path.write_text(path.read_text().replace("mql_threshold = 60", "mql_threshold = 'high'"))
    refused = workbench("criteria", "import", path, "--db", copy)
    assert refused.returncode == 1
    assert "line 4: mql_threshold must be a number" in refused.stderr
    export = tmp_path / "again.toml"
    workbench("criteria", "export", export, "--db", copy)
    assert "mql_threshold = 60" in export.read_text()  # version 2 still current


def test_every_path_a_user_gives_works_relative_to_the_current_folder(workbench, demo_db,
                                                                     tmp_path, monkeypatch):
    folder = tmp_path / "work"
    (folder / "in").mkdir(parents=True)
    shutil.copy(demo_db, folder / "leads.db")
    shutil.copy(FIXTURES / "hubspot_contacts.csv", folder / "in" / "contacts.csv")
    monkeypatch.chdir(folder)

    def run(*args):
        result = workbench(*args)
        assert result.returncode == 0, result.stderr
        return result

    assert "2,000 leads" in run("--db", "leads.db", "stats").stdout  # the database
    run("--db", "leads.db", "import", "in/contacts.csv", "--save-mapping", "in/map.toml")
    run("--db", "leads.db", "import", "in/contacts.csv", "--mapping", "in/map.toml")
    run("--db", "leads.db", "export", "--out", "out.csv")  # an export
    run("--db", "leads.db", "criteria", "export", "criteria.toml")
    run("--db", "leads.db", "criteria", "import", "criteria.toml")
    assert {"out.csv", "criteria.toml"} <= {p.name for p in folder.iterdir()}
    assert (folder / "in" / "map.toml").exists()
    imported = json.loads(run("--db", "leads.db", "stats", "--json").stdout)["leads"]
    assert imported > 2000


def test_output_into_a_pipe_that_closes_early_ends_quietly(demo_db):  # the real program
    reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)  # as `| head` once it has read
    reader.wait()
    result = subprocess.run([sys.executable, "-m", "workbench.cli", "stats",
                             "--db", str(demo_db)], stdout=reader.stdin,
                            stderr=subprocess.PIPE, text=True, timeout=300)
    reader.stdin.close()
    assert result.returncode == 1 and result.stderr == ""


def test_a_programming_error_is_not_shown_as_a_refusal(demo_db, monkeypatch):
    def broken(_args):
        raise ValueError("a bug, not a refusal")

    monkeypatch.setattr(cli.database, "cmd_stats", broken)
    with pytest.raises(ValueError, match="a bug, not a refusal"):
        cli.main(["stats", "--db", str(demo_db)])
