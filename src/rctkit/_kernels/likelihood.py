r"""Likelihood kernels of the two-parameter logistic model for the 2x2 table.

The model is :math:`\operatorname{logit} P(\text{event}) = \alpha + \psi x`, with :math:`x = 1`
in the treatment arm and 0 in the control arm, so that :math:`\psi` is the log odds ratio and
:math:`\alpha` the control arm's log odds. Everything here rests on one closed form.

Constrained MLE
    With :math:`\psi` fixed, the MLE of :math:`\alpha` makes the fitted events
    :math:`\hat a + \hat c` equal the observed :math:`a + c` (the score equation for
    :math:`\alpha`); the fitted arm totals equal the observed ones by construction. So the
    fitted cells are :math:`a + \delta, b - \delta, c - \delta, d + \delta` for one shift
    :math:`\delta`, and their odds ratio must be :math:`\theta = e^\psi`:
    :math:`(a + \delta)(d + \delta) = \theta (b - \delta)(c - \delta)`, the quadratic

    .. math:: (1 - \theta)\delta^2 + \{a + d + \theta(b + c)\}\delta + (ad - \theta bc) = 0,

    whose root in :math:`(-\min(a, d), \min(b, c))` is
    :math:`\delta = -2K / (B + \sqrt{B^2 - 4AK})` (:math:`A, B, K` the coefficients; this
    form is the continuous branch through :math:`\theta = 1` and loses no digits). In terms
    of :math:`\alpha` it is the positive root of
    :math:`\theta m_0 u^2 + \{n_2 - m_1 + \theta(n_1 - m_1)\}u - m_1 = 0`,
    :math:`u = e^{\hat\alpha(\psi)}`; the two are the same equation.

Profile deviance
    The profile deviance is explicit,

    .. math:: D(\psi) = 2\{l_{\max} - l_p(\psi)\} = 2 \sum_{\text{cells}} O \log(O / E),

    and by the envelope theorem :math:`D'(\psi) = 2\delta(\psi)`. Each term is computed
    without cancellation (:meth:`_Table.evaluate`), so limits far in the tail keep their
    digits. :math:`D` is convex (the log-likelihood is jointly concave, and maximising over
    :math:`\alpha` keeps it so), so the limits :math:`D(\psi) = \chi^2_{1, \text{level}}`
    are found by Newton's method, which converges monotonically on a convex function once
    past the root; a bracket guards every step.

Firth
    The Fisher information of :math:`(\alpha, \psi)` has determinant
    :math:`v_0 v_1` with :math:`v_0 = n_2 p_0 (1 - p_0)`, :math:`v_1 = n_1 p_1 (1 - p_1)`, so
    Firth's penalised log-likelihood :math:`l + \tfrac12 \log\det I` is, up to a constant,
    the log-likelihood of the table with 1/2 added to every cell. The Firth estimate, its
    profile-penalised-likelihood interval and its penalised likelihood-ratio test are
    therefore the profile quantities of that table (as R's logistf computes them: the full
    model's penalty, profiled over the intercept).

The limits are found by :func:`rctkit._kernels.solvers.newton`: the derivative of the
deviance comes free with it.
"""

from __future__ import annotations

import numpy as np

from rctkit import _special as special
from rctkit import _warnings
from rctkit._kernels import solvers
from rctkit._kernels.common import (
    BoolArray,
    FloatArray,
    IntArray,
    Interval,
    chi2_1_sf,
    cross_difference,
    empty_margin,
    two_sided_normal_p,
    z_quantile,
)

#: Newton iterations at most; from the Wald starting point it takes about four.
MAXITER = 100
#: Newton stops after a step below this, relative to max(1, |psi|); convergence is quadratic,
#: so the error left is of the order of the square of the last step (about 1e-16 relative).
STEP_RTOL = 1e-8
#: Log odds ratios are kept within this bound while solving (e**700 is still finite).
PSI_BOUND = 700.0

_Cells = tuple[FloatArray, FloatArray, FloatArray, FloatArray]


def _cells(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray) -> _Cells:
    fa = np.asarray(a, dtype=np.float64)
    fc = np.asarray(c, dtype=np.float64)
    return fa, np.asarray(n1 - a, dtype=np.float64), fc, np.asarray(n2 - c, dtype=np.float64)


