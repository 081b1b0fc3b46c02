"""The conversion model and the learned rules on public data, beside tuned scikit-learn
models on the very same cross-validation split, in the same run.

../shared/data/bank-marketing/bank.csv (4,521 clients of a bank's phone campaign, 11.5%
converted; see its README) goes through the workbench's own commands, as a team would:
`import` with a mapping (`y` gives the outcome through the stage, `duration` is left out: it is
only known after the call), `score --train`, `export`, `score --refine --apply`, `score`. The
baselines read the same file and learn on the same folds (model.cross_validation_folds):
a logistic regression (one-hot categories, median-imputed scaled numbers, its C tuned by inner
cross-validation) and a gradient boosting (HistGradientBoostingClassifier with native
categories, tuned likewise).

Targets (issue 25): the model's AUC within 0.005 of the better baseline; the learned rules'
AUC - 0.5 at least 0.9 x the model's; `score --train` on 10,000 outcomes (generated, of
known structure) under 10 s.
"""

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from workbench.rules import conversion
from workbench.services import model
from workbench.store.leads import Store

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bank-marketing" / \
    "bank.csv"
LEFT_OUT = {"y", "duration"}  # the outcome, and what is known only after the call
MAPPING = """kind = "leads"
[columns]
Client = "full_name"
y = "stage"
duration = "ignore"
campaign = "custom"  # calls in this campaign, not a campaign's name
[stages]
yes = "customer"
no = "disqualified"
"""
TARGET_AUC_GAP = 0.005
TARGET_RULES_SHARE = 0.9
TARGET_SECONDS = 10.0


def workbench(db: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from workbench.cli import main; sys.exit(main())",
         "--db", str(db), *args], capture_output=True, text=True,
        env={**os.environ, "WORKBENCH_NOW": "2026-11-23T12:00"}, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def table():
    if not DATA.exists():
        pytest.skip(f"the public bank-marketing file is not at {DATA}: clone ../shared beside "
                    "the repository to run this benchmark")
    with DATA.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter=";"))
    return rows[0], rows[1:]


