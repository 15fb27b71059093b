r"""Stratified Miettinen-Nurminen score intervals for a common effect across strata.

Miettinen and Nurminen (1985) pool the strata's score statistics, not their estimates: for a
candidate common effect :math:`\theta` each stratum's score :math:`S_k(\theta)` (observed
minus fitted, with the nuisance parameter fitted under :math:`\theta` in that stratum) and its
variance :math:`V_k(\theta)` (with the ``N_k / (N_k - 1)`` factor) are combined as

.. math::

    Z(\theta) = \frac{\sum_k w_k S_k(\theta)}{\sqrt{\sum_k w_k^2 V_k(\theta)}},

and the interval holds the :math:`\theta` with :math:`|Z(\theta)| < z_{1-\alpha/2}`. This is
what R's ``ratesci::scoreci(..., stratified = TRUE, skew = FALSE)`` computes (Laud 2017). The
restricted fits are those of the single-table kernels in :mod:`rctkit._kernels.score`, and the
roots are found by :func:`rctkit._kernels.solvers.chandrupatla`, for many stratified data sets
at once: the strata lie along the last axis of the count arrays, the data sets along the
others.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import attrs
import numpy as np

from rctkit import _special as special
from rctkit._kernels import restricted, solvers
from rctkit._kernels.common import (
    FloatArray,
    IntArray,
    Interval,
    as_float,
    cross_difference,
    z_quantile,
)
from rctkit._kernels.score import (
    _LOG_RATIO_BOUND,
    _XATOL_DIFFERENCE,
    _XATOL_LOG_RATIO,
    _XRTOL,
    _bounded,
)

__all__ = ["MEASURES", "WEIGHTS", "stratified_score"]

MEASURES = ("odds_ratio", "risk_ratio", "risk_difference")
WEIGHTS = ("ivs", "mh")

#: Step (in the risk difference, or in the log ratio) of the finite difference that gives the
#: slope of the statistic at the estimate, from which the limits are first guessed.
_SLOPE_STEP = 1e-4

#: Per-stratum terms of the statistic: ``(S, V, S w_ivs, V w_ivs^2)``, the last two None when
#: the inverse-variance weights are not wanted.
_Terms = tuple[FloatArray, FloatArray, FloatArray | None, FloatArray | None]


def _rd_terms(
    x: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    lam: FloatArray,
    dhat: FloatArray,
    ivs: bool,
) -> _Terms:
    delta = x[:, np.newaxis]
    p1, _ = restricted.risk_difference(delta, fa, fn1, fc, fn2)
    # With no events (or only events) in the stratum the fit is on the boundary, where the
    # cubic has a double root at delta = 0 and its solution keeps only about 8 digits: set
    # it exactly (p2 = 0 or p1 = 1, whichever the constraint allows).
    m = fa + fc
    p1 = np.where(m == 0.0, np.maximum(delta, 0.0), p1)
    p1 = np.where(m == fn1 + fn2, np.minimum(1.0 + delta, 1.0), p1)
    p2 = p1 - delta
    s = dhat - delta
    v = lam * (p1 * (1.0 - p1) / fn1 + p2 * (1.0 - p2) / fn2)
    if not ivs:
        return s, v, None, None
    return s, v, s / v, 1.0 / v


def _rr_terms(
    x: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    lam: FloatArray,
    dhat: FloatArray,
    ivs: bool,
) -> _Terms:
    rr = np.exp(x)[:, np.newaxis]
    p2 = restricted.risk_ratio(rr, fa, fn1, fc, fn2)
    p1 = rr * p2
    s = fa / fn1 - rr * (fc / fn2)
    v = lam * (p1 * (1.0 - p1) / fn1 + rr * rr * p2 * (1.0 - p2) / fn2)
    if not ivs:
        return s, v, None, None
    # Tang's (2020) score S / p2, whose inverse-variance weights p2^2 / V make the pooled
    # statistic the efficient score for a common log risk ratio.
    return s, v, p2 * s / v, p2 * p2 / v


def _or_terms(
    x: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    lam: FloatArray,
    dhat: FloatArray,
    ivs: bool,
) -> _Terms:
    big_a, big_b, big_c, big_d = restricted.odds_ratio_cells(x[:, np.newaxis], fa, fn1, fc, fn2)
    h1 = big_a * big_b / fn1
    h2 = big_c * big_d / fn2
    e = restricted.odds_ratio_residual(fa, fn1, fc, fn2, big_a, big_b, big_c, big_d)
    # The score on the log odds ratio scale, e (1/h1 + 1/h2), and its variance.
    inv = (h1 + h2) / (h1 * h2)
    s, v = e * inv, lam * inv
    if not ivs:
        return s, v, None, None
    return s, v, e / lam, 1.0 / (inv * lam)


def _or_mh_limit(
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    lam: FloatArray,
    wmh: FloatArray,
) -> FloatArray:
    r"""The limit of the pooled odds-ratio score with MH weights as the odds ratio -> inf.

    Per stratum (contributing: ``wmh > 0``, events and non-events both present), the fitted
    cells under :math:`\theta \to \infty` tend to :math:`A \to \min(n_1, m_1)`. With
    :math:`B \to 0 < C` (:math:`n_1 < m_1`) the cell :math:`B \sim n_1 m_0 / (C_\infty
    \theta)` and :math:`1/h_1 + 1/h_2 \sim v \theta` with :math:`v = C_\infty / (n_1 m_0)`;
    symmetrically :math:`v = B_\infty / (m_1 n_2)` when :math:`n_1 > m_1`; both order
    :math:`\theta`. When :math:`n_1 = m_1`, :math:`B = C \sim \sqrt{n_1 n_2 / \theta}` and
    :math:`1/h_1 + 1/h_2 \sim 2 \sqrt{\theta / (n_1 n_2)}`, order :math:`\sqrt\theta`.
    The residual :math:`a - A` tends to :math:`-b` (or :math:`-c`), so a stratum with
    :math:`b > 0` (:math:`c > 0`) has :math:`S \sim -b\,v\,\theta^\beta`, while one as
    extreme as its margins allow (:math:`b = 0` or :math:`c = 0`) has a bounded :math:`S`.
    :math:`V = \lambda (1/h_1 + 1/h_2)`. So :math:`Z = \sum w S / \sqrt{\sum w^2 V}` tends to
    :math:`-\infty` when a non-extreme stratum has order :math:`\theta`, or when all strata
    have order :math:`\sqrt\theta`; to 0 when every stratum is extreme; and otherwise (every
    non-extreme stratum of order :math:`\sqrt\theta`, some extreme one of order
    :math:`\theta`) to the finite

    .. math::

        Z_\infty = \frac{-\sum_{\text{non-extreme}} w_k\, 2 b_k / \sqrt{n_{1k} n_{2k}}}
        {\sqrt{\sum_{\beta_k = 1} w_k^2 \lambda_k v_k}}.

    Returns :math:`Z_\infty` per row (data set), with -inf and 0 for the other cases.
    """
    keep = wmh > 0.0
    m1 = fa + fc
    n = fn1 + fn2
    fb = fn1 - fa
    half = keep & (fn1 == m1)  # order sqrt(theta)
    full = keep & (fn1 != m1)  # order theta
    with np.errstate(divide="ignore", invalid="ignore"):
        v_full = np.where(fn1 < m1, (m1 - fn1) / (fn1 * (n - m1)), (fn1 - m1) / (m1 * fn2))
    residual = np.where(fn1 < m1, fb, np.where(fn1 > m1, fc, fb))
    extreme = residual == 0.0
    diverges_full = (full & ~extreme).any(axis=-1)
    any_full = full.any(axis=-1)
    half_ne = half & ~extreme
    any_half_ne = half_ne.any(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        num = -np.where(half_ne, wmh * 2.0 * fb / np.sqrt(fn1 * fn2), 0.0).sum(axis=-1)
        den = np.sqrt(np.where(full, wmh * wmh * lam * v_full, 0.0).sum(axis=-1))
        finite = num / den
    out = np.where(any_half_ne & any_full, finite, -np.inf)
    out = np.where(diverges_full | (any_half_ne & ~any_full), -np.inf, out)
    return np.where((keep & ~extreme).any(axis=-1), out, 0.0)


def _null_terms(measure: str) -> Callable[..., _Terms]:
    """Terms at no effect (any ``x``), where every measure's fit is the pooled risk."""

    def terms(
        x: FloatArray,
        fa: FloatArray,
        fn1: FloatArray,
        fc: FloatArray,
        fn2: FloatArray,
        lam: FloatArray,
        dhat: FloatArray,
        ivs: bool,
    ) -> _Terms:
        n = fn1 + fn2
        pq = (fa + fc) / n * ((n - fa - fc) / n)
        v = lam * pq * (1.0 / fn1 + 1.0 / fn2)
        if measure == "odds_ratio":
            s, v = dhat / pq, v / (pq * pq)
            return s, v, (fn1 * fn2 / n) * dhat / lam, 1.0 / v
        if not ivs:
            return dhat, v, None, None
        if measure == "risk_ratio":
            p = (fa + fc) / n
            return dhat, v, p * dhat / v, p * p / v
        return dhat, v, dhat / v, 1.0 / v

    return terms


