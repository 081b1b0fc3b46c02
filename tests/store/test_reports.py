"""Manager reports on small hand-built histories: exact figures, from the stage history."""

import json
from datetime import date, datetime, timedelta

import pytest

from workbench import cli
from workbench.rules.stages import Stage
from workbench.services.reports import (
    Period,
    ReportSpec,
    as_csv,
    as_table,
    build_report,
    figure_lead_ids,
)
from workbench.store.reports import Measure, Slice

# Monday of ISO week 10 of 2026
WEEK_10 = datetime(2026, 3, 2, 9)
NOW = datetime(2026, 4, 20, 12)


@pytest.fixture
def reps(store):
    return {"ana": store.add_user("Ana Rep", "ana@sales.example"),
            "ben": store.add_user("Ben Rep", "ben@sales.example")}


def mql(store, at, source="web_form", campaign=None, **fields):
    return store.add_lead(first_name="Lead", last_name=str(at), stage=Stage.MQL, at=at,
                          source=source, campaign=campaign, **fields)


def report(store, by=Slice.SOURCE, start=None, end=None, rep=None, now=NOW):
    return build_report(store, ReportSpec(by=by, start=start, end=end, rep=rep), 24, now)


def row(result, key):
    return next(r for r in result.rows if r.key == key)


def test_exact_figures_of_one_source(store, reps):
    accepted = mql(store, WEEK_10)
    store.add_activity(accepted, "call", by=reps["ana"], at=WEEK_10 + timedelta(hours=2))
    store.move_lead(accepted, Stage.SAL, by=reps["ana"], at=WEEK_10 + timedelta(hours=3))
    rejected = mql(store, WEEK_10)
    store.add_activity(rejected, "email_sent", by=reps["ana"],
                       at=WEEK_10 + timedelta(hours=4))
    store.move_lead(rejected, Stage.DISQUALIFIED, by=reps["ana"], reason_code="no_budget",
                    at=WEEK_10 + timedelta(hours=5))
    recycled = mql(store, WEEK_10)  # answered only by the decision, late
    store.move_lead(recycled, Stage.RECYCLED, by=reps["ben"], reason_code="not_ready",
                    revisit_on=date(2026, 9, 1), at=WEEK_10 + timedelta(hours=30))
    pending = mql(store, NOW - timedelta(hours=3), source="partner")  # SLA still running

    result = report(store)
    web = row(result, "web_form")
    assert (web.mqls, web.accepted, web.rejected, web.recycled, web.pending) == (3, 1, 1, 1, 0)
    assert web.acceptance_rate == pytest.approx(1 / 3)
    assert web.rejection_reasons == {"no_budget": 1}
    assert web.median_hours_to_first_touch == pytest.approx(4.0)  # of 2, 4 and 30 hours
    assert web.sla_met_rate == pytest.approx(2 / 3)
    partner = row(result, "partner")
    assert (partner.mqls, partner.pending, partner.acceptance_rate) == (1, 1, 0.0)
    assert partner.median_hours_to_first_touch is None and partner.sla_met_rate is None
    assert result.total.mqls == 4 and result.total.acceptance_rate == 0.25
    assert figure_lead_ids(store, result.spec, web, Measure.REJECTED) == [rejected]
    assert figure_lead_ids(store, result.spec, result.total, Measure.PENDING) == [pending]
    assert set(figure_lead_ids(store, result.spec, result.total, Measure.MQLS)) == {
        accepted, rejected, recycled, pending}


def test_accepted_in_week_10_stays_accepted_when_disqualified_in_week_14(store, reps):
    lead = mql(store, WEEK_10)
    store.move_lead(lead, Stage.SAL, by=reps["ana"], at=WEEK_10 + timedelta(hours=1))
    store.move_lead(lead, Stage.DISQUALIFIED, reason_code="no_budget", by=reps["ana"],
                    at=WEEK_10 + timedelta(weeks=4))
    result = report(store, by=Slice.WEEK)
    assert [r.key for r in result.rows] == ["2026-W10"]
    week = result.rows[0]
    assert (week.mqls, week.accepted, week.rejected, week.rejection_reasons) == (1, 1, 0, {})
    assert store.lead(lead).stage == Stage.DISQUALIFIED


