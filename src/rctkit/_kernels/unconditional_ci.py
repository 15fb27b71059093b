r"""Exact unconditional tests and intervals for the risk difference and the risk ratio.

Under a null value :math:`\delta_0` of the risk difference (:math:`p_1 - p_2 = \delta_0`) or
of the risk ratio (:math:`p_1 / p_2 = \delta_0`) one nuisance parameter is left, the control
risk :math:`p_2`, on the segment :math:`I(\delta_0)` of the unit square where both risks lie in
:math:`[0, 1]`. The tables :math:`(x_1, x_2)` are ordered by a statistic :math:`T`, and the
one-sided p-values are

.. math::

    p_{\le}(\delta_0) = \sup_{p_2 \in I(\delta_0)} P(T \le T_{obs}), \qquad
    p_{\ge}(\delta_0) = \sup_{p_2 \in I(\delta_0)} P(T \ge T_{obs}),

with :math:`P` the product of the two binomial distributions at :math:`(p_1, p_2)`. Two
two-sided rules: ``"central"``, twice the smaller one-sided p-value (capped at 1), each tail
at :math:`\alpha/2`; ``"absolute"``, one region :math:`|T| \ge |T_{obs}|`. The statistics:

* ``"difference"``: :math:`\hat p_1 - \hat p_2` (risk difference only), which does not depend
  on :math:`\delta_0`; ties are exact (integers :math:`x_1 n_2 - x_2 n_1`).
* ``"score"``: :math:`(\hat p_1 - \hat p_2 - \delta_0)/\sqrt{V}` for the difference and
  :math:`(\hat p_1 - \delta_0 \hat p_2)/\sqrt{V}` for the ratio, :math:`V` the variance at the
  restricted maximum-likelihood risks under :math:`\delta_0` (Farrington-Manning and
  Miettinen-Nurminen; the factor :math:`N/(N-1)` does not change the ordering). Values within
  a relative ``SCORE_TIE_RTOL`` count as ties. The ratio's table :math:`(0, 0)` carries no
  information about the ratio; it is never counted in a tail (exact2x2 instead conditions on
  its complement, see the methods page).

The intervals (:func:`santner_snell`, :func:`chan_zhang_rd`, :func:`chan_zhang_rr`,
:func:`agresti_min_rd`, :func:`agresti_min_rr`) are the values :math:`\delta_0` the matching
test does not reject at level :math:`\alpha = 1 - \text{level}`: the tail methods keep
:math:`p_{\ge} > \alpha/2` and :math:`p_{\le} > \alpha/2`, the Agresti-Min method keeps the
``"absolute"`` p-value :math:`> \alpha`. Each limit is found by scanning ``SCAN_POINTS``
values of :math:`\delta_0` from the end of the parameter range towards the estimate, scanning
the stretch from the first value not rejected back to three scan steps outside it again at
``REFINE_POINTS`` values, and solving for the change beside the outermost value not rejected
with :func:`rctkit._kernels.solvers.chandrupatla` (the p-value functions of score tests are
not monotone and jump where two tables change places, so a scan comes before any
bracketing); the result is the hull of the non-rejected values found, widened to the null
value of no effect when that is not rejected.

The supremum. As in :mod:`rctkit._kernels.unconditional`, a grid alone misses peaks. Each arm's
binomial likelihood, as a function of the nuisance parameter, is a bump of standard deviation
:math:`1/(2\sqrt{n_i})` on the scale :math:`\theta_i = \arcsin\sqrt{p_i}`. The grid is the
union of two grids, uniform in :math:`\theta_1` and in :math:`\theta_2` with
:math:`\max(32, \lceil 16\sqrt{n_i}\rceil)` intervals over :math:`[0, \pi/2]` each (five points
per bump standard deviation of either arm), mapped onto :math:`I(\delta_0)`, with both ends of
:math:`I(\delta_0)` added. The grid's local maxima within a factor :math:`e^{-0.1}` of the best
(at most eight) are refined by solving :math:`dP/dp_2 = 0` between their neighbours
(:func:`rctkit._kernels.solvers.chandrupatla`, the derivative in closed form). The p-value
is the largest value found, never above the true supremum. An independent mpmath brute force
(tests/reference/exact_unconditional_brute.py) agrees.

Berger and Boos (1994): with ``berger_boos = gamma > 0`` the nuisance parameter is restricted
to the pairs :math:`(p_1, p_2)` inside the product of the two Clopper-Pearson intervals of level
:math:`1 - \gamma/2` each (a :math:`1 - \gamma` confidence set), and :math:`\gamma` is added
to each one-sided p-value (as exact2x2's ``uncondExact2x2(gamma=)``); an empty set gives
:math:`\gamma`.

Cost. One p-value costs :math:`(n_1 + 1)(n_2 + 1)` statistic values and :math:`G (n_1 + 1)
(n_2 + 1)` multiply-adds, :math:`G \approx 16(\sqrt{n_1} + \sqrt{n_2})` grid points, plus the
refinement. An interval evaluates about ``EVALUATIONS`` p-values. A call whose tables add up
to more than ``MAX_CELLS`` cells is refused with CostLimitError before any work.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from scipy import special

from rctkit._kernels import restricted, solvers
from rctkit._kernels.common import FloatArray, IntArray, Interval
from rctkit.errors import CostLimitError, InvalidInputError

__all__ = [
    "ALTERNATIVES",
    "MAX_CELLS",
    "STATISTICS",
    "agresti_min_rd",
    "agresti_min_rr",
    "chan_zhang_rd",
    "chan_zhang_rr",
    "check_cost",
    "cost_cells",
    "exact_unconditional_pvalue",
    "santner_snell",
]

MEASURES = ("risk_difference", "risk_ratio")
STATISTICS = ("score", "difference")
ALTERNATIVES = ("less", "greater", "two-sided")
TWO_SIDED = ("central", "absolute")

#: Grid intervals per sqrt(n_i) on each arm's arcsine scale, and the least per arm.
GRID_PER_SQRT_N = 16
MIN_GRID = 32
#: Grid maxima within this much (log scale) of the best are refined, at most MAX_CANDIDATES.
CANDIDATE_MARGIN = 0.1
MAX_CANDIDATES = 8
#: Score statistics within this relative distance count as ties.
SCORE_TIE_RTOL = 1e-9
#: Values of the null scanned between the end of the range and the estimate, per limit
#: (uniform for the difference; for the log ratio concentrated near the estimate, the
#: distance from it growing as the cube of the step number).
SCAN_POINTS = 48
#: Tables with more cells than this are scanned at SCAN_POINTS_LARGE values only: their
#: p-value functions are smooth on the scale of the scan (islands of non-rejection are a
#: small-sample phenomenon) and each value costs more.
SCAN_CELLS = 1000
SCAN_POINTS_LARGE = 12
#: Values scanned again between the first value not rejected and three scan steps outside.
REFINE_POINTS = 40
REFINE_POINTS_LARGE = 10
#: Absolute tolerance of a limit (difference, or log ratio).
LIMIT_XATOL = 1e-9
#: Ratios are searched within exp(+-LOG_RATIO_BOUND); a limit beyond is reported as 0 or inf.
LOG_RATIO_BOUND = math.log(1e9)
#: p-values evaluated by one interval, for the cost: two scans and two solves.
EVALUATIONS = 2 * (SCAN_POINTS + 50)
#: The work of one call, in cells (:func:`cost_cells`): about 15-30 s on one core (the CORE
#: table, 4.4e9 cells, takes 0.5-1.5 s).
MAX_CELLS = 4e10

_HALF_PI = 0.5 * math.pi


def _grid_size(n: float) -> int:
    return max(MIN_GRID, math.ceil(GRID_PER_SQRT_N * math.sqrt(n)))


def cost_cells(n1: IntArray, n2: IntArray, evaluations: int = EVALUATIONS) -> float:
    r"""The work of ``evaluations`` p-values of each table, in cells.

    A p-value costs :math:`(n_1 + 1)(n_2 + 1)(G + 1)` cells with :math:`G` the nuisance grid.
    """
    f1, f2 = np.broadcast_arrays(
        np.asarray(n1, dtype=np.float64), np.asarray(n2, dtype=np.float64)
    )
    m1, m2 = f1.ravel(), f2.ravel()
    grid = np.maximum(MIN_GRID, np.ceil(GRID_PER_SQRT_N * np.sqrt(m1))) + np.maximum(
        MIN_GRID, np.ceil(GRID_PER_SQRT_N * np.sqrt(m2))
    )
    return evaluations * float(np.sum((m1 + 1.0) * (m2 + 1.0) * (grid + 1.0)))


def check_cost(n1: IntArray, n2: IntArray, what: str, evaluations: int = EVALUATIONS) -> None:
    """Refuse, before any work, a call above MAX_CELLS. Raises CostLimitError."""
    cells = cost_cells(n1, n2, evaluations)
    if cells > MAX_CELLS:
        tables = np.broadcast(np.asarray(n1), np.asarray(n2)).size
        raise CostLimitError(
            f"the exact unconditional {what} of these {tables} tables would cost about "
            f"{cells:.2g} cells of sample space and nuisance grid; the limit for one call is "
            f"{MAX_CELLS:.0e} cells (about half a minute on one core; one table of n per arm "
            f"costs about {EVALUATIONS} x 32 n^2.5 for an interval). Use the Miettinen-Nurminen "
            f'score interval (method="mn"), which they approach in large samples, or pass '
            f"the tables in smaller batches"
        )


class _Table:
    """One observed table: its sample space, statistics and tail probabilities."""

    def __init__(self, a: int, n1: int, c: int, n2: int, measure: str, statistic: str) -> None:
        self.a, self.n1, self.c, self.n2 = a, n1, c, n2
        self.measure, self.statistic = measure, statistic
        self.x1 = np.arange(n1 + 1, dtype=np.float64)
        self.x2 = np.arange(n2 + 1, dtype=np.float64)
        self.log_c1 = (
            special.gammaln(n1 + 1.0)
            - special.gammaln(self.x1 + 1.0)
            - special.gammaln(n1 - self.x1 + 1.0)
        )
        self.log_c2 = (
            special.gammaln(n2 + 1.0)
            - special.gammaln(self.x2 + 1.0)
            - special.gammaln(n2 - self.x2 + 1.0)
        )
        fx1, fx2 = np.meshgrid(self.x1, self.x2, indexing="ij")
        self.fx1, self.fx2 = fx1, fx2
        # The difference statistic as an exact integer: x1 n2 - x2 n1.
        self.cross = fx1 * n2 - fx2 * n1
        self.informative = np.ones_like(fx1, dtype=bool)
        if measure == "risk_ratio":
            self.informative[0, 0] = False
        self._cache: dict[float, tuple[FloatArray, float]] = {}

    # --- the statistic -------------------------------------------------------------------
    def _score(self, delta: float) -> FloatArray:
        d = np.full(self.fx1.shape, delta)
        with np.errstate(all="ignore"):
            return self._score_unguarded(d, delta)

    def _score_unguarded(self, d: FloatArray, delta: float) -> FloatArray:
        fx1, fx2 = self.fx1, self.fx2
        n1, n2 = np.full(fx1.shape, float(self.n1)), np.full(fx1.shape, float(self.n2))
        if self.measure == "risk_difference":
            p1, p2, q1, q2 = restricted.risk_difference_cells(d, fx1, n1, fx2, n2)
            num = fx1 / n1 - fx2 / n2 - delta
            var = p1 * q1 / n1 + p2 * q2 / n2
        else:
            p1, p2, q1, q2 = restricted.risk_ratio_cells(np.log(d), fx1, n1, fx2, n2)
            num = fx1 / n1 - delta * (fx2 / n2)
            var = p1 * q1 / n1 + delta * delta * p2 * q2 / n2
        var = np.maximum(var, 0.0)
        z = num / np.sqrt(var)
        z = np.where(num == 0.0, 0.0, np.where(var > 0.0, z, np.copysign(np.inf, num)))
        return np.asarray(z, dtype=np.float64)

    def statistic_at(self, delta: float) -> tuple[FloatArray, float]:
        """The statistic of every table under ``delta`` and its observed value."""
        if self.statistic == "difference":
            t = self.cross
            return t, float(t[self.a, self.c])
        if delta not in self._cache:
            z = self._score(delta)
            self._cache[delta] = (z, float(z[self.a, self.c]))
        return self._cache[delta]

    def regions(self, delta: float, kind: str) -> FloatArray:
        """The 0/1 mask of the region ``kind``: "less", "greater" or "absolute"."""
        t, t0 = self.statistic_at(delta)
        exact = self.statistic == "difference" or math.isinf(t0)
        tol = 0.0 if exact else SCORE_TIE_RTOL * max(1.0, abs(t0))
        if kind == "less":
            mask = t <= t0 + tol
        elif kind == "greater":
            mask = t >= t0 - tol
        else:
            mask = np.abs(t) >= abs(t0) - tol
        return np.asarray(mask & self.informative, dtype=np.float64)

    # --- the nuisance parameter -------------------------------------------------------------
    def p1_of(self, p2: FloatArray, delta: float) -> FloatArray:
        if self.measure == "risk_difference":
            return np.asarray(np.clip(p2 + delta, 0.0, 1.0), dtype=np.float64)
        return np.asarray(np.clip(delta * p2, 0.0, 1.0), dtype=np.float64)

    def p2_of(self, p1: FloatArray, delta: float) -> FloatArray:
        if self.measure == "risk_difference":
            return np.asarray(p1 - delta, dtype=np.float64)
        return np.asarray(p1 / delta, dtype=np.float64)

    def nuisance_range(
        self, delta: float, box: tuple[float, float, float, float]
    ) -> tuple[float, float]:
        """The range of ``p2`` with both risks in the box ``(p1 lo, p1 hi, p2 lo, p2 hi)``."""
        lo1, hi1, lo2, hi2 = box
        lo = max(lo2, float(self.p2_of(np.array(lo1), delta)))
        hi = min(hi2, float(self.p2_of(np.array(hi1), delta)))
        return lo, hi

    def grid(self, delta: float, lo: float, hi: float) -> FloatArray:
        g1, g2 = _grid_size(self.n1), _grid_size(self.n2)
        p2 = np.sin(np.arange(g2 + 1) * (_HALF_PI / g2)) ** 2
        p1 = np.sin(np.arange(g1 + 1) * (_HALF_PI / g1)) ** 2
        points = np.concatenate([p2, self.p2_of(p1, delta), [lo, hi]])
        points = points[(points >= lo) & (points <= hi)]
        return np.unique(points)

    def _pmf(self, log_c: FloatArray, n: int, p: FloatArray) -> FloatArray:
        x = np.arange(n + 1, dtype=np.float64)[None, :]
        pp = p[:, None]
        with np.errstate(divide="ignore"):
            log = log_c[None, :] + special.xlogy(x, pp) + special.xlog1py(n - x, -pp)
        return np.asarray(np.exp(log), dtype=np.float64)

    def probability(self, mask: FloatArray, delta: float, p2: FloatArray) -> FloatArray:
        b1 = self._pmf(self.log_c1, self.n1, self.p1_of(p2, delta))
        b2 = self._pmf(self.log_c2, self.n2, p2)
        return np.asarray(np.sum((b1 @ mask) * b2, axis=1), dtype=np.float64)

    def slope(self, p2: FloatArray, mask: FloatArray, delta: float) -> FloatArray:
        """``dP/dp2`` at interior points (both risks strictly inside (0, 1))."""
        p1 = self.p1_of(p2, delta)
        b1 = self._pmf(self.log_c1, self.n1, p1)
        b2 = self._pmf(self.log_c2, self.n2, p2)
        k = 1.0 if self.measure == "risk_difference" else delta
        with np.errstate(divide="ignore", invalid="ignore"):
            u1 = b1 * (self.x1[None, :] - self.n1 * p1[:, None]) / (p1 * (1.0 - p1))[:, None]
            u2 = b2 * (self.x2[None, :] - self.n2 * p2[:, None]) / (p2 * (1.0 - p2))[:, None]
        out = k * np.sum((u1 @ mask) * b2, axis=1) + np.sum((b1 @ mask) * u2, axis=1)
        return np.asarray(out, dtype=np.float64)

    def supremum(self, mask: FloatArray, delta: float, lo: float, hi: float) -> float:
        """``sup P(mask)`` over ``p2`` in ``[lo, hi]``: grid, then refined local maxima."""
        if not mask.any() or hi < lo:
            return 0.0
        points = self.grid(delta, lo, hi)
        values = self.probability(mask, delta, points)
        best = float(values.max())
        if best >= 1.0 - 1e-12 or points.size < 3:
            return min(best, 1.0)
        inner = np.arange(1, points.size - 1)
        peak = (values[inner] > values[inner - 1]) & (values[inner] >= values[inner + 1])
        peak &= values[inner] >= best * math.exp(-CANDIDATE_MARGIN)
        at = inner[peak]
        if at.size:
            at = at[np.argsort(-values[at], kind="stable")[:MAX_CANDIDATES]]
            left, right = points[at - 1], points[at + 1]

            def slope(x: FloatArray) -> FloatArray:
                return self.slope(x, mask, delta)

            root, _ = solvers.chandrupatla(slope, left, right, xrtol=1e-15, xatol=1e-15)
            root = root[np.isfinite(root)]
            if root.size:
                best = max(best, float(self.probability(mask, delta, root).max()))
        return min(best, 1.0)


def _clopper_pearson(x: int, n: int, level: float) -> tuple[float, float]:
    tail = (1.0 - level) / 2.0
    lo = 0.0 if x == 0 else float(special.betaincinv(x, n - x + 1, tail))
    hi = 1.0 if x == n else float(special.betaincinv(x + 1, n - x, 1.0 - tail))
    return lo, hi


def _box(table: _Table, gamma: float) -> tuple[float, float, float, float]:
    if gamma <= 0.0:
        return 0.0, 1.0, 0.0, 1.0
    lo1, hi1 = _clopper_pearson(table.a, table.n1, 1.0 - gamma / 2.0)
    lo2, hi2 = _clopper_pearson(table.c, table.n2, 1.0 - gamma / 2.0)
    return lo1, hi1, lo2, hi2


def _tail(table: _Table, delta: float, kind: str, gamma: float) -> float:
    """One p-value of ``kind`` ("less", "greater", "absolute") at ``delta``, gamma added."""
    lo, hi = table.nuisance_range(delta, _box(table, gamma))
    value = table.supremum(table.regions(delta, kind), delta, lo, hi)
    return min(1.0, value + gamma)


def _pvalue_one(
    table: _Table, delta: float, alternative: str, two_sided: str, gamma: float
) -> float:
    if table.measure == "risk_ratio" and table.a == 0 and table.c == 0:
        return 1.0
    if alternative in ("less", "greater"):
        return _tail(table, delta, alternative, gamma)
    if two_sided == "absolute":
        return _tail(table, delta, "absolute", gamma)
    low = _tail(table, delta, "less", gamma)
    high = _tail(table, delta, "greater", gamma)
    return min(1.0, 2.0 * min(low, high))


def _check(measure: str, statistic: str, alternative: str, two_sided: str, gamma: float) -> None:
    for name, value, allowed in (
        ("measure", measure, MEASURES),
        ("statistic", statistic, STATISTICS),
        ("alternative", alternative, ALTERNATIVES),
        ("two_sided", two_sided, TWO_SIDED),
    ):
        if value not in allowed:
            raise InvalidInputError(f"`{name}` must be one of {allowed} (got {value!r})")
    if measure == "risk_ratio" and statistic == "difference":
        raise InvalidInputError(
            '`statistic` "difference" orders tables by the risk difference and is defined '
            "for `measure` \"risk_difference\" only (got measure='risk_ratio')"
        )
    if not (isinstance(gamma, float | int) and 0.0 <= gamma < 1.0):
        raise InvalidInputError(f"`berger_boos` must be in [0, 1) (got {gamma!r})")


def exact_unconditional_pvalue(
    a: npt.ArrayLike,
    n1: npt.ArrayLike,
    c: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    measure: str,
    null_value: npt.ArrayLike,
    alternative: str = "two-sided",
    two_sided: str = "central",
    statistic: str = "score",
    berger_boos: float = 0.0,
) -> FloatArray:
    r"""Exact unconditional p-value of a null risk difference or risk ratio.

    Parameters
    ----------
    a, n1, c, n2 : array_like of int
        Treatment events and total, control events and total (broadcast; validated by the
        caller: ``0 <= a <= n1``, ``n1 >= 1`` and the same for the control arm).
    measure : {"risk_difference", "risk_ratio"}
        The effect ``p1 - p2`` or ``p1 / p2``.
    null_value : array_like of float
        :math:`\delta_0`, in ``[-1, 1]`` for the difference and in ``(0, inf)`` for the ratio.
    alternative : {"two-sided", "less", "greater"}
        ``"less"``: the effect is below :math:`\delta_0` (small statistics are extreme).
    two_sided : {"central", "absolute"}
        The two-sided rule: ``"central"`` is twice the smaller one-sided p-value, capped at 1
        (the Santner-Snell and Chan-Zhang intervals invert it); ``"absolute"`` orders tables
        by :math:`|T|` (Agresti-Min). Ignored for one-sided alternatives.
    statistic : {"score", "difference"}
        The ordering: the score statistic under :math:`\delta_0` or the unstandardised
        difference of proportions (risk difference only).
    berger_boos : float
        :math:`\gamma` of Berger and Boos (1994); 0 (the default) searches the whole range.

    Returns
    -------
    ndarray of float
        The p-values, in the broadcast shape.

    Raises
    ------
    InvalidInputError
        An option outside its set, a null value outside the range, or ``"difference"`` with
        the risk ratio. CostLimitError (a subclass) when the tables would cost more than
        ``MAX_CELLS`` cells.

    Notes
    -----
    See the module notes: the supremum over the control risk of the probability of the
    tables at least as extreme, found on a grid fine on both arms' arcsine scales and
    refined by root finding on the derivative. The one-sided score test at a margin is Chan's
    (1998) exact non-inferiority test. Ties of the score statistic are values within a
    relative 1e-9.

    References
    ----------
    Chan ISF. Exact tests of equivalence and efficacy with a non-zero lower bound for
    comparative studies. Stat Med 1998;17:1403-13.
    Chan ISF, Zhang Z. Test-based exact confidence intervals for the difference of two
    binomial proportions. Biometrics 1999;55:1202-9.
    Agresti A, Min Y. On small-sample confidence intervals for parameters in discrete
    distributions. Biometrics 2001;57:963-71.
    Berger RL, Boos DD. P values maximised over a confidence set for the nuisance parameter.
    J Am Stat Assoc 1994;89:1012-16.

    Examples
    --------
    SAS's Barnard test of 9/11 against 4/12 (one-sided, 0.0120), and Chan's test of the same
    table against a non-inferiority margin of -0.1:

    >>> from rctkit._kernels.unconditional_ci import exact_unconditional_pvalue
    >>> p = exact_unconditional_pvalue(9, 11, 4, 12, measure="risk_difference",
    ...                                null_value=0.0, alternative="greater")
    >>> round(float(p), 4)
    0.012
    >>> p = exact_unconditional_pvalue(9, 11, 4, 12, measure="risk_difference",
    ...                                null_value=-0.1, alternative="greater")
    >>> round(float(p), 4)
    0.0031
    """
    _check(measure, statistic, alternative, two_sided, float(berger_boos))
    arrays = np.broadcast_arrays(
        np.asarray(a, dtype=np.int64),
        np.asarray(n1, dtype=np.int64),
        np.asarray(c, dtype=np.int64),
        np.asarray(n2, dtype=np.int64),
        np.asarray(null_value, dtype=np.float64),
    )
    shape = arrays[0].shape
    fa, f1, fc, f2 = (x.ravel() for x in arrays[:4])
    nulls = arrays[4].ravel()
    if measure == "risk_difference":
        bad = ~((nulls >= -1.0) & (nulls <= 1.0))
    else:
        bad = ~((nulls > 0.0) & np.isfinite(nulls))
    if bad.any():
        rule = "in [-1, 1]" if measure == "risk_difference" else "positive and finite"
        raise InvalidInputError(
            f"`null_value` must be {rule} for {measure} (got {nulls[bad][0]!r})"
        )
    evaluations = 1 if (alternative != "two-sided" or two_sided == "absolute") else 2
    check_cost(f1, f2, "p-values", evaluations)
    out = np.empty(fa.size)
    for i in range(fa.size):
        table = _Table(int(fa[i]), int(f1[i]), int(fc[i]), int(f2[i]), measure, statistic)
        out[i] = _pvalue_one(table, float(nulls[i]), alternative, two_sided, float(berger_boos))
    return out.reshape(shape)


# --- intervals ------------------------------------------------------------------------------


def _crossing(
    margin: Callable[[float], float], outer: float, v_outer: float, inner: float, v_inner: float
) -> float:
    """The change from rejected (``outer``) to not rejected (``inner``), to LIMIT_XATOL."""

    def f(x: FloatArray) -> FloatArray:
        return np.array([margin(float(t)) for t in np.atleast_1d(x)])

    root, _ = solvers.chandrupatla(
        f,
        np.array([outer]),
        np.array([inner]),
        f_low=np.array([v_outer]),
        f_high=np.array([v_inner]),
        xrtol=0.0,
        xatol=LIMIT_XATOL,
        maxiter=200,
    )
    return float(root[0])


def _limit(
    margin: Callable[[float], float], scan: FloatArray, at_end: float, refine: int
) -> float:
    """The outermost value not rejected that the scan finds, and the change beside it.

    ``margin(x)`` is the p-value minus its threshold (``<= 0``: rejected). ``scan`` runs from
    the end of the range towards the estimate. At the first scan value not rejected, the
    stretch back to three scan steps outside it is scanned again at ``refine`` values (the
    p-value functions of score tests are bumpy near their crossings), and the change is solved
    for beside the outermost value not rejected found there. Returns ``at_end`` when the
    first point is not rejected and the last scan point when all are.
    """
    values = [margin(float(scan[0]))]
    if values[0] > 0.0:
        return at_end
    for j in range(1, scan.size):
        v = margin(float(scan[j]))
        if v > 0.0:
            start = max(j - 3, 0)
            outer, v_outer = float(scan[start]), values[start]
            for x in np.linspace(scan[start], scan[j], refine)[1:-1]:
                w = margin(float(x))
                if w > 0.0:
                    return _crossing(margin, outer, v_outer, float(x), w)
                outer, v_outer = float(x), w
            return _crossing(margin, outer, v_outer, float(scan[j]), v)
        values.append(v)
    return float(scan[-1])


def _interval_one(
    table: _Table, level: float, two_sided: str, gamma: float
) -> tuple[float, float, float, float]:
    """Estimate, limits and the matching p-value at no effect of one table."""
    a, n1, c, n2 = table.a, table.n1, table.c, table.n2
    alpha = 1.0 - level
    small = (n1 + 1) * (n2 + 1) <= SCAN_CELLS
    points = SCAN_POINTS if small else SCAN_POINTS_LARGE
    refine = REFINE_POINTS if small else REFINE_POINTS_LARGE
    if two_sided == "central":
        target, low_kind, high_kind = alpha / 2.0, "greater", "less"
    else:
        target, low_kind, high_kind = alpha, "absolute", "absolute"

    def pval(kind: str, delta: float) -> float:
        return _tail(table, delta, kind, gamma)

    if table.measure == "risk_difference":
        estimate = a / n1 - c / n2

        def low_margin(x: float) -> float:
            return pval(low_kind, x) - target

        def high_margin(x: float) -> float:
            return pval(high_kind, x) - target

        below = np.linspace(-1.0, estimate, points)
        above = np.linspace(1.0, estimate, points)
        low = _limit(low_margin, below, -1.0, refine)
        high = _limit(high_margin, above, 1.0, refine)
        null = 0.0
    else:
        if a == 0 and c == 0:
            return math.nan, 0.0, math.inf, 1.0
        estimate = math.inf if c == 0 else (a / n1) / (c / n2)
        # The scan's anchor: the log estimate, with 0.5 for a zero count.
        anchor = math.log(max(a, 0.5) / n1) - math.log(max(c, 0.5) / n2)
        anchor = min(max(anchor, -LOG_RATIO_BOUND), LOG_RATIO_BOUND)

        def low_margin(x: float) -> float:
            return pval(low_kind, math.exp(x)) - target

        def high_margin(x: float) -> float:
            return pval(high_kind, math.exp(x)) - target

        steps = np.linspace(1.0, 0.0, points) ** 3
        below = anchor - (anchor + LOG_RATIO_BOUND) * steps
        above = anchor + (LOG_RATIO_BOUND - anchor) * steps
        low_log = _limit(low_margin, below, -math.inf, refine)
        high_log = _limit(high_margin, above, math.inf, refine)
        low, high = math.exp(low_log), math.exp(high_log)
        null = 1.0
    pvalue = _pvalue_one(table, null, "two-sided", two_sided, gamma)
    if pvalue > alpha:  # not rejected: the hull holds it (an isolated value, see the notes)
        low, high = min(low, null), max(high, null)
    return estimate, low, high, pvalue


def _interval(
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    level: float,
    measure: str,
    statistic: str,
    two_sided: str,
    gamma: float = 0.0,
) -> Interval:
    arrays = np.broadcast_arrays(*(np.asarray(x, dtype=np.int64) for x in (a, n1, c, n2)))
    shape = arrays[0].shape
    fa, f1, fc, f2 = (x.ravel() for x in arrays)
    check_cost(f1, f2, "intervals")
    out = np.empty((4, fa.size))
    for i in range(fa.size):
        table = _Table(int(fa[i]), int(f1[i]), int(fc[i]), int(f2[i]), measure, statistic)
        out[:, i] = _interval_one(table, level, two_sided, gamma)
    estimate, low, high, pvalue = (x.reshape(shape) for x in out)
    return Interval(estimate=estimate, low=low, high=high, pvalue=pvalue)


def santner_snell(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Santner and Snell's exact unconditional interval for the risk difference ``p1 - p2``.

    Notes
    -----
    The tail method: the lower limit is the smallest :math:`\delta_0` whose one-sided
    p-value :math:`\sup P(\hat p_1 - \hat p_2 \ge d_{obs})` exceeds :math:`\alpha/2`, the upper
    limit the largest whose :math:`\sup P(\hat p_1 - \hat p_2 \le d_{obs})` does; the tables
    are ordered by the unstandardised difference (SAS PROC FREQ ``RISKDIFF(CL=EXACT)``,
    exact2x2's ``uncondExact2x2(method="simple", tsmethod="central")``). The p-value is the
    central two-sided p-value of no difference. The one-sided p-values are monotone in
    :math:`\delta_0` (the region does not move), so the interval is exactly the set not
    rejected. Cost and the supremum: see the module notes.

    References
    ----------
    Santner TJ, Snell MK. Small-sample confidence intervals for p1 - p2 and p1/p2 in 2x2
    contingency tables. J Am Stat Assoc 1980;75:386-94.
    """
    return _interval(a, n1, c, n2, level, "risk_difference", "difference", "central")


