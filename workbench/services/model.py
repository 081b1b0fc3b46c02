"""A conversion model learned from the team's own outcomes, beside the rules score.

Leads that became an opportunity or customer (or were imported as won) against leads that
were disqualified (or imported as lost). Features: the fit fields, counts of behaviour
before the outcome, and every field kept from imports, except identifiers and free text
(see custom_field_kinds). The model is additive, so every prediction explains itself field
by field: its log-odds are the average of two models that are each a sum of one part per
field. A logistic regression (scikit-learn) on an encoding where categories keep every
value seen MIN_CATEGORY_COUNT times (rarer ones share "other"), numbers keep their scale
(winsorised, standardised) and are also cut into bands, and a missing number stays missing
(its own indicator, the median in its place). And boosted trees that each split on one field
(HistGradientBoostingClassifier with interaction constraints, categories and missing values
native), read back as one table per field. The same parts, turned into points, are the rules
refine proposes. The model is stored as JSON (vocabularies, scaling, bands, coefficients,
the trees' tables), never as pickled code.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np

from workbench.clock import utcnow
from workbench.rules import conversion
from workbench.rules.criteria import (
    CUSTOM_FIELD,
    FREE_MAIL_DOMAINS,
    RANGES,
    Criteria,
    FitRule,
    band_number,
    is_custom_field,
)
from workbench.rules.criteria import FIT_FIELDS as RULE_FIELDS
from workbench.rules.refusals import BadInput, Refused
from workbench.store.leads import BEHAVIOUR_FEATURES, Store

MIN_PER_CLASS = 50  # outcomes of each kind a model needs
MAX_TRAIN_ROWS = 200_000  # a random sample beyond this: enough for an additive model
FOLDS = 5  # held-out figures by k-fold cross-validation
NEWEST_SHARE = 0.2  # held out by time: the newest fifth of the outcomes
MIN_CATEGORY_COUNT = 5  # rarer values of a field share one "other" column
MAX_CATEGORY_VALUES = 1000  # the most frequent values of a field that get a column
TREE_VALUES = 254  # the most frequent of them the trees tell apart (the rest: "other")
FREQUENT_SHARE = 0.5  # a text field whose frequent values cover less is an id or free text
IDENTIFIER_DISTINCT = 0.95  # whole numbers this distinct may be an identifier
BANDS = 8  # a number is cut into about this many bands of equal counts
STRENGTHS = (0.01, 0.03, 0.1, 0.3, 1.0)  # inverse L2 penalties tried on the training leads
INNER_FOLDS = 2
# The trees: one field each, shallow, slow to learn, stopped when leads held out of the
# training leads stop improving; settings that suit tables of a few hundred to a million
# leads, not tuned to any one.
TREE_SETTINGS = {"learning_rate": 0.1, "max_iter": 500, "max_leaf_nodes": 8,
                 "min_samples_leaf": 20, "l2_regularization": 1.0, "early_stopping": True,
                 "validation_fraction": 0.15, "n_iter_no_change": 10}
TREES_SHARE = 0.5  # the model's log-odds: half the regression's, half the trees'
MAX_TABLE = 2048  # a number's trees are read at up to this many of its values
POINTS_PER_LOGIT = 12  # a rule that doubles the odds of converting is worth about 8 points
LEARNED = " (learned)"  # the end of a rule's label that refine learned from the model
RULE_BANDS = 8  # a number's learned rules: at most this many bands
POINT_STEPS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50)
RELIABILITY_BINS = 5
TOP_REASONS = 3
PREDICT_CHUNK = 100_000

FIT_FIELDS = ("seniority", "employee_band", "revenue_band", "industry", "country", "source",
              "email_type")
BEHAVIOUR_NAMES = tuple(f"{kind}:{page}" if page else kind for kind, page in BEHAVIOUR_FEATURES)
FIELD_LABELS = {"seniority": "Seniority", "employee_band": "Company size",
                "revenue_band": "Revenue", "industry": "Industry", "country": "Country",
                "source": "Source", "email_type": "Email", "fit_score": "Fit score"}
# positions in Store.conversion_facts rows
_ID, _LABEL, _CUTOFF, _FIT, _DOMAIN, _CUSTOM, _SCORE, _FIT_SCORE, _BY_HORIZON, _BEHAVIOUR = \
    0, 1, 2, 3, 9, 10, 11, 12, 13, 14
FREE_MAIL = frozenset(FREE_MAIL_DOMAINS)


class NotEnoughOutcomes(Refused):
    """Too few converted or lost leads to learn from: no model is trained."""


@dataclass(frozen=True)
class Metrics:
    auc: float
    brier: float
    top_decile_lift: float | None  # None: the score is the same for every lead

    def to_json(self) -> dict[str, float | None]:
        lift = self.top_decile_lift
        return {"auc": round(self.auc, 4), "brier": round(self.brier, 4),
                "top_decile_lift": None if lift is None else round(lift, 3)}


@lru_cache(maxsize=65536)  # each lead's fields are read once per field otherwise
def _parse_custom(text: str) -> dict[str, Any]:
    return json.loads(text)


def _custom(row: tuple) -> dict[str, Any]:
    return _parse_custom(row[_CUSTOM]) if row[_CUSTOM] else {}


def _email_type(domain: str | None) -> str | None:
    domain = (domain or "").lower()
    if not domain:
        return None
    return "free mail" if domain in FREE_MAIL or domain.endswith(".edu") else "company"


class Facts(list):
    """Rows of Store.conversion_facts that keep each field's values once read: a training
    fits many models on parts of the same leads."""

    def __init__(self, rows: Iterable[tuple], values: dict[Any, Any] | None = None) -> None:
        super().__init__(rows)
        self.values = {} if values is None else values

    def subset(self, index: np.ndarray) -> Facts:
        """These rows (positions, or a mask) with what was read of them."""
        index = np.flatnonzero(index) if index.dtype == bool else index
        return Facts([self[i] for i in index.tolist()],
                     {key: v[index] if isinstance(v, np.ndarray) else [v[i] for i in index]
                      for key, v in self.values.items()})


def column(rows: Sequence[tuple], field: str) -> list[Any]:
    """Each row's value of a field (None when missing), as a rule or the model reads it."""
    if isinstance(rows, Facts):
        if field not in rows.values:
            rows.values[field] = _column(rows, field)
        return rows.values[field]
    return _column(rows, field)


