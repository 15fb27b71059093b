r"""Matched two-sided rules for the conditional (Fisher) test and its odds-ratio interval.

Given both margins, the treatment events :math:`X` follow Fisher's noncentral hypergeometric
distribution :math:`f(x; \psi)` on :math:`\ell \le x \le h` (see
:mod:`rctkit._kernels.conditional`). A two-sided rule says which tables are "as or more
extreme" than the observed :math:`a` at the odds ratio :math:`\psi`; the p-value is their
probability, and the matching interval is the set :math:`C = \{\psi : p(\psi) > \alpha\}`
(Fay 2010, R package exact2x2):

``"central"``
    :math:`p = \min\{1, 2\min(P(X \le a), P(X \ge a))\}`. :math:`C` is Cornfield's interval,
    the one :func:`rctkit._kernels.conditional.exact` computes.
``"minlike"``
    the tables no more probable than :math:`a`, :math:`f(x; \psi) \le f(a; \psi)` (Fisher's
    two-sided test, R's ``fisher.test``, at :math:`\psi = 1`).
``"blaker"``
    the tables whose smaller tail probability is at most :math:`a`'s,
    :math:`\gamma(x) \le \gamma(a)` with :math:`\gamma(x) = \min\{P(X \le x), P(X \ge x)\}`
    (Blaker 2000).

For ``"minlike"`` and ``"blaker"`` the p-value function is not monotone in :math:`\psi` and
:math:`C` need not be an interval; what is reported is its smallest enclosing interval, as
exact2x2 does. Each table :math:`x > a` belongs to the extreme set exactly while
:math:`t = \log\psi \le b_x` and each :math:`x < a` while :math:`t \ge b_x` (both rules order
the tables through a log-concave density or its monotone tails), so the breakpoints
:math:`b_x` cut the :math:`t` axis into pieces on which the extreme set is a fixed pair of
tails :math:`\{x \le u\} \cup \{x \ge v\}`. On a piece :math:`p(t) = 1 - P(u < X < v; t)`, and
the probability of an interval is unimodal in :math:`t` for a family with monotone
likelihood ratio, so :math:`\{p \le \alpha\}` meets each piece in one interval. The upper
limit is found by walking the pieces from :math:`t = +\infty` down: the first breakpoint where
:math:`p > \alpha` (there the set is the union of its two neighbours' sets) or the one
crossing of :math:`\alpha` inside the first piece whose left end has :math:`p > \alpha`,
solved with :func:`rctkit._kernels.solvers.chandrupatla`; the lower limit likewise from
:math:`-\infty` up. The limits are therefore exact up to the solver's tolerance (about 1e-15
relative in :math:`t`), not refined on a grid.

Breakpoints: for ``"minlike"`` :math:`b_x = (\log w_a - \log w_x) / (x - a)` in closed form,
:math:`w_x = \binom{n_1}{x}\binom{n_2}{m_1 - x}`; for ``"blaker"`` the root of
:math:`\log P(X \ge x; t) = \log P(X \le a; t)` (:math:`x > a`) or of
:math:`\log P(X \le x; t) = \log P(X \ge a; t)` (:math:`x < a`), each monotone in :math:`t`.

Ties at :math:`\psi = 1`. Tables tied with the observed one at the null are common (in a trial
with equal arms the mirror table always is), so ties there are decided exactly: the weights
:math:`w_x` and their tail sums are formed as Python integers and compared exactly. A tie sets
:math:`b_x = 0` (a tied table counts as "as extreme", so the p-value at 1 includes it), and a
breakpoint whose computed sign disagrees with the exact comparison is moved to the side the
integers give (at most a rounding error away). For ``"minlike"`` a table whose null probability
exceeds the observed one's by a relative amount of at most 1e-7 is treated as tied as well:
that is R's ``fisher.test`` rule, which rctkit's Fisher test (the default two-sided p-value)
keeps, so the interval and the test agree at 1 in every case. ``"blaker"`` uses no tolerance
(exact2x2's ``exact2x2Pvals`` uses R's 1e-7 on the tails; the two differ only when two tails
differ by less than 1e-7 relative). Away from :math:`\psi = 1` a tie between tables happens
only at a breakpoint, a single point, where the closed rule above applies.

Cost: tables are handled one at a time (a Python loop): the p-value function of a table with
:math:`K = h - \ell + 1` support points is evaluated on :math:`O(K)` pieces at :math:`O(K)`
each, and ``"blaker"`` solves :math:`K - 1` breakpoint equations, so a table costs
:math:`O(K^2)` (1-3 ms at :math:`K = 10`, 0.03-0.08 s at 500, 0.4-2 s at 2000). Tables with more
than :data:`MAX_SUPPORT` support points are refused with :class:`~rctkit.errors.CostLimitError`
before any work, as are batches above :data:`MAX_BATCH_WORK`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import attrs
import numpy as np

from rctkit._kernels import conditional, pvalues, solvers
from rctkit._kernels.common import BoolArray, FloatArray, IntArray, Interval
from rctkit.errors import CostLimitError

__all__ = [
    "MAX_BATCH_WORK",
    "MAX_SUPPORT",
    "TWO_SIDED",
    "check_cost",
    "interval",
    "pvalue",
]

#: The two-sided rules, the default first for the test (as R's ``fisher.test``).
TWO_SIDED = ("minlike", "central", "blaker")

#: Tables with more support points than this (``min(n1, m1) - max(0, m1 - n2) + 1``) are
#: refused for the ``"minlike"`` and ``"blaker"`` intervals and Blaker's test.
MAX_SUPPORT = 2000

#: A call is refused when the sum of ``K^2`` over its tables passes this (about a minute).
MAX_BATCH_WORK = 5e8

_TINY = float(np.nextafter(0.0, 1.0))


def support_sizes(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray) -> IntArray:
    """The number of tables with the observed margins, ``h - l + 1``."""
    m1 = a + c
    return np.asarray(np.minimum(n1, m1) - np.maximum(0, m1 - n2) + 1, dtype=np.int64)


def check_cost(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, two_sided: str) -> None:
    """Refuse, before any work, tables too large for the per-table rules (CostLimitError)."""
    if two_sided == "central":
        return
    k = support_sizes(*np.broadcast_arrays(a, n1, c, n2))
    largest = int(np.max(k, initial=0))
    if largest > MAX_SUPPORT:
        raise CostLimitError(
            f'the two_sided="{two_sided}" rule is computed table by table for tables with at '
            f"most {MAX_SUPPORT} possible values of the treatment events given the margins "
            f'(got {largest}); use two_sided="central", which is vectorised and has no limit'
        )
    work = float(np.sum(k.astype(np.float64) ** 2))
    if work > MAX_BATCH_WORK:
        raise CostLimitError(
            f'the two_sided="{two_sided}" rule on these {k.size} tables would cost about '
            f"{work:.2g} units (the sum of the squared support sizes); the limit for one call "
            f'is {MAX_BATCH_WORK:.0e}. Use two_sided="central" or pass fewer tables'
        )


@attrs.frozen(eq=False)
class _Table:
    """One table's support relative to ``a``, its log weights and exact weights."""

    offsets: FloatArray  # x - a for x = l..h
    log_w: FloatArray  # log(w_x / w_a)
    weights: tuple[int, ...]  # w_x as exact integers
    index: int  # position of a in the support

    def log_terms(self, t: FloatArray) -> FloatArray:
        """``log(w_x psi^x / (w_a psi^a))`` for each ``t`` (rows) and ``x`` (columns)."""
        return np.asarray(self.log_w + np.multiply.outer(t, self.offsets), dtype=np.float64)


