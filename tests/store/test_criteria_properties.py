"""Random criteria values thrown at `workbench criteria import`: a file is refused whole (and
nothing is saved), or every score `workbench score` then stores is finite and within what
the rules can give."""

import io
import math
import shutil
import sqlite3
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import DEMO_AS_OF
from tests.stage_totals import assert_totals_exact
from workbench import cli, demo
from workbench.files.criteria_file import _without_none
from workbench.rules.criteria import DEFAULT_CRITERIA

NUMBERS = st.one_of(
    st.sampled_from([float("nan"), float("inf"), float("-inf"), 1e20, 99999999, 0, -1, -5]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10**20, 10**20),
    st.integers(-20, 1200),
    st.floats(-150, 150),
)
SETTINGS = ("mql_threshold", "sla_hours", "half_life_days", "journey_window_days",
            "recycle_days")
TARGETS = st.sampled_from(SETTINGS + ("fit_points", "engagement_points", "cap", "min_count",
                                      "grade", "no_fit_rules", "no_engagement_rules"))


def mutated(changes: list[tuple[str, float, int]]) -> dict:
    data = _without_none(DEFAULT_CRITERIA.to_dict())
    for target, value, index in changes:
        fit, engagement = data["fit_rules"], data["engagement_rules"]
        if target in SETTINGS:
            data[target] = value
        elif target == "fit_points" and fit:
            fit[index % len(fit)]["points"] = value
        elif target == "engagement_points" and engagement:
            engagement[index % len(engagement)]["points"] = value
        elif target == "cap" and engagement:
            engagement[index % len(engagement)]["cap"] = value
        elif target == "min_count":
            data["journey"][index % len(data["journey"])]["min_count"] = value
        elif target == "grade":
            data["fit_grades"][index % 3] = value
        elif target == "no_fit_rules":
            data["fit_rules"] = []
        elif target == "no_engagement_rules":
            data["engagement_rules"] = []
    return data


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("criteria") / "demo.db"
    demo.create_database(path, leads=150, seed=5, as_of=DEMO_AS_OF)
    return path


def score_bound(criteria: dict, activities: int) -> float:
    """The most any lead's score can be away from 0: every fit rule, and every engagement
    rule at its cap or (uncapped) every activity at full points; 1 more a rule for rounding."""
    fit = sum(abs(r["points"]) + 1 for r in criteria["fit_rules"])
    engagement = sum(min(r.get("cap", float("inf")), abs(r["points"]) * activities) + 1
                     for r in criteria["engagement_rules"])
    return fit + engagement


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(TARGETS, NUMBERS, st.integers(0, 100)), max_size=3))
@pytest.mark.slow
def test_random_criteria_are_refused_or_give_finite_scores_in_range(small_demo, changes):
    criteria = mutated(changes)
    with tempfile.TemporaryDirectory() as folder:
        db, path = Path(folder) / "team.db", Path(folder) / "criteria.toml"
        shutil.copy(small_demo, db)
        path.write_text(tomli_w.dumps(criteria))
        with sqlite3.connect(db) as conn:
            versions = conn.execute("SELECT count(*) FROM criteria_versions").fetchone()[0]
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()) as stderr:
            status = cli.main(["--db", str(db), "criteria", "import", str(path)])
        refused = stderr.getvalue()
        if status != 0:
            assert status == 1 and len(refused.strip().splitlines()) == 1, refused
            assert "Nothing was changed." in refused
            with sqlite3.connect(db) as conn:
                saved = conn.execute("SELECT count(*) FROM criteria_versions").fetchone()[0]
            assert saved == versions
            return
        with redirect_stdout(io.StringIO()):
            assert cli.main(["--db", str(db), "score"]) == 0
        assert_totals_exact(db)
        with sqlite3.connect(db) as conn:
            activities = conn.execute(
                "SELECT (SELECT count(*) FROM activities) "
                "+ (SELECT count(*) FROM intent_signals)").fetchone()[0]
            scores = conn.execute("SELECT typeof(score), score, fit_score, engagement_score, "
                                  "grade FROM leads").fetchall()
    numbers = [criteria[name] for name in SETTINGS] + [
        *criteria["fit_grades"], *(r["points"] for r in criteria["fit_rules"]),
        *(v for r in criteria["engagement_rules"] for v in (r["points"], r.get("cap", 1))),
        *(s["min_count"] for s in criteria["journey"])]
    assert all(math.isfinite(n) and abs(n) <= 10_000 for n in numbers), numbers
    assert criteria["mql_threshold"] > 0 and criteria["fit_rules"] + criteria["engagement_rules"]
    bound = score_bound(criteria, activities)
    for kind, score, fit, engagement, grade in scores:
        assert kind == "integer" and abs(score) <= bound, (score, bound)
        assert score == fit + engagement
        assert grade[0] in "ABCD" and grade[1] in "1234"
