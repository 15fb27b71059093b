"""The stratified bootstrap of the Mantel-Haenszel estimates, against scipy.stats.bootstrap.

scipy resamples each of several samples independently, so giving it the 2K stratum-by-arm
0/1 samples reproduces the stratified bootstrap; its BCa jackknife is per sample too.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from scipy import stats

import rctkit as rk
from rctkit._kernels import mantel_haenszel as mh
from rctkit.bootstrap import BootstrapEstimate, stratified, stratified_bootstrap
from rctkit.bootstrap._core import MAX_RESAMPLES
from rctkit.bootstrap.stratified import _mh_acceleration

STRATA = [
    rk.BinaryOutcome.from_counts(treatment=(10, 50), control=(20, 50)),
    rk.BinaryOutcome.from_counts(treatment=(15, 40), control=(18, 35)),
    rk.BinaryOutcome.from_counts(treatment=(3, 12), control=(1, 14)),
]


def _samples() -> list[npt.NDArray[np.float64]]:
    out = []
    for s in STRATA:
        for counts in (s.treatment, s.control):
            out.append(np.r_[np.ones(counts.events), np.zeros(counts.non_events)])
    return out


def _mh_from_samples(*samples: npt.NDArray[np.float64], axis: int = -1) -> npt.NDArray[np.float64]:
    a = np.stack([s.sum(axis=axis) for s in samples[0::2]], axis=-1)
    n1 = np.array([s.shape[axis] for s in samples[0::2]])
    c = np.stack([s.sum(axis=axis) for s in samples[1::2]], axis=-1)
    n2 = np.array([s.shape[axis] for s in samples[1::2]])
    est, _ = mh.odds_ratio(
        a.astype(np.int64),
        np.broadcast_to(n1, a.shape),
        c.astype(np.int64),
        np.broadcast_to(n2, c.shape),
    )
    return est


def test_acceleration_equals_brute_force_jackknife() -> None:
    # scipy's BCa acceleration (Efron & Tibshirani eq. 14.15, per sample), by brute force.
    samples = _samples()
    num = 0.0
    den = 0.0
    for i, sample in enumerate(samples):
        n = sample.size
        loo = np.array(
            [
                float(_mh_from_samples(*samples[:i], np.delete(sample, j), *samples[i + 1 :]))
                for j in range(n)
            ]
        )
        u = (n - 1) * (loo.mean() - loo)
        num += float(np.sum(u**3)) / n**3
        den += float(np.sum(u**2)) / n**2
    brute = num / (6 * den**1.5)
    counts = np.array([s.as_tuple() for s in STRATA])
    got = _mh_acceleration("odds_ratio", *(counts[:, i] for i in range(4)))
    assert got == pytest.approx(brute, rel=1e-10)


def _quantile_band(
    values: npt.NDArray[np.float64], q: float, z: float = 5.0
) -> tuple[float, float]:
    """Values at the order-statistic positions B q -/+ z sqrt(B q (1 - q)): Monte Carlo band."""
    ordered = np.sort(values)
    b = ordered.size
    half = z * math.sqrt(b * q * (1 - q))
    lo = int(max(0, math.floor(b * q - half)))
    hi = int(min(b - 1, math.ceil(b * q + half)))
    return float(ordered[lo]), float(ordered[hi])


def test_percentile_agrees_with_scipy_within_monte_carlo_error() -> None:
    b = 40_000
    ours = stratified_bootstrap(STRATA, n_resamples=b, rng=11)
    ref = stats.bootstrap(
        tuple(_samples()),
        _mh_from_samples,
        n_resamples=b,
        vectorized=True,
        method="percentile",
        rng=np.random.default_rng(12),
    )
    # The Monte Carlo band of each limit from scipy's own replicates (z = 5 on the binomial
    # count below the true quantile): both estimates must fall within the union of bands.
    reps = ref.bootstrap_distribution
    for q, mine, theirs in (
        (0.025, ours.ci.low, ref.confidence_interval.low),
        (0.975, ours.ci.high, ref.confidence_interval.high),
    ):
        lo, hi = _quantile_band(reps, q)
        assert lo <= mine <= hi
        assert lo <= theirs <= hi


def test_bca_levels_use_the_acceleration() -> None:
    est = stratified_bootstrap(STRATA, method="bca", n_resamples=20_000, rng=3)
    assert est.ci.low < est.estimate < est.ci.high
    assert est.method == "stratified-bca"
    counts = np.array([s.as_tuple() for s in STRATA])
    accel = _mh_acceleration("odds_ratio", *(counts[:, i] for i in range(4)))
    assert math.isfinite(accel) and accel != 0.0


def test_reproducible_and_validated() -> None:
    one = stratified_bootstrap(STRATA, measure="risk_difference", n_resamples=1000, rng=5)
    two = stratified_bootstrap(
        STRATA, measure="risk_difference", n_resamples=1000, rng=np.random.default_rng(5)
    )
    assert one == two
    assert one.estimate == rk.mantel_haenszel(STRATA, measure="risk_difference").estimate
    with pytest.raises(rk.InvalidInputError, match=r"`n_resamples` must be an integer of at le"):
        stratified_bootstrap(STRATA, n_resamples=None)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`n_resamples` must be between 2"):
        stratified_bootstrap(STRATA, n_resamples=0)
    # The rule of bootstrap(): at least two resamples (one gave a zero-width interval before).
    with pytest.raises(rk.InvalidInputError, match=r"`n_resamples` must be between 2"):
        stratified_bootstrap(STRATA, n_resamples=1)
    with pytest.raises(rk.InvalidInputError, match=r'`method` must be one of "percentile"'):
        stratified_bootstrap(STRATA, method="studentized")
    with pytest.raises(rk.InvalidInputError, match=r"`strata` must be a non-empty sequence"):
        stratified_bootstrap([])


def test_returns_a_bootstrap_estimate() -> None:
    est = stratified_bootstrap(STRATA, method="bca", n_resamples=500, rng=2)
    assert isinstance(est, BootstrapEstimate)
    assert est.n_resamples == 500
    assert est.treatment_events.shape == (500, len(STRATA))
    assert int(np.sum(est.weights)) == 500
    assert est.replicates().shape == (500,)
    assert est.bias_correction is not None and est.acceleration is not None
    counts = np.array([s.as_tuple() for s in STRATA])
    assert est.acceleration == _mh_acceleration("odds_ratio", *(counts[:, i] for i in range(4)))
    assert repr(est).startswith("BootstrapEstimate(odds_ratio=")
    assert repr(est).endswith("method='stratified-bca', n_resamples=500)")


def test_resampled_cells_are_bounded_before_drawing() -> None:
    # Issue 10: n_resamples had no bound (10**12 resamples asked numpy for 10 GiB and more and
    # raised MemoryError). B * K above MAX_STRATIFIED_CELLS is refused at once, naming the
    # cost, the limit and the alternative.
    limit = stratified.MAX_STRATIFIED_CELLS
    for b in (limit // len(STRATA) + 1, 10**12, MAX_RESAMPLES):
        with pytest.raises(rk.CostLimitError, match=r"more than 20,000,000: use at most "):
            stratified_bootstrap(STRATA, n_resamples=b, rng=1)
    with pytest.raises(rk.CostLimitError, match=r"n_resamples=6,666,666, or mantel_haenszel"):
        stratified_bootstrap(STRATA, n_resamples=10**9, rng=1)


def test_blocks_give_the_numbers_of_one_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    # The draws and the estimates run in blocks of rows (bounded temporary memory); blocks of
    # any size must give exactly the replicates of one (B, K) draw of the same generator.
    whole = stratified_bootstrap(STRATA, method="bca", n_resamples=1001, rng=7)
    gen = np.random.default_rng(7)
    a = np.array([s.treatment.events for s in STRATA])
    n1 = np.array([s.treatment.total for s in STRATA])
    c = np.array([s.control.events for s in STRATA])
    n2 = np.array([s.control.total for s in STRATA])
    a_star = gen.binomial(n1, a / n1, size=(1001, 3))
    c_star = gen.binomial(n2, c / n2, size=(1001, 3))
    np.testing.assert_array_equal(whole.treatment_events, a_star)
    np.testing.assert_array_equal(whole.control_events, c_star)
    monkeypatch.setattr(stratified, "_CHUNK_CELLS", 10)  # blocks of 3 rows, one ragged
    blocks = stratified_bootstrap(STRATA, method="bca", n_resamples=1001, rng=7)
    assert blocks == whole


def test_too_few_resamples_warns_as_bootstrap() -> None:
    # The rule of bootstrap(): with (B + 1) alpha / 2 < 1 the limits are the extreme replicates.
    with pytest.warns(rk.RctkitWarning, match=r"n_resamples=20 is too few for a 0.95 interval"):
        stratified_bootstrap(STRATA, n_resamples=20, rng=1)