def numbers(rows: Sequence[tuple], field: str) -> np.ndarray:
    """A field's values as numbers, NaN where missing or not a number."""
    if isinstance(rows, Facts):
        key = ("number", field)
        if key not in rows.values:
            rows.values[key] = _numbers(column(rows, field))
        return rows.values[key]
    return _numbers(column(rows, field))


def _block_values(rows: Sequence[tuple], block: dict[str, Any]) -> Any:
    return column(rows, block["field"]) if block["type"] == "category" else \
        numbers(rows, block["field"])


def _column(rows: Sequence[tuple], field: str) -> list[Any]:
    if field == "email_type":
        return [_email_type(row[_DOMAIN]) for row in rows]
    if field in FIT_FIELDS:
        i = _FIT + FIT_FIELDS.index(field)
        return [row[i] for row in rows]
    if field == "fit_score":
        return [row[_FIT_SCORE] for row in rows]
    if field in BEHAVIOUR_NAMES:
        i = _BEHAVIOUR + BEHAVIOUR_NAMES.index(field)
        return [row[i] for row in rows]
    name = field.removeprefix(CUSTOM_FIELD)
    return [None if (v := _custom(row).get(name)) in (None, "") else str(v) for row in rows]


def custom_field_kinds(rows: Sequence[tuple]) -> dict[str, str]:
    """Each imported field: 'number', 'category', or left out. Left out: a field with one
    value (nothing to learn), text whose frequent values (MIN_CATEGORY_COUNT leads or more)
    cover less than FREQUENT_SHARE of the leads that have it (identifiers, names, free text),
    and whole numbers nearly all different that count up with the import, fill their range
    or all have one width of 5 digits or more (numeric identifiers)."""
    values: dict[str, list[str]] = {}
    for row in rows:
        for key, value in _custom(row).items():
            if value not in (None, ""):
                values.setdefault(key, []).append(str(value))
    kinds = {}
    for key, seen in values.items():
        counts = Counter(seen)
        if len(seen) < MIN_CATEGORY_COUNT or len(counts) < 2:
            continue
        numbers = [n for v in seen if (n := band_number(v)) is not None]
        if len(numbers) >= 0.9 * len(seen) and len(counts) > 2:
            if not _numeric_identifier(np.array(numbers)):
                kinds[key] = "number"
        elif sum(n for n in counts.values() if n >= MIN_CATEGORY_COUNT) >= \
                FREQUENT_SHARE * len(seen):
            kinds[key] = "category"
    return kinds


def _numeric_identifier(numbers: np.ndarray) -> bool:
    if not np.all(numbers == np.round(numbers)):
        return False
    distinct = len(np.unique(numbers))
    if distinct < IDENTIFIER_DISTINCT * len(numbers):
        return False
    order = np.argsort(np.argsort(numbers, kind="stable"))
    counts_up = abs(np.corrcoef(order, np.arange(len(numbers)))[0, 1]) >= 0.9
    dense = numbers.max() - numbers.min() + 1 <= 2 * distinct
    widths = {len(str(int(abs(n)))) for n in numbers}
    return bool(counts_up or dense or (len(widths) == 1 and min(widths) >= 5))


