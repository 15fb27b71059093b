"""The stratified bootstrap of the Mantel-Haenszel estimates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import special

from rctkit import _validation, _warnings
from rctkit.bootstrap._core import (
    MAX_RESAMPLES,
    MEASURES,
    METHODS,
    FloatArray,
    IntArray,
    _basic,
    _bca_levels,
    _check_rng,
    _Distribution,
    _Sorted,
)
from rctkit.errors import InvalidInputError
from rctkit.model import BinaryOutcome
from rctkit.results import ConfidenceInterval, Estimate


def _mh_statistic(
    measure: str, a: IntArray, n1: IntArray, c: IntArray, n2: IntArray
) -> FloatArray:
    """The Mantel-Haenszel estimate over the last axis (strata) of the count arrays."""
    from rctkit._kernels import mantel_haenszel as mh

    kernel = {
        "odds_ratio": mh.odds_ratio,
        "risk_ratio": mh.risk_ratio,
        "risk_difference": mh.risk_difference,
    }[measure]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(kernel(a, n1, c, n2)[0], dtype=np.float64)


def _mh_acceleration(measure: str, a: IntArray, n1: IntArray, c: IntArray, n2: IntArray) -> float:
    """BCa acceleration of the Mantel-Haenszel estimate from the grouped jackknife.

    Each stratum-by-arm group is a separate sample (as the resampling is), and leaving out one
    participant of a group gives one of two tables (an event or a non-event dropped): the
    closed form of :func:`acceleration` applies group by group.
    """
    num = 0.0
    den = 0.0
    k = a.size
    for j in range(k):
        for events, total, arm in ((a, n1, 0), (c, n2, 1)):
            m_e = int(events[j])
            n = int(total[j])
            m_n = n - m_e
            if m_e == 0 or m_n == 0 or n == 1:
                continue
            cases = []
            for drop_event in (True, False):
                ta, tn1, tc, tn2 = (x.copy() for x in (a, n1, c, n2))
                if arm == 0:
                    tn1[j] -= 1
                    ta[j] -= int(drop_event)
                else:
                    tn2[j] -= 1
                    tc[j] -= int(drop_event)
                cases.append(float(_mh_statistic(measure, ta, tn1, tc, tn2)))
            with np.errstate(invalid="ignore", over="ignore"):
                scale = (n - 1) * (cases[1] - cases[0]) / n
                num += scale**3 * m_e * m_n * (m_n**2 - m_e**2) / n**3
                den += scale**2 * m_e * m_n / n
    if den == 0.0 and num == 0.0:
        return 0.0
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        return float(np.float64(num) / 6.0 / np.float64(den) ** 1.5)


def stratified_bootstrap(
    strata: Sequence[BinaryOutcome],
    *,
    measure: str = "odds_ratio",
    method: str = "percentile",
    n_resamples: int = 9999,
    confidence_level: float = 0.95,
    rng: Any = None,
) -> Estimate:
    r"""Bootstrap interval of a Mantel-Haenszel estimate, resampling within stratum and arm.

    Each stratum-by-arm group keeps its size, and its resampled event count is binomial with
    the observed risk; every replicate's Mantel-Haenszel estimate is computed at once over a
    ``(B, K)`` array. Methods as in :func:`bootstrap`; the BCa acceleration comes from the
    jackknife over participants, group by group, in closed form.

    Parameters
    ----------
    strata : sequence of BinaryOutcome
        One outcome per stratum.
    measure : {"odds_ratio", "risk_ratio", "risk_difference"}, optional
        The Mantel-Haenszel estimate to bootstrap.
    method : {"percentile", "basic", "bca"}, optional
        The interval.
    n_resamples : int, optional
        The number of resamples :math:`B`; default 9999.
    confidence_level : float, optional
        Default 0.95.
    rng : None, int or numpy.random.Generator, optional
        The random generator or its seed.

    Returns
    -------
    Estimate
        The Mantel-Haenszel estimate on the data with the bootstrap interval; replicates whose
        estimate is undefined (0/0) are left out, with a warning.

    Examples
    --------
    >>> import rctkit as rk
    >>> strata = [rk.BinaryOutcome.from_counts(treatment=(10, 50), control=(20, 50)),
    ...           rk.BinaryOutcome.from_counts(treatment=(15, 40), control=(18, 35))]
    >>> est = stratified_bootstrap(strata, n_resamples=20_000, rng=1)
    >>> print(f"{est.estimate:.3f} ({est.ci.low:.2f} to {est.ci.high:.2f})")
    0.457 (0.23 to 0.86)
    """
    from rctkit.strata import _strata_arrays

    a, n1, c, n2 = _strata_arrays(strata)
    measure = _validation.check_choice(measure, "measure", MEASURES)
    method = _validation.check_choice(method, "method", METHODS)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise InvalidInputError(f"`n_resamples` must be a positive integer (got {n_resamples!r})")
    if not 1 <= n_resamples <= MAX_RESAMPLES:
        raise InvalidInputError(
            f"`n_resamples` must be between 1 and {MAX_RESAMPLES:.0e} "
            f"(got n_resamples={n_resamples})"
        )
    level = _validation.check_confidence_level(confidence_level)
    generator = _check_rng(rng)
    estimate = float(_mh_statistic(measure, a, n1, c, n2))
    b = int(n_resamples)
    a_star = generator.binomial(n1, a / n1, size=(b, a.size))
    c_star = generator.binomial(n2, c / n2, size=(b, c.size))
    values = _mh_statistic(
        measure,
        a_star,
        np.broadcast_to(n1, a_star.shape),
        c_star,
        np.broadcast_to(n2, c_star.shape),
    )
    dist = _Distribution(
        a=np.zeros(0, dtype=np.int64),
        c=np.zeros(0, dtype=np.int64),
        weights=np.ones(b, dtype=np.int64),
        values=values,
        truncated_mass=0.0,
    )
    ordered = _Sorted(dist)
    undefined = int(np.isnan(values).sum())
    if undefined:
        _warnings.warn(
            f"the Mantel-Haenszel {measure.replace('_', ' ')} is undefined (0/0) for {undefined} "
            f"of {b} replicates: they are left out of the interval"
        )
    alpha = (1 - level) / 2
    levels = np.array([alpha, 1 - alpha])
    if method == "bca":
        lt, le = ordered.below(estimate)
        share = float(np.float64(lt + le) / (2 * ordered.total)) if ordered.total else math.nan
        z0 = float(special.ndtri(share))
        accel = _mh_acceleration(measure, a, n1, c, n2)
        levels = np.array(_bca_levels(z0, accel, alpha))
        if not (math.isfinite(z0) and math.isfinite(accel)):
            levels = np.full(2, np.nan)
            _warnings.warn('the BCa interval is undefined here; consider method="percentile"')
    low, high = (float(x) for x in ordered.quantiles(levels))
    if method == "basic":
        low, high = _basic(estimate, low, high, measure)
    return Estimate(
        measure=measure,  # type: ignore[arg-type]
        estimate=estimate,
        ci=ConfidenceInterval(low, high),
        confidence_level=level,
        method=f"stratified-{method}",
        pvalue=None,
    )