class _Table:
    """Flat 1-D cells, with everything the deviance needs that does not depend on ``psi``.

    When ``delta > 0`` the cells ``a, d`` grow and ``b, c`` shrink; when ``delta < 0`` the
    other way round. For each direction the rows of a "pack" hold the growing cells, the
    smaller and the larger shrinking cell, their reciprocals and logarithms and the constants
    of the shrinking cell's own root (see :meth:`evaluate`), so that one ``np.where`` picks a
    table's direction.
    """

    def __init__(self, cells: _Cells) -> None:
        a, b, c, d = (np.ravel(x) for x in cells)
        self.a, self.b, self.c, self.d = a, b, c, d
        self.sum_ad = a + d
        self.sum_bc = b + c
        self.ad = a * d
        self.bc = b * c
        # B^2 - 4AK = (w0 (a - d))^2 + (w1 (b - c))^2 + w0 w1 cross_term, a sum of
        # non-negative terms: the discriminant loses no digits even near a double root.
        self.gap_ad = np.abs(a - d)
        self.gap_bc = np.abs(b - c)
        self.cross_term = 2.0 * (self.sum_ad * self.sum_bc + 2.0 * self.ad + 2.0 * self.bc)
        self.up = self._pack(a, d, b, c)
        self.down = self._pack(b, c, a, d)

    @staticmethod
    def _pack(g1: FloatArray, g2: FloatArray, s1: FloatArray, s2: FloatArray) -> FloatArray:
        small = np.minimum(s1, s2)
        large = np.maximum(s1, s2)
        obs = np.stack([g1, g2, small, large])
        with np.errstate(divide="ignore"):
            inverse = np.where(obs > 0, 1.0 / obs, 0.0)  # 0 for an empty cell: its term is 0
            logs = np.log(obs[2:])
        num = 2.0 * (g1 + small) * (g2 + small)
        den = g1 + g2 + 2.0 * small
        zeros = np.zeros_like(small)
        return np.concatenate([obs, inverse, logs, np.stack([num, den, zeros, large - small])])

    def take(self, idx: IntArray) -> _Table:
        """The tables at positions ``idx`` (repeats allowed)."""
        new = object.__new__(_Table)
        for name, value in vars(self).items():
            setattr(new, name, value[..., idx])
        return new

    def evaluate(
        self, psi: FloatArray, delta: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray]:
        r"""The shift ``delta = a_fitted - a`` and the deviance ``D = 2 (l_max - l_p)`` at ``psi``.

        ``delta`` may be passed when it is known more accurately than the quadratic gives it
        (at :math:`\psi = 0` it is :math:`(bc - ad)/N`, from the exact cross difference).

        The quadratic :math:`A\delta^2 + B\delta + K = 0` is multiplied through by
        :math:`e^{-\max(\psi, 0)}` so that nothing overflows (:math:`w_0 = e^{-\max(\psi,0)}`,
        :math:`w_1 = e^{\min(\psi, 0)}`, :math:`w_1 / w_0 = e^\psi`), and
        :math:`\delta = -2K / (B + S)`, :math:`S = \sqrt{B^2 - 4AK}`, with
        :math:`B^2 - 4AK = w_0^2 (a - d)^2 + w_1^2 (b - c)^2 + 2 w_0 w_1 \{(a + d)(b + c) +
        2ad + 2bc\}` summed from non-negative terms.

        :math:`D = 2\sum O \log(O/E)` (the :math:`E - O` of the Kullback-Leibler form sum to
        zero). A growing cell contributes :math:`-O\,\mathrm{log1p}(|\delta|/O)`. A shrinking
        cell contributes :math:`-O\,\mathrm{log1p}(-|\delta|/O)` while it keeps at least half
        its count; below that :math:`O - |\delta|` would lose the digits of a small fitted cell,
        so the term is :math:`O(\log O - \log E)` with :math:`E` computed without cancellation:
        the smaller shrinking cell :math:`s` (say :math:`c`, when :math:`\delta > 0`) solves the
        quadratic shifted to :math:`\delta = c - E`, whose constant term is
        :math:`w_0 (a + c)(c + d)` exactly, so
        :math:`E_c = 2 w_0 (a + c)(d + c) / \{w_0 (a + d + 2c) + w_1 (b - c) + S\}`, all terms
        non-negative; the larger one is :math:`E_c + (b - c)`. When :math:`\delta < 0`,
        likewise with :math:`w_1 (a + b)(a + c)` for :math:`a` (or :math:`d`). A fitted cell of
        0 with :math:`O > 0` gives ``inf``.
        """
        w0 = np.exp(-np.maximum(psi, 0.0))
        w1 = np.exp(np.minimum(psi, 0.0))
        lin = w0 * self.sum_ad + w1 * self.sum_bc
        const = w0 * self.ad - w1 * self.bc
        ad_part = w0 * self.gap_ad
        bc_part = w1 * self.gap_bc
        root = np.sqrt(ad_part * ad_part + bc_part * bc_part + (w0 * w1) * self.cross_term)
        if delta is None:
            delta = -2.0 * const / (lin + root)
        up = delta >= 0
        pack = np.where(up, self.up, self.down)
        w_grow = np.where(up, w0, w1)
        w_other = np.where(up, w1, w0)
        size = np.abs(delta)
        grow = special.xlog1py(pack[0:2], size * pack[4:6])
        fitted_small = w_grow * pack[10] / (w_grow * pack[11] + w_other * pack[13] + root)
        fitted = fitted_small + pack[12:14]
        lost = size * pack[6:8]
        shrink = pack[2:4] * np.where(lost <= 0.5, -np.log1p(-lost), pack[8:10] - np.log(fitted))
        total = shrink[0] + shrink[1] - grow[0] - grow[1]
        return np.asarray(delta, dtype=np.float64), np.asarray(2.0 * total, dtype=np.float64)


