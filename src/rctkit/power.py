"""Power, sample size and type I error of the two-arm tests, exact and approximate.

Exact power enumerates every table a trial of ``n_treatment`` and ``n_control`` participants
can give, ``(n_treatment + 1)(n_control + 1)`` of them, runs the test once over all of them
through :mod:`rctkit.batch`, and adds the binomial probabilities of the tables it rejects.
The approximate power is the normal approximation for the difference of two proportions.

>>> import rctkit as rk
>>> res = rk.power(test="fisher", p_treatment=0.29, p_control=0.38, n_treatment=220,
...                n_control=220)
>>> round(res.power, 4)
0.4777
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

import rctkit.batch as rkb
from rctkit import _validation
from rctkit._kernels.restricted import risk_difference_cells
from rctkit._progress import progress_bar
from rctkit.errors import CostLimitError, InvalidInputError, RctkitWarning
from rctkit.results.power import PowerResult, SampleSizeResult, TypeOneErrorResult

__all__ = ["SampleSizeInterrupted", "power", "sample_size", "type_one_error"]


class SampleSizeInterrupted(KeyboardInterrupt):
    """A :func:`sample_size` search stopped by Ctrl-C, with the exact powers it had computed.

    ``powers`` maps each control-arm size whose exact power was finished to that power, in
    the order the search computed them. It is a ``KeyboardInterrupt``, so code that does not
    catch it stops as before.
    """

    def __init__(self, powers: dict[int, float]) -> None:
        self.powers = dict(powers)
        last = (
            f"; the last, n_control={next(reversed(self.powers))}: power "
            f"{self.powers[next(reversed(self.powers))]:.4f}"
            if self.powers
            else ""
        )
        super().__init__(
            f"sample-size search interrupted after {len(self.powers)} exact powers{last} "
            "(see `.powers`)"
        )


FloatArray = npt.NDArray[np.float64]
Margin = float | tuple[float, float] | None

#: A p-value is a rejection when ``p <= alpha * REJECT_TOLERANCE``: R's fisher.test and
#: exact2x2 compare probabilities with the same relative allowance (``1 + 1e-7``), so that a
#: p-value equal to alpha in exact arithmetic is not lost to rounding.
REJECT_TOLERANCE = 1.0 + 1e-7

#: The most tables one exact calculation enumerates, ``(n_treatment + 1)(n_control + 1)``:
#: about 2,000 per arm (the chi-squared test: under a second).
MAX_TABLES = 4_000_000

#: Fisher's tests cost about the number of tables times ``n_treatment + n_control`` (the
#: hypergeometric support of each): at most this, about 900 per arm and 10-15 s (220 per
#: arm: 0.3 s; 2,000 per arm measured at 115 s).
MAX_FISHER_COST = 1_500_000_000

#: The tests of no difference and the tests against a margin.
TESTS: tuple[str, ...] = tuple(rkb.TEST_METHODS)
MARGIN_TESTS: tuple[str, ...] = ("mn", "fm", "wald", "newcombe")
MEASURES: tuple[str, ...] = ("risk_difference", "risk_ratio", "odds_ratio")


# ---------------------------------------------------------------------------------------------
# Arguments


def _risk(value: Any, name: str) -> float:
    number = _validation.check_real(value, name)
    if not 0.0 <= number <= 1.0:
        raise InvalidInputError(f"`{name}` must lie in [0, 1] (got {name}={value!r})")
    return number


def _alpha(value: Any, name: str = "alpha") -> float:
    number = _validation.check_real(value, name)
    if not 0.0 < number < 0.5:
        raise InvalidInputError(f"`{name}` must lie strictly between 0 and 0.5 (got {value!r})")
    return number


def _size(value: Any, name: str) -> int:
    n = _validation.as_count(value, name)
    if n < 1:
        raise InvalidInputError(f"`{name}` must be at least 1 (got {name}={n})")
    return n


def _design(
    test: Any, margin: Any, measure: Any, alternative: Any, higher_is_better: Any, exact: bool
) -> tuple[str, Margin, str, str, bool]:
    """Check the test against the kind of hypothesis; return the margin in canonical form."""
    measure = _validation.check_choice(measure, "measure", MEASURES)
    better = _validation.check_bool(higher_is_better, "higher_is_better")
    if margin is None:
        test = _validation.check_choice(test, "test", TESTS)
        alternative = _validation.check_choice(alternative, "alternative", rkb.TEST_METHODS[test])
        return test, None, measure, alternative, better
    test = _validation.check_choice(test, "test", MARGIN_TESTS)
    if alternative != "two-sided":
        raise InvalidInputError(
            "`alternative` is set by the margin and higher_is_better for a test against a "
            f"margin; leave it at its default (got alternative={alternative!r})"
        )
    if not exact and measure != "risk_difference":
        raise InvalidInputError(
            '`measure` must be "risk_difference" for the approximate power against a margin'
            f" (Farrington-Manning); pass exact=True for the {measure.replace('_', ' ')} "
            f"(got measure={measure!r})"
        )
    if isinstance(margin, tuple | list):
        return (
            test,
            _validation.check_margins(measure, margin, "margin"),
            measure,
            "two-sided",
            better,
        )
    value, better = _validation.check_margin(measure, margin, better)
    return test, value, measure, "two-sided", better


def _boundary(p_control: FloatArray, margin: float, measure: str) -> FloatArray:
    """The treatment risk on the margin, for each control risk (nan where it leaves [0, 1])."""
    if measure == "risk_difference":
        p = p_control + margin
    elif measure == "risk_ratio":
        p = p_control * margin
    else:
        p = margin * p_control / (1.0 - p_control + margin * p_control)
    return np.where((p >= 0.0) & (p <= 1.0), p, np.nan)


# ---------------------------------------------------------------------------------------------
# Exact


def _rejection_region(
    test: str,
    n1: int,
    n0: int,
    alpha: float,
    margin: Margin,
    measure: str,
    alternative: str,
    better: bool,
) -> FloatArray:
    """1.0 where the test rejects the table (x1 events of n1, x0 of n0), as an (n1+1, n0+1)
    array; one call of the batch API over every table."""
    _check_cost(test, n1, n0)
    x1, x0 = np.meshgrid(np.arange(n1 + 1), np.arange(n0 + 1), indexing="ij")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RctkitWarning)
        if margin is None:
            p = rkb.hypothesis_test(x1, n1, x0, n0, method=test, alternative=alternative).pvalue
            rejected = np.asarray(p) <= alpha * REJECT_TOLERANCE
        else:
            level = 1.0 - 2.0 * alpha
            try:
                if isinstance(margin, tuple):
                    result = rkb.equivalence(
                        x1,
                        n1,
                        x0,
                        n0,
                        measure=measure,
                        margins=margin,
                        method=test,
                        confidence_level=level,
                    )
                else:
                    result = rkb.noninferiority(
                        x1,
                        n1,
                        x0,
                        n0,
                        measure=measure,
                        margin=margin,
                        method=test,
                        confidence_level=level,
                        higher_is_better=better,
                    )
            except InvalidInputError as exc:
                raise InvalidInputError(str(exc).replace("`method`", "`test`")) from None
            rejected = np.asarray(result.rejected)
    return rejected.astype(np.float64)


def _check_cost(test: str, n1: int, n0: int) -> None:
    tables = (n1 + 1) * (n0 + 1)
    if tables > MAX_TABLES:
        raise CostLimitError(
            f"the exact calculation would enumerate {tables:,} tables ((n_treatment + 1) x "
            f"(n_control + 1) with n_treatment={n1}, n_control={n0}), over the limit of "
            f"{MAX_TABLES:,} (rctkit.power.MAX_TABLES); use exact=False for the normal "
            "approximation"
        )
    cost = tables * (n1 + n0)
    if test in ("fisher", "fisher-midp") and cost > MAX_FISHER_COST:
        raise CostLimitError(
            f"the exact power of {test!r} with n_treatment={n1}, n_control={n0} would cost "
            f"{cost:.3g} (tables x (n_treatment + n_control)), over the limit of "
            f"{MAX_FISHER_COST:.3g} (rctkit.power.MAX_FISHER_COST, about 900 per arm); use "
            'test="chi2" or exact=False'
        )


def _pmf(n: int, p: FloatArray) -> FloatArray:
    """Binomial probabilities, shape (len(p), n + 1)."""
    k = np.arange(n + 1)
    return np.asarray(stats.binom.pmf(k[None, :], n, np.asarray(p, dtype=np.float64)[:, None]))


def _rejection_probability(
    region: FloatArray, p_treatment: FloatArray, p_control: FloatArray
) -> FloatArray:
    """The probability of the region for each pair of risks."""
    n1, n0 = region.shape[0] - 1, region.shape[1] - 1
    f1, f0 = _pmf(n1, p_treatment), _pmf(n0, p_control)
    return np.asarray(np.einsum("gi,ij,gj->g", f1, region, f0))


def _null_size(region: FloatArray, p_control: float, margin: Margin, measure: str) -> float:
    """The rejection probability on the null boundary at this control risk (the larger of
    the two boundaries for equivalence; nan where no boundary risk lies in [0, 1])."""
    sizes = _grid_sizes(region, np.array([p_control]), margin, measure)
    return float(sizes[0])


def _grid_sizes(
    region: FloatArray, p_control: FloatArray, margin: Margin, measure: str
) -> FloatArray:
    if margin is None:
        return _rejection_probability(region, p_control, p_control)
    bounds = margin if isinstance(margin, tuple) else (margin,)
    out = np.full(p_control.shape, np.nan)
    for bound in bounds:
        p1 = _boundary(p_control, bound, measure)
        ok = np.isfinite(p1)
        if ok.any():
            size = _rejection_probability(region, p1[ok], p_control[ok])
            out[ok] = np.fmax(out[ok], size)
    return out


# ---------------------------------------------------------------------------------------------
# Normal approximation


def _approximate(
    test: str,
    p1: float,
    p0: float,
    n1: FloatArray,
    n0: FloatArray,
    alpha: float,
    margin: Margin,
    alternative: str,
    better: bool,
    continuity: bool,
) -> FloatArray:
    """Approximate power for arrays of arm sizes."""
    d = p1 - p0
    sd1 = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    cc = 0.5 * (1.0 / n1 + 1.0 / n0) if continuity else 0.0
    if margin is None:
        pbar = (n1 * p1 + n0 * p0) / (n1 + n0)
        sd0 = np.sqrt(pbar * (1 - pbar) * (1.0 / n1 + 1.0 / n0))
        if alternative == "two-sided":
            z, shift = stats.norm.isf(alpha / 2), abs(d)
        else:
            z, shift = stats.norm.isf(alpha), (d if alternative == "greater" else -d)
        return np.asarray(stats.norm.cdf((shift - cc - z * sd0) / sd1))
    z = stats.norm.isf(alpha)

    def one_side(bound: float, upper: bool) -> FloatArray:
        # upper: H0 effect >= bound (reject for small estimates)
        if test == "wald":
            sd0 = sd1
        else:
            q1, q2, _, _ = risk_difference_cells(np.asarray(bound), n1 * p1, n1, n0 * p0, n0)
            sd0 = np.sqrt(q1 * (1 - q1) / n1 + q2 * (1 - q2) / n0)
        shift = (bound - d) if upper else (d - bound)
        return np.asarray(stats.norm.cdf((shift - cc - z * sd0) / sd1))

    if isinstance(margin, tuple):
        both = one_side(margin[1], True) + one_side(margin[0], False) - 1.0
        return np.maximum(both, 0.0)
    return one_side(margin, not better)


# ---------------------------------------------------------------------------------------------
# Public functions


def power(
    *,
    test: str,
    p_treatment: float,
    p_control: float,
    n_treatment: int,
    n_control: int,
    alpha: float = 0.05,
    exact: bool = True,
    margin: float | tuple[float, float] | None = None,
    measure: str = "risk_difference",
    alternative: str = "two-sided",
    higher_is_better: bool = False,
    continuity: bool = False,
) -> PowerResult:
    """The power of a two-arm test, exact or by the normal approximation.

    Parameters
    ----------
    test : str
        Without a margin, a method of :func:`rctkit.batch.hypothesis_test` (``"chi2"``,
        ``"chi2-yates"``, ``"fisher"``, ``"fisher-midp"``, ``"lr"``, ``"wald"``, ``"mn"``,
        ``"fm"``, ``"barnard"``, ``"boschloo"``...). With a margin, a method of
        :func:`rctkit.batch.noninferiority`: ``"mn"``, ``"fm"``, ``"wald"`` or ``"newcombe"``.
    p_treatment, p_control : float
        The risks assumed in each arm, in [0, 1].
    n_treatment, n_control : int
        The evaluable participants per arm.
    alpha : float, optional
        The significance level. Two-sided for ``alternative="two-sided"``; **one-sided** for a
        test against a margin (the test is the confidence interval at level ``1 - 2 alpha``,
        as :func:`rctkit.noninferiority` with ``confidence_level = 1 - 2 * alpha``).
    exact : bool, optional
        True (default): enumerate every table; False: the normal approximation.
    margin : float or (float, float), optional
        A non-inferiority margin (see :func:`rctkit.noninferiority`), or a pair of
        equivalence margins (see :func:`rctkit.equivalence`), on the scale of ``measure``.
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}, optional
        The scale of the margin; the approximate power takes the risk difference only.
    alternative : {"two-sided", "less", "greater"}, optional
        For the test of no difference; one-sided alternatives as in
        :func:`rctkit.batch.hypothesis_test`.
    higher_is_better : bool, optional
        As in :func:`rctkit.noninferiority`.
    continuity : bool, optional
        The approximate power only: Fleiss's continuity correction, ``(1/n1 + 1/n0) / 2``
        taken off the difference (the correction of Fleiss, Levin and Paik's sample size).

    Returns
    -------
    PowerResult
        With ``power``, ``size`` (the type I error on the null boundary at ``p_control``)
        and ``sentence``. ``size`` is exact (by enumeration) also with ``exact=False``, so
        the approximate power costs the test's run over every table too; beyond the cost
        limits the approximate power is given with ``size`` nan.

    Raises
    ------
    InvalidInputError
        For an unknown test, risks outside [0, 1], arm sizes below 1, or alpha outside
        (0, 0.5).
    CostLimitError
        When an exact calculation would enumerate more than ``MAX_TABLES`` (4 million)
        tables, or, for Fisher's tests, cost more than ``MAX_FISHER_COST`` (tables times
        ``n_treatment + n_control``; about 900 per arm).

    Notes
    -----
    Exact power is the sum, over the tables the test rejects, of
    ``binom.pmf(x1, n1, p_treatment) * binom.pmf(x0, n0, p_control)``. A table is rejected
    where its p-value is at most ``alpha`` (``p <= alpha``, the convention of R's exact2x2
    and SAS PROC POWER, with R's relative allowance ``1e-7`` for rounding), or, with a
    margin, where the batch test's ``rejected`` is True. The test is run once over all
    ``(n1 + 1)(n0 + 1)`` tables; its cost is the batch cost of that many tables (Fisher's
    test: about 1 s at 220 per arm; the exact unconditional tests much more).

    The approximate power without a margin is the normal approximation with the pooled
    variance under H0 and the unpooled variance under H1 (Fleiss, Levin and Paik 2003,
    section 4.2; R's ``power.prop.test``):
    ``Phi((|d| - z_{1-alpha/2} sd0) / sd1)``, the far tail left out as R does. With a margin
    it is Farrington and Manning's (1990): ``sd0`` from the restricted maximum-likelihood
    risks under ``H0: d = margin`` (``"fm"``, ``"mn"``, ``"newcombe"``) or the unpooled
    ``sd1`` (``"wald"``); for equivalence ``max(0, P(lower) + P(upper) - 1)``.

    References
    ----------
    Fleiss JL, Levin B, Paik MC. Statistical Methods for Rates and Proportions, 3rd ed.
    Wiley, 2003. Farrington CP, Manning G. Test statistics and sample size formulae for
    comparative binomial trials with null hypothesis of non-zero risk difference or non-unity
    relative risk. Stat Med 1990;9:1447-54.

    Examples
    --------
    CORE (Lancet 2018) planned 220 per arm for readmission of 38% against 29%:

    >>> import rctkit as rk
    >>> for test in ("chi2", "fisher", "lr", "mn"):
    ...     res = rk.power(test=test, p_treatment=0.29, p_control=0.38, n_treatment=220,
    ...                    n_control=220)
    ...     print(f"{test:6} {res.power:.4f} {res.size:.4f}")
    chi2   0.5172 0.0503
    fisher 0.4777 0.0402
    lr     0.5172 0.0503
    mn     0.5172 0.0503
    >>> res = rk.power(test="chi2", p_treatment=0.29, p_control=0.38, n_treatment=220,
    ...                n_control=220, exact=False)
    >>> round(res.power, 4)
    0.516
    """
    test, margin, measure, alternative, better = _design(
        test,
        margin,
        measure,
        alternative,
        higher_is_better,
        _validation.check_bool(exact, "exact"),
    )
    p1, p0 = _risk(p_treatment, "p_treatment"), _risk(p_control, "p_control")
    n1, n0 = _size(n_treatment, "n_treatment"), _size(n_control, "n_control")
    level = _alpha(alpha)
    continuity = _validation.check_bool(continuity, "continuity")
    region: FloatArray | None = None
    size = math.nan
    affordable = (n1 + 1) * (n0 + 1) <= MAX_TABLES and (
        test not in ("fisher", "fisher-midp") or (n1 + 1) * (n0 + 1) * (n1 + n0) <= MAX_FISHER_COST
    )
    if exact or affordable:
        region = _rejection_region(test, n1, n0, level, margin, measure, alternative, better)
        size = _null_size(region, p0, margin, measure)
    if region is not None and exact:
        value = float(_rejection_probability(region, np.array([p1]), np.array([p0]))[0])
    else:
        value = float(
            _approximate(
                test,
                p1,
                p0,
                np.array([n1]),
                np.array([n0]),
                level,
                margin,
                alternative,
                better,
                continuity,
            )[0]
        )
    return PowerResult(
        test=test,
        exact=bool(exact),
        power=value,
        n_treatment=n1,
        n_control=n0,
        p_treatment=p1,
        p_control=p0,
        alpha=level,
        margin=margin,
        size=size,
        alternative=alternative,
        measure=measure,
    )


def type_one_error(
    *,
    test: str,
    n_treatment: int,
    n_control: int,
    alpha: float = 0.05,
    p_grid: Any = None,
    margin: float | tuple[float, float] | None = None,
    measure: str = "risk_difference",
    alternative: str = "two-sided",
    higher_is_better: bool = False,
) -> TypeOneErrorResult:
    """The largest exact type I error of a test over a grid of the control risk.

    The rejection probability on the null boundary (``p_treatment = p_control``; with a
    margin, the treatment risk on the margin) is computed exactly at every grid point, and
    the maximum returned with its argument. It is a **grid supremum**: a lower bound on the
    supremum over every risk, close to it for a fine grid.

    Parameters
    ----------
    test, n_treatment, n_control, alpha, margin, measure, alternative, higher_is_better
        As in :func:`power`.
    p_grid : array_like of float, optional
        The control risks; default 1001 equally spaced points on [0, 1]. Points whose
        boundary treatment risk leaves [0, 1] are skipped.

    Returns
    -------
    TypeOneErrorResult

    Examples
    --------
    >>> import rctkit as rk
    >>> res = rk.type_one_error(test="chi2", n_treatment=20, n_control=20)
    >>> round(res.size, 4), res.p_control
    (0.0534, 0.313)
    """
    test, margin, measure, alternative, better = _design(
        test, margin, measure, alternative, higher_is_better, True
    )
    n1, n0 = _size(n_treatment, "n_treatment"), _size(n_control, "n_control")
    level = _alpha(alpha)
    if p_grid is None:
        grid = np.linspace(0.0, 1.0, 1001)
    else:
        grid = np.atleast_1d(np.asarray(p_grid, dtype=np.float64)).ravel()
        if grid.size == 0 or not np.all((grid >= 0) & (grid <= 1)):
            raise InvalidInputError(
                f"`p_grid` must be a non-empty array of risks in [0, 1] (got {p_grid!r})"
            )
    region = _rejection_region(test, n1, n0, level, margin, measure, alternative, better)
    sizes = _grid_sizes(region, grid, margin, measure)
    if not np.isfinite(sizes).any():
        raise InvalidInputError(
            "`p_grid` has no control risk whose boundary risk lies in [0, 1] for "
            f"margin={margin!r}"
        )
    best = int(np.nanargmax(sizes))
    return TypeOneErrorResult(
        size=float(sizes[best]),
        p_control=float(grid[best]),
        n_grid=int(np.isfinite(sizes).sum()),
        test=test,
        n_treatment=n1,
        n_control=n0,
        alpha=level,
        margin=margin,
        measure=measure,
    )


def _exact_power(
    test: str,
    arms: tuple[int, int],
    p1: float,
    p0: float,
    level: float,
    margin: Margin,
    measure: str,
    better: bool,
) -> float:
    n1, n0 = arms
    region = _rejection_region(test, n1, n0, level, margin, measure, "two-sided", better)
    return float(_rejection_probability(region, np.array([p1]), np.array([p0]))[0])


def _exact_search(
    exact_power: Any,
    target: float,
    n_approx: int,
    top: int,
    span: int,
    values: dict[int, float],
    bar: Any,
) -> tuple[int, int, int, float]:
    """The bracketing and bisection of :func:`sample_size`; ``values`` keeps every power."""

    def at(n: int) -> float:
        if n not in values:
            values[n] = exact_power(n)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(n_control=n, power=f"{values[n]:.4f}")
        return values[n]

    lo = max(1, (3 * n_approx) // 4)
    while lo > 1 and at(lo) >= target:
        lo = max(1, lo // 2)
    hi = min(max(n_approx, lo + 1), top)
    while at(hi) < target:
        if hi == top:
            raise InvalidInputError(
                f"no control arm up to `max_n`={top} reaches power {target:g} (exact); "
                "raise max_n or check the risks"
            )
        lo, hi = hi, min(2 * hi, top)
    if at(lo) >= target:  # lo == 1
        hi = lo
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if at(mid) >= target else (mid, hi)
    n_first = hi
    bound = min(n_first + span, top)
    n_stable = n_first
    for m in range(n_first + 1, bound + 1):
        if at(m) < target:
            n_stable = m + 1
    # n_stable = bound + 1 when the power is short at the bound
    return n_first, n_stable, bound, at(n_stable)


def sample_size(
    *,
    test: str,
    p_treatment: float,
    p_control: float,
    power: float = 0.8,
    alpha: float = 0.05,
    allocation: float = 1.0,
    dropout: float = 0.0,
    margin: float | tuple[float, float] | None = None,
    measure: str = "risk_difference",
    exact: bool = True,
    higher_is_better: bool = False,
    max_n: int = 5000,
    window: int = 20,
    progress: bool = False,
) -> SampleSizeResult:
    """The smallest trial that gives a test the power wanted.

    Parameters
    ----------
    test, p_treatment, p_control, alpha, margin, measure, higher_is_better
        As in :func:`power` (two-sided alpha without a margin, one-sided with one).
    power : float, optional
        The power wanted, in (0, 1).
    allocation : float, optional
        Treatment participants per control participant: ``n_treatment =
        ceil(allocation * n_control)``.
    dropout : float, optional
        The fraction expected to drop out, in [0, 1): each arm is inflated to
        ``ceil(n / (1 - dropout))``.
    exact : bool, optional
        Exact power (default) or the normal approximation.
    max_n : int, optional
        The largest control arm searched.
    window : int, optional
        Exact power only: ``n_stable`` is checked up to ``min(n_first + window, max_n)``
        (the result's ``n_stable_bound``); default 20.
    progress : bool, optional
        Show a progress bar (tqdm, the ``progress`` extra) with one step per exact power
        computed and the arm size being tried.

    Returns
    -------
    SampleSizeResult
        Randomised numbers per arm (``n_stable`` inflated for drop-out for an exact
        calculation), the power achieved, ``n_first``, ``n_stable`` and ``sentence``.

    Raises
    ------
    InvalidInputError
        For bad arguments, or when no control arm up to ``max_n`` reaches the power.
    SampleSizeInterrupted
        On Ctrl-C during an exact search, with the exact powers finished so far.

    Notes
    -----
    Exact power saw-tooths in n. The search brackets the target between a control arm
    below it (three quarters of the approximate size, halved while the exact power is
    already reached there) and one at or above it (the approximate size, doubled while
    not), and bisects the bracket: ``n_first`` is an n that reaches the target whose
    predecessor does not, the first such n above the bracket's low end when the power rises
    through the bracket once (a saw-tooth tooth lower down is not looked for). It then
    scans ``n_first + 1`` to ``n_first + window`` one n at a time for ``n_stable``, the
    smallest n from which the power never falls below the target within that bound. Each
    step costs one exact power (Fisher's test: about 1.5 s at 450 per arm), so the search
    costs about ``window + 2 log2(n)`` exact powers.

    Examples
    --------
    >>> import rctkit as rk
    >>> res = rk.sample_size(test="chi2", p_treatment=0.29, p_control=0.38, exact=False)
    >>> res.n_control, res.total
    (431, 862)
    """
    test, margin, measure, _, better = _design(
        test,
        margin,
        measure,
        "two-sided",
        higher_is_better,
        _validation.check_bool(exact, "exact"),
    )
    p1, p0 = _risk(p_treatment, "p_treatment"), _risk(p_control, "p_control")
    level = _alpha(alpha)
    target = _validation.check_real(power, "power")
    if not 0.0 < target < 1.0:
        raise InvalidInputError(f"`power` must lie strictly between 0 and 1 (got power={power!r})")
    ratio = _validation.check_real(allocation, "allocation")
    if not 0.0 < ratio <= 100.0:
        raise InvalidInputError(
            f"`allocation` must lie in (0, 100] (got allocation={allocation!r})"
        )
    loss = _validation.check_real(dropout, "dropout")
    if not 0.0 <= loss < 1.0:
        raise InvalidInputError(f"`dropout` must lie in [0, 1) (got dropout={dropout!r})")
    top = _size(max_n, "max_n")
    span = _validation.as_count(window, "window")
    show = _validation.check_bool(progress, "progress")

    def arms(n: int) -> tuple[int, int]:
        return math.ceil(ratio * n), n

    ns = np.arange(1, top + 1, dtype=np.float64)
    approx = _approximate(
        test, p1, p0, np.ceil(ratio * ns), ns, level, margin, "two-sided", better, False
    )
    reached = np.flatnonzero(approx >= target)
    n_approx = int(ns[reached[0]]) if reached.size else top

    if not exact:
        if not reached.size:
            raise InvalidInputError(
                f"no control arm up to `max_n`={top} reaches power {target:g} (normal "
                "approximation); raise max_n or check the risks"
            )
        n_first = n_stable = bound = n_approx
        achieved = float(approx[n_approx - 1])
    else:
        bar = progress_bar(show, total=None, desc="rctkit.sample_size", unit="power")
        values: dict[int, float] = {}
        try:
            n_first, n_stable, bound, achieved = _exact_search(
                lambda n: _exact_power(test, arms(n), p1, p0, level, margin, measure, better),
                target,
                n_approx,
                top,
                span,
                values,
                bar,
            )
        except KeyboardInterrupt as exc:
            raise SampleSizeInterrupted(values) from exc
        finally:
            if bar is not None:
                bar.close()

    n1, n0 = arms(n_stable)
    n1, n0 = math.ceil(n1 / (1.0 - loss) - 1e-9), math.ceil(n0 / (1.0 - loss) - 1e-9)
    return SampleSizeResult(
        n_treatment=n1,
        n_control=n0,
        total=n1 + n0,
        power=achieved,
        target_power=target,
        n_first=n_first,
        n_stable=n_stable,
        n_stable_bound=bound,
        test=test,
        exact=bool(exact),
        p_treatment=p1,
        p_control=p0,
        alpha=level,
        margin=margin,
        allocation=ratio,
        dropout=loss,
        measure=measure,
    )
