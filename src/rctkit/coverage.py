"""The exact coverage of a confidence-interval method, over a grid of true risks.

:func:`coverage` enumerates every table two arms of the given sizes can produce, computes the
interval of the method for each of them once (through :mod:`rctkit.batch`: the intervals do
not depend on the true risks), and then, at each grid point, adds up the binomial
probabilities of the tables whose interval contains the true effect. No simulation is
involved: the numbers are exact up to floating point. See :doc:`/coverage`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

from rctkit import batch
from rctkit._validation import as_count, check_choice, check_confidence_level, check_real
from rctkit.errors import CostLimitError, InvalidInputError, RctkitWarning
from rctkit.results import FloatArray
from rctkit.results.coverage import CoverageResult

__all__ = ["MAX_TABLES", "coverage"]

#: The most tables (``(n_treatment + 1) * (n_control + 1)``) one call enumerates: about 2000
#: per arm. The weighting costs time in proportion to tables x grid points.
MAX_TABLES = 4_000_000

#: Elements of one (grid points x tables) block of the weighting: bounds its memory (about
#: 32 MiB of float64 per temporary).
_BLOCK = 1 << 22

_MEASURES = ("risk_difference", "risk_ratio", "odds_ratio")
_NULL = {"risk_difference": 0.0, "risk_ratio": 1.0, "odds_ratio": 1.0}


def _probability_array(value: Any, name: str) -> FloatArray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInputError(f"`{name}` must be numbers (got {value!r})") from None
    if array.size and not (np.all(np.isfinite(array)) and array.min() >= 0 and array.max() <= 1):
        bad = array[~(np.isfinite(array) & (array >= 0) & (array <= 1))][0]
        raise InvalidInputError(f"`{name}` must hold risks between 0 and 1 (got {bad!r})")
    return array


def _grid(p_grid: Any, measure: str, effect: Any) -> tuple[FloatArray, FloatArray]:
    """The true risks (treatment, control) of each grid point."""
    if isinstance(p_grid, str | bytes) or not isinstance(p_grid, Sequence | np.ndarray):
        raise InvalidInputError(
            f"`p_grid` must be a sequence of (p_treatment, p_control) pairs, or of control "
            f"risks with `effect` (got {type(p_grid).__name__})"
        )
    grid = _probability_array(p_grid, "p_grid")
    if effect is None:
        if grid.ndim != 2 or grid.shape[1] != 2:
            raise InvalidInputError(
                f"`p_grid` must be a sequence of (p_treatment, p_control) pairs when "
                f"`effect` is None (got an array of shape {grid.shape})"
            )
        p1, p0 = grid[:, 0].copy(), grid[:, 1].copy()
    else:
        if grid.ndim != 1:
            raise InvalidInputError(
                f"`p_grid` must be one-dimensional (control risks) when `effect` is given "
                f"(got an array of shape {grid.shape})"
            )
        value = check_real(effect, "effect")
        p0 = grid.copy()
        if measure == "risk_difference":
            p1 = p0 + value
        elif value <= 0:
            raise InvalidInputError(f"`effect` must be positive for a ratio (got {value!r})")
        elif measure == "risk_ratio":
            p1 = value * p0
        else:
            odds = value * p0 / np.where(p0 < 1, 1 - p0, np.nan)
            p1 = np.where(p0 < 1, odds / (1 + odds), 1.0)
        bad = (p1 < 0) | (p1 > 1)
        if np.any(bad):
            raise InvalidInputError(
                f"`effect`={value!r} on the {measure} scale makes a treatment risk outside "
                f"[0, 1] (control risk {p0[bad][0]!r} gives {p1[bad][0]!r})"
            )
        p1 = np.clip(p1, 0.0, 1.0)
    if p1.size == 0:
        raise InvalidInputError("`p_grid` must hold at least one grid point (got none)")
    return p1, p0


def _true_value(measure: str, p1: FloatArray, p0: FloatArray) -> FloatArray:
    if measure == "risk_difference":
        return p1 - p0
    if measure == "risk_ratio":
        undefined = (p1 == 0) | (p0 == 0)
        words = "risks of 0 in either arm (a risk ratio of 0, infinity or 0/0)"
    else:
        undefined = (p1 == 0) | (p1 == 1) | (p0 == 0) | (p0 == 1)
        words = "risks of 0 or 1 in either arm (an odds ratio of 0, infinity or 0/0)"
    if np.any(undefined):
        i = int(np.flatnonzero(undefined)[0])
        raise InvalidInputError(
            f"`p_grid` must not hold {words} for measure={measure!r}: the true value is not a "
            f"finite positive number (got p_treatment={p1[i]!r}, p_control={p0[i]!r})"
        )
    if measure == "risk_ratio":
        return p1 / p0
    return (p1 / (1 - p1)) / (p0 / (1 - p0))


def coverage(
    method: str,
    *,
    measure: str,
    n_treatment: int,
    n_control: int,
    p_grid: Any,
    effect: float | None = None,
    confidence_level: float = 0.95,
) -> CoverageResult:
    """The exact coverage of an interval method at each point of a grid of true risks.

    Parameters
    ----------
    method : str
        An interval method of ``measure``, as in :data:`rctkit.batch.EFFECT_METHODS` (e.g.
        ``"wald"``, ``"newcombe"``, ``"mn"`` for the risk difference).
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}
        The effect measure, treatment against control.
    n_treatment, n_control : int
        The arms' sizes (at least 1 each).
    p_grid : sequence
        The true risks. Either a sequence of ``(p_treatment, p_control)`` pairs (an array of
        shape ``(k, 2)``), or, with ``effect``, a one-dimensional sequence of control risks.
    effect : float, optional
        The true effect held fixed on the measure's scale; each grid point's treatment risk
        is derived from its control risk: ``p_control + effect`` (risk difference),
        ``effect * p_control`` (risk ratio) or the risk whose odds are ``effect`` times the
        control's (odds ratio). Every derived risk must lie in [0, 1].
    confidence_level : float, optional
        The nominal level of the intervals (default 0.95).

    Returns
    -------
    CoverageResult
        Arrays with one element per grid point: ``coverage``, the two tails ``below`` and
        ``above``, Newcombe's ``mesial`` and ``distal`` non-coverage, ``undefined``; and
        ``minimum``, ``mean``, ``proportion_below_nominal`` and ``to_frame()``.

    Raises
    ------
    InvalidInputError
        If the measure or method is unknown, an arm size is not a positive integer, a risk
        lies outside [0, 1], a ratio's true value is 0, infinite or undefined on the grid (a
        risk of 0, or of 1 for the odds ratio), or ``effect`` makes a risk outside [0, 1].
    CostLimitError
        If the arms have more than :data:`rctkit.coverage.MAX_TABLES` tables between them,
        or the method's own cost limit refuses the tables (the exact unconditional
        intervals).

    Notes
    -----
    With ``n1`` and ``n0`` the arm sizes, the ``(n1 + 1)(n0 + 1)`` tables ``(x1, x0)`` are
    enumerated once and the interval ``[L, U]`` of each is computed once, through
    :mod:`rctkit.batch`. At a grid point with true risks ``(p1, p0)`` and true effect
    ``theta``, a table has probability ``Bin(x1; n1, p1) Bin(x0; n0, p0)``, and

    - ``coverage`` is the probability of ``L <= theta <= U``;
    - ``below`` of ``U < theta`` and ``above`` of ``L > theta``;
    - ``undefined`` of an interval with a nan limit, or of zero width at ``theta``.

    An interval of zero width never covers (Newcombe's aberration): ``[x, x]`` counts in
    ``below`` or ``above`` by which side of ``theta`` it lies, and in ``undefined`` when
    ``x == theta``. The four add up to 1.

    Following Newcombe (1998), non-coverage is also split by its location relative to the
    null (0 for the difference, 1 for the ratios): *mesial* non-coverage is an interval
    lying wholly on the null's side of ``theta`` (it is too close to the null: it
    underestimates the effect's size), *distal* non-coverage one lying wholly beyond
    ``theta`` away from the null (it overstates the effect). Where ``theta`` is the null
    both are nan. The weighting is computed in blocks of grid points x tables of at most
    about four million elements.

    The method's warnings about single tables (zero cells, zero-width intervals) are not
    raised: every possible table is enumerated, the degenerate ones included, and their
    intervals count as above.

    References
    ----------
    Newcombe RG. Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Stat Med 1998;17:873-890.

    Fagerland MW, Lydersen S, Laake P. Recommended confidence intervals for two independent
    binomial proportions. Stat Methods Med Res 2015;24:224-254.

    Examples
    --------
    >>> import rctkit as rk
    >>> grid = [(0.3, 0.1), (0.5, 0.5)]
    >>> wald = rk.coverage("wald", measure="risk_difference", n_treatment=20,
    ...                    n_control=20, p_grid=grid)
    >>> wald.coverage.round(4)
    array([0.9355, 0.9193])
    >>> newcombe = rk.coverage("newcombe", measure="risk_difference", n_treatment=20,
    ...                        n_control=20, p_grid=grid)
    >>> bool(newcombe.minimum > wald.minimum)
    True
    """
    measure = check_choice(measure, "measure", _MEASURES)
    method = check_choice(method, "method", batch.EFFECT_METHODS[measure])
    level = check_confidence_level(confidence_level)
    n1 = as_count(n_treatment, "n_treatment")
    n0 = as_count(n_control, "n_control")
    for name, n in (("n_treatment", n1), ("n_control", n0)):
        if n < 1:
            raise InvalidInputError(f"`{name}` must be at least 1 (got {name}={n})")
    n_tables = (n1 + 1) * (n0 + 1)
    if n_tables > MAX_TABLES:
        raise CostLimitError(
            f"coverage of {n1} vs {n0} per arm enumerates {n_tables} tables, over the limit "
            f"of {MAX_TABLES} (about 2000 per arm); simulate tables with rctkit.batch instead"
        )
    p1, p0 = _grid(p_grid, measure, effect)
    theta = _true_value(measure, p1, p0)

    x1 = np.repeat(np.arange(n1 + 1), n0 + 1)
    x0 = np.tile(np.arange(n0 + 1), n1 + 1)
    function = getattr(batch, measure)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RctkitWarning)
        intervals = function(x1, n1, x0, n0, method=method, confidence_level=level)
    low = np.asarray(intervals.low, dtype=float).reshape(n1 + 1, n0 + 1)
    high = np.asarray(intervals.high, dtype=float).reshape(n1 + 1, n0 + 1)
    nan = np.isnan(low) | np.isnan(high)
    zero_width = ~nan & (low == high)

    # Binomial probabilities of each arm's count at each grid point: (k, n + 1).
    w1 = stats.binom.pmf(np.arange(n1 + 1)[None, :], n1, p1[:, None])
    w0 = stats.binom.pmf(np.arange(n0 + 1)[None, :], n0, p0[:, None])
    k = theta.size
    covered, below, above, undefined = (np.empty(k) for _ in range(4))
    step = max(1, _BLOCK // n_tables)
    for start in range(0, k, step):
        t = theta[start : start + step, None, None]
        a, b = w1[start : start + step], w0[start : start + step]
        is_below = ~nan & (high < t)
        is_above = ~nan & (low > t)
        is_covered = ~nan & ~zero_width & (low <= t) & (t <= high)
        # The weight of table (x1, x0) is w1[x1] * w0[x0]: sum over both counts at once.
        is_undefined = nan | (zero_width & (low == t))
        for out, mask in (
            (covered, is_covered),
            (below, is_below),
            (above, is_above),
            (undefined, is_undefined),
        ):
            out[start : start + step] = np.einsum("gi,gij,gj->g", a, mask.astype(float), b)
    null = _NULL[measure]
    mesial = np.where(theta > null, below, np.where(theta < null, above, math.nan))
    distal = np.where(theta > null, above, np.where(theta < null, below, math.nan))
    return CoverageResult(
        measure=measure,
        method=method,
        n_treatment=n1,
        n_control=n0,
        confidence_level=level,
        p_treatment=p1,
        p_control=p0,
        true_value=theta,
        coverage=covered,
        below=below,
        above=above,
        mesial=mesial,
        distal=distal,
        undefined=undefined,
    )
