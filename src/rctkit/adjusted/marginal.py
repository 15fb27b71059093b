"""Covariate-adjusted marginal effects by standardisation (g-computation):
:func:`marginal_effect` and its result."""

from __future__ import annotations

import math
from collections.abc import Hashable
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
    column_list,
)
from rctkit.adjusted.design import Design, build_design
from rctkit.adjusted.glm import fit_glm, inverse
from rctkit.adjusted.resample import check_resamples_cost, percentile, refit_chunks
from rctkit.adjusted.separated_levels import set_aside_constant_levels
from rctkit.adjusted.variance import (
    CANONICAL,
    REASONS,
    STRATA_REASON,
    VARIANCES,
    ge_variance,
    hc0_covariance,
    stacked_variance,
    strata_codes,
    ye_variance,
)
from rctkit.errors import InvalidInputError
from rctkit.results import ConfidenceInterval, Estimate, Row, short_number

__all__ = ["MarginalEstimate", "marginal_effect"]

FloatArray = npt.NDArray[np.float64]

MARGINAL_MEASURES = ("risk_difference", "risk_ratio", "odds_ratio")
MARGINAL_METHODS = ("delta", "bootstrap")
ALTERNATIVE = 'method="delta" (no resampling)'


@attrs.frozen(repr=False)
class MarginalEstimate(Estimate):
    """A covariate-adjusted marginal effect by standardisation (g-computation).

    Besides the :class:`~rctkit.Estimate` fields:

    Attributes
    ----------
    risk_treatment, risk_control : float
        The standardised risks: the mean over all analysed participants of the fitted risk
        with everyone given the treatment, and with everyone given the control.
    std_error : float
        Delta-method standard error on the interval's scale (risk difference, log risk ratio
        or log odds ratio); nan for the bootstrap.
    variance : str or None
        The variance asked for (``"sandwich"``, ``"ye"``, ``"ge"``, ``"ge-hc0"`` or
        ``"model"``) for the delta method; None for the bootstrap.
    randomisation_strata : tuple or None
        The stratification columns the Ye et al. (2023) variance accounts for, else None.
    model_std_error : float
        The model-based (Ge et al. 2011) standard error on the same scale, for comparison;
        nan for the bootstrap.
    variance_note : str
        How the variance used differs from the model-based one, and why ("" for the
        bootstrap).
    n_used, n_dropped : int
        Participants analysed and rows dropped for missing values.
    n_failed : int
        Bootstrap resamples whose refit did not converge (separated resamples).
    """

    risk_treatment: float = math.nan
    risk_control: float = math.nan
    std_error: float = math.nan
    variance: str | None = None
    randomisation_strata: tuple[Hashable, ...] | None = None
    model_std_error: float = math.nan
    variance_note: str = ""
    n_used: int = 0
    n_dropped: int = 0
    n_failed: int = 0
    n_resamples: int | None = None

    def _title(self) -> str:
        return f"Marginal {super()._title().lower()} (standardised)"

    def _rows(self) -> list[Row]:
        rows = super()._rows()
        rows.append(Row("Risk, treatment", short_number(self.risk_treatment)))
        rows.append(Row("Risk, control", short_number(self.risk_control)))
        if self.variance is not None:
            rows.append(Row("Variance", self.variance, f"variance={self.variance!r}"))
            if self.randomisation_strata is not None:
                shown = ", ".join(str(c) for c in self.randomisation_strata)
                rows.append(Row("Randomisation strata", shown))
            if CANONICAL.get(self.variance, self.variance) != "ge":
                rows.append(Row("Model-based SE (Ge)", short_number(self.model_std_error)))
            rows.append(Row("Variance note", self.variance_note))
        rows.append(Row("Participants", str(self.n_used)))
        if self.n_dropped:
            rows.append(
                Row("Dropped (missing)", str(self.n_dropped), f"n_dropped={self.n_dropped}")
            )
        if self.n_resamples is not None:
            rows.append(Row("Resamples", str(self.n_resamples), f"n_resamples={self.n_resamples}"))
            if self.n_failed:
                rows.append(Row("Failed refits", str(self.n_failed), f"n_failed={self.n_failed}"))
        return rows


# --------------------------------------------------------------------------------------------
# Marginal effects by standardisation
# --------------------------------------------------------------------------------------------


def _contrast(measure: str, m1: FloatArray, m0: FloatArray) -> FloatArray:
    """The effect on the interval's scale: difference, log risk ratio or log odds ratio."""
    from scipy import special  # imported where used: it is slow to import

    if measure == "risk_difference":
        return np.asarray(m1 - m0)
    if measure == "risk_ratio":
        return np.asarray(np.log(m1) - np.log(m0))
    return np.asarray(special.logit(m1) - special.logit(m0))