def _deviance_gap(psi: FloatArray, table: _Table, target: float) -> tuple[FloatArray, FloatArray]:
    """``D(psi) - target`` and its derivative ``2 delta``, for the solver."""
    delta, dev = table.evaluate(psi)
    return dev - target, 2.0 * delta


def _solve_limits(
    table: _Table, psi_hat: FloatArray, start: FloatArray, side: FloatArray, target: float
) -> FloatArray:
    """Solve ``D(psi) = target`` on the given side of the MLE, elementwise, by Newton's method.

    The arrays are 1-D and aligned with ``table``; ``psi_hat`` may be infinite (then the limit
    on the other side is sought from ``start``), ``side`` is -1 for a lower and +1 for an
    upper limit. ``D`` is convex with ``D' = 2 delta``, so from outside the interval Newton's
    iterates decrease monotonically to the limit and from inside the first step lands
    outside. The bracket runs from the MLE to ``+-PSI_BOUND``;
    :func:`rctkit._kernels.solvers.newton` replaces a step that leaves it by bisection, which
    guards against a fitted cell underflowing to 0 (a nan or infinite deviance counts as
    outside the interval). Converged elements are frozen, so a batch gives the same numbers
    as its tables one at a time.
    """
    inner = np.clip(psi_hat, -PSI_BOUND, PSI_BOUND)
    upper = side > 0
    low = np.where(upper, inner, -PSI_BOUND)
    high = np.where(upper, PSI_BOUND, inner)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x, _ = solvers.newton(
            _deviance_gap,
            low,
            high,
            start,
            args=(table, target),
            increasing=upper,
            step_rtol=STEP_RTOL,
            maxiter=MAXITER,
        )
    return np.asarray(x, dtype=np.float64)


def _log_or(cells: _Cells) -> FloatArray:
    a, b, c, d = cells
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.log(a) + np.log(d) - np.log(b) - np.log(c), dtype=np.float64)