def available_fields(rows: Sequence[tuple]) -> list[str]:
    """The fields a model can use: fit fields, the rules' fit score, behaviour, and every
    imported field that is a category or a number."""
    return [*FIT_FIELDS, "fit_score", "behaviour",
            *(f"{CUSTOM_FIELD}{k}" for k in custom_field_kinds(rows))]


def default_fields(rows: Sequence[tuple], criteria: Criteria) -> list[str]:
    """Every available field, except the rules' fit score once rules were learned from the
    outcomes: it would bring the held-out leads' outcomes back into their own prediction."""
    learned = any(r.label.endswith(LEARNED) for r in criteria.fit_rules)
    return [f for f in available_fields(rows) if not (learned and f == "fit_score")]


def _label(field: str) -> str:
    if field in BEHAVIOUR_NAMES:
        kind, _, page = field.partition(":")
        return f"{page.replace('_', ' ')} page views" if page else f"{kind.replace('_', ' ')}s"
    return FIELD_LABELS.get(field, field.removeprefix(CUSTOM_FIELD))


class Encoding:
    """Rows to a numeric matrix, one block of columns per field (see the module's text)."""

    def __init__(self, parameters: dict[str, Any]) -> None:
        self.p = parameters

    @classmethod
    def learn(cls, rows: Sequence[tuple], fields: Sequence[str],
              kinds: dict[str, str] | None = None) -> Encoding:
        kinds = custom_field_kinds(rows) if kinds is None else kinds
        blocks = []
        for field in fields:
            kind = kinds.get(field.removeprefix(CUSTOM_FIELD)) if is_custom_field(field) \
                else None
            if field in FIT_FIELDS or kind == "category":
                blocks.append(_category_block(field, column(rows, field)))
            elif field == "behaviour":
                blocks += [_count_block(name, numbers(rows, name)) for name in BEHAVIOUR_NAMES]
            elif field == "fit_score" or kind == "number":
                blocks.append(_number_block(field, numbers(rows, field)))
            else:
                raise BadInput(f"The model cannot use the field '{field}' (one of: "
                                 f"{', '.join(available_fields(rows))}).")
        return cls({"fields": list(fields), "blocks": blocks})

    def spans(self) -> list[slice]:
        """Each block's columns in the matrix."""
        spans, start = [], 0
        for block in self.p["blocks"]:
            width = _width(block)
            spans.append(slice(start, start + width))
            start += width
        return spans

    def matrix(self, rows: Sequence[tuple]) -> np.ndarray:
        parts = [_encode(block, _block_values(rows, block)) for block in self.p["blocks"]]
        return np.hstack(parts) if parts else np.zeros((len(rows), 0))


def _category_block(field: str, values: list[Any]) -> dict[str, Any]:
    counts = Counter(str(v) for v in values if v is not None)
    kept = [v for v, n in counts.most_common(MAX_CATEGORY_VALUES) if n >= MIN_CATEGORY_COUNT]
    return {"field": field, "type": "category", "values": kept}  # the most frequent first


def _numbers(values: Sequence[Any]) -> np.ndarray:
    """Numbers with NaN for missing (text that is not a number counts as missing)."""
    if isinstance(values, np.ndarray) and values.dtype == float:
        return values
    return np.array([_number(v) for v in values], dtype=float)


def _number(value: Any) -> float:
    if isinstance(value, int | float):
        return float(value)
    return _number_of_text(value)


@lru_cache(maxsize=65536)  # a field's values repeat, and each is read by every fit
def _number_of_text(text: str | None) -> float:
    number = band_number(text)
    return np.nan if number is None else number


def _number_block(field: str, x: np.ndarray) -> dict[str, Any]:
    present = x[~np.isnan(x)]
    if not len(present):
        return {"field": field, "type": "number", "median": 0.0, "low": 0.0, "high": 0.0,
                "mean": 0.0, "scale": 1.0, "edges": [], "typical": [0.0], "missing": True}
    low, high = (float(q) for q in np.quantile(present, [0.01, 0.99]))
    clipped = np.clip(present, low, high)
    distinct, counts = np.unique(present, return_counts=True)
    edges = set(np.quantile(present, np.arange(1, BANDS) / BANDS, method="higher").tolist())
    # a value shared by many leads (0, -1 for "never") gets a band of its own
    for value in distinct[counts >= len(present) / BANDS]:
        edges.add(float(value))
        above = np.searchsorted(distinct, value, side="right")
        if above < len(distinct):
            edges.add(float(distinct[above]))
    edges = sorted(e for e in edges if e > distinct[0])
    band = np.searchsorted(edges, present, side="right")
    typical = [float(np.median(present[band == b])) if np.any(band == b) else None
               for b in range(len(edges) + 1)]
    scale = float(clipped.std())
    return {"field": field, "type": "number", "median": float(np.median(present)),
            "low": low, "high": high, "mean": float(clipped.mean()),
            "scale": scale if scale > 0 else 1.0, "edges": edges, "typical": typical,
            "missing": bool(len(present) < len(x))}