def baselines(header, rows, labels, folds):
    """Out-of-fold probabilities of the two tuned scikit-learn models, and their seconds."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    used = [i for i, h in enumerate(header) if h not in LEFT_OUT]
    numeric = [j for j, i in enumerate(used) if all(_is_number(r[i]) for r in rows)]
    category = [j for j in range(len(used)) if j not in numeric]
    x = np.array([[r[i] for i in used] for r in rows], dtype=object)
    for j in numeric:
        x[:, j] = x[:, j].astype(float)
    logistic = GridSearchCV(
        make_pipeline(ColumnTransformer([
            ("category", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5),
             category),
            ("number", make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                                     StandardScaler()), numeric)]),
            LogisticRegression(max_iter=2000)),
        {"logisticregression__C": [0.01, 0.03, 0.1, 0.3, 1.0, 3.0]},
        scoring="roc_auc", cv=StratifiedKFold(3, shuffle=True, random_state=0))
    boosting = GridSearchCV(
        make_pipeline(ColumnTransformer([
            ("category", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                        encoded_missing_value=-1), category),
            ("number", "passthrough", numeric)]),
            HistGradientBoostingClassifier(
                categorical_features=list(range(len(category))), max_iter=300,
                early_stopping=True, random_state=0)),
        {"histgradientboostingclassifier__learning_rate": [0.03, 0.1],
         "histgradientboostingclassifier__max_leaf_nodes": [7, 31],
         "histgradientboostingclassifier__min_samples_leaf": [20, 80]},
        scoring="roc_auc", cv=StratifiedKFold(3, shuffle=True, random_state=0))
    found = {}
    for name, search in (("logistic regression", logistic), ("gradient boosting", boosting)):
        started = time.perf_counter()
        probability = np.zeros(len(labels))
        for k in range(model.FOLDS):
            test = folds == k
            probability[test] = search.fit(x[~test], labels[~test]).predict_proba(
                x[test])[:, 1]
        found[name] = (probability, time.perf_counter() - started)
    return found


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def figures(labels, probability):
    from sklearn.metrics import brier_score_loss, roc_auc_score

    return {"auc": roc_auc_score(labels, probability),
            "brier": brier_score_loss(labels, probability),
            "top_decile_lift": conversion.top_decile_lift(labels, probability)}


def test_model_and_learned_rules_against_scikit_learn_on_bank_marketing(table, tmp_path):
    header, rows = table
    named = tmp_path / "bank.csv"  # the file has no name column; the import needs one
    with named.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["Client", *header])
        writer.writerows([f"Client {i}", *row] for i, row in enumerate(rows, 1))
    mapping = tmp_path / "bank.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    db = tmp_path / "bank.db"
    with Store.open(db):
        pass
    imported = json.loads(workbench(db, "import", str(named), "--mapping", str(mapping),
                                    "--json"))
    assert imported["imported"] == len(rows)
    started = time.perf_counter()
    report = json.loads(workbench(db, "score", "--train", "--json"))
    train_seconds = time.perf_counter() - started
    workbench(db, "export", "--out", str(tmp_path / "export.csv"))
    refined = json.loads(workbench(db, "score", "--refine", "--apply", "--json"))
    workbench(db, "score")
    after = json.loads(workbench(db, "score", "--train", "--json"))

    with Store.open(db) as store:
        facts = store.conversion_facts(labelled=True)
    labels = np.array([r[1] for r in facts])
    y = header.index("y")
    assert labels.tolist() == [int(r[y] == "yes") for r in rows]  # leads in file order
    folds = model.cross_validation_folds(labels)
    found = baselines(header, rows, labels, folds)
    base = {name: figures(labels, p) for name, (p, _s) in found.items()}
    best = max(base, key=lambda name: base[name]["auc"])

    def line(name, m, seconds=None):
        lift = "n/a" if m["top_decile_lift"] is None else f"{m['top_decile_lift']:.2f}x"
        took = "" if seconds is None else f"{seconds:7.1f} s"
        return f"  {name:<36}{m['auc']:>7.4f}{m['brier']:>8.4f}{lift:>8}{took}"

    print(f"\nbank-marketing, {len(rows):,} leads, {model.FOLDS}-fold cross-validation "
          "(the same folds for all):")
    print(f"  {'':<36}{'AUC':>7}{'Brier':>8}{'lift':>8}{'time':>9}")
    print(line("workbench model (score --train)", report["model"], train_seconds))
    print(line("rules refine would learn (held out)", report["learned_rules"]))
    print(line("rules before refine", report["rules"]))
    print(line("rules after refine --apply *", after["rules"]))
    for name, (_p, seconds) in found.items():
        print(line(f"scikit-learn {name} (tuned)", base[name], seconds))
    ratio = {k: report["model"][k] / base[best][k] for k in ("auc", "brier")}
    print(f"  model / {best}: AUC {ratio['auc']:.3f}, Brier {ratio['brier']:.3f}; "
          f"by time (newest fifth held out): model AUC {report['by_time']['model']['auc']:.4f}, "
          f"learned rules {report['by_time']['learned_rules']['auc']:.4f}")
    print(f"  * rules learned from every outcome, so not held out; {len(refined['suggestions'])}"
          f" rules proposed and applied. Training itself: {report['seconds']:.1f} s (the "
          "workbench's own clock, without starting the process)")

    assert report["model"]["auc"] >= base[best]["auc"] - TARGET_AUC_GAP
    assert report["learned_rules"]["auc"] - 0.5 >= \
        TARGET_RULES_SHARE * (report["model"]["auc"] - 0.5)


def generated_outcomes(n: int, seed: int = 11):
    """n imported leads of known structure, and each one's true chance of converting: a plan
    (a category), a region with hundreds of values (most of them rare), a company size
    that is missing for a quarter of the leads (and missing means something), visits that
    help up to a point and then no more, a number that is noise, an identifier and a note."""
    rng = np.random.default_rng(seed)
    regions = [f"Region {i}" for i in range(400)]
    region_effect = dict(zip(regions, rng.normal(0, 0.8, len(regions)), strict=True))
    weights = 1 / np.arange(1, len(regions) + 1)
    plan_effect = {"free": -1.2, "starter": -0.3, "team": 0.4, "enterprise": 1.0}
    rows, chance = [], []
    for i in range(n):
        plan = str(rng.choice(list(plan_effect), p=[0.4, 0.3, 0.2, 0.1]))
        region = regions[rng.choice(len(regions), p=weights / weights.sum())]
        employees = None if rng.random() < 0.25 else float(np.round(rng.lognormal(4, 1.5)))
        visits = int(rng.poisson(6))
        logit = -2.2 + plan_effect[plan] + region_effect[region] + min(visits, 8) * 0.18 + \
            (0.6 if employees is None else 0.35 * (np.log10(employees + 1) - 1.7))
        p = 1 / (1 + np.exp(-logit))
        chance.append(p)
        custom = {"Plan": plan, "Region": region, "Visits": str(visits),
                  "Lead score elsewhere": f"{rng.normal(50, 15):.1f}",
                  "CRM id": str(int(rng.integers(1_000_000, 10_000_000))),
                  "Note": f"Called {i}: {rng.choice(['keen', 'busy', 'later'])} #{i * 13}"}
        if employees is not None:
            custom["Employees"] = f"{employees:.0f}"
        rows.append({"row": i + 2, "first_name": "P", "last_name": str(i),
                     "email": f"p{i}@c{i}.example", "custom_fields": json.dumps(custom),
                     "outcome": "won" if rng.random() < p else "lost"})
    return rows, np.array(chance)


def test_training_on_ten_thousand_outcomes_of_known_structure(tmp_path):
    import contextlib
    from datetime import datetime

    from sklearn.metrics import roc_auc_score

    from workbench import cli

    rows, chance = generated_outcomes(10_000)
    db = tmp_path / "generated.db"
    with Store.open(db) as store:
        store.import_leads(rows, note="generated", at=datetime(2026, 10, 1))
    out = tmp_path / "report.json"
    started, processor = time.perf_counter(), time.process_time()
    with out.open("w", encoding="utf-8") as f, contextlib.redirect_stdout(f):
        assert cli.main(["score", "--train", "--json", "--db", str(db)]) == 0
    seconds, processor = time.perf_counter() - started, time.process_time() - processor
    report = json.loads(out.read_text(encoding="utf-8"))
    labels = np.array([r["outcome"] == "won" for r in rows])
    truth = roc_auc_score(labels, chance)  # what knowing the true chances would reach
    print(f"\n10,000 generated outcomes: score --train {seconds:.1f} s, {processor:.1f} s of "
          f"processor time (one thread; load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores); held-out AUC model "
          f"{report['model']['auc']:.4f}, learned rules {report['learned_rules']['auc']:.4f}, "
          f"the true chances {truth:.4f} (model / truth {report['model']['auc'] / truth:.3f})")
    assert set(report["fields"]) >= {"custom:Plan", "custom:Region", "custom:Employees",
                                     "custom:Visits"}
    assert {"CRM id", "Note"} <= set(report["left_out"])
    assert report["model"]["auc"] >= truth - 0.03
    # the processor time is the time on this machine when no other work shares it (the
    # training runs on one thread); the clock's time depends on what else runs
    assert processor < TARGET_SECONDS
