r"""The exact conditional common odds ratio of stratified 2x2 tables.

Conditioning on every stratum's margins, :math:`T = \sum_k a_k` follows the convolution of
the strata's noncentral hypergeometric distributions, with weights
:math:`c_t \psi^t` (:math:`c_t` the convolution of the central ones). The conditional MLE
solves :math:`E[T; \psi] = t`, the exact limits :math:`P(T \ge t; \psi) = \alpha/2` and
:math:`P(T \le t; \psi) = \alpha/2`, all three on the log scale by
:func:`rctkit._kernels.solvers.bracket` and :func:`rctkit._kernels.solvers.chandrupatla` in
one vectorised call; the two-sided p-value at :math:`\psi = 1` sums the probabilities no
greater than the observed one (relative tolerance 1e-7), as R's
``mantelhaen.test(exact = TRUE)``.
"""

from __future__ import annotations

import math

import numpy as np

from rctkit import _special as special
from rctkit._kernels import solvers
from rctkit._kernels.common import FloatArray, IntArray, Interval

__all__ = ["exact_common_or"]

#: The three equations solved: the MLE, the lower and the upper limit.
_MLE, _LOWER, _UPPER = 0, 1, 2


def _log_hypergeom_weights(a_low: int, a_high: int, n1: int, n2: int, m1: int) -> FloatArray:
    """Log of the central hypergeometric probabilities over ``a_low..a_high``."""
    x = np.arange(a_low, a_high + 1, dtype=np.float64)
    m0 = n1 + n2 - m1
    return np.asarray(
        -special.betaln(x + 1, m1 - x + 1)
        - np.log(m1 + 1.0)
        - special.betaln(n1 - x + 1, m0 - n1 + x + 1)
        - np.log(m0 + 1.0)
        + special.betaln(n1 + 1, n2 + 1)
        + np.log(n1 + n2 + 1.0),
        dtype=np.float64,
    )


def _log_convolve(p: FloatArray, q: FloatArray) -> FloatArray:
    """Log of the convolution of two sequences given as logs, without underflow."""
    grid = p[:, np.newaxis] + q[np.newaxis, :]
    out = np.full(p.size + q.size - 1, -np.inf)
    for shift in range(q.size):
        column = grid[:, shift]
        np.logaddexp(out[shift : shift + p.size], column, out=out[shift : shift + p.size])
    return out


def exact_common_or(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float
) -> Interval:
    """The conditional MLE of the common odds ratio, its exact interval and exact p-value.

    Parameters
    ----------
    a, n1, c, n2 : numpy.ndarray of int64
        One stratified data set: the strata's counts, 1-D, validated.
    level : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    Interval
        0-d arrays. The estimate is 0 (infinite) when ``T`` is at the bottom (top) of its
        support, and nan with the interval [0, inf] when the support is one point.
    """
    m1 = a + c
    lows = np.maximum(0, n1 - (n1 + n2 - m1))
    highs = np.minimum(n1, m1)
    logc = np.zeros(1)
    for k in range(a.size):
        w = _log_hypergeom_weights(int(lows[k]), int(highs[k]), int(n1[k]), int(n2[k]), int(m1[k]))
        logc = _log_convolve(logc, w)
    t_low = int(lows.sum())
    support = np.arange(t_low, t_low + logc.size, dtype=np.float64)
    t = float(a.sum())
    i_obs = int(t) - t_low
    last = logc.size - 1
    log_half = math.log((1.0 - level) / 2)

    def equations(log_psi: FloatArray, which: IntArray) -> FloatArray:
        # E[T] - t (increasing), log P(T >= t) and log P(T <= t) minus log(alpha/2).
        lp = logc[np.newaxis, :] + log_psi[:, np.newaxis] * support[np.newaxis, :]
        lse = special.logsumexp(lp, axis=1)
        upper = special.logsumexp(lp[:, i_obs:], axis=1) - lse
        lower = special.logsumexp(lp[:, : i_obs + 1], axis=1) - lse
        mean = (np.exp(lp - lse[:, np.newaxis]) * support).sum(axis=1)
        return np.asarray(
            np.where(which == _MLE, mean - t, np.where(which == _LOWER, upper, lower) - log_half),
            dtype=np.float64,
        )

    wanted = []
    if i_obs > 0:
        wanted += [_MLE, _LOWER]
    if i_obs < last:
        wanted.append(_UPPER)
    which = np.array(wanted, dtype=np.int64)
    roots = np.full(3, np.nan)
    if which.size:
        zero = np.zeros(which.size)
        lo, hi, f_lo, f_hi, _ = solvers.bracket(equations, zero, 1.0, args=(which,))
        x, _ = solvers.chandrupatla(equations, lo, hi, args=(which,), f_low=f_lo, f_high=f_hi)
        roots[which] = x
    estimate, low, high = (float(v) for v in np.exp(roots))
    if i_obs == 0:
        estimate, low = 0.0, 0.0
    elif i_obs == last:
        estimate = math.inf
    if i_obs == last:
        estimate, high = (math.inf if i_obs > 0 else math.nan), math.inf
    if last == 0:
        estimate, low, high = math.nan, 0.0, math.inf
    # Two-sided p-value at psi = 1, by R's rule.
    d = logc - special.logsumexp(logc)
    pvalue = float(np.exp(special.logsumexp(d[d <= d[i_obs] + math.log1p(1e-7)])))
    return Interval(
        np.asarray(estimate), np.asarray(low), np.asarray(high), np.asarray(min(1.0, pvalue))
    )
