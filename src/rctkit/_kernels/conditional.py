r"""Conditional odds-ratio methods: exact (Cornfield) and mid-p intervals, Fisher's mid-p test.

Conditioning on both margins of the table removes the nuisance parameter: the treatment-arm
events :math:`X` then follow Fisher's noncentral hypergeometric distribution

.. math::

    P(X = x; \psi) = \frac{\binom{n_1}{x}\binom{n_2}{m_1 - x}\,\psi^x}
                          {\sum_{u=\ell}^{h} \binom{n_1}{u}\binom{n_2}{m_1 - u}\,\psi^u},
    \qquad \ell = \max(0, n_1 - m_0) \le x \le h = \min(n_1, m_1),

with :math:`m_1 = a + c` events, :math:`m_0 = b + d` non-events and :math:`\psi` the odds
ratio. Every quantity here (the conditional MLE, the median-unbiased estimate, the exact and
mid-p limits) is the root in :math:`t = \log\psi` of one increasing function

.. math::

    g(t) = \log \sum_{x} \alpha_x w_x e^{(x-a)t} - \log \sum_{x} \beta_x w_x e^{(x-a)t}
           - \tau, \qquad w_x = \binom{n_1}{x}\binom{n_2}{m_1 - x} \Big/ \binom{n_1}{a}
           \binom{n_2}{c},

where the weights :math:`\alpha_x` sit on :math:`x \ge a` and :math:`\beta_x` on
:math:`x \le a` (for instance :math:`\alpha = 1\{x \ge a\}`, :math:`\beta = 1\{x < a\}` and
:math:`\tau = \log(q/(1-q))` give :math:`P(X \ge a; \psi) = q`). Both sums are formed in log
space (log-sum-exp), so each tail is summed directly, never as one minus the other, and
:math:`g` is monotone because the family has monotone likelihood ratio.

Layout: the log weights :math:`\log w_x` are built by cumulative sums of the log ratios
:math:`\log(w_{x+1}/w_x)` outward from the observed :math:`a` (more accurate than
differences of ``gammaln`` for large tables) on a grid with the candidate offsets
``x - a = 1, 2, ...`` along the first axis and the tables along the second, padded with
``-inf``. Only a window of about ``z + 12`` normal-approximation standard deviations (and
at least 40 points) either side of ``a`` is laid out; after solving, the neglected terms
are bounded (the summands are log-concave in ``x``, so beyond the window's edge they fall
at least geometrically) and any root whose neglected mass exceeds exp(-40) ~ 4e-18 of its
sum is solved again on a window four times wider, up to the whole support. Tables are
solved together in chunks of bounded (cache-sized) memory. Sums run sequentially along the
offset axis (:func:`rctkit._kernels.hypergeom_sums.column_sums`), so padding adds exact
zeros and a table's result does not depend on the other tables of its batch: the batch and
the scalar API agree bit for bit. Tables whose four cells are all at least 1e5 (and 20
window half-widths) are summed instead on a grid of 12 points per standard deviation with
Euler-Maclaurin endpoint corrections (:mod:`rctkit._kernels.hypergeom_sums`), about 200
points whatever the size of the trial; a root is kept only where the last correction is
below 1e-17 of its sum and the grid's far end is negligible, and is otherwise solved term
by term as above. The roots are
found by a vectorised safeguarded Newton iteration (the derivative
:math:`g'(t) = E_\alpha[x] - E_\beta[x]` comes free with the sums), falling back to
bisection inside the bracket found so far. It converges in about five iterations and
avoids the fixed cost of :func:`rctkit._kernels.roots.find_root_from` (scipy's elementwise
bracket and Chandrupatla solvers, about 4 ms per call), which would be most of a scalar
call.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import attrs
import numpy as np

from rctkit._kernels import hypergeom, hypergeom_sums, pvalues
from rctkit._kernels.common import (
    BoolArray,
    EffectKernel,
    FloatArray,
    IntArray,
    Interval,
    TestKernel,
    z_quantile,
)
from rctkit._kernels.hypergeom_sums import column_sums

#: A root is accepted once a Newton step or the bracket is this small relative to max(1, |t|).
_XTOL = 1e-13
#: Newton steps are limited to this many units of log odds ratio.
_MAX_STEP = 20.0
_MAX_ITER = 200
#: Terms left outside the window must weigh less than exp(-40) ~ 4e-18 of their sum.
_LOG_TRUNCATION = -40.0
#: The first window reaches SPAN * (z + SDS) * sd + MIN support points either side of a,
#: sd being the normal approximation's; it is widened fourfold where that is not enough.
_WINDOW_SPAN = 1.0
_WINDOW_SDS = 12.0
_WINDOW_MIN = 40
#: Tables whose four cells are all at least this large (and 20 window half-widths) are
#: summed on the Euler-Maclaurin grid of :mod:`rctkit._kernels.hypergeom_sums`.
_SMOOTH_MIN_CELL = 1e5
#: A chunk of tables holds at most about this many grid cells (offsets times rows).
_CHUNK_CELLS = 1 << 17


class _Equation(NamedTuple):
    """One equation ``g(t) = 0``: its weights and its target (see the module notes)."""

    #: Weight the terms by ``|x - a|`` (the conditional MLE's score equation).
    by_distance: bool
    #: Weight of the observed ``x = a`` on the upper (alpha) and the lower (beta) side.
    alpha0: float
    beta0: float
    #: The target ``tau``: the log of the ratio of the two sums at the root.
    target: float


def _logit(q: float) -> float:
    return math.log(q) - math.log1p(-q)


def _exact_equations(level: float) -> tuple[_Equation, ...]:
    """Conditional MLE, and the limits where P(X >= a), P(X <= a) equal (1 - level) / 2."""
    q = (1.0 - level) / 2.0
    return (
        _Equation(True, 0.0, 0.0, 0.0),
        _Equation(False, 1.0, 0.0, _logit(q)),
        _Equation(False, 0.0, 1.0, -_logit(q)),
    )


def _midp_equations(level: float) -> tuple[_Equation, ...]:
    """Median-unbiased estimate, and the limits where a one-sided mid-p is (1 - level) / 2."""
    q = (1.0 - level) / 2.0
    return (
        _Equation(False, 0.5, 0.5, 0.0),
        _Equation(False, 0.5, 0.5, _logit(q)),
        _Equation(False, 0.5, 0.5, -_logit(q)),
    )


def _log_ratio(x: FloatArray, n1: FloatArray, m1: FloatArray, n2: FloatArray) -> FloatArray:
    """``log(w[x + 1] / w[x])`` for ``w[x] = C(n1, x) C(n2, m1 - x)``, for lo <= x < hi."""
    return np.asarray(
        np.log(((n1 - x) * (m1 - x)) / ((x + 1.0) * (n2 - m1 + x + 1.0))), dtype=np.float64
    )


@attrs.frozen(eq=False)
class _Tables:
    """Flat float copies of the tables, and how far their support reaches from ``a``."""

    a: FloatArray
    n1: FloatArray
    m1: FloatArray
    n2: FloatArray
    #: Number of support points above and below ``a``.
    above: IntArray
    below: IntArray


@attrs.frozen(eq=False)
class _Rows:
    """The equations to solve, one row per (equation, table) pair."""

    by_distance: BoolArray
    log_alpha0: FloatArray
    log_beta0: FloatArray
    target: FloatArray

    def take(self, rows: IntArray) -> _Rows:
        return _Rows(
            self.by_distance[rows], self.log_alpha0[rows], self.log_beta0[rows], self.target[rows]
        )


@attrs.frozen(eq=False)
class _Grid:
    """Log weights of one chunk of tables on the padded grid (offsets along axis 0).

    Row ``i - 1`` of ``up`` (``down``) holds ``log(w[a + i] / w[a])`` (``log(w[a - i] /
    w[a])``), ``-inf`` beyond the window; the ``2 * n`` columns are the chunk's tables, then
    the same with ``log i`` added (the MLE's distance weights).
    """

    up_offsets: FloatArray
    down_offsets: FloatArray
    up: FloatArray
    down: FloatArray
    n: int


def _build_grid(tab: _Tables, chunk: IntArray, half_width: IntArray) -> _Grid:
    """Lay out the log weights of the tables ``chunk`` within ``half_width`` of their ``a``."""
    a, n1, m1, n2 = tab.a[chunk], tab.n1[chunk], tab.m1[chunk], tab.n2[chunk]
    up_width = np.minimum(tab.above[chunk], half_width)
    down_width = np.minimum(tab.below[chunk], half_width)
    up_i = np.arange(1, max(int(up_width.max(initial=0)), 1) + 1)[:, None]
    down_i = np.arange(1, max(int(down_width.max(initial=0)), 1) + 1)[:, None]
    up_valid = up_i <= up_width
    down_valid = down_i <= down_width
    with np.errstate(divide="ignore", invalid="ignore"):
        # log w[a + i] - log w[a] = sum_{k < i} r(a + k); log w[a - i] - log w[a] =
        # -sum_{k = 1..i} r(a - k). Cumulative sums from a keep the digits near a.
        up = np.cumsum(_log_ratio(np.where(up_valid, a + up_i - 1.0, a), n1, m1, n2), axis=0)
        down = -np.cumsum(_log_ratio(np.where(down_valid, a - down_i, a), n1, m1, n2), axis=0)
    up[~up_valid] = -np.inf
    down[~down_valid] = -np.inf
    up_f = up_i.astype(np.float64)
    down_f = down_i.astype(np.float64)
    return _Grid(
        up_offsets=up_f,
        down_offsets=down_f,
        up=np.concatenate([up, up + np.log(up_f)], axis=1),
        down=np.concatenate([down, down + np.log(down_f)], axis=1),
        n=chunk.size,
    )


def _log_sum(
    log_w: FloatArray, offsets: FloatArray, t: FloatArray, log_w0: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """``log(w0 + sum exp(log_w + offsets * t))`` down each column, and the mean offset.

    The mean offset is taken under the same weights (``w0`` at offset 0).
    """
    terms = offsets * t
    terms += log_w
    peak = terms.max(axis=0)
    shift = np.where(np.isfinite(peak), peak, 0.0)
    terms -= shift
    np.exp(terms, out=terms)
    total = column_sums(terms)
    terms *= offsets
    moment = column_sums(terms)
    log_total = np.logaddexp(shift + np.log(total), log_w0)
    return log_total, moment * np.exp(shift - log_total)


class _Sides(NamedTuple):
    """``g + target`` split: log of the upper and lower sums, and the slope ``g'``."""

    log_up: FloatArray
    log_down: FloatArray
    slope: FloatArray


def _sides(up: FloatArray, down: FloatArray, grid: _Grid, t: FloatArray, rows: _Rows) -> _Sides:
    """The two sums of ``g`` at log odds ratios ``t`` for the grid columns ``up``, ``down``."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_up, mean_up = _log_sum(up, grid.up_offsets, t, rows.log_alpha0)
        log_down, mean_down = _log_sum(down, grid.down_offsets, -t, rows.log_beta0)
    return _Sides(log_up, log_down, mean_up + mean_down)


class _GridSums:
    """``g``'s sums for rows laid out on a grid, compacted as rows converge."""

    def __init__(self, grid: _Grid, column: IntArray, rows: _Rows) -> None:
        self.grid = grid
        self.up, self.down = grid.up[:, column], grid.down[:, column]
        self.rows = rows

    def __call__(self, t: FloatArray) -> _Sides:
        return _sides(self.up, self.down, self.grid, t, self.rows)

    def keep(self, rows: IntArray) -> None:
        self.up, self.down, self.rows = self.up[:, rows], self.down[:, rows], self.rows.take(rows)


class _SmoothSums:
    """``g``'s sums for large tables by Euler-Maclaurin (:mod:`hypergeom_sums`)."""

    def __init__(self, up: hypergeom_sums.Side, down: hypergeom_sums.Side) -> None:
        self.up, self.down = up, down
        self.ok: BoolArray = np.ones(up.h.shape, dtype=bool)

    def __call__(self, t: FloatArray) -> _Sides:
        up = hypergeom_sums.side_sums(self.up, t)
        down = hypergeom_sums.side_sums(self.down, t)
        self.ok = up.ok & down.ok
        return _Sides(up.log_sum, down.log_sum, up.mean + down.mean)

    def keep(self, rows: IntArray) -> None:
        self.up, self.down = self.up.take(rows), self.down.take(rows)


def _newton(
    sums: _GridSums | _SmoothSums, target: FloatArray, start: FloatArray
) -> tuple[FloatArray, _Sides]:
    """Solve ``g(t) = 0`` for every row: Newton steps, bisection when one leaves the bracket.

    ``g`` is increasing, so every evaluation narrows a bracket ``(low, high)``; a Newton step
    that falls outside it is replaced by the bracket's midpoint, which guarantees
    convergence, and near the root the steps converge quadratically. Returns the roots and
    the sums at the last point evaluated for each row (within the tolerance of its root).
    """
    t: FloatArray = np.array(start, dtype=np.float64)
    low = np.full_like(t, -np.inf)
    high = np.full_like(t, np.inf)
    last = _Sides(np.empty_like(t), np.empty_like(t), np.empty_like(t))
    active = np.arange(t.size)
    for _ in range(_MAX_ITER):
        tt = t[active]
        sides = sums(tt)
        for kept, new_value in zip(last, sides, strict=True):
            kept[active] = new_value
        g = sides.log_up - sides.log_down - target[active]
        lo = np.where(g < 0, tt, low[active])
        hi = np.where(g > 0, tt, high[active])
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = tt - np.clip(g / sides.slope, -_MAX_STEP, _MAX_STEP)
            midpoint = 0.5 * (lo + hi)
        use_newton = (newton >= lo) & (newton <= hi)
        bisect = np.isfinite(midpoint)
        new = np.where(use_newton, newton, np.where(bisect, midpoint, tt - _MAX_STEP * np.sign(g)))
        scale = _XTOL * np.maximum(1.0, np.abs(tt))
        done = (g == 0) | (use_newton & (np.abs(newton - tt) <= scale)) | (hi - lo <= scale)
        if isinstance(sums, _SmoothSums):
            # A row whose grid sums fail stops here; the check at its root sends it to the
            # term-by-term sums.
            done |= np.isnan(g)
        new = np.where(g == 0, tt, new)
        t[active] = new
        low[active] = lo
        high[active] = hi
        if np.all(done):
            break
        if np.any(done):
            keep = np.flatnonzero(~done)
            active = active[keep]
            sums.keep(keep)
    return t, last


def _window_ok(
    tab: _Tables,
    tables: IntArray,
    half_width: IntArray,
    grid: _Grid,
    column: IntArray,
    rows: _Rows,
    t: FloatArray,
    sides: _Sides,
) -> BoolArray:
    """Whether the terms outside each row's window are negligible at its root ``t``.

    ``tables`` and ``half_width`` are given per row, ``sides`` the sums near the root. The
    summands ``w[x] psi^x`` are log-concave in ``x``: past the window's edge each is at most
    ``exp(s)`` times the one before, ``s`` being the log ratio at the edge, so when ``s < 0``
    the neglected mass is at most ``edge * exp(s) / (1 - exp(s))``. Rows whose support lies
    inside the window pass.
    """
    a, n1, m1, n2 = tab.a[tables], tab.n1[tables], tab.m1[tables], tab.n2[tables]
    ok = np.ones(t.shape, dtype=bool)
    weighted = np.where(rows.by_distance, 1.0, 0.0)
    for reach, sign, log_side, log_w in (
        (tab.above[tables], 1.0, sides.log_up, grid.up),
        (tab.below[tables], -1.0, sides.log_down, grid.down),
    ):
        width = np.minimum(reach, half_width)
        cut = width < reach
        if not np.any(cut):
            continue
        k = np.maximum(width, 1).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            edge = log_w[np.maximum(width - 1, 0), column] + sign * k * t
            x_ratio = a + k if sign > 0 else a - k - 1.0
            s = sign * (_log_ratio(x_ratio, n1, m1, n2) + t) + weighted * np.log1p(1.0 / k)
            bound = edge + s - np.log(-np.expm1(s))
            ok &= ~cut | ((s < 0) & (bound - log_side <= _LOG_TRUNCATION))
    return ok


def _solve_smooth(
    tab: _Tables,
    rows: _Rows,
    tables: IntArray,
    pending: IntArray,
    start: FloatArray,
    sd: FloatArray,
    half: IntArray,
    root: FloatArray,
) -> IntArray:
    """Solve the rows of large tables on the Euler-Maclaurin grid; return the rows left.

    A table qualifies when each cell is at least ``_SMOOTH_MIN_CELL`` and 20 times the
    window's half width (so the window lies well inside the support, where the series of
    :mod:`hypergeom_sums` hold). A root is kept only where the sums at it pass that module's
    checks; the other rows are solved term by term.
    """
    a = tab.a[tables]
    cells = (a, tab.n1[tables] - a, tab.m1[tables] - a, tab.n2[tables] - tab.m1[tables] + a)
    reach = half[pending].astype(np.float64)
    smallest = np.minimum(np.minimum(cells[0], cells[1]), np.minimum(cells[2], cells[3]))
    large = smallest >= np.maximum(_SMOOTH_MIN_CELL, 20.0 * reach)
    if not np.any(large):
        return pending
    todo = pending[large]
    sub = rows.take(todo)
    big = (cells[0][large], cells[1][large], cells[2][large], cells[3][large])
    width = sd[tables[large]]
    distance = sub.by_distance
    derivatives = hypergeom_sums.log_weight_derivatives(*big)
    sides = [
        hypergeom_sums.build_side(
            big, width, reach[large], distance, np.exp(log_w0), sign, derivatives
        )
        for sign, log_w0 in ((1.0, sub.log_alpha0), (-1.0, sub.log_beta0))
    ]
    sums = _SmoothSums(*sides)
    t, _ = _newton(sums, sub.target, start[todo])
    check = _SmoothSums(*sides)
    check(t)
    root[todo[check.ok]] = t[check.ok]
    return np.concatenate([pending[~large], todo[~check.ok]])


def _chunks(cells: IntArray) -> list[IntArray]:
    """Split ascending per-table grid sizes into consecutive chunks of bounded padded size."""
    out: list[IntArray] = []
    start = 0
    while start < cells.size:
        fits = cells[start:] * np.arange(1, cells.size - start + 1) <= _CHUNK_CELLS
        stop = start + max(1, int(np.count_nonzero(fits)))
        out.append(np.arange(start, stop))
        start = stop
    return out


def _solve(
    a: IntArray,
    n1: IntArray,
    c: IntArray,
    n2: IntArray,
    equations: Sequence[_Equation],
    level: float,
) -> list[FloatArray]:
    """The root ``log psi`` of each equation for every table (``-inf``, ``inf`` at the edges).

    An equation has no finite root when ``g`` stays on one side of its target: as
    ``t -> -inf``, ``g + target`` tends to ``log(alpha0 / beta0)`` if ``a`` is the lowest
    support point (to ``-inf`` otherwise), and likewise as ``t -> inf`` with the highest
    point. The root is then ``-inf`` or ``inf``, and ``nan`` when both hold (an empty
    margin, where ``g`` is constant).
    """
    shape = np.shape(a)
    fa, fn1, fc, fn2 = (np.asarray(v, dtype=np.float64).ravel() for v in (a, n1, c, n2))
    m1 = fa + fc
    lo = np.maximum(0.0, m1 - fn2)
    hi = np.minimum(fn1, m1)
    tab = _Tables(fa, fn1, m1, fn2, (hi - fa).astype(np.int64), (fa - lo).astype(np.int64))
    n_tab, n_eq = fa.size, len(equations)
    table_of = np.tile(np.arange(n_tab), n_eq)
    with np.errstate(divide="ignore"):
        rows = _Rows(
            by_distance=np.repeat([e.by_distance for e in equations], n_tab),
            log_alpha0=np.repeat(np.log([e.alpha0 for e in equations]), n_tab),
            log_beta0=np.repeat(np.log([e.beta0 for e in equations]), n_tab),
            target=np.repeat([e.target for e in equations], n_tab),
        )
    # An empty side contributes nothing: with beta0 = 0 at the lowest point g is +inf, with
    # alpha0 = 0 at the highest point -inf (and both hold for the MLE of an empty margin).
    with np.errstate(invalid="ignore"):
        ratio = rows.log_alpha0 - rows.log_beta0
    limit_low = np.where(np.isneginf(rows.log_beta0), np.inf, ratio)
    limit_high = np.where(np.isneginf(rows.log_alpha0), -np.inf, ratio)
    minus = (tab.below == 0)[table_of] & (limit_low >= rows.target)
    plus = (tab.above == 0)[table_of] & (limit_high <= rows.target)
    root = np.where(minus & plus, np.nan, np.where(minus, -np.inf, np.inf))

    # Start from the Woolf estimate with 0.5 added to each cell, +-z standard errors for the
    # limits; the same normal approximation gives the sd of X, 1/se, which sizes the window.
    ha, hb, hc, hd = fa + 0.5, fn1 - fa + 0.5, fc + 0.5, fn2 - fc + 0.5
    se = np.sqrt(1.0 / ha + 1.0 / hb + 1.0 / hc + 1.0 / hd)
    z = z_quantile(level)
    shift = np.repeat([np.sign(e.target) * z for e in equations], n_tab)
    start = np.log(ha * hd / (hb * hc))[table_of] + shift * se[table_of]
    sd = 1.0 / se
    half = np.ceil(_WINDOW_SPAN * (z + _WINDOW_SDS) * sd + _WINDOW_MIN).astype(np.int64)
    half = half[table_of]

    pending = np.flatnonzero(~(minus | plus))
    pending = _solve_smooth(tab, rows, table_of[pending], pending, start, sd, half, root)
    while pending.size:
        tables, first = np.unique(table_of[pending], return_index=True)
        table_half = half[pending[first]]
        cells = (np.minimum(tab.above[tables], table_half) + 1) + (
            np.minimum(tab.below[tables], table_half) + 1
        )
        order = np.argsort(cells, kind="stable")
        position = np.full(n_tab, -1, dtype=np.int64)
        failed: list[IntArray] = []
        for part in _chunks(cells[order] * n_eq):
            chunk = tables[order[part]]
            position[chunk] = np.arange(chunk.size)
            grid = _build_grid(tab, chunk, table_half[order[part]])
            todo = pending[np.isin(table_of[pending], chunk)]
            column = position[table_of[todo]] + grid.n * rows.by_distance[todo]
            sub = rows.take(todo)
            t, sides = _newton(_GridSums(grid, column, sub), sub.target, start[todo])
            root[todo] = t
            ok = _window_ok(tab, table_of[todo], half[todo], grid, column, sub, t, sides)
            failed.append(todo[~ok])
        pending = np.concatenate(failed)
        half[pending] *= 4
    return [root[e * n_tab : (e + 1) * n_tab].reshape(shape) for e in range(n_eq)]


def _psi(t: FloatArray) -> FloatArray:
    with np.errstate(over="ignore"):
        return np.asarray(np.exp(t), dtype=np.float64)


def _empty_margin(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray) -> BoolArray:
    """No events, or only events, in both arms together: X is fixed given the margins."""
    m1 = a + c
    return np.asarray((m1 == 0) | (m1 == n1 + n2))


def _lower_tails(x: IntArray, n: IntArray, m1: IntArray, n1: IntArray) -> FloatArray:
    """``P(X <= x)`` for hypergeometric ``X`` (``n`` in all, ``m1`` events, ``n1`` drawn).

    An upper tail ``P(X >= r)`` is the lower tail ``P(n1 - X <= n1 - r)`` of the arm's
    non-events (``n - m1`` of them), so both tails of a p-value come from one call, each
    summed directly.
    """
    return hypergeom.lower_tail(x, n, m1, n1)


def _midp_pvalue(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
) -> FloatArray:
    """Mid-p value of the conditional test of OR = 1 (see :func:`fisher_midp`)."""
    n = n1 + n2
    m1 = a + c
    if alternative == "two-sided":
        fisher_p, strict_p = pvalues.fisher_and_strict_tails(a, n1, c, n2, strict=True)
        p = 0.5 * (fisher_p + np.asarray(strict_p))
    else:
        half = 0.5 * np.exp(pvalues._hypergeom_logpmf(a, n, m1, n1))
        if alternative == "less":
            p = _lower_tails(a - 1, n, m1, n1) + half
        else:
            p = _lower_tails(n1 - a - 1, n, n - m1, n1) + half
    return np.asarray(np.where(_empty_margin(a, n1, c, n2), 1.0, p), dtype=np.float64)


def exact(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Conditional MLE of the odds ratio, Cornfield's exact interval and Fisher's p-value.

    Parameters
    ----------
    a, n1, c, n2 : ndarray of int64
        Treatment events and total, control events and total (broadcast, validated).
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    Interval
        The conditional maximum likelihood estimate, the exact conditional limits and the
        two-sided p-value of Fisher's exact test (as R's ``fisher.test``).

    Notes
    -----
    Given the margins, the treatment events follow Fisher's noncentral hypergeometric
    distribution with odds ratio :math:`\psi` on :math:`\ell \le x \le h`. The estimate
    solves :math:`E(X; \psi) = a` (Birch 1964; the ``estimate`` of R's ``fisher.test``). The
    limits solve, with :math:`q = (1 - \text{level}) / 2`,

    .. math::

        P(X \ge a; \psi_L) = q, \qquad P(X \le a; \psi_U) = q

    (Cornfield 1956), as ``fisher.test`` defines them; they are solved here to about 1e-13
    relative, where R's ``uniroot`` stops within 1.2e-4 of :math:`\psi` or :math:`1/\psi`
    (so, for example, R's upper limit 621.93 for the tea-tasting table is 0.2% off).

    Zero cells need no correction. :math:`a = \ell` (``a = 0`` or ``d = 0``: no events in
    the treatment arm, or every control participant had one) gives the estimate and lower
    limit 0; :math:`a = h` (``b = 0`` or ``c = 0``) gives the estimate and upper limit
    infinity; the other limit is finite. When no participant, or every participant, had the
    event (:math:`\ell = h`) the conditional distribution is a single point carrying no
    information: the estimate is ``nan``, the interval :math:`[0, \infty]` and the p-value 1.
    No warning is issued.

    References
    ----------
    Cornfield J. A statistical problem arising from retrospective studies. Proc Third
    Berkeley Symp Math Stat Prob 1956;4:135-48.
    Birch MW. The detection of partial association, I: the 2x2 case. J R Stat Soc B
    1964;26:313-24.
    Fagerland MW, Lydersen S, Laake P. Statistical Analysis of Contingency Tables. CRC
    Press; 2017. Section 4.8.
    """
    estimate, low, high = (_psi(t) for t in _solve(a, n1, c, n2, _exact_equations(level), level))
    _, pvalue = pvalues.fisher(a, n1, c, n2, "two-sided")
    return Interval(estimate, low, high, np.asarray(pvalue, dtype=np.float64))


def midp(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Median-unbiased odds ratio, the conditional mid-p interval and the mid-p test.

    Parameters
    ----------
    a, n1, c, n2 : ndarray of int64
        Treatment events and total, control events and total (broadcast, validated).
    level : float
        Confidence level in (0, 1).

    Returns
    -------
    Interval
        The median-unbiased estimate, the mid-p limits and the two-sided Fisher mid-p value
        (:func:`fisher_midp`).

    Notes
    -----
    With :math:`X` Fisher's noncentral hypergeometric variable (see :func:`exact`) and
    :math:`q = (1 - \text{level}) / 2`, the limits solve

    .. math::

        P(X > a; \psi_L) + \tfrac12 P(X = a; \psi_L) = q, \qquad
        P(X < a; \psi_U) + \tfrac12 P(X = a; \psi_U) = q,

    (Lancaster 1961; Rothman, Greenland & Lash 2008; epitools' ``oddsratio.midp``), and the
    estimate is the median-unbiased one, where both one-sided mid-p values equal 1/2. It is
    the limit of the mid-p interval as the level falls to 0, so it always lies inside the
    interval, and it is the estimate epitools reports with this interval. (The conditional
    MLE, the estimate of ``method="exact"``, can fall outside the mid-p interval at low
    levels.)

    Zero cells are handled as for :func:`exact`: :math:`a = \ell` gives estimate and lower
    limit 0, :math:`a = h` estimate and upper limit infinity; an empty margin gives ``nan``,
    :math:`[0, \infty]` and p-value 1. No warning is issued.

    References
    ----------
    Lancaster HO. Significance tests in discrete distributions. J Am Stat Assoc
    1961;56:223-34.
    Rothman KJ, Greenland S, Lash TL. Modern Epidemiology. 3rd ed. Lippincott Williams &
    Wilkins; 2008. Chapter 14.
    Fagerland MW, Lydersen S, Laake P. Recommended confidence intervals for two independent
    binomial proportions. Stat Methods Med Res 2015;24:224-54.
    """
    estimate, low, high = (_psi(t) for t in _solve(a, n1, c, n2, _midp_equations(level), level))
    return Interval(estimate, low, high, _midp_pvalue(a, n1, c, n2, "two-sided"))


def fisher_midp(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
) -> tuple[FloatArray | None, FloatArray]:
    r"""Fisher's mid-p test of OR = 1, conditional on both margins.

    Parameters
    ----------
    a, n1, c, n2 : ndarray of int64
        Treatment events and total, control events and total (broadcast, validated).
    alternative : {"two-sided", "less", "greater"}
        ``"less"``: the odds ratio is below 1; ``"greater"``: above 1.

    Returns
    -------
    statistic : None
    pvalue : ndarray of float64

    Notes
    -----
    Under the null hypothesis :math:`X` is hypergeometric with probabilities :math:`f(x)`.
    One-sided: :math:`P(X < a) + \tfrac12 f(a)` for ``"less"`` (odds ratio below 1) and
    :math:`P(X > a) + \tfrac12 f(a)` for ``"greater"``. Two-sided, as Fagerland, Lydersen
    and Laake define and recommend it: the tables are ordered by their probability, as in
    Fisher's two-sided test, and those exactly as probable as the observed one count half,

    .. math::

        p = P\{f(X) < f(a)\} + \tfrac12 P\{f(X) = f(a)\}
          = \tfrac12 \left[ p_\text{Fisher} + P\{f(X) < f(a)\} \right],

    with "as probable" up to R's relative tolerance of 1e-7. This is Fisher's p-value minus
    half the probability of the observed table and of the tables tied with it (in a trial
    with equal arms the table mirroring the observed one is always tied with it, and then
    the p-value is twice the smaller one-sided mid-p). Doubling the smaller one-sided mid-p
    (epitools' ``tab2by2.test``) is the other common convention; it is the test that the
    mid-p interval inverts but is at least as large. Both tails are summed directly, so a
    p-value of 1e-90 keeps its digits. With an empty margin every p-value is 1.

    References
    ----------
    Fagerland MW, Lydersen S, Laake P. Statistical Analysis of Contingency Tables. CRC
    Press; 2017. Section 4.4.
    Lancaster HO. Significance tests in discrete distributions. J Am Stat Assoc
    1961;56:223-34.
    """
    return None, _midp_pvalue(a, n1, c, n2, alternative)


EFFECTS: dict[str, dict[str, EffectKernel]] = {"odds_ratio": {"exact": exact, "midp": midp}}
TESTS: dict[str, TestKernel] = {"fisher-midp": fisher_midp}
TEST_ALTERNATIVES: dict[str, tuple[str, ...]] = {"fisher-midp": ("two-sided", "less", "greater")}