def chan_zhang_rd(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Chan and Zhang's exact unconditional score interval for the risk difference.

    Notes
    -----
    The tail method with the tables ordered by the score statistic under each
    :math:`\delta_0` (Farrington-Manning / Miettinen-Nurminen), each tail at
    :math:`\alpha/2` (SAS ``EXACT RISKDIFF(METHOD=SCORE)``, StatXact, exact2x2's
    ``uncondExact2x2(method="score", tsmethod="central")``). The p-value is the central
    two-sided p-value of no difference.

    References
    ----------
    Chan ISF, Zhang Z. Test-based exact confidence intervals for the difference of two
    binomial proportions. Biometrics 1999;55:1202-9.
    """
    return _interval(a, n1, c, n2, level, "risk_difference", "score", "central")


def chan_zhang_rr(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Chan and Zhang's exact unconditional score interval for the risk ratio ``p1 / p2``.

    Notes
    -----
    As :func:`chan_zhang_rd` with the ratio's score statistic
    :math:`(\hat p_1 - \delta_0 \hat p_2) / \sqrt{V}`. No events in either arm: estimate
    nan, interval [0, inf], p-value 1. A limit beyond :math:`e^{\pm 20.7}` (1e9) is
    reported as 0 or inf.
    """
    return _interval(a, n1, c, n2, level, "risk_ratio", "score", "central")


def agresti_min_rd(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Agresti and Min's exact unconditional interval for the risk difference.

    Notes
    -----
    Inverts the single two-sided score test that orders tables by :math:`|z|`
    (exact2x2's ``tsmethod="square"``); the p-value is that test's at no difference, which
    is Barnard's two-sided test with the pooled statistic (Suissa-Shuster).

    References
    ----------
    Agresti A, Min Y. On small-sample confidence intervals for parameters in discrete
    distributions. Biometrics 2001;57:963-71.
    """
    return _interval(a, n1, c, n2, level, "risk_difference", "score", "absolute")


def agresti_min_rr(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Agresti and Min's exact unconditional interval for the risk ratio.

    Notes
    -----
    As :func:`agresti_min_rd` with the ratio's score statistic; zero cells and far limits as
    in :func:`chan_zhang_rr`.
    """
    return _interval(a, n1, c, n2, level, "risk_ratio", "score", "absolute")
