r"""The central hypergeometric distribution of a 2x2 table, at every supported size.

Under the null hypothesis of the conditional tests the treatment-arm events :math:`X` are
hypergeometric: ``n`` participants, ``m1`` events, ``n1`` drawn. Two things break as the
table grows, and this module mends both:

- The log probability written with ``betaln`` (as :func:`scipy.stats.hypergeom.logpmf` does)
  carries an absolute error of about 1e-16 times :math:`n`: 2e-4 at :math:`n = 2\times
  10^{12}`, far above the 1e-7 relative tolerance with which Fisher's test decides ties.
  :func:`logpmf` uses Loader's saddle-point form instead (the one of R's ``dhyper``), whose
  terms are the deviance ``bd0`` and Stirling's remainder, both small near the centre, so
  the error stays near 1e-15 whatever :math:`n` is.
- scipy's hypergeometric CDF loses digits as :math:`n` grows (about 2e-8 relative at
  :math:`n = 2\times 10^8`, and a wrong answer by :math:`n = 2^{54}`). Above
  :data:`LARGE_N`, :func:`lower_tail` sums the tail itself: by the Euler-Maclaurin grid of
  :mod:`rctkit._kernels.hypergeom_sums` when every cell is large, and term by term (at most
  a few thousand terms, as the cells are then small) otherwise.

Counts are float64 here: every supported count (up to :data:`rctkit._validation.MAX_COUNT`)
is exact in float64, and products of counts never pass through int64.

References
----------
Loader C. Fast and accurate computation of binomial probabilities. 2000 (the algorithm of
R's ``dbinom`` and ``dhyper``).
"""

from __future__ import annotations

import math

import numpy as np

from rctkit._kernels import hypergeom_sums
from rctkit._kernels.common import FloatArray, IntArray

#: Above this many participants the tails are summed here rather than by scipy.
LARGE_N = 1 << 24

_LN_2PI = math.log(2.0 * math.pi)
#: Stirling's remainder ``lgamma(k + 1) - (k + 1/2) log k + k - log(2 pi) / 2`` for k <= 15.
_STIRLERR_SMALL = np.array(
    [0.0]
    + [math.lgamma(k + 1.0) - (k + 0.5) * math.log(k) + k - 0.5 * _LN_2PI for k in range(1, 16)]
)
#: Term-by-term tails are summed in blocks of at most this many terms.
_BLOCK_TERMS = 1 << 22
#: Reach of a tail sum in local standard deviations: the terms beyond fall below e-80.
_TAIL_SDS = 14.0
#: The Euler-Maclaurin sum is used when every cell is at least this and 20 times the reach.
_SMOOTH_MIN_CELL = 1e5


def stirlerr(n: FloatArray) -> FloatArray:
    """``lgamma(n + 1) - (n + 1/2) log n + n - log(2 pi) / 2`` for whole ``n >= 0`` (0 at 0)."""
    n = np.asarray(n, dtype=np.float64)
    small = n <= 15
    out = np.empty_like(n)
    out[small] = _STIRLERR_SMALL[n[small].astype(np.int64)]
    big = n[~small]
    nn = big * big
    out[~small] = (
        1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - (1 / 1188) / nn) / nn) / nn) / nn
    ) / big
    return out


def bd0(x: FloatArray, m: FloatArray) -> FloatArray:
    """The deviance ``x log(x / m) + m - x``, without cancellation when ``x`` is near ``m``."""
    x = np.asarray(x, dtype=np.float64)
    m = np.asarray(m, dtype=np.float64)
    d = x - m
    s = x + m
    close = np.abs(d) < 0.1 * s
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(close, d / s, 0.0)
        series = d * v
        ej = 2.0 * x * v
        v2 = v * v
        for j in range(1, 16):  # |v| < 0.1: 15 terms reach 1e-30 of the leading one
            ej = ej * v2
            series = series + ej / (2 * j + 1)
        far = np.where(x > 0, x * np.log(x / m), 0.0) + m - x
    return np.asarray(np.where(close, series, far), dtype=np.float64)


def _log_dbinom(x: FloatArray, n: FloatArray, p: FloatArray, q: FloatArray) -> FloatArray:
    """``log C(n, x) p^x q^(n - x)`` for whole ``0 <= x <= n``, by Loader's saddle point."""
    with np.errstate(divide="ignore", invalid="ignore"):
        inner = (
            stirlerr(n)
            - stirlerr(x)
            - stirlerr(n - x)
            - bd0(x, n * p)
            - bd0(n - x, n * q)
            - 0.5 * (_LN_2PI + np.log(x) + np.log((n - x) / n))  # n - x is exact
        )
        at_zero = np.where(n > 0, n * np.log(q), 0.0)
        at_n = n * np.log(p)
    return np.asarray(np.where(x == 0, at_zero, np.where(x == n, at_n, inner)))


