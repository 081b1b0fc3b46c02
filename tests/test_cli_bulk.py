"""Several leads at once from the command line: reject, recycle, assign; all or none."""

import json
import sqlite3

from workbench.rules.stages import Stage
from workbench.store.leads import BoardFilter, Store

MANAGER = "dana.whitfield@sales.example"


def mqls(path, n):
    with Store.open(path) as store:
        return [c.id for c in store.board_page(Stage.MQL, BoardFilter(), limit=n)]


def stages(path, ids):
    with sqlite3.connect(path) as conn:
        return [conn.execute("SELECT stage FROM leads WHERE id = ?", (i,)).fetchone()[0]
                for i in ids]


def test_reject_several_leads_at_once(workbench, db_copy):
    ids = mqls(db_copy, 3)
    result = workbench("lead", "reject", *ids, "--db", db_copy, "--reason", "no_budget")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "3 leads moved to Disqualified."
    assert stages(db_copy, ids) == ["disqualified"] * 3


def test_a_bulk_reject_with_one_refused_lead_changes_nothing_and_names_it(workbench, db_copy):
    ids = mqls(db_copy, 2)
    with Store.open(db_copy) as store:
        sal = store.board_page(Stage.SAL, BoardFilter(), limit=1)[0].id
        store.move_lead(sal, Stage.DISQUALIFIED, reason_code="no_need")
    result = workbench("lead", "reject", *ids, sal, "--db", db_copy, "--reason", "no_budget")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "workbench: 1 of 3 leads cannot be rejected; nothing was changed:"
    assert lines[1].startswith(f"  #{sal} ") and "already in that stage" in lines[1]
    assert stages(db_copy, ids) == ["mql", "mql"]


def test_recycle_several_and_assign_several(workbench, db_copy):
    ids = mqls(db_copy, 4)
    recycled = workbench("lead", "recycle", *ids[:2], "--db", db_copy, "--reason", "not_ready",
                         "--until", "2027-01-15")
    assert recycled.returncode == 0 and stages(db_copy, ids[:2]) == ["recycled"] * 2
    assigned = workbench("lead", "assign", *ids[2:], "--db", db_copy, "--to",
                         "jonas.keller@sales.example", "--reason", "Speaks German",
                         "--as", MANAGER)
    assert assigned.returncode == 0, assigned.stderr
    assert "2 leads reassigned to jonas.keller@sales.example" in assigned.stdout
    shown = json.loads(workbench("lead", "show", ids[2], "--db", db_copy, "--json").stdout)
    assert shown["owner"] == "Jonas Keller"
    assert shown["reassigned"][-1]["note"].endswith("to Jonas Keller by Dana Whitfield: "
                                                    "Speaks German")
    refused = workbench("lead", "assign", ids[2], "--db", db_copy, "--to", MANAGER, "--as",
                        "alex.morgan@sales.example")
    assert refused.returncode == 1 and "Only a manager reassigns" in refused.stderr