def _table(a: int, n1: int, c: int, n2: int) -> _Table:
    m1 = a + c
    low, high = max(0, m1 - n2), min(n1, m1)
    xs = np.arange(low, high + 1, dtype=np.float64)
    i = a - low
    fn1, fm1, fn2 = (np.array(float(v)) for v in (n1, m1, n2))
    log_w = np.zeros(xs.size)
    if i + 1 < xs.size:
        up = conditional._log_ratio(xs[i:-1], fn1, fm1, fn2)  # log(w[x+1]/w[x]), x = a..h-1
        log_w[i + 1 :] = np.cumsum(up)
    if i > 0:
        down = conditional._log_ratio(xs[:i], fn1, fm1, fn2)  # x = l..a-1
        log_w[:i] = -np.cumsum(down[::-1])[::-1]
    weights = tuple(math.comb(n1, x) * math.comb(n2, m1 - x) for x in range(low, high + 1))
    return _Table(xs - a, log_w, weights, i)


def _logsumexp(x: FloatArray, where: BoolArray) -> FloatArray:
    """Row-wise ``log(sum(exp(x)))`` over the entries where ``where`` holds."""
    masked = np.where(where, x, -np.inf)
    peak = np.max(masked, axis=-1, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0.0)
    with np.errstate(divide="ignore"):
        return np.asarray(
            np.log(np.sum(np.exp(masked - peak), axis=-1)) + peak[..., 0], dtype=np.float64
        )