def _count_block(field: str, counts: np.ndarray) -> dict[str, Any]:
    logs = np.log1p(counts)  # counts: a tenth visit adds less
    scale = float(logs.std()) if len(logs) else 0.0
    return {"field": field, "type": "count", "mean": float(logs.mean()) if len(logs) else 0.0,
            "scale": scale if scale > 0 else 1.0}


def _width(block: dict[str, Any]) -> int:
    if block["type"] == "category":
        return len(block["values"]) + 1
    if block["type"] == "count":
        return 1
    return 1 + len(block["edges"]) + 1 + int(block["missing"])


def _standardised(block: dict[str, Any], x: np.ndarray) -> np.ndarray:
    return (np.clip(x, block["low"], block["high"]) - block["mean"]) / block["scale"]


def _encode(block: dict[str, Any], values: list[Any]) -> np.ndarray:
    n = len(values)
    out = np.zeros((n, _width(block)))
    if block["type"] == "category":
        index = {v: i for i, v in enumerate(block["values"])}
        other = len(block["values"])
        for r, value in enumerate(values):
            if value is not None:  # missing: no column, the model's baseline
                out[r, index.get(str(value), other)] = 1.0
    elif block["type"] == "count":
        out[:, 0] = (np.log1p(np.array(values, dtype=float)) - block["mean"]) / block["scale"]
    else:
        x = _numbers(values)
        missing = np.isnan(x)
        out[:, 0] = _standardised(block, np.where(missing, block["median"], x))
        band = np.searchsorted(block["edges"], np.where(missing, 0.0, x), side="right")
        present = np.flatnonzero(~missing)
        out[present, 1 + band[present]] = 1.0
        if block["missing"]:
            out[:, -1] = missing
    return out


@dataclass
class TrainedModel:
    model_id: int
    report: dict[str, Any]


def _metrics(y: np.ndarray, probability: np.ndarray, ranking: np.ndarray) -> Metrics:
    return Metrics(conversion.auc(y, ranking), conversion.brier(y, probability),
                   conversion.top_decile_lift(y, ranking))


def _fit(x: np.ndarray, y: np.ndarray, strength: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=strength, max_iter=1000).fit(x, y)