def _profile_interval(
    table: _Table, psi_hat: FloatArray, level: float, empty: BoolArray
) -> tuple[FloatArray, FloatArray]:
    """The limits of ``{psi : D(psi) <= chi2_{1,level}}`` on the log scale (flat arrays).

    Where the MLE is infinite the limit on that side is infinite too; where the likelihood is
    flat in ``psi`` (``empty``) both limits are infinite. Newton starts from the Woolf limits,
    or, with a zero cell, from the limits of the table with 1/2 added.
    """
    z = z_quantile(level)
    finite = np.isfinite(psi_hat)
    if finite.all():
        centre = psi_hat
        se = np.sqrt(table.up[4:8].sum(axis=0))
        lo_idx = hi_idx = np.arange(psi_hat.size)
    else:
        half = (table.a + 0.5, table.b + 0.5, table.c + 0.5, table.d + 0.5)
        centre = np.where(finite, psi_hat, _log_or(half))
        se_half = np.sqrt(1 / half[0] + 1 / half[1] + 1 / half[2] + 1 / half[3])
        se = np.where(finite, np.sqrt(table.up[4:8].sum(axis=0)), se_half)
        lo_idx = np.flatnonzero(~empty & (psi_hat > -np.inf))
        hi_idx = np.flatnonzero(~empty & (psi_hat < np.inf))
    idx = np.concatenate([lo_idx, hi_idx])
    side = np.concatenate([np.full(lo_idx.size, -1.0), np.ones(hi_idx.size)])
    roots = _solve_limits(
        table.take(idx), psi_hat[idx], centre[idx] + side * (z * se[idx]), side, z * z
    )
    low = np.full(psi_hat.shape, -np.inf)
    high = np.full(psi_hat.shape, np.inf)
    low[lo_idx] = roots[: lo_idx.size]
    high[hi_idx] = roots[lo_idx.size :]
    return low, high


def _lr_statistic(table: _Table, cross: FloatArray) -> FloatArray:
    """``G^2 = D(0)``; ``cross`` is ``ad - bc``, the shift at ``psi = 0`` is ``-cross / N``."""
    total = table.sum_ad + table.sum_bc
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        _, stat = table.evaluate(np.zeros(total.shape), -np.ravel(cross) / total)
    return np.asarray(np.maximum(stat, 0.0), dtype=np.float64)