def _log_p(tab: _Table, t: FloatArray, members: BoolArray) -> FloatArray:
    """``log P(X in members; t)`` for each ``t``; ``members`` per row or shared."""
    terms = tab.log_terms(t)
    every = np.ones(terms.shape, dtype=bool)
    return _logsumexp(terms, np.broadcast_to(members, terms.shape)) - _logsumexp(terms, every)


def _log_tails(tab: _Table, t: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``log P(X <= x; t)`` and ``log P(X >= x; t)`` for each ``t`` (rows) and ``x``."""
    terms = tab.log_terms(t)
    # Accumulated in log space, so a tail far below the peak keeps its digits (no underflow).
    lower = np.logaddexp.accumulate(terms, axis=-1)
    upper = np.logaddexp.accumulate(terms[..., ::-1], axis=-1)[..., ::-1]
    total = lower[..., -1:]
    return lower - total, upper - total


def _exact_signs(tab: _Table, rule: str) -> IntArray:
    """For each ``x``, the sign of the quantity whose root is ``b_x``, evaluated at t = 0.

    The quantity is ``D_x(0)`` with ``x`` inside the extreme set where ``D_x <= 0``; ties
    (``0``) are decided with the exact integer weights.
    """
    w = tab.weights
    i = tab.index
    k = len(w)
    sign = np.zeros(k, dtype=np.int64)
    if rule == "minlike":
        tolerance = Fraction(1) + Fraction(pvalues.FISHER_RELATIVE_TOLERANCE)
        for x in range(k):
            if w[x] <= w[i]:
                sign[x] = -1 if w[x] < w[i] else 0
            else:
                sign[x] = 0 if w[x] <= w[i] * tolerance else 1
        return sign
    lower = np.cumsum(np.array(w, dtype=object))
    upper = np.cumsum(np.array(w[::-1], dtype=object))[::-1]
    for x in range(k):
        if x > i:
            diff = upper[x] - lower[i]
        elif x < i:
            diff = lower[x] - upper[i]
        else:
            continue
        sign[x] = (diff > 0) - (diff < 0)
    return sign


def _breakpoints(tab: _Table, rule: str) -> FloatArray:
    """``b_x`` for each support point (``nan`` at ``a``); see the module notes."""
    off = tab.offsets
    b = np.full(off.size, np.nan)
    others = np.flatnonzero(off != 0)
    if rule == "minlike":
        b[others] = -tab.log_w[others] / off[others]
    else:
        i = tab.index

        def gap(t: FloatArray, x: IntArray) -> FloatArray:
            lower, upper = _log_tails(tab, t)
            rows = np.arange(t.size)
            above = x > i
            own = np.where(above, upper[rows, x], lower[rows, x])
            other = np.where(above, lower[rows, i], upper[rows, i])
            # Increasing in t for x > a, decreasing for x < a: make it increasing throughout.
            return np.asarray(np.where(above, own - other, other - own), dtype=np.float64)

        if others.size:
            lo, hi, f_lo, f_hi, _ = solvers.bracket(gap, 0.0, 1.0, args=(others,))
            roots, _ = solvers.chandrupatla(gap, lo, hi, args=(others,), f_low=f_lo, f_high=f_hi)
            b[others] = roots
    # At t = 0, ties and signs as the exact integers say.
    sign = _exact_signs(tab, rule)
    above = off > 0
    inside_at_zero = np.where(above, b >= 0, b <= 0)
    b = np.where(sign == 0, 0.0, b)
    wrong = (sign != 0) & (inside_at_zero != (sign < 0))
    fixed = np.where(above == (sign < 0), _TINY, -_TINY)
    b = np.where(wrong, fixed, b)
    b[tab.index] = np.nan
    return b


def _members(tab: _Table, b: FloatArray, t: float) -> BoolArray:
    """The extreme set at ``t``: ``x > a`` while ``t <= b_x``, ``x < a`` while ``t >= b_x``."""
    off = tab.offsets
    with np.errstate(invalid="ignore"):
        return np.asarray((off == 0) | ((off > 0) & (t <= b)) | ((off < 0) & (t >= b)))


def _upper_limit(tab: _Table, b: FloatArray, log_alpha: float) -> float:
    """``sup {t : p(t) > alpha}`` (see the module notes); ``inf`` when ``a`` is the top."""
    off = tab.offsets
    if not np.any(off > 0):
        return math.inf
    points = np.unique(b[np.isfinite(b)])[::-1]  # descending

    def crossing(members: BoolArray, left: float, right: float) -> float:
        def f(t: FloatArray) -> FloatArray:
            return np.asarray(_log_p(tab, t, members) - log_alpha, dtype=np.float64)

        if math.isinf(right):
            lo, hi, f_lo, f_hi, _ = solvers.bracket(f, np.array([left + 1.0]), 1.0, low=left)
            root, _ = solvers.chandrupatla(f, lo, hi, f_low=f_lo, f_high=f_hi)
        else:
            root, _ = solvers.chandrupatla(f, np.array([left]), np.array([right]))
        return float(np.ravel(root)[0])

    # Above the largest breakpoint the set is {x <= a}: p = P(X <= a) falls to 0.
    right_set = off <= 0
    if _log_p(tab, points[:1], right_set)[0] > log_alpha:
        return crossing(right_set, float(points[0]), math.inf)
    for k, point in enumerate(points):
        if _log_p(tab, np.array([point]), _members(tab, b, point))[0] > log_alpha:
            return float(point)
        left = float(points[k + 1]) if k + 1 < points.size else -math.inf
        if math.isinf(left):
            break  # below the smallest breakpoint p = P(X >= a) rises with t: nothing here
        with np.errstate(invalid="ignore"):
            piece = (off == 0) | ((off > 0) & (b >= point)) | ((off < 0) & (b <= left))
        if _log_p(tab, np.array([left]), piece)[0] > log_alpha:
            return crossing(piece, left, float(point))
    return math.nan  # p <= alpha everywhere: not reached for alpha < 1


def _reflect(tab: _Table, b: FloatArray) -> tuple[_Table, FloatArray]:
    """The table seen with ``x -> -x`` and ``t -> -t`` (lower limits as upper ones)."""
    return attrs.evolve(tab, offsets=-tab.offsets), -b


def _limits(tab: _Table, b: FloatArray, alpha: float) -> tuple[float, float]:
    log_alpha = math.log(alpha)
    high = _upper_limit(tab, b, log_alpha)
    low = -_upper_limit(*_reflect(tab, b), log_alpha)
    return low, high


def _null_pvalue(tab: _Table, b: FloatArray, t: float) -> float:
    """The p-value at ``t`` from the breakpoints; at ``t = 0`` a ratio of exact integers."""
    members = _members(tab, b, t)
    if t == 0.0:
        w = tab.weights
        inside = sum(wx for wx, m in zip(w, members, strict=True) if m)
        return float(Fraction(inside, sum(w)))
    return float(min(1.0, math.exp(_log_p(tab, np.array([t]), members)[0])))


def _each(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray
) -> tuple[tuple[int, ...], list[tuple[int, int, int, int]]]:
    arrays = np.broadcast_arrays(a, n1, c, n2)
    rows = list(zip(*(x.ravel().tolist() for x in arrays), strict=True))
    return arrays[0].shape, rows


def pvalue(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, two_sided: str, log_or: float = 0.0
) -> FloatArray:
    """The two-sided conditional p-value of ``OR = exp(log_or)`` under the rule ``two_sided``.

    ``"minlike"`` at ``log_or = 0`` is Fisher's p-value (:func:`pvalues.fisher`, R's 1e-7
    tolerance); ``"central"`` is twice the smaller one-sided p-value, capped at 1. An empty
    margin gives 1.
    """
    if log_or == 0.0 and two_sided == "minlike":
        return pvalues.fisher(a, n1, c, n2, "two-sided")[1]
    if two_sided == "central" and log_or == 0.0:
        less = pvalues.fisher(a, n1, c, n2, "less")[1]
        greater = pvalues.fisher(a, n1, c, n2, "greater")[1]
        return np.asarray(np.minimum(1.0, 2.0 * np.minimum(less, greater)), dtype=np.float64)
    check_cost(a, n1, c, n2, two_sided)
    shape, rows = _each(a, n1, c, n2)
    out = np.empty(len(rows))
    for j, row in enumerate(rows):
        tab = _table(*row)
        if tab.offsets.size == 1:
            out[j] = 1.0
        elif two_sided == "central":
            lower, upper = _log_tails(tab, np.array([log_or]))
            smaller = min(lower[0, tab.index], upper[0, tab.index])
            out[j] = min(1.0, 2.0 * math.exp(smaller))
        elif log_or == 0.0:
            # At OR = 1 the extreme set is what the exact integers say: no roots needed.
            members = _exact_signs(tab, two_sided) <= 0
            inside = sum(w for w, m in zip(tab.weights, members, strict=True) if m)
            out[j] = float(Fraction(inside, sum(tab.weights)))
        else:
            b = _breakpoints(tab, two_sided)
            out[j] = _null_pvalue(tab, b, log_or)
    return out.reshape(shape)


def interval(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float, two_sided: str
) -> Interval:
    """The conditional MLE, the interval matching ``two_sided`` and its p-value at OR = 1.

    ``"central"`` is :func:`rctkit._kernels.conditional.exact` (Cornfield's interval) with
    the central p-value; ``"minlike"`` and ``"blaker"`` the smallest interval enclosing
    ``{psi : p(psi) > 1 - level}`` (module notes), with Fisher's and Blaker's p-values.
    """
    if two_sided != "central":
        check_cost(a, n1, c, n2, two_sided)
    base = conditional.exact(a, n1, c, n2, level)
    if two_sided == "central":
        return Interval(base.estimate, base.low, base.high, pvalue(a, n1, c, n2, "central"))
    shape, rows = _each(a, n1, c, n2)
    low = np.empty(len(rows))
    high = np.empty(len(rows))
    p = np.ones(len(rows))
    for j, row in enumerate(rows):
        tab = _table(*row)
        if tab.offsets.size == 1:
            low[j], high[j] = 0.0, math.inf
            continue
        b = _breakpoints(tab, two_sided)
        t_low, t_high = _limits(tab, b, 1.0 - level)
        low[j], high[j] = _exp(t_low), _exp(t_high)
        if two_sided == "blaker":
            p[j] = _null_pvalue(tab, b, 0.0)
    if two_sided == "minlike":
        p = np.ravel(pvalue(a, n1, c, n2, "minlike"))
    return Interval(base.estimate, low.reshape(shape), high.reshape(shape), p.reshape(shape))


def _exp(t: float) -> float:
    return math.exp(t) if t < 709.0 else math.inf


def kernel(two_sided: str) -> Callable[[IntArray, IntArray, IntArray, IntArray, float], Interval]:
    """The effect kernel of one rule, for the registry's signature."""

    def run(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
        return interval(a, n1, c, n2, level, two_sided)

    return run
