"""`workbench lead erase` and `workbench lead dnc` from the command line."""

import json

import pytest

from workbench.rules.erasure import ERASED_NAME
from workbench.rules.stages import Stage
from workbench.store.leads import BoardFilter, OwnerFilter, Store

ALEX = "alex.morgan@sales.example"


def alexs_mql(path) -> tuple[int, str, int]:
    """One of Alex's MQLs, its name, and a lead of another rep."""
    with Store.open(path) as store:
        me = store.user_by_email(ALEX)
        mine = store.board_page(Stage.MQL, BoardFilter(owner=OwnerFilter.MINE, me=me))[0]
        other = next(c for c in store.board_page(Stage.SAL, BoardFilter(), limit=200)
                     if c.owner_name not in (None, "Alex Morgan"))
    return mine.id, mine.name, other.id


def test_erase_leaves_an_anonymous_lead(workbench, db_copy):
    lead, name, _other = alexs_mql(db_copy)
    result = workbench("lead", "erase", lead, "--db", db_copy, "--as", ALEX)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (f"{name} (#{lead}) erased: only an anonymous trace is left for "
                             "the reports, and the lead will not be contacted.\n")
    shown = json.loads(workbench("lead", "show", lead, "--db", db_copy, "--json").stdout)
    assert shown["name"] == ERASED_NAME and shown["email"] is None
    queue = json.loads(workbench("queue", "--db", db_copy, "--rep", ALEX, "--json").stdout)
    assert lead not in {item["id"] for item in queue}


@pytest.mark.parametrize(("who", "message"), [
    ("unknown", "There is no lead with id 99999999."),
    ("other", "only its owner or a manager can erase it. Nothing was erased."),
])
def test_a_refused_erase_says_why_in_one_line_and_changes_nothing(workbench, db_copy, who,
                                                                   message):
    _lead, _name, other = alexs_mql(db_copy)
    target = 99_999_999 if who == "unknown" else other
    before = db_copy.read_bytes()
    result = workbench("lead", "erase", target, "--db", db_copy, "--as", ALEX)
    assert result.returncode != 0 and result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert db_copy.read_bytes() == before


def test_dnc_takes_a_lead_out_of_the_queue_and_off_puts_it_back(workbench, db_copy):
    lead, name, _other = alexs_mql(db_copy)
    result = workbench("lead", "dnc", lead, "--db", db_copy, "--as", ALEX)
    assert result.stdout == (f"{name} (#{lead}) is not to be contacted: out of the queue "
                             "and of routing.\n")
    queue = json.loads(workbench("queue", "--db", db_copy, "--rep", ALEX, "--json").stdout)
    assert lead not in {item["id"] for item in queue}
    workbench("lead", "dnc", lead, "--db", db_copy, "--as", ALEX, "--off")
    queue = json.loads(workbench("queue", "--db", db_copy, "--rep", ALEX, "--json").stdout)
    assert lead in {item["id"] for item in queue}