def test_a_slice_with_nothing_under_it_says_n_a(store, reps):
    mql(store, WEEK_10)
    empty = report(store, start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert empty.rows == [] and empty.total.mqls == 0
    assert empty.total.acceptance_rate is None and empty.total.sla_met_rate is None
    data = empty.to_json()["total"]
    assert data["acceptance_rate"] is None and data["median_hours_to_first_touch"] is None
    assert "n/a" in as_table(empty).splitlines()[-4]  # the total line
    assert [step.conversion for step in empty.funnel][1:] == [None] * 4


def test_a_recycled_lead_that_comes_back_is_handed_over_again(store, reps):
    lead = mql(store, WEEK_10)
    store.move_lead(lead, Stage.RECYCLED, reason_code="not_ready", by=reps["ana"],
                    revisit_on=date(2026, 3, 20), at=WEEK_10 + timedelta(hours=1))
    store.return_due_recycled(date(2026, 3, 20), datetime(2026, 3, 20, 6))
    store.move_lead(lead, Stage.SAL, by=reps["ben"], at=datetime(2026, 3, 20, 8))
    result = report(store, by=Slice.WEEK)
    assert [(r.key, r.mqls, r.recycled, r.accepted) for r in result.rows] == [
        ("2026-W10", 1, 1, 0), ("2026-W12", 1, 0, 1)]
    assert report(store, by=Slice.REP).total.mqls == 2
    by_rep = report(store, by=Slice.REP)
    assert {(r.key, r.mqls) for r in by_rep.rows} == {("Ana Rep", 1), ("Ben Rep", 1)}
    ben_only = report(store, by=Slice.WEEK, rep=reps["ben"])
    assert [(r.key, r.accepted) for r in ben_only.rows] == [("2026-W12", 1)]


def test_undone_decisions_do_not_count(store, reps):
    lead = mql(store, WEEK_10)
    before = store.lead(lead)
    change = store.move_lead(lead, Stage.SAL, by=reps["ana"], at=WEEK_10 + timedelta(hours=1))
    store.undo_move(change.id, before, by=reps["ana"], at=WEEK_10 + timedelta(hours=2))
    result = report(store)
    assert (result.total.mqls, result.total.accepted, result.total.pending) == (1, 0, 1)
    store.move_lead(lead, Stage.DISQUALIFIED, reason_code="duplicate", by=reps["ana"],
                    at=WEEK_10 + timedelta(hours=3))
    result = report(store)
    assert (result.total.mqls, result.total.rejected, result.total.pending) == (1, 1, 0)
    assert result.total.rejection_reasons == {"duplicate": 1}


def test_the_funnel_follows_each_handover_to_customer(store, reps):
    won = mql(store, WEEK_10)
    for stage, hours in ((Stage.SAL, 1), (Stage.SQL, 2), (Stage.OPPORTUNITY, 3),
                         (Stage.CUSTOMER, 4)):
        store.move_lead(won, stage, by=reps["ana"], at=WEEK_10 + timedelta(hours=hours))
    lost = mql(store, WEEK_10)
    store.move_lead(lost, Stage.SAL, by=reps["ana"], at=WEEK_10 + timedelta(hours=1))
    result = report(store)
    assert [(s.stage, s.count) for s in result.funnel] == [
        ("MQL", 2), ("SAL", 2), ("SQL", 1), ("Opportunity", 1), ("Customer", 1)]
    assert [s.conversion for s in result.funnel] == [None, 1.0, 0.5, 1.0, 1.0]
    assert (result.total.mql_to_sql_rate, result.total.sql_to_customer_rate) == (0.5, 1.0)


def test_edits_of_a_lead_reach_its_handovers(store, reps):
    lead = mql(store, WEEK_10, source="event", campaign="Spring fair")
    with store.writing() as s:  # as an import correcting the lead's source would
        from workbench.store.tables import Lead
        s.get(Lead, lead).source = "partner"
    assert [r.key for r in report(store).rows] == ["partner"]


def test_the_cli_report_json_contract_and_csv(store, reps, capsys):
    lead = mql(store, WEEK_10, campaign="=HYPERLINK(\"http://x\")")
    store.move_lead(lead, Stage.DISQUALIFIED, reason_code="competitor", by=reps["ana"],
                    at=WEEK_10 + timedelta(hours=1))
    path = str(store.path)
    assert cli.main(["report", "--db", path, "--by", "campaign", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    first = data["rows"][0]
    for key in ("key", "mqls", "accepted", "rejected", "recycled", "acceptance_rate",
                "rejection_reasons", "median_hours_to_first_touch", "sla_met_rate"):
        assert key in first
    assert (first["mqls"], first["rejected"], first["rejection_reasons"]) == (
        1, 1, {"competitor": 1})
    assert first["acceptance_rate"] == 0.0 and data["total"]["mqls"] == 1
    assert cli.main(["report", "--db", path, "--by", "campaign", "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert as_csv(report(store, by=Slice.CAMPAIGN)) == text


@pytest.mark.parametrize(("argv", "message"), [
    (["--from", "2026-05-01", "--to", "2026-04-01"], "ends (2026-04-01) before it starts"),
    (["--rep", "nobody@example.com"], "There is no user with email nobody@example.com"),
])
def test_the_cli_refuses_bad_reports_with_one_line(store, capsys, argv, message):
    assert cli.main(["report", "--db", str(store.path), *argv]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_date_that_is_not_one(store, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["report", "--db", str(store.path), "--from", "last week"])
    assert exit_.value.code == 2
    assert "'last week' is not a date; write YYYY-MM-DD" in capsys.readouterr().err


@pytest.mark.parametrize(("period", "expected"), [
    (Period.THIS_QUARTER, (date(2026, 10, 1), date(2026, 11, 23))),
    (Period.LAST_QUARTER, (date(2026, 7, 1), date(2026, 9, 30))),
    (Period.LAST_12_WEEKS, (date(2026, 9, 7), date(2026, 11, 23))),
    (Period.THIS_YEAR, (date(2026, 1, 1), date(2026, 11, 23))),
    (Period.ALL, (None, None)),
])
def test_periods(period, expected):
    assert period.dates(date(2026, 11, 23)) == expected
    assert Period.LAST_QUARTER.dates(date(2026, 2, 10)) == (date(2025, 10, 1),
                                                            date(2025, 12, 31))