_TERMS: dict[str, Callable[..., _Terms]] = {
    "risk_difference": _rd_terms,
    "risk_ratio": _rr_terms,
    "odds_ratio": _or_terms,
}


def _sums(
    terms: Callable[..., _Terms],
    x: FloatArray,
    fa: FloatArray,
    fn1: FloatArray,
    fc: FloatArray,
    fn2: FloatArray,
    lam: FloatArray,
    dhat: FloatArray,
    wmh: FloatArray,
    wivs: FloatArray,
    ivs: bool,
) -> tuple[FloatArray, FloatArray]:
    """Return ``sum w S`` and ``sum w^2 V`` over the strata, for each data set (row).

    ``wmh`` holds the Mantel-Haenszel weights of the strata that contribute with them, and
    ``wivs`` is 1 for the strata that contribute with inverse-variance weights (else 0).
    """
    s, v, s_ivs, v_ivs = terms(x, fa, fn1, fc, fn2, lam, dhat, ivs)
    num = wmh * s
    var = wmh * wmh * v
    by_ivs = wivs > 0.0
    if s_ivs is not None and v_ivs is not None:
        num = np.where(by_ivs, s_ivs, num)
        var = np.where(by_ivs, v_ivs, var)
    keep = by_ivs | (wmh > 0.0)
    num = np.where(keep, num, 0.0)
    var = np.where(keep, var, 0.0)
    return num.sum(axis=-1), var.sum(axis=-1)