def marginal_effect(
    data: Any,
    *,
    outcome: Hashable,
    arm: Hashable,
    treatment: Any,
    covariates: Any = (),
    factors: Any = (),
    measure: str = "risk_difference",
    method: str = "delta",
    variance: str = "sandwich",
    randomisation_strata: Any = None,
    confidence_level: float = 0.95,
    firth: bool = False,
    n_resamples: int = 2000,
    rng: Any = None,
    missing: str = "raise",
) -> MarginalEstimate:
    r"""A covariate-adjusted marginal effect by standardisation (g-computation).

    Fits the logistic model of :func:`adjusted_odds_ratio`, predicts every participant's
    risk under the treatment and under the control, and compares the two averages: the
    approach of the FDA's 2023 guidance on covariate adjustment for binary outcomes.

    Parameters
    ----------
    data, outcome, arm, treatment, covariates, factors, firth, missing
        As for :func:`adjusted_odds_ratio`.
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}, optional
        The marginal contrast of the standardised risks.
    method : {"delta", "bootstrap"}, optional
        Delta-method Wald interval (default) or percentile bootstrap (participants resampled
        within arms, every resample refitted).
    variance : {"sandwich", "ye", "ge", "ge-hc0", "model"}, optional
        For the delta method (formulas in Notes):

        - ``"sandwich"`` (default): the stacked-estimating-equation sandwich, which counts
          the covariates' sampling variability and stays valid when the logistic model is
          wrong;
        - ``"ye"``: Ye et al. (2023) as beeca and RobinCar compute it, the same variance
          asymptotically under simple randomisation (with sample covariances), and the
          only one that takes ``randomisation_strata``;
        - ``"ge"``: Ge et al. (2011) exactly, the model-based covariance of the
          coefficients with the covariates held fixed (``"model"`` is its old name, kept);
        - ``"ge-hc0"``: Ge's delta method with the HC0 sandwich covariance of the
          coefficients (beeca's default ``method="Ge", type="HC0"``).
    randomisation_strata : column name or sequence of them, optional
        With ``variance="ye"``: the stratification factors of a stratified permuted-block
        randomisation (or minimisation), whose variance reduction the Ye et al. (2023)
        strata term removes. Every participant must have them. None (default): simple
        randomisation.
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.
    n_resamples, rng
        For the bootstrap, as in :func:`adjusted_odds_ratio`.

    Returns
    -------
    MarginalEstimate
        ``measure`` as asked; ``risk_treatment`` and ``risk_control`` the standardised risks;
        ``pvalue`` the Wald test of no effect (None for the bootstrap);
        ``model_std_error`` and ``variance_note`` compare the variance used with the
        model-based one.

    Raises
    ------
    InvalidInputError, SeparationError, CostLimitError
        As for :func:`adjusted_odds_ratio`.

    Notes
    -----
    With :math:`\hat p_{ai} = \operatorname{expit}(x_i^{(a)\top}\hat\beta)` the fitted risk of
    participant :math:`i` with the arm set to :math:`a`, the standardised risks are
    :math:`\hat m_a = n^{-1}\sum_i \hat p_{ai}` and their gradients
    :math:`G_a = n^{-1}\sum_i \hat p_{ai}(1 - \hat p_{ai}) x_i^{(a)}`.

    - ``variance="ge"`` (or ``"model"``; Ge et al. 2011):
      :math:`\operatorname{Var}(\hat m) = G\, I(\hat\beta)^{-1} G^\top`, as in Ge's paper,
      its SAS macro and beeca's ``type="model-based"``.
    - ``variance="ge-hc0"``: :math:`G\, I^{-1} (\sum_i s_i s_i^\top) I^{-1} G^\top` with
      :math:`s_i = x_i(y_i - \hat\mu_i)` (beeca's default for Ge).
    - ``variance="sandwich"``: the influence function of :math:`\hat m_a` from the stacked
      estimating equations of :math:`(\beta, m_1, m_0)` is
      :math:`\phi_{ai} = \hat p_{ai} - \hat m_a + n G_a I(\hat\beta)^{-1} x_i (y_i - \hat\mu_i)`
      and :math:`\operatorname{Var}(\hat m) = n^{-2}\sum_i \phi_i\phi_i^\top` (no small-sample
      factor). Under simple randomisation it is consistent whether or not the model is right.
      It is the ``"ge-hc0"`` variance plus the sampling variability of the covariates.
    - ``variance="ye"`` (Ye et al. 2023; beeca's ``varcov_ye``, RobinCar's
      ``robincar_glm``): with :math:`\pi_a` the share of arm :math:`a`, :math:`S_a` its
      participants and sample (co)variances (denominator :math:`n - 1`) over :math:`S_a` or
      over everyone,

      .. math::

         n\,V_{aa} = \frac{\operatorname{var}_{S_a}(y) - 2c_a + \operatorname{var}(\hat p_a)}
         {\pi_a} + 2c_a - \operatorname{var}(\hat p_a),\quad
         c_a = \operatorname{cov}_{S_a}(y, \hat p_a),

      .. math::

         n\,V_{10} = \operatorname{cov}_{S_1}(y, \hat p_0) + \operatorname{cov}_{S_0}(y,
         \hat p_1) - \operatorname{cov}(\hat p_1, \hat p_0).

      With ``randomisation_strata`` (joint levels :math:`z`, stratified permuted blocks)
      :math:`n\,\operatorname{E}[R\,\Omega R] = \sum_z (n_z/n)\, R_z \Omega R_z` is
      subtracted from :math:`nV`, where :math:`R_z = \operatorname{diag}_a(\bar r_{az}/\pi_a)`,
      :math:`\bar r_{az}` the mean residual :math:`y_i - \hat\mu_i` of arm :math:`a` in
      stratum :math:`z` (0 if the cell is empty) and
      :math:`\Omega = \operatorname{diag}(\pi) - \pi\pi^\top` (Ye, Shao, Yi & Zhao 2023,
      their formula 18). Stratification factors that are also in the model leave mean
      residuals near 0 and the term small; factors left out of the model make it matter.

    ``model_std_error`` is always the ``"ge"`` standard error, and ``variance_note`` says why
    the variance used differs from it: ``"ge-hc0"`` only by its robust covariance of the
    coefficients; ``"sandwich"`` and ``"ye"`` because they also count the covariates'
    sampling variability and stay valid under a misspecified model; the strata term because
    stratified randomisation reduces the variance. A variance that comes out negative or
    undefined (an arm of one participant) gives a nan standard error, interval and p-value.

    The contrast and its standard error are on the risk-difference, log risk-ratio or log
    odds-ratio scale (delta method), the interval exponentiated for ratios and clipped to
    [-1, 1] for the difference. Separated data raise :class:`SeparationError` unless
    ``firth=True``; separated bootstrap resamples use their last Newton iterate (their fitted
    risks are then 0 or 1, the limit) and are counted in ``n_failed`` with a warning.

    One case is the limit instead: a factor level (a site) whose outcome is constant. As for
    :func:`adjusted_odds_ratio` its participants are set aside from the fit with a warning;
    their fitted risk under either arm is their outcome (0 or 1), the limit of the full fit,
    so the standardised risks average over all participants and the site adds nothing to the
    difference. Every variance is the limit of the full fit's: the set-aside participants add
    no gradient and no score, but count in :math:`n`, and in the sandwich and Ye variances
    through their :math:`c_i - \hat m_a` (the derivation is in
    ``rctkit/adjusted/variance.py``; R's ``glm`` on all participants agrees,
    ``tests/reference/marginal_separated_site.R``). The bootstrap draws from all participants
    within arms, refits the others and predicts the set-aside ones by their outcome.
    Separation along the treatment or a covariate still raises :class:`SeparationError`.

    The model, its covariates (any scale) and its limits are those of
    :func:`adjusted_odds_ratio`. The bootstrap refits every resample on the design's distinct
    rows, in chunks of bounded memory; it is refused with :class:`~rctkit.CostLimitError`
    beyond ``10**7`` resamples or ``n_resamples`` x participants x coefficients above 2e10,
    before anything is fitted (``method="delta"`` needs no resampling).

    References
    ----------
    U.S. Food and Drug Administration. Adjusting for covariates in randomized clinical
    trials for drugs and biological products. Guidance for industry, May 2023.
    Ge M, Durham LK, Meyer RD, Xie W, Thomas N. Covariate-adjusted difference in proportions
    from clinical trials using logistic regression and weighted risk differences. Drug Inf J
    2011;45:481-93.
    Ye T, Shao J, Yi Y, Zhao Q. Toward better practices of covariate adjustment in analyzing
    randomized clinical trials. J Am Stat Assoc 2023;118:2370-82.
    Przybylski A, et al. beeca: Binary endpoint estimation with covariate adjustment. R package
    0.2.0, 2024 (https://openpharma.github.io/beeca/).
    Bannick MS, Ye T, Yi Y, Bian F. RobinCar: robust estimation and inference in
    covariate-adaptive randomization. R package (https://CRAN.R-project.org/package=RobinCar).

    Examples
    --------
    >>> from rctkit.adjusted import load_core_simulated, marginal_effect
    >>> data = load_core_simulated()
    >>> est = marginal_effect(
    ...     data, outcome="readmitted", arm="arm", treatment="peer_support",
    ...     covariates=["prior_admissions", "age"], factors=["site"])
    >>> print(f"{est.estimate:.3f} ({est.ci.low:.3f} to {est.ci.high:.3f})")
    -0.063 (-0.148 to 0.022)
    >>> print(f"{est.risk_treatment:.3f} vs {est.risk_control:.3f}")
    0.307 vs 0.370
    >>> ye = marginal_effect(
    ...     data, outcome="readmitted", arm="arm", treatment="peer_support",
    ...     covariates=["prior_admissions", "age"], factors=["site"],
    ...     variance="ye", randomisation_strata="site")
    >>> print(f"SE {ye.std_error:.4f}, model-based {ye.model_std_error:.4f}")
    SE 0.0430, model-based 0.0435
    """
    from scipy import special  # imported where used: it is slow to import

    measure = check_choice(measure, "measure", MARGINAL_MEASURES)
    method = check_choice(method, "method", MARGINAL_METHODS)
    variance = check_choice(variance, "variance", VARIANCES)
    if randomisation_strata is not None and (method != "delta" or variance != "ye"):
        raise InvalidInputError(
            f'`randomisation_strata` needs method="delta" and variance="ye" '
            f"(got method={method!r}, variance={variance!r})"
        )
    level = check_confidence_level(confidence_level)
    if not isinstance(firth, bool):
        raise InvalidInputError(f"`firth` must be True or False (got {firth!r})")
    if method == "bootstrap":
        n_resamples = check_n_resamples(n_resamples, minimum=2)
        check_resamples_cost(n_resamples, 1, 1, ALTERNATIVE)
        generator = check_rng(rng)
    design = build_design(
        data,
        outcome=outcome,
        arm=arm,
        treatment=treatment,
        covariates=covariates,
        factors=factors,
        missing=missing,
    )
    if method == "bootstrap":
        check_resamples_cost(n_resamples, design.n, design.p, ALTERNATIVE)
    strata = None
    if randomisation_strata is not None:
        used = (outcome, arm, *column_list(covariates, "covariates"))
        used += column_list(factors, "factors")
        strata = strata_codes(data, randomisation_strata, used, design.n)
        randomisation_strata = column_list(randomisation_strata, "randomisation_strata")
    full = design
    keep = np.ones(full.n, dtype=bool)
    if not firth:
        # A factor level (site) whose outcome is constant: its coefficient alone is infinite;
        # its participants' fitted risks are their outcomes in the limit (see variance.py).
        design, keep = set_aside_constant_levels(
            design, "Use firth=True for the Jeffreys-penalised (Firth) fit"
        )
    fit = fit_glm(design, firth)
    beta = fit.beta[0]
    p1, p0, mu = _limit_predictions(full, design, keep, beta)
    m1, m0 = float(p1.mean()), float(p0.mean())
    contrast = float(_contrast(measure, np.array(m1), np.array(m0)))
    estimate = contrast if measure == "risk_difference" else math.exp(contrast)
    common: dict[str, Any] = {
        "measure": measure,
        "estimate": estimate,
        "confidence_level": level,
        "method": method,
        "risk_treatment": m1,
        "risk_control": m0,
        "n_used": full.n,
        "n_dropped": full.n_dropped,
    }
    back = (lambda x: x) if measure == "risk_difference" else math.exp
    if method == "bootstrap":
        aside = None if keep.all() else (keep, full.treated, full.y.astype(np.float64))
        values, n_failed = _bootstrap_contrasts(
            design, beta, firth, measure, n_resamples, generator, aside
        )
        if n_failed:
            _warnings.warn(
                f"{n_failed} of {n_resamples} bootstrap refits did not converge (separated "
                f"resamples); their fitted risks at the last iterate are used"
            )
        low, high = percentile(values, level)
        ci = _clip(measure, back(low), back(high))
        return MarginalEstimate(
            ci=ci, pvalue=None, n_failed=n_failed, n_resamples=n_resamples, **common
        )

    # Participants set aside (keep False) have fixed predictions and no score: they add
    # nothing to the gradients or the coefficients' (co)variance, but count in n.
    X1, X0 = design.with_arm(1.0), design.with_arm(0.0)
    q1, q0 = p1[keep], p0[keep]
    G = np.vstack([(q1 * (1 - q1)) @ X1, (q0 * (1 - q0)) @ X0]) / full.n
    info_inv = inverse(fit.info[0])
    # (with Firth the penalised score's extra term is O(1/n) per participant and left out)
    V_model = ge_variance(G, info_inv)
    kind = CANONICAL.get(variance, variance)
    if kind == "ge":
        V = V_model
    elif kind == "ge-hc0":
        V = ge_variance(G, hc0_covariance(design, mu[keep], info_inv))
    elif kind == "sandwich":
        score = np.zeros((full.n, design.p))
        score[keep] = design.X * (design.y - mu[keep])[:, None]
        V = stacked_variance(score, p1, p0, G, info_inv)
    else:
        V = ye_variance(full.y, full.treated, mu, p1, p0, strata)
    note = REASONS[kind] + (STRATA_REASON if strata is not None else "")
    if measure == "risk_difference":
        grad = np.array([1.0, -1.0])
    elif measure == "risk_ratio":
        grad = np.array([1.0 / m1, -1.0 / m0])
    else:
        grad = np.array([1.0 / (m1 * (1 - m1)), -1.0 / (m0 * (1 - m0))])
    se, model_se = _std_error(grad @ V @ grad), _std_error(grad @ V_model @ grad)
    z = float(special.ndtri(0.5 + level / 2.0))
    if math.isnan(se):  # (max/min would clip nan limits to -1 and 1)
        ci = ConfidenceInterval(math.nan, math.nan)
    else:
        ci = _clip(measure, back(contrast - z * se), back(contrast + z * se))
    with np.errstate(divide="ignore", invalid="ignore"):
        pvalue = float(2.0 * special.ndtr(-np.abs(np.float64(contrast) / np.float64(se))))
    return MarginalEstimate(
        ci=ci,
        pvalue=pvalue,
        std_error=se,
        variance=variance,
        randomisation_strata=randomisation_strata,
        model_std_error=model_se,
        variance_note=note,
        **common,
    )


