"""The arithmetic of conversion figures and learned bands: AUC with ties, Brier, lift, and a
curve of points cut into bands, on arrays of known answer."""

import numpy as np
import pytest

from workbench.rules import conversion


def test_auc_counts_a_tie_between_a_converted_and_a_lost_lead_as_half():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(3)
    y = rng.random(500) < 0.2
    ranking = rng.integers(0, 6, 500).astype(float)  # many ties
    assert conversion.auc(y, ranking) == pytest.approx(roc_auc_score(y, ranking))
    assert conversion.auc(y, np.zeros(500)) == 0.5  # a constant score ranks nothing
    assert conversion.auc(np.array([0, 0, 1, 1]), np.array([1.0, 2, 3, 4])) == 1.0
    assert conversion.auc(np.array([1, 1]), np.array([1.0, 2])) == 0.5  # one kind only


def test_brier_is_the_mean_squared_miss():
    assert conversion.brier(np.array([1, 0]), np.array([0.8, 0.4])) == pytest.approx(
        (0.04 + 0.16) / 2)


def test_a_curve_is_cut_where_it_steps_not_where_it_is_flat():
    # points step at the 9th value and again at the 21st: three bands carry the curve
    points = np.r_[np.full(9, -6.0), np.full(12, 0.0), np.full(9, 9.0)]
    found = conversion.bands(points, np.ones(30), most=3)
    assert [(a, b) for a, b, _ in found] == [(0, 9), (9, 21), (21, 30)]
    assert [p for *_, p in found] == pytest.approx([-6, 0, 9])


def test_many_values_are_grouped_first_so_no_band_is_a_few_leads_of_noise():
    rng = np.random.default_rng(5)
    points = rng.normal(0, 1, 1000)
    points[500] = 50.0  # one value of one lead, far off
    found = conversion.bands(points, np.ones(1000), most=8)
    assert all(b - a >= 1000 // conversion.PRE_BANDS for a, b, _ in found)


def test_a_value_shared_by_many_leads_keeps_a_band_of_its_own():
    # 0 for "never" is most of the leads and converts differently from the rest
    points = np.r_[5.0, np.linspace(-2, 2, 50)]
    leads = np.r_[500.0, np.ones(50)]
    found = conversion.bands(points, leads, most=2)
    assert found[0][:2] == (0, 1) and found[0][2] == pytest.approx(5.0)
    # a band's points are its leads' average
    assert found[1][2] == pytest.approx(0.0, abs=1e-9)


def test_bands_never_exceed_what_is_asked_and_cover_every_value():
    rng = np.random.default_rng(4)
    points, leads = rng.normal(0, 3, 300), rng.integers(1, 20, 300).astype(float)
    found = conversion.bands(points, leads, most=8)
    assert len(found) <= 8 and found[0][0] == 0 and found[-1][1] == 300
    assert all(a[1] == b[0] for a, b in zip(found, found[1:], strict=False))
    average = sum((b - a) and leads[a:b].sum() * p for a, b, p in found) / leads.sum()
    assert average == pytest.approx(np.average(points, weights=leads))