def support(n: IntArray, m1: IntArray, n1: IntArray) -> tuple[IntArray, IntArray]:
    """The lowest and highest possible ``X``."""
    return np.maximum(0, n1 - (n - m1)), np.minimum(n1, m1)


def logpmf(x: IntArray, n: IntArray, m1: IntArray, n1: IntArray) -> FloatArray:
    """``log P(X = x)``; ``-inf`` outside the support. Accurate to about 1e-15 absolute near the
    centre of the distribution for every supported size (R's ``dhyper`` algorithm)."""
    x, n, m1, n1 = np.broadcast_arrays(*(np.asarray(v) for v in (x, n, m1, n1)))
    low, high = support(n, m1, n1)
    inside = (x >= low) & (x <= high)
    fx = np.where(inside, x, low).astype(np.float64)
    fn = n.astype(np.float64)
    fm1 = m1.astype(np.float64)
    fn1 = n1.astype(np.float64)
    p = fn1 / fn
    q = (fn - fn1) / fn
    value = (
        _log_dbinom(fx, fm1, p, q)
        + _log_dbinom(fn1 - fx, fn - fm1, p, q)
        - _log_dbinom(fn1, fn, p, q)
    )
    return np.asarray(np.where(inside, value, -np.inf), dtype=np.float64)


def mode(n: IntArray, m1: IntArray, n1: IntArray) -> IntArray:
    """The mode ``floor((n1 + 1)(m1 + 1) / (n + 2))``, computed without int64 products.

    The float quotient can be a step off for large tables; one comparison of the
    probability ratio on each side puts it right (to within ties of relative size 1e-16).
    """
    fn, fm1, fn1 = (np.asarray(v, dtype=np.float64) for v in (n, m1, n1))
    guess = np.floor((fn1 + 1.0) * (fm1 + 1.0) / (fn + 2.0))
    low, high = support(n, m1, n1)
    guess = np.clip(guess, low, high)

    def rises(x: FloatArray) -> np.ndarray:
        # f(x) / f(x - 1) >= 1
        return np.asarray((fn1 - x + 1.0) * (fm1 - x + 1.0) >= x * (fn - fn1 - fm1 + x))

    guess = np.where((guess < high) & rises(guess + 1.0), guess + 1.0, guess)
    guess = np.where((guess > low) & ~rises(guess), guess - 1.0, guess)
    return np.asarray(guess.astype(np.int64))


def _local_sd(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray) -> FloatArray:
    """The scale on which the log weights bend near a table: ``(1/a + 1/b + 1/c + 1/d)^-1/2``
    (with one added to each cell)."""
    return np.asarray(1.0 / np.sqrt(1 / (a + 1) + 1 / (b + 1) + 1 / (c + 1) + 1 / (d + 1)))


