"""The count-based Monte Carlo and exact bootstrap of one two-arm table."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from rctkit import _validation, _warnings
from rctkit._engine import check_outcome
from rctkit.bootstrap._core import (
    MAX_RESAMPLES,
    MEASURES,
    METHODS,
    BootstrapEstimate,
    BootstrapMeasure,
    FloatArray,
    IntArray,
    _Distribution,
    acceleration,
    plug_in,
    summarise,
)
from rctkit.errors import CostLimitError
from rctkit.model import BinaryOutcome

#: Monte Carlo: probability left out of each tail of each arm's binomial distribution.
MONTE_CARLO_TAIL = 1e-16

#: Exact bootstrap: probability left out of each tail of each arm's binomial distribution.
EXACT_TAIL = 1e-20

#: Exact bootstrap: the most pairs :math:`(a^*, c^*)` enumerated (a few hundred MB).
EXACT_MAX_PAIRS = 10_000_000

#: Monte Carlo: above this many candidate pairs per resample the pairs are drawn one by one.
GRID_PAIRS_PER_RESAMPLE = 4

#: Monte Carlo with pairs drawn one by one: the most resamples (about 1 GB of draws).
MAX_DRAWN_RESAMPLES = 30_000_000

#: Log of the probability outside the range the binomial supports are computed on (1e-300).
_LOG_FAR = 690.8


def _reach(events: int, total: int) -> float:
    """A distance from the mean beyond which ``Bin(total, events/total)`` has probability
    below 2e-300: the smaller of Hoeffding's and Bernstein's bounds (Bernstein's is far
    tighter for rare events: about 2400 rather than 1.9e7 for 1000 events among 1e12)."""
    p = events / total
    variance = total * p * (1.0 - p)
    hoeffding = math.sqrt(total * _LOG_FAR / 2.0)
    # 2 exp(-t^2 / (2 (variance + t / 3))) <= 2e-300 at this t.
    bernstein = _LOG_FAR / 3.0 + math.sqrt((_LOG_FAR / 3.0) ** 2 + 2.0 * _LOG_FAR * variance)
    return min(hoeffding, bernstein)


def _expected_width(events: int, total: int) -> float:
    """About how many counts :func:`_binomial_support` keeps: the central range of a normal
    distribution holding all but 1e-20 in each tail (9.3 standard deviations each way)."""
    if events in (0, total):
        return 1.0
    p = events / total
    return 18.6 * math.sqrt(total * p * (1.0 - p)) + 1.0


def _binomial_support(events: int, total: int, tail: float) -> tuple[int, FloatArray, float]:
    """The resampled count's distribution Bin(total, events/total) without its far tails.

    Returns the smallest count kept, the probabilities of the kept counts and the probability
    left out. The far tails are cut first by Hoeffding's bound (outside mass below 1e-300),
    then each tail whose cumulative probability is at most ``tail`` is dropped.
    """
    if events in (0, total):
        return events, np.ones(1), 0.0
    p = events / total
    reach = _reach(events, total)  # P(|X - np| >= reach) <= 2e-300
    lo = max(0, math.floor(total * p - reach))
    hi = min(total, math.ceil(total * p + reach))
    k = np.arange(lo, hi + 1)
    from scipy import stats  # about 0.4 s to import: only when a bootstrap runs

    pmf = np.asarray(stats.binom.pmf(k, total, p), dtype=np.float64)
    left = np.cumsum(pmf)
    right = np.cumsum(pmf[::-1])[::-1]
    first = int(np.searchsorted(left, tail, side="right"))
    last = len(pmf) - 1 - int(np.searchsorted(right[::-1], tail, side="right"))
    dropped = float(left[first - 1] if first > 0 else 0.0) + float(
        right[last + 1] if last + 1 < len(pmf) else 0.0
    )
    return lo + first, pmf[first : last + 1], dropped


def _grid(start1: int, size1: int, start2: int, size2: int) -> tuple[IntArray, IntArray]:
    """Every pair of counts ``start1 + i``, ``start2 + j``, with ``j`` varying fastest."""
    a = np.repeat(np.arange(start1, start1 + size1, dtype=np.int64), size2)
    c = np.tile(np.arange(start2, start2 + size2, dtype=np.int64), size1)
    return a, c


def _refuse_exact(pairs: float, n1: int, n2: int) -> None:
    raise CostLimitError(
        f"`n_resamples=None` (the exact bootstrap) would enumerate {pairs:,.0f} pairs of "
        f"resampled counts for arms of {n1} and {n2}, more than {EXACT_MAX_PAIRS:,}: "
        "pass a number of Monte Carlo resamples instead, e.g. n_resamples=100_000"
    )


def _exact_distribution(measure: str, a: int, n1: int, c: int, n2: int) -> _Distribution:
    # Refuse before computing anything: the supports of huge arms alone take gigabytes.
    expected = _expected_width(a, n1) * _expected_width(c, n2)
    if expected > EXACT_MAX_PAIRS:
        _refuse_exact(expected, n1, n2)
    start1, pmf1, out1 = _binomial_support(a, n1, EXACT_TAIL)
    start2, pmf2, out2 = _binomial_support(c, n2, EXACT_TAIL)
    pairs = pmf1.size * pmf2.size
    if pairs > EXACT_MAX_PAIRS:
        _refuse_exact(pairs, n1, n2)
    a_star, c_star = _grid(start1, pmf1.size, start2, pmf2.size)
    probs = np.outer(pmf1, pmf2).ravel()
    probs /= probs.sum()
    values = plug_in(measure, a_star, n1, c_star, n2)
    return _Distribution(a_star, c_star, probs, values, out1 + out2)


def _monte_carlo_distribution(
    measure: str, a: int, n1: int, c: int, n2: int, n_resamples: int, rng: np.random.Generator
) -> _Distribution:
    grid = _expected_width(a, n1) * _expected_width(c, n2) <= 2 * GRID_PAIRS_PER_RESAMPLE * (
        n_resamples
    )
    if grid:
        start1, pmf1, out1 = _binomial_support(a, n1, MONTE_CARLO_TAIL)
        start2, pmf2, out2 = _binomial_support(c, n2, MONTE_CARLO_TAIL)
        grid = pmf1.size * pmf2.size <= GRID_PAIRS_PER_RESAMPLE * n_resamples
    if grid:
        # One multinomial draw over the grid of pairs: the histogram of the B resampled pairs.
        probs = np.outer(pmf1 / pmf1.sum(), pmf2 / pmf2.sum()).ravel()
        counts = rng.multinomial(n_resamples, probs / probs.sum())
        keep = np.flatnonzero(counts)
        a_star = start1 + keep // pmf2.size
        c_star = start2 + keep % pmf2.size
        weights = counts[keep].astype(np.int64)
        truncated = out1 + out2
    else:
        # Far more pairs than resamples (huge arms, few resamples): draw each resample.
        if n_resamples > MAX_DRAWN_RESAMPLES:
            raise CostLimitError(
                f"`n_resamples` must be at most {MAX_DRAWN_RESAMPLES:,} for arms of {n1} and "
                f"{n2}, whose resamples are drawn one by one (about 40 bytes each; got "
                f"n_resamples={n_resamples:,}): a score or exact interval needs no resampling"
            )
        a_draw = rng.binomial(n1, a / n1, size=n_resamples)
        c_draw = rng.binomial(n2, c / n2, size=n_resamples)
        if (n1 + 1) * (n2 + 1) < 2**63:  # Python ints: the codes fit in int64
            codes, counts = np.unique(a_draw * np.int64(n2 + 1) + c_draw, return_counts=True)
            a_star, c_star = codes // (n2 + 1), codes % (n2 + 1)
        else:
            drawn = np.stack([a_draw, c_draw], axis=1)
            pairs, counts = np.unique(drawn, axis=0, return_counts=True)
            a_star, c_star = pairs[:, 0], pairs[:, 1]
        weights = counts.astype(np.int64)
        truncated = 0.0
    a_star = a_star.astype(np.int64)
    c_star = c_star.astype(np.int64)
    values = plug_in(measure, a_star, n1, c_star, n2)
    return _Distribution(a_star, c_star, weights, values, truncated)


# ---------------------------------------------------------------------------------------------
# The public function


def _check_arguments(
    outcome: Any,
    measure: Any,
    method: Any,
    n_resamples: Any,
    confidence_level: Any,
    rng: Any,
) -> tuple[BinaryOutcome, BootstrapMeasure, str, int | None, float, np.random.Generator]:
    outcome = check_outcome(outcome)
    measure = _validation.check_choice(measure, "measure", MEASURES)
    method = _validation.check_choice(method, "method", METHODS)
    n_resamples = _validation.check_n_resamples(
        n_resamples, minimum=2, maximum=MAX_RESAMPLES, allow_none=True
    )
    level = _validation.check_confidence_level(confidence_level)
    generator = _validation.check_rng(rng)  # validated although the exact bootstrap draws nothing
    return outcome, measure, method, n_resamples, level, generator


def bootstrap(
    outcome: BinaryOutcome,
    *,
    measure: str = "odds_ratio",
    method: str = "percentile",
    n_resamples: int | None = 9999,
    confidence_level: float = 0.95,
    rng: int | np.random.Generator | None = None,
) -> BootstrapEstimate:
    r"""A bootstrap confidence interval for an effect measure, resampling within arms.

    Parameters
    ----------
    outcome : BinaryOutcome
        The two arms' counts.
    measure : {"odds_ratio", "risk_ratio", "risk_difference"}, optional
        The effect measure, treatment against control; default ``"odds_ratio"``.
    method : {"percentile", "basic", "bca"}, optional
        The interval: Efron's percentile interval (default), the basic (reverse percentile)
        interval, or the bias-corrected and accelerated (BCa) interval.
    n_resamples : int or None, optional
        The number of Monte Carlo resamples :math:`B` (default 9999), or None for the exact
        bootstrap: the limit :math:`B \to \infty`, computed by enumeration without Monte
        Carlo error.
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.
    rng : None, int or numpy.random.Generator, optional
        The random numbers: a Generator is used as given, an integer seeds
        ``numpy.random.default_rng`` (the same seed gives the same result), None draws fresh
        entropy. Not used by the exact bootstrap.

    Returns
    -------
    BootstrapEstimate
        An :class:`~rctkit.Estimate` whose ``estimate`` is the plug-in estimate on the observed
        table and whose ``pvalue`` is None (no test goes with a bootstrap interval), with the
        bootstrap distribution: the distinct resampled pairs ``treatment_events``,
        ``control_events``, their ``weights`` and the statistic's ``values``.

    Raises
    ------
    InvalidInputError
        If ``outcome`` is not a BinaryOutcome, ``measure`` or ``method`` is unknown,
        ``n_resamples`` is not an integer of at least 2 or None, ``confidence_level`` is
        outside (0, 1) or ``rng`` is not None, a non-negative integer or a Generator.
    CostLimitError
        (An InvalidInputError.) For the exact bootstrap of arms so large that more than ten
        million pairs would be enumerated (refused before anything is computed); and for more
        than 30 million resamples of arms so large that each resample is drawn on its own.

    Warns
    -----
    RctkitWarning
        When an arm has no events or only events (that arm's resampled count never varies, so
        the interval ignores its uncertainty); when some replicates have an undefined measure
        (they are left out; see Notes); when a basic limit is clipped to the parameter space;
        when the BCa interval is undefined; when ``n_resamples`` is too few for the level
        (fewer than :math:`2/\alpha - 1`, so that the limits are the extreme replicates).

    Notes
    -----
    *Resampling.* Participants are resampled with replacement within each arm, keeping the arm
    sizes, so a replicate is a pair :math:`a^* \sim \mathrm{Bin}(n_1, a/n_1)`,
    :math:`c^* \sim \mathrm{Bin}(n_2, c/n_2)` -- the same distribution as
    ``scipy.stats.bootstrap`` on the individual 0/1 outcomes of the two arms. With
    ``n_resamples=B`` the histogram of the :math:`B` pairs is drawn as one multinomial draw over
    the pairs (each binomial is cut where a tail's probability falls below ``1e-16``; the
    probability cut, ``truncated_mass``, is reported and the rest renormalised; when the pairs
    outnumber the resamples four to one, as with very large arms, the :math:`B` pairs are drawn
    directly instead). With ``n_resamples=None`` every pair is enumerated with its probability;
    only binomial tails of probability below ``1e-20`` each are left out -- less than the
    rounding error of the float64 sums that form the distribution function.

    *Cost.* Monte Carlo: time and memory grow with the smaller of the number of pairs
    (about :math:`(19\sigma_1 + 1)(19\sigma_2 + 1)`, :math:`\sigma_i` the binomial standard
    deviations) and ``n_resamples``; a million resamples of CORE take about 0.1 s, and arms of
    ``MAX_COUNT`` cost the same as arms of a million. Exact: memory is about 50 bytes per
    pair, at most ten million pairs (0.5 GB, arms of about 20,000 at a risk of one half).

    *The statistic* is the plug-in estimate, :math:`\hat\theta^* = a^*d^*/(b^*c^*)`,
    :math:`(a^*/n_1)/(c^*/n_2)` or :math:`a^*/n_1 - c^*/n_2`, computed once per distinct pair
    (see ``plug_in``). Nothing is added to zero cells: a ratio is 0 or ``inf`` and enters
    the quantiles as such. Where the measure is undefined (0/0: no events in both resampled arms
    for the ratios; for the odds ratio also only events in both), the replicate is left out
    and the interval is that of the defined replicates; the fraction left out is reported as
    ``undefined`` with a warning. (``scipy.stats.bootstrap`` returns a ``nan`` interval then.)

    *Percentile*: :math:`[\hat\theta^*_{(\alpha/2)}, \hat\theta^*_{(1-\alpha/2)}]`.
    *Basic*: :math:`[2\hat\theta - \hat\theta^*_{(1-\alpha/2)},
    2\hat\theta - \hat\theta^*_{(\alpha/2)}]`, clipped to :math:`[0, \infty]` for ratios and
    :math:`[-1, 1]` for the difference, with a warning when clipped (``scipy`` does not clip).
    *BCa*: the quantiles at :math:`\alpha_{1,2} = \Phi(\hat z_0 + (\hat z_0 + z_{\alpha/2,
    1-\alpha/2})/(1 - \hat a(\hat z_0 + z_{\alpha/2, 1-\alpha/2})))` with
    :math:`\hat z_0 = \Phi^{-1}((\#\{\hat\theta^* < \hat\theta\} +
    \#\{\hat\theta^* \le \hat\theta\})/2B)` (ties counted half, as ``scipy``) and the jackknife
    acceleration :math:`\hat a` in closed form (see ``acceleration``). BCa is undefined,
    ``nan`` with a warning, when :math:`\hat z_0` is infinite or a left-out table makes the
    statistic infinite or undefined (e.g. an odds ratio with one non-event in an arm).

    *Quantiles.* For Monte Carlo, :math:`\hat\theta^*_{(p)}` is ``scipy.stats.quantile`` with
    ``method="linear"`` (numpy's default) of the :math:`B` replicate values, computed from the
    weighted pairs: the interval equals ``scipy.stats.bootstrap``'s on the same replicate set.
    Where an infinite replicate takes part in the interpolation, the limit is taken (scipy and
    numpy give ``nan``). For the exact bootstrap it is the inverse distribution function
    :math:`\inf\{x : F(x) \ge p\}`, the limit of the former as :math:`B \to \infty`.

    *Zero cells.* With no events (or only events) in an arm, that arm's resampled count is
    always the observed one and the bootstrap ignores its sampling variation; the interval is
    usually degenerate (e.g. ``[0, 0]`` for an odds ratio with no treatment events) and a
    warning is issued. Prefer an exact or score interval then. With no events in both arms a
    ratio is undefined everywhere: estimate and interval are ``nan``.

    References
    ----------
    Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall, 1993
    (chapters 13-14: percentile and BCa intervals).
    Davison AC, Hinkley DV. Bootstrap Methods and their Application. Cambridge University
    Press, 1997 (section 5.2: the basic interval).
    Fisher MR, Hall P. Bootstrap algorithms for small samples. J Stat Plan Inference
    1991;27:157-69 (exact bootstrap distributions by enumeration).

    Examples
    --------
    >>> import rctkit as rk
    >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    >>> res = bootstrap(core, method="bca", n_resamples=100_000, rng=2018)
    >>> print(f"{res.estimate:.3f} ({res.ci.low:.3f} to {res.ci.high:.3f})")
    0.666 (0.444 to 0.987)
    >>> exact = bootstrap(core, measure="risk_difference", n_resamples=None)
    >>> print(f"{exact.ci.low:.4f} to {exact.ci.high:.4f}")
    -0.1784 to -0.0029
    """
    outcome, measure, method, n_resamples, level, generator = _check_arguments(
        outcome, measure, method, n_resamples, confidence_level, rng
    )
    a, n1 = outcome.treatment.events, outcome.treatment.total
    c, n2 = outcome.control.events, outcome.control.total
    estimate = float(plug_in(measure, np.array(a), n1, np.array(c), n2))

    if n_resamples is not None and (n_resamples + 1) * (1.0 - level) / 2.0 < 1.0:
        _warnings.warn(
            f"n_resamples={n_resamples} is too few for a {level:.6g} interval: its limits are "
            f"the smallest and largest replicates, and their coverage is unreliable (use at "
            f"least {math.ceil(2.0 / (1.0 - level)):,})"
        )
    if a in (0, n1) or c in (0, n2):
        _warnings.warn(
            "the table has an arm with no events or only events: its resampled count never "
            "varies, so "
            "the bootstrap interval ignores that arm's uncertainty (consider an exact or score "
            "interval)"
        )
    if n_resamples is None:
        dist = _exact_distribution(measure, a, n1, c, n2)
    else:
        dist = _monte_carlo_distribution(measure, a, n1, c, n2, n_resamples, generator)
    return summarise(
        dist,
        estimate=estimate,
        measure=measure,
        method=method,
        level=level,
        n_resamples=n_resamples,
        accel=lambda: acceleration(measure, a, n1, c, n2),
        statistic_name=measure.replace("_", " "),
    )
