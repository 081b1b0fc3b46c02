"""The arithmetic of conversion figures and learned rules, on plain arrays: how a ranking is
judged against outcomes, and how a curve of points along a number becomes a few bands.

No model and no database here: workbench.services.model fits the model and calls these.
"""

from __future__ import annotations

import numpy as np

PRE_BANDS = 32  # a number's values are first grouped into about this many of equal leads,
# so that no band holds only a few leads whose points are noise


def auc(y: np.ndarray, ranking: np.ndarray) -> float:
    """The chance that a converted lead ranks above a lost one, a tie counting half (the
    Mann-Whitney statistic on average ranks); 0.5 when only one kind of outcome is present."""
    y = np.asarray(y, dtype=bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return 0.5
    ranking = np.asarray(ranking, dtype=float)
    order = np.argsort(ranking, kind="stable")
    ranks = np.empty(len(ranking))
    sorted_values = ranking[order]
    # tied values share the average of their ranks
    starts = np.flatnonzero(np.r_[True, sorted_values[1:] != sorted_values[:-1]])
    ends = np.r_[starts[1:], len(ranking)]
    ranks[order] = np.repeat((starts + ends + 1) / 2, ends - starts)
    return float((ranks[y].sum() - positives * (positives + 1) / 2) / positives / negatives)


def brier(y: np.ndarray, probability: np.ndarray) -> float:
    """The mean squared distance between the predicted chance and what happened."""
    return float(np.mean((np.asarray(probability, dtype=float) - np.asarray(y)) ** 2))


def top_decile_lift(y: np.ndarray, ranking: np.ndarray) -> float | None:
    """The conversion rate of the top tenth by the ranking against the average; leads tied
    at the cut count in proportion (their average rate), so import order decides nothing.
    None when the ranking is the same for every lead: it ranks nothing."""
    if len(y) == 0 or y.mean() == 0 or np.all(ranking == ranking[0]):
        return None
    k = max(1, len(y) // 10)
    cut = np.sort(ranking)[::-1][k - 1]
    above, tied = ranking > cut, ranking == cut
    converted = y[above].sum() + (k - above.sum()) * y[tied].mean()
    return float(converted / k / y.mean())


def reliability(y: np.ndarray, probability: np.ndarray, bins: int) -> list[dict[str, float]]:
    """Predicted against observed conversion in bins of equal counts."""
    order = np.argsort(probability, kind="stable")
    return [{"predicted": round(float(probability[part].mean()), 4),
             "observed": round(float(y[part].mean()), 4), "leads": int(len(part))}
            for part in np.array_split(order, bins) if len(part)]


def bands(points: np.ndarray, leads: np.ndarray, most: int) -> list[tuple[int, int, float]]:
    """A curve of points, read at increasing values of a number with so many leads at each,
    cut into at most `most` bands of neighbouring values: (first, past the last, the band's
    points, the average of its leads'). Neighbouring bands whose merging loses least (in
    leads x points squared) are merged until `most` remain, starting from PRE_BANDS groups
    of neighbouring values of about equal leads (a value shared by many leads is a group of
    its own)."""
    points, leads = np.asarray(points, dtype=float), np.asarray(leads, dtype=float)
    total = leads.sum()
    if not len(points) or total <= 0:
        return []
    group = np.floor((np.cumsum(leads) - leads) / total * PRE_BANDS)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    n = np.add.reduceat(leads, starts)
    weighted = np.add.reduceat(leads * points, starts)
    while len(starts) > max(most, 1):
        mean = np.divide(weighted, n, out=np.zeros_like(n), where=n > 0)
        both = n[:-1] + n[1:]
        cost = np.divide(n[:-1] * n[1:], both, out=np.zeros_like(both), where=both > 0) * \
            (mean[:-1] - mean[1:]) ** 2
        i = int(np.argmin(cost))
        n[i] += n[i + 1]
        weighted[i] += weighted[i + 1]
        starts, n, weighted = (np.delete(a, i + 1) for a in (starts, n, weighted))
    ends = np.r_[starts[1:], len(points)]
    return [(int(a), int(b), float(w / c) if c else 0.0)
            for a, b, c, w in zip(starts, ends, n, weighted, strict=True)]