def _log_tail_terms(
    x: FloatArray, n: FloatArray, m1: FloatArray, n1: FloatArray, count: IntArray
) -> FloatArray:
    """``log sum_{i < count} w[x - i] / w[x]``, term by term, in blocks of bounded size."""
    out = np.empty(x.size)
    order = np.argsort(count, kind="stable")
    start = 0
    while start < order.size:
        widest = int(count[order[start:]].max())
        rows = max(1, _BLOCK_TERMS // max(widest, 1))
        chunk = order[start : start + rows]
        width = int(count[chunk].max())
        i = np.arange(1, width, dtype=np.float64)[:, None]
        xc, nc, m1c, n1c = x[chunk], n[chunk], m1[chunk], n1[chunk]
        xi = xc - i + 1.0  # the ratio w[xi - 1] / w[xi]
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.log((xi * (nc - n1c - m1c + xi)) / ((n1c - xi + 1.0) * (m1c - xi + 1.0)))
        step = np.where(i < count[chunk], step, -np.inf)
        logs = np.vstack([np.zeros((1, chunk.size)), np.cumsum(step, axis=0)])
        peak = logs.max(axis=0)
        out[chunk] = peak + np.log(np.exp(logs - peak).sum(axis=0))
        start += chunk.size
    return out


#: Terms past the cut of a geometric tail fall below exp(-_GEOMETRIC_NATS) of its first.
_GEOMETRIC_NATS = 45.0


def _geometric_terms(x: FloatArray, n: FloatArray, m1: FloatArray, n1: FloatArray) -> FloatArray:
    """How many terms below ``x`` a lower tail needs, from the first ratio ``w[x-1] / w[x]``
    (infinite where that ratio is not below 1, at or above the mode)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_r = np.log((x * (n - n1 - m1 + x)) / ((n1 - x + 1.0) * (m1 - x + 1.0)))
        k = (_GEOMETRIC_NATS - np.log1p(-np.exp(log_r))) / -log_r
    return np.asarray(np.where(log_r < 0.0, np.ceil(k) + 1.0, np.inf))


def _large_lower_tail(x: IntArray, n: IntArray, m1: IntArray, n1: IntArray) -> FloatArray:
    """``P(X <= x)`` for tables of more than :data:`LARGE_N` participants (1-D arrays)."""
    low, high = support(n, m1, n1)
    out = np.where(x < low, 0.0, 1.0)
    todo = np.flatnonzero((x >= low) & (x < high))
    if not todo.size:
        return out
    fx, fn, fm1, fn1 = (np.asarray(v[todo], dtype=np.float64) for v in (x, n, m1, n1))
    cells = (fx, fn1 - fx, fm1 - fx, fn - fn1 - fm1 + fx)
    sd = _local_sd(*cells)
    reach = np.ceil(_TAIL_SDS * sd + 40.0)
    log_f = logpmf(x[todo], n[todo], m1[todo], n1[todo])
    log_sum = np.full(todo.size, np.nan)
    smallest = np.minimum(np.minimum(cells[0], cells[1]), np.minimum(cells[2], cells[3]))
    smooth = smallest >= np.maximum(_SMOOTH_MIN_CELL, 20.0 * reach)
    if np.any(smooth):
        big = tuple(cell[smooth] for cell in cells)
        side = hypergeom_sums.build_side(
            big,  # type: ignore[arg-type]
            sd[smooth],
            reach[smooth],
            np.zeros(int(smooth.sum()), dtype=bool),
            np.ones(int(smooth.sum())),
            -1.0,
            hypergeom_sums.log_weight_derivatives(*big),
        )
        sums = hypergeom_sums.side_sums(side, np.zeros(int(smooth.sum())))
        log_sum[np.flatnonzero(smooth)[sums.ok]] = sums.log_sum[sums.ok]
    rest = np.flatnonzero(np.isnan(log_sum))
    if rest.size:
        count = np.minimum(fx[rest] - low[todo][rest], reach[rest])
        # Below the mode the terms fall at least geometrically, by the first ratio r or
        # faster (log-concavity): the terms past k sum to at most r^k / (1 - r) of the first,
        # below e^-45 for the k here. Far in a tail of a huge table this is a handful of
        # terms where ``reach`` would be millions.
        count = np.minimum(count, _geometric_terms(fx[rest], fn[rest], fm1[rest], fn1[rest]))
        count = count.astype(np.int64) + 1
        log_sum[rest] = _log_tail_terms(fx[rest], fn[rest], fm1[rest], fn1[rest], count)
    out[todo] = np.minimum(np.exp(log_f + log_sum), 1.0)
    return np.asarray(out)


def lower_tail(x: IntArray, n: IntArray, m1: IntArray, n1: IntArray) -> FloatArray:
    """``P(X <= x)`` (0 below the support, 1 from its top), summed directly so that a tail of
    1e-300 keeps its digits; scipy's CDF up to :data:`LARGE_N` participants, this module's
    sums above."""
    x, n, m1, n1 = (np.asarray(v, dtype=np.int64) for v in np.broadcast_arrays(x, n, m1, n1))
    shape = x.shape
    x, n, m1, n1 = (v.ravel() for v in (x, n, m1, n1))
    out = np.empty(x.size)
    large = n > LARGE_N
    if np.any(~large):
        from scipy import stats  # where first needed: scipy.stats costs about 1 s to import

        small = ~large
        out[small] = stats.hypergeom.cdf(x[small], n[small], m1[small], n1[small])
    if np.any(large):
        xl, nl, m1l, n1l = x[large], n[large], m1[large], n1[large]
        # Above the mode the sum from x down would cross the peak: take the complement,
        # the lower tail of the non-events' mirror image n1 - X (its error is absolute, and
        # the tail is then above one half).
        above = xl > mode(nl, m1l, n1l)
        tail = np.empty(xl.size)
        tail[~above] = _large_lower_tail(xl[~above], nl[~above], m1l[~above], n1l[~above])
        tail[above] = 1.0 - _large_lower_tail(
            n1l[above] - xl[above] - 1, nl[above], nl[above] - m1l[above], n1l[above]
        )
        out[large] = tail
    return np.asarray(out.reshape(shape), dtype=np.float64)


def upper_tail(x: IntArray, n: IntArray, m1: IntArray, n1: IntArray) -> FloatArray:
    """``P(X >= x)``: scipy's survival function up to :data:`LARGE_N` participants, and above
    it the lower tail of the non-events' mirror image ``n1 - X``."""
    x, n, m1, n1 = (np.asarray(v, dtype=np.int64) for v in np.broadcast_arrays(x, n, m1, n1))
    large = n > LARGE_N
    if np.all(large):
        return lower_tail(n1 - x, n, n - m1, n1)
    from scipy import stats  # where first needed: scipy.stats costs about 1 s to import

    out = np.asarray(stats.hypergeom.sf(x - 1, n, m1, n1), dtype=np.float64)
    if np.any(large):
        out[large] = lower_tail(n1[large] - x[large], n[large], n[large] - m1[large], n1[large])
    return out