def _likelihood_interval(
    cells: _Cells, cross: FloatArray, level: float, empty: BoolArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Log odds ratio MLE, profile limits (odds-ratio scale) and ``G^2``, in the input shape."""
    shape = np.shape(cells[0])
    table = _Table(cells)
    psi_hat = _log_or((table.a, table.b, table.c, table.d))
    low, high = _profile_interval(table, psi_hat, level, np.ravel(empty))
    stat = _lr_statistic(table, cross)
    return (
        psi_hat.reshape(shape),
        np.exp(low).reshape(shape),
        np.exp(high).reshape(shape),
        stat.reshape(shape),
    )


def profile(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Profile-likelihood interval of the odds ratio in the logistic model.

    Parameters
    ----------
    a, n1, c, n2 : ndarray of int64
        Treatment events and total, control events and total (broadcast, validated).
    level : float
        Confidence level.

    Returns
    -------
    Interval
        The unconditional MLE :math:`ad/bc`, the limits, and the likelihood-ratio p-value
        of :math:`\psi = 0` (see :func:`lr_test`).

    Notes
    -----
    The interval is :math:`\{\psi : D(\psi) \le \chi^2_{1,\text{level}}\}` with
    :math:`D(\psi) = 2\{l_{\max} - l_p(\psi)\}` the profile deviance of the logistic model
    (module docstring: the intercept's constrained MLE is explicit), mapped to
    :math:`e^\psi`. The limits agree with 40-digit mpmath to 1e-12 relative or better
    (the worst seen over hundreds of random tables, zero cells and levels up to 0.9999
    included); nothing is interpolated.

    Zero cells (nothing is added to the cells):

    - no events in one arm, or all events in one arm (one zero cell, or two zero cells
      ``a = d = 0`` or ``b = c = 0``): the MLE is 0 or infinite, the interval's limit on that
      side is 0 or infinite, and the other limit, where :math:`D` crosses the quantile on the
      way from 0 at the infinite MLE, is finite. No warning: the interval is the likelihood
      interval.
    - no events in both arms, or all events in both arms: the likelihood does not depend on
      :math:`\psi`; the estimate is ``nan``, the interval :math:`[0, \infty]`, the p-value 1,
      and an :class:`~rctkit.RctkitWarning` is issued.

    References
    ----------
    Venzon DJ, Moolgavkar SH. A method for computing profile-likelihood-based confidence
    intervals. Appl Stat 1988;37:87-94.

    Agresti A. Categorical Data Analysis, 3rd ed. Wiley 2013, sections 1.4 and 3.2.
    """
    cells = _cells(a, n1, c, n2)
    empty = empty_margin(a, n1, c, n2)
    _warnings.warn_where(
        empty,
        "has no events, or only events, in both arms: the odds ratio is undefined and the "
        "profile-likelihood interval is [0, inf]",
    )
    fa, fb, fc, fd = cells
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = np.asarray((fa * fd) / (fb * fc), dtype=np.float64)
    cross = cross_difference(a, n1, c, n2)
    _, low, high, stat = _likelihood_interval(cells, cross, level, empty)
    pvalue = np.where(empty, 1.0, chi2_1_sf(stat))
    return Interval(estimate, low, high, np.asarray(pvalue, dtype=np.float64))


def firth(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    r"""Firth's penalised-likelihood odds ratio with the profile-penalised-likelihood interval.

    Parameters
    ----------
    a, n1, c, n2 : ndarray of int64
        Treatment events and total, control events and total (broadcast, validated).
    level : float
        Confidence level.

    Returns
    -------
    Interval
        The penalised MLE, the limits, and the penalised likelihood-ratio p-value.

    Notes
    -----
    Firth's penalised log-likelihood is :math:`l^*(\alpha, \psi) = l(\alpha, \psi) +
    \tfrac12 \log \det I(\alpha, \psi)`. For the 2x2 table
    :math:`\det I = n_1 p_1 (1 - p_1)\, n_2 p_0 (1 - p_0)`, so :math:`l^*` is the
    log-likelihood of the table with 1/2 added to every cell, and

    - the estimate is :math:`(a + \tfrac12)(d + \tfrac12) / \{(b + \tfrac12)(c + \tfrac12)\}`
      (checked against R's brglm2, ``type = "AS_mean"``, and a direct maximisation of
      :math:`l^*`);
    - the interval is :math:`\{\psi : 2(l^*_{\max} - l^*_p(\psi)) \le \chi^2_{1,\text{level}}\}`
      with the full model's penalty profiled over the intercept, as R's logistf computes it
      (Heinze and Schemper 2002), which is the profile-likelihood interval of that table;
    - the p-value is the penalised likelihood-ratio test of :math:`\psi = 0`, as logistf's.

    Zero cells: the estimate and both limits are always finite, separation included (that is
    the point of the method). With no events, or only events, in both arms the estimate is
    driven by the penalty alone, :math:`(n_2 + \tfrac12)/(n_1 + \tfrac12)`, which is
    what logistf returns; a :class:`~rctkit.RctkitWarning` says so.

    References
    ----------
    Firth D. Bias reduction of maximum likelihood estimates. Biometrika 1993;80:27-38.

    Heinze G, Schemper M. A solution to the problem of separation in logistic regression.
    Stat Med 2002;21:2409-19.
    """
    empty = empty_margin(a, n1, c, n2)
    _warnings.warn_where(
        empty,
        "has no events, or only events, in both arms: the Firth odds ratio reflects only the "
        "penalty (the arm sizes), not the data",
    )
    fa, fb, fc, fd = _cells(a, n1, c, n2)
    cells = (fa + 0.5, fb + 0.5, fc + 0.5, fd + 0.5)
    # ad - bc of the augmented table, exact in integers: (ad - bc) + (a + d - b - c) / 2.
    cross = cross_difference(a, n1, c, n2) + 0.5 * (fa + fd - fb - fc)
    no_flat = np.zeros(fa.shape, dtype=bool)
    psi_hat, low, high, stat = _likelihood_interval(cells, cross, level, no_flat)
    return Interval(np.exp(psi_hat), low, high, np.asarray(chi2_1_sf(stat), dtype=np.float64))


def _one_sided(signed: FloatArray, alternative: str, two_sided: FloatArray) -> FloatArray:
    if alternative == "less":
        return np.asarray(special.ndtr(signed), dtype=np.float64)
    if alternative == "greater":
        return np.asarray(special.ndtr(-signed), dtype=np.float64)
    return two_sided


def wald_test(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
) -> tuple[FloatArray | None, FloatArray]:
    r"""Wald test of the arm coefficient in the logistic model (Woolf's z).

    Parameters
    ----------
    a, n1, c, n2 : ndarray of int64
        Treatment events and total, control events and total (broadcast, validated).
    alternative : {"two-sided", "less", "greater"}
        "less": odds ratio below 1; "greater": above 1.

    Returns
    -------
    statistic : ndarray
        The signed :math:`z = \log(ad/bc) / \sqrt{1/a + 1/b + 1/c + 1/d}`, which is the MLE
        of the arm coefficient over its standard error from the inverse information.
    pvalue : ndarray
        :math:`2\Phi(-|z|)`, :math:`\Phi(z)` or :math:`\Phi(-z)`.

    Notes
    -----
    With a zero cell the MLE is infinite and so is its standard error; as a cell tends to 0
    the statistic tends to 0 (the Hauck-Donner effect), so it is set to 0: the two-sided
    p-value is 1 and each one-sided p-value 1/2. This covers no events, or all events, in one
    or both arms; a :class:`~rctkit.RctkitWarning` is issued.

    References
    ----------
    Hauck WW, Donner A. Wald's test as applied to hypotheses in logit analysis. J Am Stat
    Assoc 1977;72:851-3.
    """
    fa, fb, fc, fd = _cells(a, n1, c, n2)
    zero = (fa == 0) | (fb == 0) | (fc == 0) | (fd == 0)
    _warnings.warn_where(
        zero,
        "has a zero cell: the Wald statistic is set to 0 and its two-sided p-value to 1 "
        '(Hauck-Donner; consider method="lr" or "fisher")',
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(1.0 / fa + 1.0 / fb + 1.0 / fc + 1.0 / fd)
        z = np.where(zero, 0.0, _log_or((fa, fb, fc, fd)) / se)
    z = np.asarray(z, dtype=np.float64)
    return z, _one_sided(z, alternative, two_sided_normal_p(z))


def lr_test(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
) -> tuple[FloatArray | None, FloatArray]:
    r"""Likelihood-ratio test (:math:`G^2`) of no arm effect in the logistic model.

    Parameters
    ----------
    a, n1, c, n2 : ndarray of int64
        Treatment events and total, control events and total (broadcast, validated).
    alternative : {"two-sided", "less", "greater"}
        "less": odds ratio below 1; "greater": above 1.

    Returns
    -------
    statistic : ndarray
        :math:`G^2 = 2\sum O \log(O/E)` with :math:`E` the cells expected under
        independence (the deviance of the null model against the saturated one).
    pvalue : ndarray
        Two-sided: the upper :math:`\chi^2_1` tail of :math:`G^2`. One-sided: from the signed
        root :math:`r = \operatorname{sign}(ad - bc)\sqrt{G^2}`, approximately standard normal,
        :math:`\Phi(r)` for "less" and :math:`\Phi(-r)` for "greater".

    Notes
    -----
    Zero cells contribute 0 to :math:`\sum O \log(O/E)`; the statistic is finite for every
    table with events in at least one arm, including no events or all events in one arm. With
    no events, or only events, in both arms :math:`G^2 = 0` and the p-value is 1 (one-sided
    1/2); an :class:`~rctkit.RctkitWarning` is issued.

    References
    ----------
    Agresti A. Categorical Data Analysis, 3rd ed. Wiley 2013, section 3.2.1.
    """
    empty = empty_margin(a, n1, c, n2)
    _warnings.warn_where(
        empty,
        "has no events, or only events, in both arms: the likelihood-ratio statistic is 0 and "
        "the p-value 1",
    )
    cross = cross_difference(a, n1, c, n2)
    stat = _lr_statistic(_Table(_cells(a, n1, c, n2)), cross).reshape(cross.shape)
    stat = np.where(empty, 0.0, stat)
    signed = np.sign(cross) * np.sqrt(stat)
    two_sided = np.asarray(chi2_1_sf(stat), dtype=np.float64)
    return np.asarray(stat, dtype=np.float64), _one_sided(signed, alternative, two_sided)
