r"""The stratified Newcombe interval for a common risk difference (Yan and Su 2010).

With stratum weights :math:`w_k` summing to one (Mantel-Haenszel's, :math:`w_k \propto
n_{k1} n_{k2} / N_k`), each arm's common risk is :math:`\hat p_i = \sum_k w_k \hat p_{ki}`.
Its stratified Wilson limits are the weighted means of the strata's Wilson limits taken at the
adjusted quantile

.. math::

    z_i^* = z \, \frac{\sqrt{\sum_k w_k^2 v_{ki}}}{\sum_k w_k \sqrt{v_{ki}}}, \qquad
    v_{ki} = \hat p_{ki} (1 - \hat p_{ki}) / n_{ki},

so that :math:`L_i = \sum_k w_k L_{ki}(z_i^*)` and :math:`U_i = \sum_k w_k U_{ki}(z_i^*)`.
With :math:`\lambda_i = \sum_k w_k^2 / n_{ki}` and :math:`\hat d = \hat p_1 - \hat p_2` (the
Mantel-Haenszel risk difference), the limits are

.. math::

    L = \hat d - z \sqrt{\lambda_1 L_1 (1 - L_1) + \lambda_2 U_2 (1 - U_2)}, \qquad
    U = \hat d + z \sqrt{\lambda_1 U_1 (1 - U_1) + \lambda_2 L_2 (1 - L_2)}.

With one stratum :math:`z^* = z` and this is Newcombe's hybrid score interval (method 10).
The strata lie along the last axis of the count arrays, the data sets along the others.
"""

from __future__ import annotations

import numpy as np

from rctkit._kernels.common import FloatArray, IntArray, Interval, as_float, z_quantile

__all__ = ["stratified_newcombe"]


def _stratified_wilson(
    x: FloatArray, n: FloatArray, w: FloatArray, z: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """One arm's weighted risk, its stratified Wilson limits and ``lambda = sum w^2 / n``."""
    p = x / n
    sd = np.sqrt(p * (1.0 - p) / n)
    spread = (w * sd).sum(axis=-1, keepdims=True)
    pooled = np.sqrt((w * w * sd * sd).sum(axis=-1, keepdims=True))
    # With no events (or only events) in every stratum of the arm the ratio is 0/0: the
    # quantile is then left unadjusted, as it is for a single stratum.
    with np.errstate(divide="ignore", invalid="ignore"):
        zs = np.where(spread > 0.0, z * pooled / np.where(spread > 0.0, spread, 1.0), z)
    # Wilson's limits at zs, as distances from p formed without cancellation.
    y = n - x
    inner = 0.5 * zs * zs + zs * np.sqrt(x * y / n + 0.25 * zs * zs)
    below = x * inner / (n * (x + inner))
    above = y * inner / (n * (y + inner))
    risk = (w * p).sum(axis=-1)
    low = risk - (w * below).sum(axis=-1)
    high = risk + (w * above).sum(axis=-1)
    return risk, low, high, (w * w / n).sum(axis=-1)


def stratified_newcombe(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float
) -> Interval:
    """Yan and Su's stratified Newcombe interval with Mantel-Haenszel weights.

    Strata with an empty arm have weight zero and contribute nothing; when every stratum has
    one, the estimate and the limits are NaN. The limits are clipped to [-1, 1]. There is no
    p-value (the interval inverts no single test).
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    usable = (fn1 > 0.0) & (fn2 > 0.0)
    # Placeholders in unusable strata keep the arithmetic finite; their weight is zero.
    m1 = np.where(usable, fn1, 1.0)
    m2 = np.where(usable, fn2, 1.0)
    raw = np.where(usable, m1 * m2 / (m1 + m2), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = raw / raw.sum(axis=-1, keepdims=True)
    z = z_quantile(level)
    p1, low1, high1, lam1 = _stratified_wilson(np.where(usable, fa, 0.0), m1, w, z)
    p2, low2, high2, lam2 = _stratified_wilson(np.where(usable, fc, 0.0), m2, w, z)
    estimate = p1 - p2
    below = z * np.sqrt(lam1 * low1 * (1.0 - low1) + lam2 * high2 * (1.0 - high2))
    above = z * np.sqrt(lam1 * high1 * (1.0 - high1) + lam2 * low2 * (1.0 - low2))
    low = np.maximum(estimate - below, -1.0)
    high = np.minimum(estimate + above, 1.0)
    return Interval(estimate, low, high)