@attrs.frozen(eq=False)
class _Rows:
    """The per-stratum arrays of the data sets, shaped ``(rows, K)``: one solver element each."""

    arrays: tuple[FloatArray, ...]

    def take(self, indices: IntArray) -> _Rows:
        return _Rows(tuple(x[indices] for x in self.arrays))

    def sums(
        self, terms: Callable[..., _Terms], x: FloatArray, ivs: bool
    ) -> tuple[FloatArray, FloatArray]:
        fa, fn1, fc, fn2, lam, dhat, wmh, wivs = self.arrays
        return _sums(terms, x, fa, fn1, fc, fn2, lam, dhat, wmh, wivs, ivs)


def _statistic(terms: Callable[..., _Terms], ivs: bool) -> Callable[..., FloatArray]:
    """The bounded statistic ``Z / sqrt(1 + Z^2)`` minus a target, as the solver wants it."""

    def f(x: FloatArray, data: _Rows, target: FloatArray) -> FloatArray:
        num, var = data.sums(terms, x, ivs)
        return _bounded(num, var) - target

    return f


def stratified_score(
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    level: float,
    *,
    measure: str,
    weights: str = "ivs",
    bias_correction: bool = True,
) -> Interval:
    r"""Miettinen and Nurminen's stratified score interval for a common effect.

    Parameters
    ----------
    a, n1, c, n2 : numpy.ndarray of int64
        Treatment events and total, control events and total, of shape ``(..., K)``: the K
        strata along the last axis, any number of stratified data sets along the others.
        Validated (``0 <= a <= n1``, ``n1 >= 1``, and the same for the control arm).
    level : float
        Confidence level, strictly between 0 and 1.
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}
        The common effect.
    weights : {"ivs", "mh"}, optional
        ``"ivs"`` (default): the inverse variance of each stratum's score, recomputed at each
        candidate effect; ``"mh"``: Mantel-Haenszel weights :math:`n_{1k} n_{2k} / N_k`.
    bias_correction : bool, optional
        Multiply the variances by :math:`N_k / (N_k - 1)` (Miettinen and Nurminen; default).
        False gives the stratified Mee / Koopman / Gart intervals, for checks against
        published examples.

    Returns
    -------
    Interval
        Arrays of shape ``(...)``: the estimate (the root of :math:`Z(\theta) = 0`), the
        limits, and the two-sided p-value of the stratified score test of no effect.

    Notes
    -----
    The limits solve :math:`Z(\theta) = \pm z_{1-\alpha/2}` with

    .. math::

        Z(\theta) = \frac{\sum_k w_k S_k(\theta)}{\sqrt{\sum_k w_k^2 V_k(\theta)}},

    where, with :math:`\tilde p_{1k}, \tilde p_{2k}` the stratum's risks fitted under
    :math:`\theta`, :math:`\lambda_k = N_k / (N_k - 1)` and :math:`h_{ik} = n_{ik} \tilde
    p_{ik} (1 - \tilde p_{ik})`:

    * risk difference: :math:`S_k = \hat p_{1k} - \hat p_{2k} - \theta`,
      :math:`V_k = \lambda_k (\tilde p_{1k} \tilde q_{1k} / n_{1k} + \tilde p_{2k}
      \tilde q_{2k} / n_{2k})`;
    * risk ratio: :math:`S_k = \hat p_{1k} - \theta \hat p_{2k}`,
      :math:`V_k = \lambda_k (\tilde p_{1k} \tilde q_{1k} / n_{1k} + \theta^2 \tilde p_{2k}
      \tilde q_{2k} / n_{2k})`; with ``"ivs"`` weights Tang's (2020) score
      :math:`S_k / \tilde p_{2k}` is pooled (variance :math:`V_k / \tilde p_{2k}^2`), as
      ratesci does by default (``rr_tang = TRUE``): then the pooled statistic is the efficient
      score for a common risk ratio;
    * odds ratio (the log odds ratio scale, as ratesci):
      :math:`S_k = (a_k - n_{1k} \tilde p_{1k}) (1/h_{1k} + 1/h_{2k})`,
      :math:`V_k = \lambda_k (1/h_{1k} + 1/h_{2k})`.

    ``"mh"`` weights are :math:`w_k = n_{1k} n_{2k} / N_k`; ``"ivs"`` weights are
    :math:`w_k = 1 / V_k(\theta)`, so that :math:`Z = \sum_k S_k / V_k / \sqrt{\sum_k 1 / V_k}`.
    With Mantel-Haenszel weights the estimate of the risk difference and of the risk ratio is
    the Mantel-Haenszel estimate, and for those two measures the p-value equals the
    Cochran-Mantel-Haenszel test without continuity correction. With one stratum every
    weighting gives the single-table Miettinen-Nurminen interval. No skewness correction is
    applied: the numbers are those of ``ratesci::scoreci(x1, n1, x2, n2, contrast,
    stratified = TRUE, skew = FALSE, weighting = "MH" or "IVS", or_bias = FALSE)`` but for
    the zero-margin strata below, and solved to about 1e-15 rather than ratesci's 1e-7.

    The limits are the roots of :math:`Z(\theta) \mp z` between the estimate and the ends of
    the range (for ratios, on the log scale within :math:`e^{\pm 200}`). With inverse-variance
    weights :math:`Z` need not be monotone; where it is not, the root found is one of those
    on the estimate's side.

    Zero cells need no correction, and no warning is given. Strata whose margin of events is
    empty (no events, or only events, in the stratum) are handled as follows:

    * odds ratio: they contribute nothing (their likelihood does not depend on the odds
      ratio);
    * risk ratio: strata with no events contribute nothing (their score and variance are
      identically zero); strata with only events inform the ratio (they say it is near 1)
      and are kept with ``"mh"`` weights, but their variance is 0 at a ratio of 1, where the
      inverse-variance weight would be infinite, so with ``"ivs"`` they contribute nothing;
    * risk difference: such strata inform the difference (it is near 0) and are kept with
      ``"mh"`` weights; with ``"ivs"`` weights they contribute nothing, for the same reason.

    ratesci instead adds 0.5 to every cell of such strata for ``"IVS"`` weights (its
    ``sda``/``fda`` arguments); rctkit never changes the data. When every stratum is left
    out by the ``"ivs"`` rule the Mantel-Haenszel weights are used instead (so that one
    stratum still gives the single-table interval). When no stratum is informative at all
    (a ratio with no events anywhere, say) the estimate is nan, the interval the whole range
    and the p-value 1. Otherwise a risk ratio's lower limit is 0 exactly when no stratum has
    treatment events, and its upper limit infinite when none has control events; an odds
    ratio's lower limit is 0 when in every informative stratum ``a = 0`` or ``d = 0``, and
    its upper limit infinite when in each ``b = 0`` or ``c = 0``; a risk difference's limit
    is -1 (1) when every informative stratum has risk difference -1 (1).

    With Mantel-Haenszel weights the odds ratio's pooled score need not run to
    :math:`\mp\infty` as :math:`\theta \to \infty` (or 0): when every stratum that is not
    as extreme as its margins allow has :math:`n_1 = m_1` and some extreme one does not, it
    levels off at a finite value, found per stratum in closed form (``_or_mh_limit``; the
    other measures and weightings always run off). When that value does not pass the
    critical value the limit is infinite (0), as a 700-digit evaluation of the score
    confirms; ratesci then reports the end of its search range (about 1e8), and the search
    here used to stop where the fitted risks round to 0 or 1 (7.2e86). A score that passes
    the critical value only beyond :math:`e^{\pm 200}` gives that bound.

    References
    ----------
    .. [1] Miettinen O, Nurminen M. Comparative analysis of two rates. Stat Med
       1985;4:213-226.
    .. [2] Laud PJ. Equal-tailed confidence intervals for comparison of rates. Pharm Stat
       2017;16:334-348 (and the R package ratesci).
    .. [3] Tang Y. Score confidence intervals and sample sizes for stratified comparisons of
       binomial proportions. Stat Med 2020;39:3427-3457.
    """
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    if weights not in WEIGHTS:
        raise ValueError(f"unknown weights {weights!r}")
    a, n1, c, n2 = np.broadcast_arrays(a, n1, c, n2)
    shape = a.shape[:-1]
    k_strata = a.shape[-1]
    fa, fn1, fc, fn2 = (x.reshape(-1, k_strata) for x in as_float(a, n1, c, n2))
    n = fn1 + fn2
    m1 = fa + fc
    fb, fd = fn1 - fa, fn2 - fc
    lam = n / (n - 1.0) if bias_correction else np.ones_like(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(n > 1.0, lam, 1.0)  # N = 2 is the smallest stratum (n1, n2 >= 1)
    dhat = cross_difference(a, n1, c, n2).reshape(-1, k_strata) / (fn1 * fn2)
    empty = (m1 == 0.0) | (m1 == n)

    # Which strata contribute, under each weighting.
    if measure == "odds_ratio":
        keep_mh = ~empty
        keep_ivs = ~empty
    elif measure == "risk_ratio":
        keep_mh = m1 > 0.0
        keep_ivs = ~empty
    else:
        keep_mh = np.ones_like(empty)
        keep_ivs = ~empty
    ivs = weights == "ivs"
    use_ivs = np.zeros((fa.shape[0], 1), dtype=bool)
    if ivs:
        use_ivs = keep_ivs.any(axis=-1)[:, np.newaxis]
        wivs = np.where(keep_ivs & use_ivs, 1.0, 0.0)
        keep = np.where(use_ivs, keep_ivs, keep_mh)
        wmh = np.where(keep & ~use_ivs, fn1 * fn2 / n, 0.0)
        ivs = bool(use_ivs.any())
    else:
        wivs = np.zeros_like(n)
        keep = keep_mh
        wmh = np.where(keep, fn1 * fn2 / n, 0.0)
    informative = keep.any(axis=-1)

    # Is the statistic 0 (not +-1) at an end of the range? Only when every contributing
    # stratum is as extreme as its margins allow in that direction.
    if measure == "risk_difference":
        low_extreme, high_extreme = dhat == -1.0, dhat == 1.0
        bound = 1.0
        xatol = _XATOL_DIFFERENCE
    elif measure == "risk_ratio":
        low_extreme, high_extreme = fa == 0.0, fc == 0.0
        bound = _LOG_RATIO_BOUND
        xatol = _XATOL_LOG_RATIO
    else:
        low_extreme, high_extreme = (fa == 0.0) | (fd == 0.0), (fb == 0.0) | (fc == 0.0)
        bound = _LOG_RATIO_BOUND
        xatol = _XATOL_LOG_RATIO
    at_low = (low_extreme | ~keep).all(axis=-1)  # also true where nothing is informative
    at_high = (high_extreme | ~keep).all(axis=-1)
    z_low = np.where(at_low, 0.0, 1.0)
    z_high = np.where(at_high, 0.0, -1.0)
    z = z_quantile(level)
    # Does the statistic pass the critical value at all? With Mantel-Haenszel weights the
    # odds ratio's pooled score can level off at a finite value as the odds ratio -> 0 or
    # inf (_or_mh_limit); when that value does not pass -z (+z) no finite limit exists,
    # and the limit is infinite (0). The search would otherwise stop on a spurious root
    # where the fitted risks round to 0 or 1 in double precision (7e86, say).
    open_low = np.zeros(fa.shape[0], dtype=bool)
    open_high = np.zeros(fa.shape[0], dtype=bool)
    if measure == "odds_ratio" and not ivs:
        with np.errstate(all="ignore"):
            open_high = ~at_high & (_or_mh_limit(fa, fn1, fc, fn2, lam, wmh) >= -z)
            # 1 / OR: swap events and non-events in both arms; Z(-x) changes sign.
            open_low = ~at_low & (_or_mh_limit(fb, fn1, fd, fn2, lam, wmh) >= -z)

    terms = _TERMS[measure]
    f = _statistic(terms, ivs)
    rows = fa.shape[0]
    ones = np.ones(rows)
    params = (fa, fn1, fc, fn2, lam, dhat, wmh, wivs)
    data = _Rows(params)
    ratio = measure != "risk_difference"

    with np.errstate(all="ignore"):
        # The Mantel-Haenszel estimate: the estimate itself for the risk difference and the
        # risk ratio with Mantel-Haenszel weights (where Z = 0 has it as its root), else the
        # solver's first guess.
        w = fn1 * fn2 / n
        if measure == "risk_difference":
            mh = (w * dhat).sum(axis=-1) / w.sum(axis=-1)
        elif measure == "risk_ratio":
            mh = np.log((wmh * fa / fn1).sum(axis=-1) / (wmh * fc / fn2).sum(axis=-1))
        else:
            mh = np.log((fa * fd / n).sum(axis=-1) / (fb * fc / n).sum(axis=-1))
        mh = np.clip(mh, -bound, bound)
        closed = np.where(at_low, -bound, np.where(at_high, bound, mh))
        if weights == "mh" and measure != "odds_ratio":
            x_est = closed
        else:
            # Rows pooled with Mantel-Haenszel weights (all strata left out by the "ivs"
            # rule) take the closed form too: f_out = 0 returns x_out unsolved.
            solve = informative & (use_ivs[:, 0] | (measure == "odds_ratio"))
            x_est, _ = solvers.chandrupatla(
                f,
                -bound * ones,
                np.where(solve, bound, closed),
                args=(data, np.zeros(rows)),
                f_low=z_low,
                f_high=np.where(solve, z_high, 0.0),
                guess=mh,
                xrtol=_XRTOL,
                xatol=xatol,
            )

        # The limits, both at once, from the estimate outward; the first guesses are
        # est -+ z / slope, with the slope of the statistic at the estimate.
        tc = z / math.sqrt(1.0 + z * z)
        step = np.where(x_est > 0.0, -_SLOPE_STEP, _SLOPE_STEP)
        slope = np.abs(f(x_est + step, data, np.zeros(rows)) / step)
        half = z / slope
        x_in = np.concatenate([x_est, x_est])
        f_in = np.concatenate([-tc * ones, tc * ones])
        x_out = np.concatenate([-bound * ones, bound * ones])
        f_out = np.concatenate(
            [
                np.where(at_low | open_low, 0.0, 1.0 - tc),
                np.where(at_high | open_high, 0.0, tc - 1.0),
            ]
        )
        target = np.concatenate([tc * ones, -tc * ones])
        guess = np.concatenate([x_est - half, x_est + half])
        both = np.concatenate([np.arange(rows), np.arange(rows)])
        limits, _ = solvers.chandrupatla(
            f,
            x_in,
            x_out,
            args=(data.take(both), target),
            f_low=f_in,
            f_high=f_out,
            guess=guess,
            xrtol=_XRTOL,
            xatol=xatol,
        )
        low, high = limits[:rows], limits[rows:]

        # The p-value of the score test at no effect (x = 0 on either scale).
        num0, var0 = _sums(_null_terms(measure), np.zeros(rows), *params, ivs)
        stat = np.where(num0 == 0.0, 0.0, num0 / np.sqrt(var0))
        pvalue = np.asarray(2.0 * special.ndtr(-np.abs(stat)), dtype=np.float64)

    if ratio:
        estimate = np.where(at_low, 0.0, np.where(at_high, np.inf, np.exp(x_est)))
        low = np.where(at_low | open_low, 0.0, np.exp(low))
        high = np.where(at_high | open_high, np.inf, np.exp(high))
    else:
        estimate = x_est
    estimate = np.where(informative, estimate, np.nan)
    pvalue = np.where(informative, pvalue, 1.0)
    return Interval(
        estimate.reshape(shape),
        np.asarray(low, dtype=np.float64).reshape(shape),
        np.asarray(high, dtype=np.float64).reshape(shape),
        pvalue.reshape(shape),
    )
