"""Closed-form interval kernels: Wald, Haldane, Wald-cc, Agresti-Caffo, Newcombe.

Every method here is a formula in the four counts, evaluated for the whole batch at once:

* ``"wald"``: Woolf's logit interval (odds ratio), Katz's log interval (risk ratio) and the
  Wald interval (risk difference), nothing added to the cells;
* odds ratio and risk ratio ``"haldane"``: Woolf and Katz log intervals on the table with 0.5
  added to every cell;
* risk difference ``"wald-cc"`` (Wald with continuity correction, Newcombe's method 2),
  ``"agresti-caffo"`` (one success and one failure added to each arm), ``"newcombe"`` (hybrid
  score from Wilson limits, method 10) and ``"newcombe-cc"`` (from continuity-corrected Wilson
  limits, method 11).

References
----------
Newcombe RG. Interval estimation for the difference between independent proportions:
comparison of eleven methods. Stat Med 1998;17:873-90.
"""

from __future__ import annotations

import numpy as np

from rctkit import _warnings
from rctkit._kernels.common import (
    FloatArray,
    IntArray,
    Interval,
    as_float,
    two_sided_normal_p,
    z_quantile,
)

# ---------------------------------------------------------------------------------------------
# Wald intervals


def wald_or(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    """Woolf's logit interval: ``log OR +/- z * sqrt(1/a + 1/b + 1/c + 1/d)``.

    With a zero cell the standard error is infinite: the interval is ``[0, inf]``, the
    estimate is ``0`` or ``inf`` (``nan`` when no participant, or every participant, had the
    event) and the Wald p-value is 1. Nothing is added to the cells.
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    fb, fd = fn1 - fa, fn2 - fc
    zero = (a == 0) | (n1 == a) | (c == 0) | (n2 == c)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (fa * fd) / (fb * fc)
        log_or = np.log(fa) + np.log(fd) - np.log(fb) - np.log(fc)
        se = np.sqrt(1.0 / fa + 1.0 / fb + 1.0 / fc + 1.0 / fd)
        z = z_quantile(level)
        low = np.where(zero, 0.0, np.exp(log_or - z * se))
        high = np.where(zero, np.inf, np.exp(log_or + z * se))
        pvalue = np.where(zero, 1.0, two_sided_normal_p(log_or / se))
    pvalue = np.where(np.isnan(estimate), np.nan, pvalue)
    _warnings.warn_where(
        zero,
        "has a zero cell: the Wald odds-ratio interval is [0, inf] "
        '(consider method="exact", "mn", "profile" or "firth")',
    )
    return Interval(estimate, low, high, pvalue, se)


def wald_rr(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    """Katz's log interval: ``log RR +/- z * sqrt(1/a - 1/n1 + 1/c - 1/n2)``.

    With no events in an arm the standard error is infinite and the interval is ``[0, inf]``;
    the estimate is ``0`` or ``inf``, and ``nan`` with no events in either arm. When every
    participant in both arms had the event, the estimate is 1 with a zero-width interval.
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    zero = (a == 0) | (c == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (fa / fn1) / (fc / fn2)
        log_rr = np.log(fa) - np.log(fn1) - np.log(fc) + np.log(fn2)
        se = np.sqrt(np.maximum(1.0 / fa - 1.0 / fn1 + 1.0 / fc - 1.0 / fn2, 0.0))
        z = z_quantile(level)
        low = np.where(zero, 0.0, np.exp(log_rr - z * se))
        high = np.where(zero, np.inf, np.exp(log_rr + z * se))
        stat = np.where(se == 0.0, 0.0, log_rr / se)
        pvalue = np.where(zero, 1.0, two_sided_normal_p(stat))
    pvalue = np.where(np.isnan(estimate), np.nan, pvalue)
    _warnings.warn_where(
        zero,
        "has no events in an arm: the Wald risk-ratio interval is [0, inf] "
        '(consider method="koopman" or "mn")',
    )
    return Interval(estimate, low, high, pvalue, se)


def wald_rd(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    """The Wald interval ``p1 - p2 +/- z * sqrt(p1 q1 / n1 + p2 q2 / n2)``, clipped to [-1, 1].

    When both observed risks are 0 or 1 the estimated standard error is zero and the interval
    has zero width: the method's known failure, for which a warning is issued.
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    p1, p2 = fa / fn1, fc / fn2
    estimate = p1 - p2
    se = np.sqrt(p1 * (1.0 - p1) / fn1 + p2 * (1.0 - p2) / fn2)
    z = z_quantile(level)
    low = np.clip(estimate - z * se, -1.0, 1.0)
    high = np.clip(estimate + z * se, -1.0, 1.0)
    degenerate = se == 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(degenerate & (estimate == 0.0), 0.0, estimate / se)
    pvalue = two_sided_normal_p(stat)
    _warnings.warn_where(
        degenerate,
        "has every risk at 0 or 1: the Wald risk-difference interval has zero width "
        '(consider method="newcombe" or "mn")',
    )
    return Interval(estimate, low, high, pvalue, se)


# ---------------------------------------------------------------------------------------------
# Haldane (0.5 added to every cell) odds and risk ratios


def haldane_odds_ratio(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float
) -> Interval:
    r"""Woolf's logit interval on the table with 0.5 added to every cell (Haldane, Anscombe).

    Notes
    -----
    With :math:`a' = a + 1/2` and likewise :math:`b', c', d'`, the estimate is
    :math:`\widetilde{OR} = a'd' / (b'c')` -- taken from the corrected table too, so that it
    always lies inside its interval -- and the interval is
    :math:`\exp(\log\widetilde{OR} \pm z\sqrt{1/a' + 1/b' + 1/c' + 1/d'})`. The p-value is that
    of the Wald z test of :math:`\log\widetilde{OR} = 0` on the corrected table.

    The half is added to every cell of every table, whether or not it has a zero cell, because
    that is how the method is defined; nothing else in rctkit adds it. Every answer is therefore
    finite and no warning is issued: with no events in one arm the estimate is small (or large)
    but finite, and with no events in both arms, or only events in both, it is
    :math:`(n_2 + 1/2)/(n_1 + 1/2)` or its inverse -- close to 1, with a wide interval.

    References
    ----------
    Haldane JBS. The estimation and significance of the logarithm of a ratio of frequencies.
    Ann Hum Genet 1956;20:309-11.
    Anscombe FJ. On estimating binomial response relations. Biometrika 1956;43:461-4.
    Gart JJ, Zweifel JR. On the bias of various estimators of the logit and its variance with
    application to quantal bioassay. Biometrika 1967;54:181-7.
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    ha, hc = fa + 0.5, fc + 0.5
    hb, hd = (fn1 - fa) + 0.5, (fn2 - fc) + 0.5
    estimate = (ha * hd) / (hb * hc)
    log_or = np.log(estimate)
    se = np.sqrt(1.0 / ha + 1.0 / hb + 1.0 / hc + 1.0 / hd)
    z = z_quantile(level)
    low = np.exp(log_or - z * se)
    high = np.exp(log_or + z * se)
    return Interval(estimate, low, high, two_sided_normal_p(log_or / se), se)


def haldane_risk_ratio(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float
) -> Interval:
    r"""Katz's log interval on the table with 0.5 added to every cell.

    Notes
    -----
    Adding 0.5 to each of the four cells adds 1 to each arm's total, so the risks become
    :math:`\tilde p_1 = (a + 1/2)/(n_1 + 1)` and :math:`\tilde p_2 = (c + 1/2)/(n_2 + 1)`. The
    estimate is :math:`\widetilde{RR} = \tilde p_1 / \tilde p_2` and the interval
    :math:`\exp(\log\widetilde{RR} \pm z\sqrt{1/a' - 1/n_1' + 1/c' - 1/n_2'})` with
    :math:`a' = a + 1/2`, :math:`n_1' = n_1 + 1` and so on (computed as
    :math:`b'/(a' n_1') + d'/(c' n_2')`, the same quantity without cancellation). The p-value
    is that of the Wald z test of :math:`\log\widetilde{RR} = 0` on the corrected table.

    This is the "add 1/2 to every cell" convention of Cochrane's RevMan and of metafor's
    ``escalc(measure="RR", add=1/2, to="all")``. Another convention, adding 1/2 to the events and
    to the totals only, :math:`(a + 1/2)/(n_1 + 1/2)` (Pettigrew, Gart and Thomas 1986; the
    "log-adjusted" interval of statsmodels' ``confint_proportions_2indep``), gives slightly
    different numbers.

    As for the Haldane odds ratio, the half is always added, every answer is finite and no
    warning is issued; with no events in both arms the estimate is
    :math:`(n_2 + 1)/(n_1 + 1)`, and with only events in both arms it is
    :math:`(n_1 + 1/2)(n_2 + 1)/((n_1 + 1)(n_2 + 1/2))`.

    References
    ----------
    Haldane JBS. The estimation and significance of the logarithm of a ratio of frequencies.
    Ann Hum Genet 1956;20:309-11.
    Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for the risk ratio in
    cohort studies. Biometrics 1978;34:469-74.
    Viechtbauer W. Conducting meta-analyses in R with the metafor package. J Stat Softw
    2010;36(3):1-48.
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    ha, hc = fa + 0.5, fc + 0.5
    hb, hd = (fn1 - fa) + 0.5, (fn2 - fc) + 0.5
    hn1, hn2 = fn1 + 1.0, fn2 + 1.0
    estimate = (ha / hn1) / (hc / hn2)
    log_rr = np.log(estimate)
    se = np.sqrt(hb / (ha * hn1) + hd / (hc * hn2))
    z = z_quantile(level)
    low = np.exp(log_rr - z * se)
    high = np.exp(log_rr + z * se)
    return Interval(estimate, low, high, two_sided_normal_p(log_rr / se), se)


# ---------------------------------------------------------------------------------------------
# Risk differences


def _clip(low: FloatArray, high: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Clip risk-difference limits to [-1, 1] (the lower limit is never above 1, nor the
    upper below -1, so one side each suffices; ``np.clip`` is slow on small arrays)."""
    return np.maximum(low, -1.0), np.minimum(high, 1.0)


def wald_cc(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""The Wald interval widened by the continuity correction (Newcombe 1998, method 2).

    Notes
    -----
    :math:`\hat\delta = \hat p_1 - \hat p_2 \pm \left(z\sqrt{\hat p_1\hat q_1/n_1 +
    \hat p_2\hat q_2/n_2} + \tfrac12(1/n_1 + 1/n_2)\right)`, clipped to [-1, 1]. The correction
    is always the full :math:`\tfrac12(1/n_1 + 1/n_2)`, as in Newcombe's table; R's
    ``prop.test`` shrinks it to :math:`|\hat\delta|` when the difference is smaller, so the two
    differ for such tables.

    The p-value is the matching continuity-corrected z test, the test that this interval
    inverts: :math:`z = \max(|\hat\delta| - \tfrac12(1/n_1 + 1/n_2), 0) / \mathrm{se}` with the
    same unpooled standard error, so that ``pvalue < alpha`` exactly when the interval at level
    ``1 - alpha`` excludes 0 (before clipping). It is not the Yates chi-squared test, which uses
    the pooled standard error.

    Zero cells: with no events (or only events) in one arm the other arm's variance still gives
    a positive width. When every observed risk is 0 or 1 (no events in both arms, all events in
    both, or all events in one arm and none in the other) the standard error is zero and the
    interval is only :math:`\hat\delta \pm \tfrac12(1/n_1 + 1/n_2)`; a warning is issued. Its
    p-value is then 1, or 0 when :math:`|\hat\delta|` exceeds the correction.
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    p1, p2 = fa / fn1, fc / fn2
    estimate = p1 - p2
    se = np.sqrt(p1 * (1.0 - p1) / fn1 + p2 * (1.0 - p2) / fn2)
    cc = (fn1 + fn2) / (2.0 * fn1 * fn2)
    half = z_quantile(level) * se + cc
    low, high = _clip(estimate - half, estimate + half)
    excess = np.maximum(np.abs(estimate) - cc, 0.0)
    degenerate = se == 0.0
    if np.count_nonzero(degenerate):
        _warnings.warn_where(
            degenerate,
            "has every risk at 0 or 1: the continuity-corrected Wald risk-difference interval "
            'is only the correction, +/- (1/n1 + 1/n2)/2 (consider method="newcombe" or "mn")',
        )
        # A zero standard error: the statistic is infinite unless there is no excess.
        stat = np.where(degenerate, np.where(excess > 0.0, np.inf, 0.0), excess)
        stat = np.divide(stat, se, out=stat, where=~degenerate)
    else:
        stat = excess / se
    return Interval(estimate, low, high, two_sided_normal_p(stat), se)


def agresti_caffo(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""The Agresti-Caffo interval: the Wald interval after adding one success and one failure
    to each arm.

    Notes
    -----
    With :math:`\tilde p_i = (x_i + 1)/(n_i + 2)` the interval is
    :math:`\tilde p_1 - \tilde p_2 \pm z\sqrt{\tilde p_1\tilde q_1/(n_1 + 2) +
    \tilde p_2\tilde q_2/(n_2 + 2)}`, clipped to [-1, 1]. The reported estimate is the plain
    :math:`\hat p_1 - \hat p_2`; the interval is centred on the adjusted difference instead, so
    below 95% confidence it can exclude the plain estimate: with one or two participants in an
    arm at 90% (0/1 against 1/1, for example), and for many more tables at 80% or less.

    The p-value is the Wald z test of no difference on the adjusted table,
    :math:`(\tilde p_1 - \tilde p_2)/\widetilde{\mathrm{se}}`: the test this interval inverts,
    so ``pvalue < alpha`` exactly when the interval at level ``1 - alpha`` excludes 0.

    Zero cells: the pseudo-observations keep every adjusted risk strictly between 0 and 1, so the
    standard error is always positive and the method needs no special case and no warning. With
    no events in both arms (or only events in both) the adjusted difference is 0 and the
    interval is symmetric about 0.

    References
    ----------
    Agresti A, Caffo B. Simple and effective confidence intervals for proportions and
    differences of proportions result from adding two successes and two failures. Am Stat
    2000;54:280-8.
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    estimate = fa / fn1 - fc / fn2
    m1, m2 = fn1 + 2.0, fn2 + 2.0
    s1, s2 = fa + 1.0, fc + 1.0
    adjusted = s1 / m1 - s2 / m2
    # q(1 - q)/m with q = s/m, as s (m - s) / m**3.
    se = np.sqrt(s1 * (m1 - s1) / (m1 * m1 * m1) + s2 * (m2 - s2) / (m2 * m2 * m2))
    half = z_quantile(level) * se
    low, high = _clip(adjusted - half, adjusted + half)
    return Interval(estimate, low, high, two_sided_normal_p(adjusted / se), se)


def _wilson_distances(
    x: FloatArray, n: FloatArray, z: float, corrected: bool
) -> tuple[FloatArray, FloatArray]:
    """Distances ``p - L`` and ``U - p`` from ``p = x/n`` to its Wilson limits.

    With ``corrected`` the limits are the continuity-corrected ones: the lower limit is
    Wilson's at ``x - 1/2`` (0 when ``x = 0``) and the upper limit Wilson's at ``x + 1/2`` (1
    when ``x = n``), the rule of Newcombe (1998, single proportion, method 4). The distances
    are formed without cancellation: Wilson's lower limit at ``y`` events is
    ``y**2 / (n (A + B))`` with ``A = y + z**2/2`` and ``B = z sqrt(y (n - y)/n + z**2/4)``,
    so that ``p - L = y (z**2/2 + B) / (n (A + B))``; the upper distance is the lower one at
    ``n - y`` events.
    """
    half_z2 = 0.5 * z * z
    quarter_z2 = 0.5 * half_z2
    y = n - x
    if not corrected:
        # B is symmetric in x and n - x, so both distances share it.
        root = z * np.sqrt(x * y / n + quarter_z2)
        inner = half_z2 + root
        return x * inner / (n * (x + inner)), y * inner / (n * (y + inner))

    def below(events: FloatArray) -> FloatArray:
        shifted = np.maximum(events - 0.5, 0.0)
        root = z * np.sqrt(shifted * (n - shifted) / n + quarter_z2)
        limit = shifted * shifted / (n * (shifted + half_z2 + root))
        return np.where(events == 0.0, 0.0, events / n - limit)

    return below(x), below(y)


def _newcombe(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float, corrected: bool
) -> Interval:
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    estimate = fa / fn1 - fc / fn2
    # Both arms in one pass: row 0 is treatment, row 1 control.
    below, above = _wilson_distances(
        np.array((fa, fc)), np.array((fn1, fn2)), z_quantile(level), corrected
    )
    low, high = _clip(
        estimate - np.hypot(below[0], above[1]), estimate + np.hypot(above[0], below[1])
    )
    return Interval(estimate, low, high, None)


def newcombe(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Newcombe's hybrid score interval from the two arms' Wilson intervals (method 10).

    Notes
    -----
    With :math:`(l_i, u_i)` the Wilson score interval for arm :math:`i` and
    :math:`\hat\delta = \hat p_1 - \hat p_2`,

    .. math::

        L = \hat\delta - \sqrt{(\hat p_1 - l_1)^2 + (u_2 - \hat p_2)^2}, \qquad
        U = \hat\delta + \sqrt{(u_1 - \hat p_1)^2 + (\hat p_2 - l_2)^2}.

    The limits never leave [-1, 1] (they are clipped all the same). There is no p-value: the
    interval is not the inversion of one test (``hypothesis_test`` offers the tests).

    Zero cells need no special handling: the Wilson interval of 0 events is
    :math:`[0, z^2/(n + z^2)]` and of :math:`n` events :math:`[n/(n + z^2), 1]`, so with no
    events (or only events) in one or both arms the interval still has a positive width, and
    no warning is issued. No events in both arms gives an interval around 0, from
    :math:`-z^2/(n_2 + z^2)` to :math:`z^2/(n_1 + z^2)`.

    References
    ----------
    Newcombe RG. Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Stat Med 1998;17:873-90.
    Wilson EB. Probable inference, the law of succession, and statistical inference. J Am Stat
    Assoc 1927;22:209-12.
    """
    return _newcombe(a, n1, c, n2, level, corrected=False)


def newcombe_cc(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Newcombe's hybrid score interval from continuity-corrected Wilson intervals (method 11).

    Notes
    -----
    As :func:`newcombe`, with each arm's Wilson interval replaced by the continuity-corrected
    one (Newcombe 1998, single proportion, method 4):

    .. math::

        l = \frac{2n\hat p + z^2 - 1 - z\sqrt{z^2 - 2 - 1/n + 4\hat p(n\hat q + 1)}}
                 {2(n + z^2)}, \qquad
        u = \frac{2n\hat p + z^2 + 1 + z\sqrt{z^2 + 2 - 1/n + 4\hat p(n\hat q - 1)}}
                 {2(n + z^2)},

    which are Wilson's limits at :math:`x - 1/2` and :math:`x + 1/2` events. Newcombe's rules
    at the ends are applied: :math:`l = 0` when :math:`x = 0` and :math:`u = 1` when
    :math:`x = n` (the formulas would otherwise give a limit beyond the observed proportion,
    or the square root of a negative number at low confidence levels). No p-value, as for
    :func:`newcombe`.

    Zero cells are handled by those rules: no events or only events in one or both arms give a
    finite interval of positive width, wider than method 10's, and no warning is issued.

    References
    ----------
    Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of
    seven methods. Stat Med 1998;17:857-72.
    Newcombe RG. Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Stat Med 1998;17:873-90.
    """
    return _newcombe(a, n1, c, n2, level, corrected=True)
