"""The covariate-adjusted odds ratio: :func:`adjusted_odds_ratio` and its result, with Wald,
profile-likelihood and bootstrap intervals."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from rctkit import _warnings
from rctkit._validation import (
    check_choice,
    check_confidence_level,
    check_n_resamples,
    check_rng,
)
from rctkit.adjusted.design import Design, build_design
from rctkit.adjusted.glm import (
    LogisticFit,
    fit_glm,
    inverse,
    newton_logistic,
    wide_factor,
)
from rctkit.adjusted.mixed import RandomInterceptModel
from rctkit.adjusted.profile import Constrained, profile_limits, warn_unbounded
from rctkit.adjusted.resample import check_resamples_cost, percentile, refit_chunks
from rctkit.adjusted.separated_levels import set_aside_constant_levels
from rctkit.errors import InvalidInputError, RctkitError
from rctkit.results import ConfidenceInterval, Estimate, Row, short_number

__all__ = ["AdjustedEstimate", "Coefficient", "adjusted_odds_ratio"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

METHODS = ("profile", "wald", "bootstrap")
BOOTSTRAP_ALTERNATIVE = 'method="profile" (no resampling)'


@attrs.frozen
class Coefficient:
    """One row of the fitted model's coefficient table (log-odds scale).

    Attributes
    ----------
    name : str
        ``"(Intercept)"``, ``"arm[T.<treatment>]"``, a covariate's name, or
        ``"<factor>[T.<level>]"`` for a factor's dummy.
    estimate, std_error : float
        The coefficient and its standard error (inverse observed information).
    statistic, pvalue : float
        Wald z and its two-sided p-value.
    """

    name: str
    estimate: float
    std_error: float
    statistic: float
    pvalue: float


@attrs.frozen(repr=False)
class AdjustedEstimate(Estimate):
    """An adjusted odds ratio with the fitted model behind it.

    Besides the :class:`~rctkit.Estimate` fields:

    Attributes
    ----------
    std_error : float
        Standard error of the log odds ratio (Wald).
    statistic : float or None
        The statistic of the test behind ``pvalue``: the likelihood-ratio chi-squared (1 df)
        for ``"profile"`` (penalised for Firth), Wald z for ``"wald"``; None for
        ``"bootstrap"``, whose ``pvalue`` is None.
    coefficients : tuple of Coefficient
        The full model's coefficient table (log-odds scale, Wald statistics).
    n_used, n_dropped : int
        Participants analysed, and rows dropped for missing values (``missing="drop"``).
    log_likelihood : float
        Maximised log-likelihood (penalised for Firth; the quadrature approximation of the
        marginal log-likelihood for a random-intercept model).
    firth : bool
        Whether the Jeffreys-penalised (Firth) likelihood was used.
    random_intercept_sd : float or None
        The random intercepts' standard deviation :math:`\\sigma` (None without one).
    n_failed : int
        Bootstrap resamples whose refit did not converge (separated resamples); 0 otherwise.
    """

    std_error: float = math.nan
    statistic: float | None = None
    coefficients: tuple[Coefficient, ...] = ()
    n_used: int = 0
    n_dropped: int = 0
    log_likelihood: float = math.nan
    firth: bool = False
    random_intercept_sd: float | None = None
    n_failed: int = 0
    n_resamples: int | None = None

    @property
    def random_intercept_variance(self) -> float | None:
        """:math:`\\sigma^2`, as lme4 reports it (None without a random intercept)."""
        sd = self.random_intercept_sd
        return None if sd is None else sd * sd

    def _title(self) -> str:
        return "Adjusted odds ratio" + (" (Firth)" if self.firth else "")

    def _rows(self) -> list[Row]:
        rows = super()._rows()
        rows.append(Row("Participants", str(self.n_used)))
        if self.n_dropped:
            rows.append(
                Row("Dropped (missing)", str(self.n_dropped), f"n_dropped={self.n_dropped}")
            )
        if self.firth:
            rows.append(Row("Firth", "yes", "firth=True"))
        sd = self.random_intercept_sd
        if sd is not None:
            shown = short_number(sd)
            rows.append(Row("Random-intercept SD", shown, f"random_intercept_sd={shown}"))
        if self.n_resamples is not None:
            rows.append(Row("Resamples", str(self.n_resamples), f"n_resamples={self.n_resamples}"))
            if self.n_failed:
                rows.append(Row("Failed refits", str(self.n_failed), f"n_failed={self.n_failed}"))
        return rows


def _coefficients(design: Design, beta: FloatArray, cov: FloatArray) -> tuple[Coefficient, ...]:
    """The coefficient table, on the scale of the covariates as given."""
    from scipy import special  # imported where used: it is slow to import

    se = np.sqrt(np.diag(cov))
    z = beta / se  # invariant to the columns' scaling
    pv = 2.0 * special.ndtr(-np.abs(z))
    beta, se = design.original_scale(beta), design.original_scale(se)
    return tuple(
        Coefficient(name, float(b), float(s), float(zz), float(pp))
        for name, b, s, zz, pp in zip(design.names, beta, se, z, pv, strict=True)
    )


def adjusted_odds_ratio(
    data: Any,
    *,
    outcome: Hashable,
    arm: Hashable,
    treatment: Any,
    covariates: Any = (),
    factors: Any = (),
    random_intercept: Hashable | None = None,
    method: str = "profile",
    confidence_level: float = 0.95,
    firth: bool = False,
    n_agq: int = 10,
    n_resamples: int = 2000,
    rng: Any = None,
    missing: str = "raise",
) -> AdjustedEstimate:
    r"""The covariate-adjusted odds ratio of a logistic model, treatment against control.

    Parameters
    ----------
    data : pandas.DataFrame or mapping
        One row per participant; a mapping is of column name -> 1-D array.
    outcome : hashable
        The 0/1 (or boolean) outcome column.
    arm : hashable
        The arm column: exactly two levels.
    treatment : hashable
        The level of ``arm`` that is the experimental arm.
    covariates : sequence of hashable, optional
        Numeric covariates, entered linearly.
    factors : sequence of hashable, optional
        Categorical covariates, dummy coded against their first level in sorted order
        (``sorted(set(values))``; a pandas Categorical's own order is not used).
    random_intercept : hashable, optional
        A cluster column (site): fits a random-intercept logistic model by adaptive
        Gauss-Hermite quadrature (lme4's ``glmer(..., nAGQ=n_agq)``).
    method : {"profile", "wald", "bootstrap"}, optional
        The interval: profile likelihood (default; p-value from the likelihood-ratio test),
        Wald (p-value from the Wald test) or the percentile bootstrap (no p-value).
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.
    firth : bool, optional
        Fit by Firth's Jeffreys-penalised likelihood (as R's logistf and brglm2's
        ``type="MPL_Jeffreys"``): finite estimates even when the data are separated. The
        ``"profile"`` interval and test are then the profile *penalised* likelihood's.
        Not available with ``random_intercept``.
    n_agq : int, optional
        Quadrature nodes per cluster for ``random_intercept`` (default 10; 1 is Laplace).
    n_resamples : int, optional
        Bootstrap resamples (``method="bootstrap"``); default 2000.
    rng : None, int or numpy.random.Generator, optional
        Random numbers for the bootstrap.
    missing : {"raise", "drop"}, optional
        What to do with rows that have a missing value (None, NaN, pandas NA) in a column
        used: refuse them (default) or drop them with a warning; the result's ``n_dropped``
        says how many.

    Returns
    -------
    AdjustedEstimate
        ``measure="odds_ratio"``, the estimate :math:`e^{\hat\psi}`, its interval, the
        p-value (see ``method``), and the fitted model (``coefficients``, ``n_used``,
        ``n_dropped``, ``statistic``, ``random_intercept_sd``, ...).

    Raises
    ------
    InvalidInputError
        For unknown, constant or non-numeric columns, missing values with
        ``missing="raise"``, infinite covariates, a non-binary outcome, an arm with other than
        two levels, a ``treatment`` not in the arm, a rank-deficient model, bad options; the
        bootstrap with a random intercept.
    CostLimitError
        (an InvalidInputError) For a model or a bootstrap beyond the limits in Notes,
        before any work; the message gives the cost, the limit and what to do instead.
    SeparationError
        (an InvalidInputError) When the data are separated and ``firth=False``: the
        maximum-likelihood estimate is infinite. The message names the columns involved and
        suggests ``firth=True``.

    Warns
    -----
    RctkitWarning
        When rows are dropped for missing values, when bootstrap refits fail, and when a
        factor level (a site) has no events or only events: the warning names the level.

    Notes
    -----
    **Fit.** Newton-Raphson (IRLS) on the log-likelihood
    :math:`l(\beta) = \sum_i y_i\eta_i - \log(1 + e^{\eta_i})`, iterated until the steps are
    below 1e-11 (see :func:`newton_logistic`); it agrees with statsmodels' ``GLM`` to its
    convergence tolerance. Standard errors are from the inverse information.

    **Profile likelihood.** The limits solve
    :math:`2\{l(\hat\beta) - l_p(\psi)\} = \chi^2_{1,\text{level}}`, where
    :math:`l_p(\psi)` maximises the log-likelihood with the arm's coefficient fixed at
    :math:`\psi` (an offset :math:`\psi t_i`, the rest refitted by warm-started Newton). The
    root is bracketed by an outward search from the Wald limit and found by safeguarded
    Newton on :math:`\psi` (the shared solvers) using
    :math:`l_p'(\psi) = \partial l / \partial\psi` at the constrained fit, to 1e-12
    relative. The p-value is the likelihood-ratio test of :math:`\psi = 0`. R's
    ``MASS::confint`` interpolates a spline through a grid of profile points and agrees only
    to about 1e-4.

    **Firth.** Maximises :math:`l^*(\beta) = l(\beta) + \tfrac12\log\det I(\beta)`; the
    interval is the profile penalised likelihood's (with the full model's penalty, as
    logistf), the p-value the penalised likelihood-ratio test; ``"wald"`` uses
    :math:`I(\hat\beta)^{-1}`.

    Unlike the log-likelihood, the penalised one is not concave: each constrained fit is
    started from both the last constrained fit and the full fit and the higher maximum kept,
    but on small, nearly separated data a limit can still come from a lower local maximum
    (seen in about 1 of 1500 random small trials, the limit then about 1% too near).

    **Separation.** When the unpenalised fit fails to converge the linear program of Konis
    (2007) checks for (quasi-)complete separation; if found, :class:`SeparationError` is
    raised rather than a huge finite estimate returned (statsmodels' behaviour). The
    profile limits of a model whose MLE exists are always finite.

    *A factor level with no events (or only events)*, a site say, separates the data along
    that level's own coefficient alone (``firth=False``): its MLE is infinite, but the
    treatment's coefficient is not. Because the intercept and the factor's dummies span each
    level's indicator, that level's log odds can go to its limit without constraining the
    other coefficients; its participants are then fitted perfectly and add nothing to the
    log-likelihood, whose limit is that of the other participants with the level removed
    from the factor. So those participants are set aside (with a warning naming the level),
    repeatedly until no level is constant, and the model fitted to the rest: the estimate,
    standard error, profile interval, tests and ``log_likelihood`` are the limits of the
    full fit, which R's ``glm`` reaches as it iterates (the arm's coefficient and its SE
    settle while the level's runs to about -30). ``coefficients`` then lists the model
    fitted to the rest (when the reference level is set aside the next level becomes the
    reference); ``n_used`` still counts every participant; ``method="bootstrap"``
    resamples the participants kept. :class:`SeparationError` is still raised when what
    remains is separated (along the treatment or a covariate) or has one arm or one
    outcome only.

    **Random intercept.** The marginal likelihood over :math:`(\beta, \sigma)` is
    approximated cluster by cluster by adaptive Gauss-Hermite quadrature (``n_agq`` nodes at
    the conditional mode, scaled by the curvature there, as lme4) and maximised by Newton on
    the quadrature sum with its nodes re-adapted at every iteration. The likelihood is even
    in :math:`\sigma`, so :math:`\sigma` is used directly (not :math:`\log\sigma`) and a
    boundary estimate :math:`\hat\sigma = 0` is reached without trouble. Standard errors are
    from the inverse of the Hessian over :math:`(\beta, \sigma)` (as lme4's ``vcov``); the
    profile interval refits :math:`(\beta_{-\psi}, \sigma)` at each fixed :math:`\psi`.

    **Bootstrap.** Participants are resampled with replacement within each arm
    (``n_resamples`` times), every resample is refitted (in batches of bounded memory, as
    frequency weights on the design's distinct rows, warm-started at the full fit; a factor
    of 8 or more levels enters through its diagonal block of the information matrix), and
    the percentile interval taken. A resample whose refit
    does not converge (separation) counts in ``n_failed`` and a warning; its log odds ratio
    is taken as :math:`\pm\infty` when the arm's coefficient runs away (beyond
    :math:`|\psi| > 15`) and as the last iterate otherwise. Not available with a random
    intercept (resampling participants would ignore the clustering).

    **Covariates of any scale.** Each numeric covariate enters the model matrix multiplied by
    an exact power of two that brings its largest magnitude into [0.5, 1), and its
    coefficient and standard error are scaled back (exactly): a covariate of 1e300 or 1e-300
    gives the odds ratio of the same covariate in ordinary units. Firth's penalised
    log-likelihood is reported for the covariates as given (it moves by :math:`\log c` when a
    covariate is multiplied by :math:`c`; the estimates do not). Refused with
    :class:`~rctkit.InvalidInputError` naming the column: infinite values, values beyond double
    precision (Python integers above 1.8e308), a covariate constant in double precision
    (``1e300 + age`` is), a factor with one level, covariates that are (nearly) linear
    combinations of the others (a site-level covariate beside the site factor, say), a column
    with a missing value (None, NaN, ``pandas.NA``) unless ``missing="drop"``, and a column
    that is all missing. A factor level with a single participant is kept; its dummy then
    predicts that participant's outcome perfectly, so the data are separated: an error
    without Firth, a finite estimate with it.

    **Cost and limits.** A fit costs :math:`O(n d^2)` an iteration, with :math:`n`
    participants and :math:`d` the coefficients outside the factor with the most levels (a
    factor of 8 or more levels enters through its diagonal block of the information matrix,
    never as a dense :math:`p \times p` matrix; Firth's Newton steps are then solved by
    conjugate gradients, each product :math:`O(n d^2)`), plus :math:`O(p^3)` once for the
    covariance. Small Firth models (:math:`\min(n p^3, n^2 p) \le 2^{25}`) use the
    penalty's exact Hessian directly. With ``random_intercept`` every column counts in
    :math:`d`. Refused before the model matrix is built, with
    :class:`~rctkit.CostLimitError`: more than 2000 coefficients, a model matrix of more than
    :math:`2^{27}` numbers (1 GiB; participants x coefficients), or :math:`n d^2 > 2^{31}`.
    Firth's profile interval with 200 sites and 4000 participants takes about a second.
    The bootstrap costs :math:`O(B \cdot n \cdot p)` time and a bounded memory (chunks of at
    most 32 MiB of temporaries, draws included, plus 8 bytes a resample for the estimates):
    at most ``10**7`` resamples and ``n_resamples`` x participants x coefficients at most
    2e10, refused with :class:`~rctkit.CostLimitError` before anything is drawn or fitted.

    **Degenerate data.** Zero events (or only events) in one arm separate the data: an error
    without Firth, finite estimates with it. A constant outcome is refused. Profile limits
    beyond odds ratios of about :math:`e^{\pm 30}` (Firth on nearly separated data) lie where
    fitted risks are within 1e-13 of 0 or 1, where double precision no longer resolves the
    likelihood: the search stops at :math:`|\psi| = 30 + |\hat\psi|`, and a limit not
    reached there is reported as 0 or infinite, with a warning.

    References
    ----------
    Firth D. Bias reduction of maximum likelihood estimates. Biometrika 1993;80:27-38.
    Heinze G, Schemper M. A solution to the problem of separation in logistic regression.
    Stat Med 2002;21:2409-19.
    Venzon DJ, Moolgavkar SH. A method for computing profile-likelihood-based confidence
    intervals. Appl Stat 1988;37:87-94.
    Konis K. Linear programming algorithms for detecting separated data in binary logistic
    regression models. DPhil thesis, University of Oxford, 2007.
    Pinheiro JC, Bates DM. Approximations to the log-likelihood function in the nonlinear
    mixed-effects model. J Comput Graph Stat 1995;4:12-35.

    Examples
    --------
    The simulated six-site trial shaped like CORE (:func:`load_core_simulated`), adjusted
    for the number of previous admissions, age and site:

    >>> from rctkit.adjusted import adjusted_odds_ratio, load_core_simulated
    >>> data = load_core_simulated()
    >>> est = adjusted_odds_ratio(
    ...     data, outcome="readmitted", arm="arm", treatment="peer_support",
    ...     covariates=["prior_admissions", "age"], factors=["site"])
    >>> print(f"{est.estimate:.3f} ({est.ci.low:.3f} to {est.ci.high:.3f}), p = {est.pvalue:.3f}")
    0.730 (0.477 to 1.115), p = 0.146

    With a random intercept for site instead of fixed site effects:

    >>> est = adjusted_odds_ratio(
    ...     data, outcome="readmitted", arm="arm", treatment="peer_support",
    ...     covariates=["prior_admissions", "age"], random_intercept="site", method="wald")
    >>> print(f"{est.estimate:.3f} ({est.ci.low:.3f} to {est.ci.high:.3f}), "
    ...       f"site variance {est.random_intercept_variance:.4f}")
    0.751 (0.492 to 1.145), site variance 0.0388
    """
    method = check_choice(method, "method", METHODS)
    level = check_confidence_level(confidence_level)
    if not isinstance(firth, bool):
        raise InvalidInputError(f"`firth` must be True or False (got {firth!r})")
    if isinstance(n_agq, bool) or not isinstance(n_agq, int | np.integer) or not 1 <= n_agq <= 50:
        raise InvalidInputError(f"`n_agq` must be an integer from 1 to 50 (got {n_agq!r})")
    if method == "bootstrap":
        n_resamples = check_n_resamples(n_resamples, minimum=2)
        check_resamples_cost(n_resamples, 1, 1, BOOTSTRAP_ALTERNATIVE)
        generator = check_rng(rng)
        if random_intercept is not None:
            raise InvalidInputError(
                '`method="bootstrap"` resamples participants and is not available with '
                '`random_intercept`; use method="profile" or "wald"'
            )
    if firth and random_intercept is not None:
        raise InvalidInputError("`firth=True` is not available with `random_intercept`")
    design = build_design(
        data,
        outcome=outcome,
        arm=arm,
        treatment=treatment,
        covariates=covariates,
        factors=factors,
        random_intercept=random_intercept,
        missing=missing,
    )
    if random_intercept is not None:
        return _random_intercept_or(design, method, level, int(n_agq))
    if method == "bootstrap":
        check_resamples_cost(n_resamples, design.n, design.p, BOOTSTRAP_ALTERNATIVE)

    n_used = design.n
    if not firth:
        # A factor level (site) whose outcome is constant: its coefficient alone is infinite;
        # the treatment effect is the limit fitted without its participants.
        design, _ = set_aside_constant_levels(
            design, "Use firth=True for the Jeffreys-penalised (Firth) fit"
        )
    k = design.arm_index
    fit = fit_glm(design, firth)
    beta = fit.beta[0]
    cov = inverse(fit.info[0])
    coefficients = _coefficients(design, beta, cov)
    psi, se = float(beta[k]), float(coefficients[k].std_error)
    loglik_max = float(fit.loglik[0])
    common = _common_fields(design, psi, se, coefficients, loglik_max, level, method)
    if firth and design.scale_exponents is not None:
        # the penalty 1/2 log det I of the covariates as given: X's columns were scaled by
        # 2^-e, which lowers log det I by 2 e log 2 each
        common["log_likelihood"] = loglik_max + math.log(2.0) * int(design.scale_exponents.sum())
    common["firth"] = firth
    common["n_used"] = n_used
    if method == "wald":
        return _wald_result(psi, se, level, coefficients[k], common)
    if method == "bootstrap":
        return _bootstrap_or(design, fit, firth, n_resamples, generator, level, common)

    free = np.ones(design.p, dtype=bool)
    free[k] = False
    warm = np.tile(beta, (2, 1))
    block = wide_factor(design)

    def constrained(psi_values: FloatArray, side: IntArray) -> tuple[FloatArray, FloatArray]:
        # Two starts in one batch: the side's last constrained fit (warm) and the full fit. The
        # log-likelihood is concave and both reach its maximum; Firth's penalised one is not,
        # and a start can lead to a lower local maximum, so the higher of the two is kept.
        m = psi_values.size
        start = np.vstack([warm[side], np.tile(beta, (m, 1))])
        start[:, k] = np.tile(psi_values, 2)
        res = newton_logistic(
            design.X,
            design.y,
            start=start,
            free=free,
            firth=firth,
            outer=design.outer,
            block=block,
        )
        ok = res.converged & np.isfinite(res.loglik)
        ll = np.where(ok, res.loglik, -np.inf).reshape(2, m)
        pick = np.argmax(ll, axis=0) * m + np.arange(m)
        good = ok[pick]
        warm[side] = np.where(good[:, None], res.beta[pick], warm[side])
        # nan marks a failed fit; profile_limits decides whether that is an error
        return np.where(good, res.loglik[pick], np.nan), res.score[pick, k]

    def null_loglik() -> float:
        null_start = beta.copy()
        null_start[k] = 0.0
        null = newton_logistic(
            design.X,
            design.y,
            start=null_start,
            free=free,
            firth=firth,
            outer=design.outer,
            block=block,
        )
        if not null.converged[0]:
            raise RctkitError("the logistic model without the arm did not converge")
        return float(null.loglik[0])

    return _profile_result(constrained, null_loglik, psi, se, loglik_max, level, common)


def _common_fields(
    design: Design,
    psi: float,
    se: float,
    coefficients: Any,
    loglik_max: float,
    level: float,
    method: str,
) -> dict[str, Any]:
    """The fields every adjusted odds-ratio result carries, whatever the interval."""
    return {
        "measure": "odds_ratio",
        "estimate": math.exp(psi),
        "confidence_level": level,
        "method": method,
        "std_error": se,
        "coefficients": coefficients,
        "n_used": design.n,
        "n_dropped": design.n_dropped,
        "log_likelihood": loglik_max,
    }


def _wald_result(
    psi: float, se: float, level: float, coefficient: Coefficient, common: dict[str, Any]
) -> AdjustedEstimate:
    """The Wald interval and test of the arm's coefficient."""
    from scipy import special  # imported where used: it is slow to import

    z = special.ndtri(0.5 + level / 2.0)
    return AdjustedEstimate(
        ci=ConfidenceInterval(math.exp(psi - z * se), math.exp(psi + z * se)),
        pvalue=coefficient.pvalue,
        statistic=coefficient.statistic,
        **common,
    )


def _profile_result(
    constrained: Constrained,
    null_loglik: Callable[[], float],
    psi: float,
    se: float,
    loglik_max: float,
    level: float,
    common: dict[str, Any],
) -> AdjustedEstimate:
    """The profile-likelihood interval and the likelihood-ratio test of the arm."""
    from scipy import special  # imported where used: it is slow to import

    q = float(special.ndtri(0.5 + level / 2.0)) ** 2  # the chi-squared (1 df) quantile
    limits, ok = profile_limits(constrained, psi, se, loglik_max, q)
    if not ok.all():
        raise RctkitError("the profile-likelihood limits did not converge")
    warn_unbounded(limits, psi)
    lr = max(0.0, 2.0 * (loglik_max - null_loglik()))
    return AdjustedEstimate(
        ci=ConfidenceInterval(math.exp(limits[0]), math.exp(limits[1])),
        pvalue=float(2.0 * special.ndtr(-math.sqrt(lr))),  # chi-squared (1 df) tail
        statistic=lr,
        **common,
    )


def _bootstrap_or(
    design: Design,
    fit: LogisticFit,
    firth: bool,
    n_resamples: int,
    rng: np.random.Generator,
    level: float,
    common: dict[str, Any],
) -> AdjustedEstimate:
    psi, converged = _bootstrap_psi(design, fit.beta[0], firth, n_resamples, rng)
    failed = ~converged
    runaway = failed & (np.abs(psi) > 15.0)
    psi[runaway] = np.copysign(np.inf, psi[runaway])
    n_failed = int(failed.sum())
    if n_failed:
        _warnings.warn(
            f"{n_failed} of {n_resamples} bootstrap refits did not converge (separated "
            f"resamples); {int(runaway.sum())} of them give an infinite log odds ratio"
        )
    low, high = percentile(psi, level)
    return AdjustedEstimate(
        ci=ConfidenceInterval(math.exp(low), math.exp(high)),
        pvalue=None,
        statistic=None,
        n_failed=n_failed,
        n_resamples=n_resamples,
        **common,
    )


def _bootstrap_psi(
    design: Design,
    beta: FloatArray,
    firth: bool,
    n_resamples: int,
    rng: np.random.Generator,
) -> tuple[FloatArray, BoolArray]:
    """The arm's coefficient refitted on every resample, and whether each refit converged."""
    psi: list[FloatArray] = []
    ok: list[BoolArray] = []
    _, refits = refit_chunks(design, beta, firth, n_resamples, rng)
    for _, coef, converged in refits:
        psi.append(coef[:, design.arm_index])
        ok.append(converged)
    return np.concatenate(psi), np.concatenate(ok)


def _random_intercept_or(
    design: Design, method: str, level: float, n_agq: int
) -> AdjustedEstimate:
    k = design.arm_index
    p = design.p
    model = RandomInterceptModel(design, n_agq)
    glm = fit_glm(
        design,
        firth=False,
        advice="The random-intercept model has no Firth option; fit site as a factor with "
        "firth=True instead",
    )
    # start sigma at the best of a few values with beta at the ordinary logistic fit: the
    # likelihood is not concave in sigma far from its maximum, and Newton from a poor start
    # wanders (the modes are reset for each trial value)
    candidates = []
    for sigma0 in (0.1, 0.3, 0.6, 1.0, 2.0):
        model.modes = np.zeros(model.m)
        candidates.append(model.evaluate(np.r_[glm.beta[0], sigma0], False)[0])
    model.modes = np.zeros(model.m)
    start = np.r_[glm.beta[0], (0.1, 0.3, 0.6, 1.0, 2.0)[int(np.argmax(candidates))]]
    free = np.ones(p + 1, dtype=bool)
    theta, loglik_max, _, _, converged = model.fit(start, free)
    if not converged:
        raise RctkitError("the random-intercept model did not converge")
    modes_hat = model.modes.copy()
    cov = inverse(-model.hessian(theta))
    coefficients = _coefficients(design, theta[:p], cov[:p, :p])
    psi, se = float(theta[k]), coefficients[k].std_error
    common = _common_fields(design, psi, se, coefficients, loglik_max, level, method)
    common["random_intercept_sd"] = abs(float(theta[p]))
    if method == "wald":
        return _wald_result(psi, se, level, coefficients[k], common)
    free_c = free.copy()
    free_c[k] = False
    # constrained fits start with sigma away from 0, where its gradient vanishes by symmetry
    theta_start = theta.copy()
    theta_start[p] = max(abs(float(theta[p])), 0.1)
    warm = [theta_start.copy(), theta_start.copy()]
    warm_modes = [modes_hat.copy(), modes_hat.copy()]

    def constrained(psi_values: FloatArray, side: IntArray) -> tuple[FloatArray, FloatArray]:
        ll = np.empty(psi_values.size)
        slope = np.empty(psi_values.size)
        for i, (value, j) in enumerate(zip(psi_values, side.tolist(), strict=True)):
            start_j = warm[j].copy()
            start_j[k] = value
            model.modes = warm_modes[j].copy()
            th, ll_j, grad, _, ok = model.fit(start_j, free_c)
            if not ok:
                raise RctkitError("a constrained random-intercept fit did not converge")
            warm[j], warm_modes[j] = th, model.modes.copy()
            ll[i], slope[i] = ll_j, grad[k]
        return ll, slope

    def null_loglik() -> float:
        null_start = theta_start.copy()
        null_start[k] = 0.0
        model.modes = modes_hat.copy()
        _, ll_null, _, _, ok_null = model.fit(null_start, free_c)
        if not ok_null:
            raise RctkitError("the random-intercept model without the arm did not converge")
        return float(ll_null)

    return _profile_result(constrained, null_loglik, psi, se, loglik_max, level, common)
