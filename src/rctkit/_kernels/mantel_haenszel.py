"""Mantel-Haenszel kernels over strata: the strata lie along the last axis.

Every function takes four count arrays of shape ``(..., K)`` (K strata) and returns arrays
of shape ``(...)``, so one call can pool many stratified data sets at once (the stratified
bootstrap passes ``(B, K)`` arrays).
"""

from __future__ import annotations

import numpy as np

from rctkit import _special as special
from rctkit._kernels import restricted
from rctkit._kernels.common import FloatArray, IntArray, as_float, cross_difference


def _cells(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    return fa, fn1 - fa, fc, fn2 - fc, fn1, fn2, fn1 + fn2


def odds_ratio(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray
) -> tuple[FloatArray, FloatArray]:
    """The Mantel-Haenszel odds ratio and the Robins-Breslow-Greenland variance of its log.

    ``OR = sum(a d / N) / sum(b c / N)``; the variance is
    ``sum(P R)/(2 R+^2) + sum(P S + Q R)/(2 R+ S+) + sum(Q S)/(2 S+^2)`` with
    ``R = a d / N``, ``S = b c / N``, ``P = (a + d) / N``, ``Q = (b + c) / N``.
    """
    fa, fb, fc, fd, _, _, n = _cells(a, n1, c, n2)
    r = fa * fd / n
    s = fb * fc / n
    p = (fa + fd) / n
    q = (fb + fc) / n
    r_sum = r.sum(axis=-1)
    s_sum = s.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = r_sum / s_sum
        var = (
            (p * r).sum(axis=-1) / (2 * r_sum**2)
            + (p * s + q * r).sum(axis=-1) / (2 * r_sum * s_sum)
            + (q * s).sum(axis=-1) / (2 * s_sum**2)
        )
    return estimate, var


def risk_ratio(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray
) -> tuple[FloatArray, FloatArray]:
    """The Mantel-Haenszel risk ratio and the Greenland-Robins variance of its log.

    ``RR = sum(a n2 / N) / sum(c n1 / N)``; the variance is
    ``sum((n1 n2 m1 - a c N) / N^2) / (sum(a n2 / N) sum(c n1 / N))`` with ``m1 = a + c``.
    """
    fa, _, fc, _, fn1, fn2, n = _cells(a, n1, c, n2)
    r_sum = (fa * fn2 / n).sum(axis=-1)
    s_sum = (fc * fn1 / n).sum(axis=-1)
    num = ((fn1 * fn2 * (fa + fc) - fa * fc * n) / n**2).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return r_sum / s_sum, num / (r_sum * s_sum)


def risk_difference(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, *, variance: str = "sato"
) -> tuple[FloatArray, FloatArray]:
    """The Mantel-Haenszel risk difference and its variance (Sato, or Greenland-Robins).

    ``RD = sum((a n2 - c n1) / N) / W`` with ``W = sum(n1 n2 / N)``. Sato's variance is
    ``(RD * P + Q) / W^2`` with ``P = sum((n1^2 c - n2^2 a + n1 n2 (n2 - n1) / 2) / N^2)`` and
    ``Q = sum((a (n2 - c) + c (n1 - a)) / (2 N))``; Greenland and Robins's is
    ``sum(w^2 (p1 q1 / n1 + p2 q2 / n2)) / W^2`` with ``w = n1 n2 / N``.
    """
    fa, _, fc, _, fn1, fn2, n = _cells(a, n1, c, n2)
    w = fn1 * fn2 / n
    w_sum = w.sum(axis=-1)
    # a n2 - c n1 exactly (two products near 1e24 cancel at 1e12 per arm).
    estimate = (cross_difference(a, n1, c, n2) / n).sum(axis=-1) / w_sum
    if variance == "sato":
        p = ((fn1**2 * fc - fn2**2 * fa + 0.5 * fn1 * fn2 * (fn2 - fn1)) / n**2).sum(axis=-1)
        q = ((fa * (fn2 - fc) + fc * (fn1 - fa)) / (2 * n)).sum(axis=-1)
        var = (estimate * p + q) / w_sum**2
    else:
        p1, p2 = fa / fn1, fc / fn2
        var = (w**2 * (p1 * (1 - p1) / fn1 + p2 * (1 - p2) / fn2)).sum(axis=-1) / w_sum**2
    return estimate, np.maximum(var, 0.0)


def cmh_statistic(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, *, correction: bool = False
) -> tuple[FloatArray, FloatArray]:
    """The Cochran-Mantel-Haenszel chi-squared statistic (1 df) and its p-value.

    ``X2 = (|sum(a - E[a])| - cc)^2 / sum(Var a)`` with ``E[a] = n1 m1 / N`` and
    ``Var a = n1 n2 m1 m0 / (N^2 (N - 1))``. With the continuity correction ``cc`` is 0.5
    when ``|sum(a - E[a])| >= 0.5`` and 0 otherwise, exactly as R's ``mantelhaen.test``
    (``YATES <- if(correct && (abs(DELTA) >= .5)) .5 else 0``): a difference below one half is
    left uncorrected rather than set to zero. A stratum with an empty arm has ``E[a] = a`` and
    ``Var a = 0``, so it adds nothing.
    """
    fa, fb, fc, fd, fn1, fn2, n = _cells(a, n1, c, n2)
    m1 = fa + fc
    m0 = fb + fd
    var = (fn1 * fn2 * m1 * m0 / (n**2 * (n - 1))).sum(axis=-1)
    # a - n1 m1 / N = (a n2 - c n1) / N, without the cancellation of two counts near 1e12.
    delta = np.abs((cross_difference(a, n1, c, n2) / n).sum(axis=-1))
    if correction:
        delta = delta - np.where(delta >= 0.5, 0.5, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(var > 0, delta**2 / var, 0.0)
    return stat, np.asarray(special.chdtrc(1.0, stat), dtype=np.float64)


def breslow_day(
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    common_or: FloatArray,
    *,
    tarone: bool = False,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The Breslow-Day statistic for homogeneity of odds ratios, optionally with Tarone's term.

    For each stratum the expected ``A`` under the common odds ratio ``psi`` solves
    ``A (n2 - m1 + A) = psi (n1 - A)(m1 - A)`` within the table's support
    (:func:`rctkit._kernels.restricted.odds_ratio_cells_at`), and
    ``V = 1 / (1/A + 1/(n1 - A) + 1/(m1 - A) + 1/(n2 - m1 + A))``;
    ``BD = sum((a - A)^2 / V)``. Tarone's correction subtracts
    ``(sum a - sum A)^2 / sum V``. Strata with an empty margin carry no information and are
    left out (``V = 0``). Returns the statistic, its degrees of freedom (informative strata
    minus one) and the p-value.
    """
    fa, _, fc, _, fn1, fn2, _ = _cells(a, n1, c, n2)
    m1 = fa + fc
    psi = np.asarray(common_or, dtype=np.float64)[..., np.newaxis]
    lo = np.maximum(0.0, m1 - fn2)
    hi = np.minimum(fn1, m1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # The fitted treatment events under psi, in the stable form of restricted.py.
        expected, _, _, _ = restricted.odds_ratio_cells_at(psi, psi - 1.0, fa, fn1, fc, fn2)
        expected = np.clip(expected, lo, hi)
        var = 1.0 / (
            1.0 / expected
            + 1.0 / (fn1 - expected)
            + 1.0 / (m1 - expected)
            + 1.0 / (fn2 - m1 + expected)
        )
    informative = hi > lo
    var = np.where(informative & np.isfinite(var), var, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(var > 0, (fa - expected) ** 2 / var, 0.0)
    stat = terms.sum(axis=-1)
    if tarone:
        used = var > 0
        diff = np.where(used, fa - expected, 0.0).sum(axis=-1)
        total_var = var.sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            stat = stat - np.where(total_var > 0, diff**2 / total_var, 0.0)
        # Tarone's term never exceeds the sum it corrects; rounding can leave -1e-44.
        stat = np.maximum(stat, 0.0)
    df = np.maximum((var > 0).sum(axis=-1) - 1, 0).astype(np.float64)
    with np.errstate(invalid="ignore"):
        pvalue = np.where(df > 0, special.chdtrc(np.maximum(df, 1.0), stat), 1.0)
    return stat, df, np.asarray(pvalue, dtype=np.float64)
