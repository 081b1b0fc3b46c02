"""A conversion model learned from the team's own outcomes, beside the rules score.

Leads that became an opportunity or customer (or were imported as won) against leads that
were disqualified (or imported as lost). Features: the fit fields, counts of behaviour
before the outcome, and the custom fields kept from imports that are categories or numbers
(identifiers and free text are left out). A logistic regression (scikit-learn) keeps every
prediction explainable: each feature adds to the log-odds, and the largest parts are shown.
The model is stored as JSON (vocabularies, scaling, coefficients), never as pickled code.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from workbench.rules.criteria import FREE_MAIL_DOMAINS
from workbench.store.leads import BEHAVIOUR_FEATURES, Store

MIN_PER_CLASS = 50  # outcomes of each kind a model needs
MAX_TRAIN_ROWS = 200_000  # a random sample beyond this: enough for a linear model
FOLDS = 5  # held-out figures by k-fold cross-validation
MIN_CATEGORY_COUNT = 5  # rarer values of a field share one "other" column
MAX_CUSTOM_VALUES = 30  # a custom field with more distinct values is an identifier or text
TOP_REASONS = 3
PREDICT_CHUNK = 100_000

FIT_FIELDS = ("seniority", "employee_band", "revenue_band", "industry", "country", "source",
              "email_type")
BEHAVIOUR_NAMES = tuple(f"{kind}:{page}" if page else kind for kind, page in BEHAVIOUR_FEATURES)
FIELD_LABELS = {"seniority": "Seniority", "employee_band": "Company size",
                "revenue_band": "Revenue", "industry": "Industry", "country": "Country",
                "source": "Source", "email_type": "Email"}
# positions in Store.conversion_facts rows
_ID, _LABEL, _CUTOFF, _FIT, _DOMAIN, _CUSTOM, _SCORE, _FIT_SCORE, _BEHAVIOUR = \
    0, 1, 2, 3, 9, 10, 11, 12, 13
FREE_MAIL = frozenset(FREE_MAIL_DOMAINS)


class NotEnoughOutcomes(ValueError):
    pass


@dataclass(frozen=True)
class Metrics:
    auc: float
    brier: float
    top_decile_lift: float

    def to_json(self) -> dict[str, float]:
        return {"auc": round(self.auc, 4), "brier": round(self.brier, 4),
                "top_decile_lift": round(self.top_decile_lift, 3)}


def _fit_values(row: tuple) -> list[Any]:
    seniority, employees, revenue, industry, country, source = row[_FIT:_FIT + 6]
    domain = (row[_DOMAIN] or "").lower()
    email_type = None if not domain else ("free mail" if domain in FREE_MAIL or
                                          domain.endswith(".edu") else "company")
    return [seniority, employees, revenue, industry, country, source, email_type]


@lru_cache(maxsize=65536)  # each lead's fields are read once per field otherwise
def _parse_custom(text: str) -> dict[str, Any]:
    return json.loads(text)


def _custom(row: tuple) -> dict[str, Any]:
    return _parse_custom(row[_CUSTOM]) if row[_CUSTOM] else {}


def _number(value: Any) -> float | None:
    try:
        return float(str(value).replace(",", ""))
    except ValueError:
        return None


def custom_field_kinds(rows: Sequence[tuple]) -> dict[str, str]:
    """Each custom field: 'number', 'category', or left out (identifier, free text)."""
    values: dict[str, list] = {}
    for row in rows:
        for key, value in _custom(row).items():
            values.setdefault(key, []).append(value)
    kinds = {}
    for key, seen in values.items():
        if len(seen) < MIN_CATEGORY_COUNT:
            continue
        numbers = [v for v in seen if _number(v) is not None]
        if len(numbers) >= 0.9 * len(seen) and len(set(seen)) > 2:
            kinds[key] = "number"
        elif len(set(seen)) <= MAX_CUSTOM_VALUES and len(set(seen)) < 0.5 * len(seen):
            kinds[key] = "category"
    return kinds


def available_fields(rows: Sequence[tuple]) -> list[str]:
    """The fields a model can use: fit fields, the rules' fit score (what the team knows,
    fixed before any outcome), behaviour, and usable custom fields."""
    return [*FIT_FIELDS, "fit_score", "behaviour",
            *(f"custom:{k}" for k in custom_field_kinds(rows))]


class Encoding:
    """Rows to a numeric matrix: one column per frequent category of each categorical
    field (rarer ones share 'other'), log counts and numbers standardised."""

    def __init__(self, parameters: dict[str, Any]) -> None:
        self.p = parameters

    @classmethod
    def learn(cls, rows: Sequence[tuple], fields: Sequence[str]) -> Encoding:
        kinds = custom_field_kinds(rows)
        categorical, numeric = {}, []
        for field in fields:
            if field in FIT_FIELDS:
                i = FIT_FIELDS.index(field)
                counts = Counter(_fit_values(row)[i] for row in rows)
                categorical[field] = sorted(str(v) for v, n in counts.items()
                                            if v is not None and n >= MIN_CATEGORY_COUNT)
            elif field == "behaviour":
                numeric += list(BEHAVIOUR_NAMES)
            elif field == "fit_score":
                numeric.append("fit_score")
            elif field.startswith("custom:") and kinds.get(field[7:]) == "category":
                counts = Counter(str(_custom(r).get(field[7:])) for r in rows
                                 if field[7:] in _custom(r))
                categorical[field] = sorted(v for v, n in counts.items()
                                            if n >= MIN_CATEGORY_COUNT)
            elif field.startswith("custom:") and kinds.get(field[7:]) == "number":
                numeric.append(field)
            else:
                raise ValueError(f"The model cannot use the field '{field}' (one of: "
                                 f"{', '.join(available_fields(rows))}).")
        encoding = cls({"fields": list(fields), "categorical": categorical, "numeric": numeric,
                        "mean": [], "scale": []})
        raw = encoding._numeric(rows)
        encoding.p["mean"] = raw.mean(axis=0).tolist() if len(raw) else []
        encoding.p["scale"] = [s if s > 0 else 1.0 for s in raw.std(axis=0).tolist()] \
            if len(raw) else []
        return encoding

    def names(self) -> list[str]:
        names = []
        for field, values in self.p["categorical"].items():
            label = FIELD_LABELS.get(field, field.replace("custom:", ""))
            names += [f"{label}: {v}" for v in values] + [f"{label}: other"]
        return names + [_numeric_label(n) for n in self.p["numeric"]]

    def _numeric(self, rows: Sequence[tuple]) -> np.ndarray:
        columns = []
        for name in self.p["numeric"]:
            if name == "fit_score":
                columns.append([float(row[_FIT_SCORE]) for row in rows])
            elif name in BEHAVIOUR_NAMES:
                i = _BEHAVIOUR + BEHAVIOUR_NAMES.index(name)
                columns.append([math.log1p(row[i]) for row in rows])
            else:
                key = name[7:]
                columns.append([math.log1p(max(_number(_custom(r).get(key, 0)) or 0.0, 0.0))
                                for r in rows])
        return np.array(columns, dtype=float).T.reshape(len(rows), len(columns))

    def matrix(self, rows: Sequence[tuple]) -> np.ndarray:
        parts = []
        fit = [_fit_values(row) for row in rows]
        for field, values in self.p["categorical"].items():
            index = {v: i for i, v in enumerate(values)}
            block = np.zeros((len(rows), len(values) + 1))
            for r, row in enumerate(rows):
                if field in FIT_FIELDS:
                    value = fit[r][FIT_FIELDS.index(field)]
                else:
                    value = _custom(row).get(field[7:])
                if value is not None:
                    block[r, index.get(str(value), len(values))] = 1.0
            parts.append(block)
        numeric = self._numeric(rows)
        if numeric.shape[1]:
            parts.append((numeric - np.array(self.p["mean"])) / np.array(self.p["scale"]))
        return np.hstack(parts) if parts else np.zeros((len(rows), 0))


def _numeric_label(name: str) -> str:
    if name == "fit_score":
        return "Fit score"
    if name in BEHAVIOUR_NAMES:
        kind, _, page = name.partition(":")
        what = kind.replace("_", " ")
        return f"{page.replace('_', ' ')} page views" if page else f"{what}s"
    return name[7:]


@dataclass
class TrainedModel:
    model_id: int
    report: dict[str, Any]


def _metrics(y: np.ndarray, probability: np.ndarray, ranking: np.ndarray) -> Metrics:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    top = np.argsort(-ranking, kind="stable")[:max(1, len(y) // 10)]
    lift = float(y[top].mean() / y.mean()) if y.mean() > 0 else 0.0
    return Metrics(float(roc_auc_score(y, ranking)), float(brier_score_loss(y, probability)),
                   lift)


def train(store: Store, fields: Sequence[str] | None = None, *, author: int | None = None,
          seed: int = 7) -> TrainedModel:
    """Learn a model from the outcomes, report it against the rules score on held-out
    leads, store it, and predict every lead. NotEnoughOutcomes when either class has
    fewer than MIN_PER_CLASS leads."""
    from sklearn.linear_model import LogisticRegression

    rows = store.conversion_facts(labelled=True)
    won = sum(1 for r in rows if r[_LABEL] == 1)
    lost = len(rows) - won
    if won < MIN_PER_CLASS or lost < MIN_PER_CLASS:
        raise NotEnoughOutcomes(
            f"A model needs at least {MIN_PER_CLASS} converted and {MIN_PER_CLASS} lost leads "
            f"to learn from; this database has {won} converted and {lost} lost. No model was "
            "trained.")
    rng = np.random.default_rng(seed)
    if len(rows) > MAX_TRAIN_ROWS:
        rows = [rows[i] for i in sorted(rng.choice(len(rows), MAX_TRAIN_ROWS, replace=False))]
    y = np.array([r[_LABEL] for r in rows], dtype=int)
    scores = np.array([[r[_SCORE]] for r in rows], dtype=float)
    fields = list(fields) if fields else available_fields(rows)
    # Held-out figures by stratified k-fold: every lead is predicted by a model that did
    # not learn from it, steadier than one split on a few thousand outcomes.
    fold = np.empty(len(rows), dtype=int)
    for label in (0, 1):
        members = rng.permutation(np.flatnonzero(y == label))
        fold[members] = np.arange(len(members)) % FOLDS
    probability, rules_probability = np.zeros(len(rows)), np.zeros(len(rows))
    for k in range(FOLDS):
        test = fold == k
        train_rows = [r for r, t in zip(rows, test, strict=True) if not t]
        encoding = Encoding.learn(train_rows, fields)
        fitted = LogisticRegression(C=1.0, max_iter=2000).fit(encoding.matrix(train_rows),
                                                              y[~test])
        probability[test] = fitted.predict_proba(
            encoding.matrix([r for r, t in zip(rows, test, strict=True) if t]))[:, 1]
        rules = LogisticRegression().fit(scores[~test], y[~test])  # the rules score as odds
        rules_probability[test] = rules.predict_proba(scores[test])[:, 1]
    encoding = Encoding.learn(rows, fields)
    final = LogisticRegression(C=1.0, max_iter=2000).fit(encoding.matrix(rows), y)
    parameters = {**encoding.p, "coef": final.coef_[0].tolist(),
                  "intercept": float(final.intercept_[0])}
    report = {
        "model": _metrics(y, probability, probability).to_json(),
        "rules": _metrics(y, rules_probability, scores[:, 0]).to_json(),
        "n_train": len(rows) - len(rows) // FOLDS, "n_test": len(rows),
        "folds": FOLDS, "converted": won, "lost": lost, "fields": fields,
    }
    model_id = store.save_model(fields, parameters, report, author)
    report["model_id"] = model_id
    predict_all(store, model_id, parameters)
    return TrainedModel(model_id, report)


def explain_rows(parameters: dict[str, Any], rows: Sequence[tuple]
                 ) -> tuple[np.ndarray, list[list[tuple[str, float]]]]:
    """Probabilities, and each row's largest contributions to the log-odds."""
    encoding = Encoding(parameters)
    x = encoding.matrix(rows)
    parts = x * np.array(parameters["coef"])
    probability = 1 / (1 + np.exp(-(parts.sum(axis=1) + parameters["intercept"])))
    names = encoding.names()
    reasons = []
    for row_parts in parts:
        top = np.argsort(-np.abs(row_parts))[:TOP_REASONS]
        reasons.append([(names[i], round(float(row_parts[i]), 2)) for i in top
                        if abs(row_parts[i]) >= 0.01])
    return probability, reasons


def predict_all(store: Store, model_id: int, parameters: dict[str, Any],
                lead_ids: Iterable[int] | None = None) -> int:
    """Store every lead's (or these leads') predicted conversion and its reasons."""
    ranges = ([(min(ids) - 1, max(ids))] if (ids := list(lead_ids or [])) else
              store.lead_id_ranges(max(1, store.count_leads() // PREDICT_CHUNK)))
    wanted = set(ids)
    done = 0
    for id_range in ranges:
        rows = [r for r in store.conversion_facts(labelled=False, id_range=id_range)
                if not wanted or r[_ID] in wanted]
        if not rows:
            continue
        probability, reasons = explain_rows(parameters, rows)
        store.write_predictions(
            (round(float(p), 4), json.dumps({"model": model_id, "top": why}), row[_ID])
            for p, why, row in zip(probability, reasons, rows, strict=True))
        done += len(rows)
    return done


def refresh_predictions(store: Store, lead_ids: Iterable[int] | None = None) -> None:
    """After new data: the latest model, if any, predicts these leads (or all) again."""
    latest = store.latest_model()
    if latest is not None:
        predict_all(store, latest[0], latest[1], lead_ids)