def _limit_predictions(
    full: Design, design: Design, keep: npt.NDArray[np.bool_], beta: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Every participant's fitted risk under the treatment, under the control and as observed:
    from ``beta`` for the rows kept, and the participant's own (constant) outcome for the rows
    of a level set aside, the limit of the full fit as that level's coefficient runs off."""
    from scipy import special  # imported where used: it is slow to import

    p1, p0, mu = (full.y.astype(np.float64) for _ in range(3))
    p1[keep] = special.expit(design.with_arm(1.0) @ beta)
    p0[keep] = special.expit(design.with_arm(0.0) @ beta)
    mu[keep] = special.expit(design.X @ beta)
    return p1, p0, mu


def _std_error(var: float) -> float:
    """The square root of a variance; nan when it is negative or undefined."""
    var = float(var)
    return math.sqrt(var) if var >= 0.0 else math.nan


def _bootstrap_contrasts(
    design: Design,
    beta: FloatArray,
    firth: bool,
    measure: str,
    n_resamples: int,
    rng: np.random.Generator,
    set_aside: tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], FloatArray] | None = None,
) -> tuple[FloatArray, int]:
    """Each resample's contrast (refitted on the design's distinct rows, warm-started at
    ``beta``, in chunks of bounded memory) and the number of failed refits. With
    ``set_aside`` (see :func:`refit_chunks`) the resamples are of all participants, those set
    aside predicted by their outcome under both arms."""
    from scipy import special  # imported where used: it is slow to import

    X, refits = refit_chunks(design, beta, firth, n_resamples, rng, set_aside)
    rows = X.shape[0]
    X1, X0 = X.copy(), X.copy()
    X1[:, design.arm_index], X0[:, design.arm_index] = 1.0, 0.0
    values: list[FloatArray] = []
    n_failed = 0
    for weights, coef, converged in refits:
        # each resample's standardised risks, averaged over its own (weighted) participants
        # (with levels set aside: two more columns, their counts with outcome 0 and with 1)
        total, fitted = weights.sum(axis=1), weights[:, :rows]
        ones = weights[:, rows + 1] if weights.shape[1] > rows else np.zeros(len(weights))
        r1 = ((fitted * special.expit(coef @ X1.T)).sum(axis=1) + ones) / total
        r0 = ((fitted * special.expit(coef @ X0.T)).sum(axis=1) + ones) / total
        values.append(_contrast(measure, r1, r0))
        n_failed += int((~converged).sum())
    return np.concatenate(values), n_failed


def _clip(measure: str, low: float, high: float) -> ConfidenceInterval:
    if measure == "risk_difference":
        return ConfidenceInterval(max(-1.0, low), min(1.0, high))
    return ConfidenceInterval(low, high)