def _tuned_strength(x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> float:
    """The penalty with the lowest held-out log-loss over inner folds of these leads only."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    fold = _folds(y, INNER_FOLDS, rng)
    losses = np.zeros(len(STRENGTHS))
    for k in range(INNER_FOLDS):
        test = fold == k
        # along the path from the strongest penalty, each fit starts where the last ended
        path = LogisticRegression(max_iter=1000, warm_start=True, tol=1e-3)
        for i, strength in enumerate(STRENGTHS):
            path.set_params(C=strength).fit(x[~test], y[~test])
            p = path.predict_proba(x[test])[:, 1]
            losses[i] += log_loss(y[test], p, labels=[0, 1]) * test.sum()
    return STRENGTHS[int(np.argmin(losses))]


def _folds(y: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Stratified fold numbers: each fold has its share of converted and lost leads."""
    fold = np.empty(len(y), dtype=int)
    for label in (0, 1):
        members = rng.permutation(np.flatnonzero(y == label))
        fold[members] = np.arange(len(members)) % k
    return fold


def cross_validation_folds(labels: Sequence[int], seed: int = 7) -> np.ndarray:
    """The folds train() holds leads out by, for leads in conversion_facts order: a
    benchmark compares other models on the very same split."""
    return _folds(np.array(labels, dtype=int), FOLDS, np.random.default_rng(seed))


def _fitted(rows: Sequence[tuple], y: np.ndarray, fields: Sequence[str],
            kinds: dict[str, str], rng: np.random.Generator) -> dict[str, Any]:
    """An encoding learned and a model fitted on these rows: the stored parameters (the
    regression's coefficients and the trees' tables, see field_parts)."""
    encoding = Encoding.learn(rows, fields, kinds)
    # one-hot columns are mostly zeros: sparse, each fit's gradient is a fraction of the work
    x = _sparse(encoding.matrix(rows))
    strength = _tuned_strength(x, y, rng)
    fitted = _fit(x, y, strength)
    parameters = {**encoding.p, "coef": fitted.coef_[0].tolist(),
                  "intercept": float(fitted.intercept_[0]), "strength": strength,
                  "trees": _fitted_trees(encoding.p["blocks"], _tree_matrix(encoding.p["blocks"],
                                                                           rows), y)}
    parameters["centre"] = field_parts(parameters, rows).mean(axis=0).tolist()
    return parameters


def _sparse(x: np.ndarray) -> Any:
    from scipy.sparse import csr_matrix

    return csr_matrix(x)


def _tree_matrix(blocks: Sequence[dict[str, Any]], rows: Sequence[tuple]) -> np.ndarray:
    """One column per field for the trees: a category's value as its place among the kept
    values (the others share the next), a number or a count as it is; missing is NaN."""
    columns = []
    for block in blocks:
        values = _block_values(rows, block)
        if block["type"] == "category":
            columns.append(_tree_codes(block, values))
        else:
            columns.append(values)
    return np.column_stack(columns).astype(float)


def _fitted_trees(blocks: Sequence[dict[str, Any]], x: np.ndarray,
                  y: np.ndarray) -> dict[str, Any]:
    """Boosted trees that each split on one field (scikit-learn's histogram gradient boosting,
    categories and missing values native), stored as one table per field: as each tree reads
    one field, the trees' log-odds are their value for a lead with no field known plus one
    part per field, read here from leads that know only that field."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    width = x.shape[1]
    trees = HistGradientBoostingClassifier(
        categorical_features=[b["type"] == "category" for b in blocks],
        interaction_cst=[[j] for j in range(width)], random_state=0, **TREE_SETTINGS).fit(x, y)
    intercept = float(trees.decision_function(np.full((1, width), np.nan))[0])
    grids = []
    for j, block in enumerate(blocks):
        if block["type"] == "category":
            grids.append(np.arange(min(len(block["values"]), TREE_VALUES) + 1, dtype=float))
        else:  # the trees' splits fall between neighbouring values seen in training
            seen = np.unique(x[~np.isnan(x[:, j]), j])
            grids.append(seen if len(seen) <= MAX_TABLE else np.unique(
                np.quantile(seen, np.linspace(0, 1, MAX_TABLE), method="nearest")))
    probe = np.full((sum(len(g) for g in grids), width), np.nan)
    starts = np.cumsum([0, *(len(g) for g in grids)])
    for j, grid in enumerate(grids):
        probe[starts[j]:starts[j + 1], j] = grid
    parts = np.round(trees.decision_function(probe) - intercept, 5)
    tables = []
    for j, (block, grid) in enumerate(zip(blocks, grids, strict=True)):
        table = {"parts": parts[starts[j]:starts[j + 1]].tolist()}
        if block["type"] != "category":  # the values read, and the training leads at each
            present = x[~np.isnan(x[:, j]), j]
            table["values"] = grid.tolist()
            table["leads"] = np.bincount(np.searchsorted(_edges(grid), present, "right"),
                                         minlength=len(grid)).tolist()
        tables.append(table)
    return {"intercept": intercept, "tables": tables}


def _edges(values: np.ndarray) -> np.ndarray:
    """Between neighbouring values read from the trees: a value takes its nearest one's part."""
    return (values[1:] + values[:-1]) / 2


def _tree_codes(block: dict[str, Any], values: Sequence[Any]) -> np.ndarray:
    """A category's values as the trees read them: the place of each of the TREE_VALUES most
    frequent, one code for any other, NaN for missing."""
    other = min(len(block["values"]), TREE_VALUES)
    index = {v: min(i, other) for i, v in enumerate(block["values"])}
    return np.array([np.nan if v is None else index.get(str(v), other) for v in values],
                    dtype=float)


def _tree_parts(block: dict[str, Any], table: dict[str, Any], values: list[Any]) -> np.ndarray:
    parts = np.array(table["parts"])
    if block["type"] == "category":
        codes = _tree_codes(block, values)
        known = ~np.isnan(codes)
        return np.where(known, parts[np.where(known, codes, 0).astype(int)], 0.0)
    x = _numbers(values)
    missing = np.isnan(x)
    if not len(parts):
        return np.zeros(len(x))
    edges = _edges(np.array(table["values"]))
    return np.where(missing, 0.0, parts[np.searchsorted(edges, np.where(missing, 0.0, x),
                                                        "right")])


def _block_parts(parameters: dict[str, Any], i: int, values: list[Any]) -> np.ndarray:
    """The i-th field's part of the model's log-odds for these values of the field."""
    block = parameters["blocks"][i]
    coef = np.array(parameters["coef"])[Encoding(parameters).spans()[i]]
    return (1 - TREES_SHARE) * (_encode(block, values) @ coef) + \
        TREES_SHARE * _tree_parts(block, parameters["trees"]["tables"][i], values)


def field_parts(parameters: dict[str, Any], rows: Sequence[tuple]) -> np.ndarray:
    """(rows x fields) each field's part of the model's log-odds: the regression's and the
    trees' averaged (TREES_SHARE), so the model stays a sum of one part per field."""
    blocks = parameters["blocks"]
    if not blocks:
        return np.zeros((len(rows), 0))
    return np.column_stack([_block_parts(parameters, i, _block_values(rows, block))
                            for i, block in enumerate(blocks)])


def _intercept(parameters: dict[str, Any]) -> float:
    return (1 - TREES_SHARE) * parameters["intercept"] + \
        TREES_SHARE * parameters["trees"]["intercept"]


def probabilities(parameters: dict[str, Any], rows: Sequence[tuple]) -> np.ndarray:
    logit = field_parts(parameters, rows).sum(axis=1) + _intercept(parameters)
    return 1 / (1 + np.exp(-logit))


def current(parameters: dict[str, Any]) -> bool:
    """Whether stored parameters are of this model (one of an older kind waits for the next
    training)."""
    return "trees" in parameters


def train(store: Store, fields: Sequence[str] | None = None, *, author: int | None = None,
          seed: int = 7, lost_after: int | None = None) -> TrainedModel:
    """Learn a model from the outcomes, report it against the rules score on held-out
    leads (by cross-validation and by time), store it, and predict every lead. With
    lost_after, a lead handed over that many days ago or more without a win counts as lost
    (a history that records only the wins). NotEnoughOutcomes when either class has fewer
    than MIN_PER_CLASS leads."""
    # scikit-learn first: SciPy loads its own BLAS, which limits set before would miss
    from sklearn.linear_model import LogisticRegression  # noqa: F401
    from threadpoolctl import threadpool_limits

    started = time.perf_counter()
    rows = Facts(outcomes(store, lost_after, utcnow()))
    won = sum(1 for r in rows if r[_LABEL] == 1)
    lost = len(rows) - won
    by_horizon = sum(1 for r in rows if r[_BY_HORIZON])
    if won < MIN_PER_CLASS or lost < MIN_PER_CLASS:
        counted = f" ({by_horizon} of them with no win {lost_after} days after handover)" \
            if lost_after else ""
        hint = " If the history records only the wins, 'workbench score --train --lost-after " \
            "DAYS' counts a lead with no win DAYS after it was handed over as lost." \
            if lost < MIN_PER_CLASS and not lost_after else ""
        raise NotEnoughOutcomes(
            f"A model needs at least {MIN_PER_CLASS} converted and {MIN_PER_CLASS} lost leads "
            f"to learn from; this database has {won} converted and {lost} lost{counted}. "
            f"No model was trained.{hint}")
    rng = np.random.default_rng(seed)
    if len(rows) > MAX_TRAIN_ROWS:
        rows = rows.subset(np.sort(rng.choice(len(rows), MAX_TRAIN_ROWS, replace=False)))
    criteria = store.current_criteria()
    kinds = custom_field_kinds(rows)
    fields = list(fields) if fields else default_fields(rows, criteria)
    # a field it cannot use is refused before the work; every field is read here once, and
    # the folds share what was read
    Encoding.learn(rows, fields, kinds)
    y = np.array([r[_LABEL] for r in rows], dtype=int)
    # Fits are small and many: one BLAS thread each is faster than threads fighting over
    # the cores (shared TECH-NOTES, BLAS threads).
    with threadpool_limits(limits=1):
        # Every lead is predicted by a model that did not learn from it: by stratified
        # k-fold, steadier than one split, and by time, as the model is used (on newer leads)
        fold = cross_validation_folds(y, seed)
        held_out = _held_out(rows, y, [fold == k for k in range(FOLDS)], fields, kinds,
                             criteria, rng)
        by_time = _by_time(rows, y, fields, kinds, criteria, rng)
        parameters = _fitted(rows, y, fields, kinds, rng)
    reliability = conversion.reliability(y, held_out.pop("probability"), RELIABILITY_BINS)
    report = {
        **held_out,
        "reliability": reliability,
        "by_time": by_time,
        "n_train": len(rows) - len(rows) // FOLDS, "n_test": len(rows),
        "folds": FOLDS, "converted": won, "lost": lost, "fields": fields,
        "lost_after": lost_after, "lost_by_horizon": by_horizon,
        "left_out": sorted(set(_custom_names(rows)) - set(kinds)),
        "warnings": _warnings(held_out, np.ptp(field_parts(parameters, rows).sum(axis=1)) == 0),
    }
    report["seconds"] = round(time.perf_counter() - started, 2)
    model_id = store.save_model(fields, parameters, report, author)
    report["model_id"] = model_id
    predict_all(store, model_id, parameters)
    return TrainedModel(model_id, report)


def outcomes(store: Store, lost_after: int | None, now: datetime) -> list[tuple]:
    """The leads with an outcome, counting those handed over lost_after days before now or
    earlier without a win as lost."""
    if lost_after is None:
        return store.conversion_facts(labelled=True)
    if lost_after < 1:
        raise BadInput(f"--lost-after takes a number of days, 1 or more (not {lost_after}).")
    return store.conversion_facts(labelled=True, lost_after=(lost_after, now))


def _custom_names(rows: Sequence[tuple]) -> set[str]:
    return {key for row in rows for key in _custom(row)}


def _held_out(rows: Sequence[tuple], y: np.ndarray, tests: list[np.ndarray],
              fields: Sequence[str], kinds: dict[str, str], criteria: Criteria,
              rng: np.random.Generator) -> dict[str, Any]:
    """Metrics of the model, the rules score and the rules refine would learn, each on
    leads the model (and the learned rules) did not see."""
    from sklearn.linear_model import LogisticRegression

    scores = np.array([r[_SCORE] for r in rows], dtype=float)
    learned_scores = scores.copy()
    probability, rules_probability = np.full(len(rows), np.nan), np.zeros(len(rows))
    learned_probability = np.zeros(len(rows))
    for test in tests:
        train_rows, test_rows = rows.subset(~test), rows.subset(test)
        parameters = _fitted(train_rows, y[~test], fields, kinds, rng)
        probability[test] = probabilities(parameters, test_rows)
        # the rules score as odds, for its Brier score
        rules = LogisticRegression().fit(scores[~test, None], y[~test])
        rules_probability[test] = rules.predict_proba(scores[test, None])[:, 1]
        # the score with the rules refine would learn from this model in place of the
        # learned rules the criteria have now
        candidate = scores - rule_points(rows, [r for r in criteria.fit_rules
                                                if r.label.endswith(LEARNED)]) \
            + rule_points(rows, learned_rules(parameters, criteria))
        odds = LogisticRegression().fit(candidate[~test, None], y[~test])
        learned_scores[test] = candidate[test]
        learned_probability[test] = odds.predict_proba(candidate[test, None])[:, 1]
    tested = np.zeros(len(rows), dtype=bool)
    for test in tests:
        tested |= test
    y, tested_scores = y[tested], scores[tested]
    return {
        "model": _metrics(y, probability[tested], probability[tested]).to_json(),
        "rules": _metrics(y, rules_probability[tested], tested_scores).to_json(),
        "learned_rules": _metrics(y, learned_probability[tested],
                                  learned_scores[tested]).to_json(),
        "probability": probability[tested],
    }


def _by_time(rows: Sequence[tuple], y: np.ndarray, fields: Sequence[str],
             kinds: dict[str, str], criteria: Criteria,
             rng: np.random.Generator) -> dict[str, Any] | None:
    """Learn on the older outcomes, test on the newest NEWEST_SHARE (by the time of the
    outcome, then by lead id, the order leads were added); None when the newest leads
    have too few of either kind to measure."""
    order = sorted(range(len(rows)), key=lambda i: (rows[i][_CUTOFF] or "", rows[i][_ID]))
    newest = np.zeros(len(rows), dtype=bool)
    newest[order[len(rows) - int(len(rows) * NEWEST_SHARE):]] = True
    if min(y[newest].sum(), (1 - y[newest]).sum(), y[~newest].sum(),
           (1 - y[~newest]).sum()) < MIN_CATEGORY_COUNT:
        return None
    figures = _held_out(rows, y, [newest], fields, kinds, criteria, rng)
    figures.pop("probability")
    return {**figures, "n_train": int((~newest).sum()), "n_test": int(newest.sum())}


def _warnings(figures: dict[str, Any], constant_model: bool) -> list[str]:
    """What ranks nothing: a score that is the same for every lead with an outcome."""
    found = []
    if constant_model:
        found.append("The model predicts the same for every lead with an outcome: the fields "
                     "it was given tell nothing about who converts (see 'Fields').")
    if figures["rules"]["top_decile_lift"] is None:
        found.append("The rules score is the same for every lead with an outcome (no rule "
                     "fired on them): it ranks nothing. 'workbench score --refine' proposes "
                     "rules on the fields the model uses.")
    return found


def explain_rows(parameters: dict[str, Any], rows: Sequence[tuple]
                 ) -> tuple[np.ndarray, list[list[tuple[str, float]]]]:
    """Probabilities, and each row's fields that move its log-odds most from the average
    lead's (the field and the lead's value, and how much)."""
    parts = field_parts(parameters, rows)
    probability = 1 / (1 + np.exp(-(parts.sum(axis=1) + _intercept(parameters))))
    moved = parts - np.array(parameters["centre"])
    blocks = parameters["blocks"]
    values = [column(rows, block["field"]) for block in blocks]
    reasons = []
    for r, row_parts in enumerate(moved):
        top = np.argsort(-np.abs(row_parts), kind="stable")[:TOP_REASONS]
        reasons.append([(_reason(blocks[i], values[i][r]), round(float(row_parts[i]), 2))
                        for i in top if abs(row_parts[i]) >= 0.01])
    return probability, reasons


def _reason(block: dict[str, Any], value: Any) -> str:
    label = _label(block["field"])
    if block["type"] == "count":
        return label
    if value is None:
        return f"{label}: unknown"
    if block["type"] == "category" and str(value) not in block["values"]:
        return f"{label}: other ({value})"
    return f"{label}: {value}"


def rule_points(rows: Sequence[tuple], rules: Sequence[FitRule]) -> np.ndarray:
    """Each row's points from these fit rules, tested as the store tests them (see
    scoring.rule_holds), on fields the model reads."""
    total = np.zeros(len(rows))
    rows = rows if isinstance(rows, Facts) else Facts(rows)
    for rule in rules:
        if rule.match == "between":
            x = numbers(rows, rule.field)
            low, high = (band_number(v) for v in rule.values)
            with np.errstate(invalid="ignore"):
                holds = ~np.isnan(x) & (x >= (-np.inf if low is None else low)) & \
                    (x < (np.inf if high is None else high))
        else:
            wanted = set(rule.values)
            holds = np.array([v is not None and str(v) in wanted
                              for v in column(rows, rule.field)], dtype=bool)
        total += np.where(holds, rule.points, 0.0)
    return total


def learned_rules(parameters: dict[str, Any], criteria: Criteria) -> list[FitRule]:
    """The model's parts as fit rules on the rules' scale (POINTS_PER_LOGIT points a unit of
    log-odds, relative to the average lead): for every category and number field the model
    uses that a fit rule can test and no hand-written rule tests, one rule per level of
    points (values grouped, neighbouring bands joined). The points are rounded to the
    finest step that keeps the rules within what the criteria hold (MAX_FIT_RULES)."""
    from workbench.rules.criteria import MAX_FIT_RULES

    written = {r.field for r in criteria.fit_rules if not r.label.endswith(LEARNED)}
    budget = MAX_FIT_RULES - sum(1 for r in criteria.fit_rules
                                 if not r.label.endswith(LEARNED))
    fields = []
    for i, (block, centre) in enumerate(zip(parameters["blocks"], parameters["centre"],
                                            strict=True)):
        field = block["field"]
        if field in written or not (is_custom_field(field) or field in RULE_FIELDS) or \
                block["type"] == "count":
            continue
        if block["type"] == "category":  # each value's points
            levels = POINTS_PER_LOGIT * (_block_parts(parameters, i, block["values"]) - centre)
        else:  # the points along the number, cut into bands of the leads' average points
            values = parameters["trees"]["tables"][i]["values"]
            curve = POINTS_PER_LOGIT * (_block_parts(parameters, i, values) - centre)
            levels = [(values[a] if a else None, values[b] if b < len(values) else None, points)
                      for a, b, points in conversion.bands(
                          curve, np.array(parameters["trees"]["tables"][i]["leads"]),
                          RULE_BANDS)]
        fields.append((block, levels))
    for step in POINT_STEPS:
        rules = [rule for block, levels in fields for rule in _block_rules(block, levels, step)]
        if len(rules) <= budget:
            return rules
    return rules[:max(budget, 0)]


def _rounded(points: float, step: int) -> int:
    limit = RANGES["points"]
    return int(min(max(step * round(points / step), limit.low), limit.high))


def _block_rules(block: dict[str, Any], levels: Any, step: int) -> list[FitRule]:
    """A field's rules from the points of each of its values (a category) or of its bands
    (a number: low end or None, high end or None, points), rounded to the step."""
    field, name = block["field"], _label(block["field"])
    rules = []
    if block["type"] == "category":
        by_points: dict[int, list[str]] = {}
        for value, deserved in zip(block["values"], levels, strict=True):
            points = _rounded(deserved, step)
            if points:
                by_points.setdefault(points, []).append(value)
        for points, values in sorted(by_points.items(), reverse=True):
            shown = ", ".join(values[:4]) + (f" and {len(values) - 4} more"
                                             if len(values) > 4 else "")
            rules.append(FitRule(f"{name}: {shown}{LEARNED}", field, tuple(values), points))
        return rules
    bands = []
    for low, high, deserved in levels:
        points = _rounded(deserved, step)
        if bands and bands[-1][2] == points:  # neighbours with the same points: one band
            bands[-1] = (bands[-1][0], high, points)
        else:
            bands.append((low, high, points))
    for low, high, points in bands:
        if points and (low is not None or high is not None):
            rules.append(FitRule(f"{name} {_band_text(low, high)}{LEARNED}", field,
                                 (_end(low), _end(high)), points, "between"))
    return rules


def _end(value: float | None) -> str:
    return "" if value is None else f"{value:.15g}"


def _band_text(low: float | None, high: float | None) -> str:
    if low is None:
        return f"under {high:,g}"
    if high is None:
        return f"{low:,g} or more"
    return f"from {low:,g} to under {high:,g}"


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
    if latest is not None and current(latest[1]):
        predict_all(store, latest[0], latest[1], lead_ids)
