"""The conversion model on imported fields, with data of known structure (fixed seeds):
identifiers and free text left out by their values, a category with hundreds of values
kept, missing numbers kept missing, honest figures for a constant score, thread limits
during fits, JSON errors; learned rules that the store scores as the model ranks."""

import json
import math
import random
from datetime import datetime, timedelta

import numpy as np
import pytest

from workbench import cli
from workbench.rules import conversion
from workbench.rules.criteria import Criteria, FitRule
from workbench.rules.refusals import BadInput
from workbench.services import model, refine, scoring
from workbench.store.leads import Store


def imported(store: Store, n: int, fields, seed: int = 5) -> None:
    """n leads imported with a historic outcome drawn from fields(i, rng) -> (custom fields,
    log-odds of converting)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        custom, logit = fields(i, rng)
        won = rng.random() < 1 / (1 + math.exp(-logit))
        rows.append({"row": i + 2, "first_name": "P", "last_name": str(i),
                     "email": f"p{i}@c{i}.example", "outcome": "won" if won else "lost",
                     "custom_fields": json.dumps(custom)})
    store.import_leads(rows, note="synthetic", at=datetime(2026, 10, 1))


def rows_of(kinds_input: list[dict]) -> list[tuple]:
    """Rows shaped as Store.conversion_facts, only custom fields filled."""
    return [(i, 0, None, *([None] * 7), json.dumps(c), 0, 0, *([0] * 20))
            for i, c in enumerate(kinds_input)]


def test_identifiers_and_free_text_are_left_out_by_their_values_not_their_names():
    rng = random.Random(1)
    ids = rng.sample(range(1_000_000, 9_999_999), 600)
    kinds = model.custom_field_kinds(rows_of([{
        "Number": str(1000 + i),  # counts up with the import
        "Code": str(ids[i]),  # random, one width
        "Ref": str(rng.randint(1, 10**9) * 2 + 1) if i % 2 else f"R-{i}",  # text, all unique
        "Comment": f"Called on {i}, said {rng.choice(['maybe', 'later'])} {i * 7}",
        "Seats": str(rng.randint(1, 400)),  # a measure: many repeats
        "Revenue": f"{rng.lognormvariate(10, 1):.2f}",  # continuous: all distinct, kept
        "Plan": rng.choice(["free", "team", "business"]),
        "Constant": "yes",
    } for i in range(600)]))
    assert kinds == {"Seats": "number", "Revenue": "number", "Plan": "category"}


def test_a_category_with_hundreds_of_values_is_kept_and_can_be_chosen(store, capsys):
    rng = random.Random(2)
    effect = {f"City {c}": rng.gauss(0, 1.2) for c in range(300)}

    def fields(i, rng):
        city = f"City {i % 300}"
        return {"City": city, "Noise": rng.choice("ABC")}, effect[city] - 1.5

    imported(store, 3000, fields)
    report = model.train(store).report
    assert "custom:City" in report["fields"]
    assert report["model"]["auc"] > 0.68
    assert cli.main(["score", "--train", "--fields", "custom:City", "--json",
                     "--db", str(store.path)]) == 0
    chosen = json.loads(capsys.readouterr().out)
    assert chosen["fields"] == ["custom:City"] and chosen["model"]["auc"] > 0.68


def test_a_missing_number_stays_missing_and_its_scale_is_kept(store):
    def fields(i, rng):
        if rng.random() < 0.3:  # never filled in: converts well
            return {"Visits": None}, 0.5
        visits = rng.randint(0, 40)
        return {"Visits": str(visits)}, -2.5 + visits / 10

    imported(store, 2500, fields)
    trained = model.train(store, ["custom:Visits"])
    assert trained.report["model"]["auc"] > 0.7
    parameters = store.latest_model()[1]
    block = parameters["blocks"][0]
    assert block["type"] == "number" and block["missing"]
    assert 0 < block["median"] <= 40
    rows = rows_of([{"Visits": None}, {"Visits": "0"}, {"Visits": "40"}])
    p = model.probabilities(parameters, rows)
    assert p[2] > p[0] > p[1]  # missing is not zero visits: it converts better than that
    _p, reasons = model.explain_rows(parameters, rows)
    assert reasons[0][0][0] == "Visits: unknown" and reasons[2][0][0] == "Visits: 40"


def test_a_constant_score_has_no_lift_and_says_so(store, capsys):
    y = np.array([1, 0, 0, 1, 0, 0, 0, 0, 0, 1] * 10)
    assert conversion.top_decile_lift(y, np.zeros(100)) is None
    # ties at the cut count at their average rate, whatever the order of the leads
    ranking = np.array([1.0] * 5 + [0.0] * 95)
    assert conversion.top_decile_lift(y, ranking) == pytest.approx(
        (y[:5].sum() + 5 * y[5:].mean()) / 10 / y.mean())
    imported(store, 600, lambda i, rng: ({"Plan": rng.choice("AB")}, -0.5))
    assert cli.main(["score", "--train", "--db", str(store.path)]) == 0
    out, err = capsys.readouterr()
    assert "Rules score" in out and "n/a" in out
    assert "the same for every lead" in err and "no rule fired" in err
    assert "The model predicts the same" not in err
    # a model given only a field that is the same for every lead ranks nothing either
    assert cli.main(["score", "--train", "--fields", "seniority", "--json",
                     "--db", str(store.path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model"]["auc"] == pytest.approx(0.5, abs=0.05)
    assert any(w.startswith("The model predicts the same") for w in report["warnings"])


def test_fits_run_with_one_thread(store, monkeypatch):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_info

    seen = {"blas": [], "openmp": []}

    def counting(cls, api):
        fit = cls.fit

        def counting_fit(self, *args, **kwargs):
            seen[api].append({lib["num_threads"] for lib in threadpool_info()
                              if lib["user_api"] == api})
            return fit(self, *args, **kwargs)
        monkeypatch.setattr(cls, "fit", counting_fit)

    counting(LogisticRegression, "blas")  # the regression's BLAS
    counting(HistGradientBoostingClassifier, "openmp")  # the trees' OpenMP
    imported(store, 400, lambda i, rng: ({"Plan": rng.choice("AB")}, -0.5))
    model.train(store)
    for api, threads in seen.items():
        assert threads and all(t <= {1} for t in threads), api


def test_a_curve_no_line_follows_is_learned_and_the_parts_add_up(store):
    def fields(i, rng):  # converts in two age ranges only, and the plan adds to it
        age, plan = rng.randint(20, 70), rng.choice(["free", "paid"])
        logit = (1.5 if 30 <= age < 38 or 58 <= age < 64 else -1.0) + \
            (0.8 if plan == "paid" else 0.0)
        return {"Age": str(age), "Plan": plan}, logit - 0.5

    imported(store, 4000, fields)
    assert model.train(store).report["model"]["auc"] > 0.7
    parameters = store.latest_model()[1]
    rows = rows_of([{"Age": str(a), "Plan": "free"} for a in (25, 34, 48, 61, 68)])
    p = model.probabilities(parameters, rows)
    assert p[1] > p[0] and p[1] > p[2] and p[3] > p[2] and p[3] > p[4]
    # additive: the intercept and one part per field give the probability a lead shows
    parts = model.field_parts(parameters, rows)
    logit = parts.sum(axis=1) + model._intercept(parameters)
    assert 1 / (1 + np.exp(-logit)) == pytest.approx(p)
    age = [b["field"] for b in parameters["blocks"]].index("custom:Age")
    plan = [b["field"] for b in parameters["blocks"]].index("custom:Plan")
    assert np.ptp(parts[:, plan]) < 1e-9  # the same plan: the same part, whatever the age
    assert parts[1, age] - parts[2, age] > 1.0


def test_errors_come_as_json_when_json_is_asked_for(store, capsys):
    assert cli.main(["score", "--train", "--json", "--db", str(store.path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "at least 50 converted" in json.loads(err)["error"]
    assert cli.main(["score", "--train", "--db", str(store.path)]) == 1
    assert capsys.readouterr().err.startswith("workbench: A model needs")


def test_learned_rules_rank_as_the_model_and_the_store_scores_them_alike(store, capsys):
    def fields(i, rng):
        plan, age = rng.choice(["free", "team", "business"]), rng.randint(18, 80)
        logit = {"free": -1.5, "team": 0.0, "business": 1.0}[plan] + (1.2 if age > 60 else 0)
        return {"Plan": plan, "Age": str(age), "Note": f"n{i}"}, logit - 1

    imported(store, 2000, fields)
    report = model.train(store).report
    assert report["rules"]["top_decile_lift"] is None and report["warnings"]
    gain = report["learned_rules"]["auc"] - 0.5
    assert gain >= 0.9 * (report["model"]["auc"] - 0.5)
    assert cli.main(["score", "--refine", "--db", str(store.path)]) == 0
    assert f"rules score 0.500 before, {report['learned_rules']['auc']:.3f} with the learned" \
        in capsys.readouterr().out
    assert cli.main(["score", "--refine", "--apply", "--json", "--db", str(store.path)]) == 0
    refined = json.loads(capsys.readouterr().out)
    assert refined["held_out"]["model"] == report["model"]
    learned = [s for s in refined["suggestions"] if s["kind"] == "learned"]
    assert {s["field"] for s in learned} == {"custom:Plan", "custom:Age"}
    assert any(s["match"] == "between" for s in learned)
    criteria = store.current_criteria()
    scoring.rescore(store, criteria)
    facts = store.conversion_facts(labelled=True)
    expected = model.rule_points(facts, [r for r in criteria.fit_rules
                                         if r.label.endswith(model.LEARNED)])
    assert [r[11] for r in facts] == expected.astype(int).tolist()  # SQL agrees with Python
    after = model.train(store).report
    assert after["rules"]["auc"] > 0.9 * after["model"]["auc"]
    assert "fit_score" not in after["fields"]  # the learned rules would leak the outcomes
    # refining again replaces the learned rules, never adds a second set
    again = refine.apply(criteria, refine.suggestions(store, criteria, datetime(2026, 11, 1)))
    assert len(again.fit_rules) == len(criteria.fit_rules)


def test_a_band_rule_is_checked_when_the_criteria_are_read():
    good = FitRule("Age 60 or more", "custom:Age", ("60", ""), 10, "between")
    Criteria(fit_rules=(good,)).validate()
    for values in (("", ""), ("60",), ("x", "9"), ("70", "60")):
        with pytest.raises(BadInput, match="between|low end"):
            Criteria(fit_rules=(FitRule("Age", "custom:Age", values, 10, "between"),)
                     ).validate()
    with pytest.raises(BadInput, match="unknown field"):
        Criteria(fit_rules=(FitRule("Shoe", "shoe_size", ("42",), 1),)).validate()


def test_a_history_of_wins_only_learns_with_a_horizon(store, capsys):
    """Leads handed over (imported as MQLs) on days spread over the year before the suite's
    clock (2026-11-23); only the wins are recorded (customers)."""
    rng = random.Random(8)
    start = datetime(2026, 1, 5)
    rows, expected = [], 0
    for i in range(1200):
        plan = rng.choice(["free", "paid"])
        handed = start + timedelta(days=rng.randint(0, 320))
        won = rng.random() < (0.35 if plan == "paid" else 0.1)
        old_enough = handed <= datetime(2026, 11, 23, 12) - timedelta(days=90)
        expected += not won and old_enough
        rows.append({"row": i + 2, "first_name": "P", "last_name": str(i),
                     "email": f"p{i}@c{i}.example", "created_at": handed,
                     "stage": "customer" if won else "mql",
                     "custom_fields": json.dumps({"Plan": plan})})
    store.import_leads(rows, note="wins only", at=datetime(2026, 11, 1))
    assert cli.main(["score", "--train", "--db", str(store.path)]) == 1
    assert "0 lost" in (err := capsys.readouterr().err) and "--lost-after DAYS" in err
    assert cli.main(["score", "--train", "--lost-after", "90", "--db", str(store.path)]) == 0
    out = capsys.readouterr().out
    assert f"Counted as lost: {expected:,} leads with no win 90 days after" in out
    report = store.latest_model()[2]
    assert report["lost"] == report["lost_by_horizon"] == expected
    assert report["lost_after"] == 90 and report["model"]["auc"] > 0.6
    # leads handed over less than 90 days ago are not counted either way
    recent = sum(1 for r in rows if r["stage"] == "mql" and
                 r["created_at"] > datetime(2026, 11, 23, 12) - timedelta(days=90))
    assert recent and report["converted"] + report["lost"] == len(rows) - recent
    for wrong in (["--lost-after", "0", "--train"], ["--lost-after", "30"]):
        assert cli.main(["score", *wrong, "--db", str(store.path)]) == 1
        assert "--lost-after" in capsys.readouterr().err


def test_the_predicted_chances_are_calibrated_on_held_out_leads(store):
    def fields(i, rng):
        score, tier = rng.gauss(0, 1), rng.choice("ABCD")
        return {"Score": f"{score:.3f}", "Tier": tier}, \
            -1.2 + 1.1 * score + {"A": 0.8, "B": 0.2, "C": -0.3, "D": -0.9}[tier]

    imported(store, 3000, fields)
    report = model.train(store).report
    bins = report["reliability"]
    assert sum(b["leads"] for b in bins) == 3000 and len(bins) == model.RELIABILITY_BINS
    # each fifth of the leads, from the least likely to the most, converts about as predicted
    assert [b["predicted"] for b in bins] == sorted(b["predicted"] for b in bins)
    for b in bins:
        assert abs(b["predicted"] - b["observed"]) < 0.05, bins
