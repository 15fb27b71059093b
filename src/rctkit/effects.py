"""Effect measures for one two-arm outcome: odds ratio, risk ratio, risk difference.

Each function runs the same kernel as :mod:`rctkit.batch`, through the engine's one-table
adaptor.
"""

from __future__ import annotations

from rctkit import _engine
from rctkit.model import BinaryOutcome
from rctkit.results import Estimate, Measure

__all__ = ["odds_ratio", "risk_difference", "risk_ratio"]

#: Refuse anything but a :class:`BinaryOutcome` (the engine's check, for the front ends).
check_outcome = _engine.check_outcome


def available_methods(measure: Measure) -> tuple[str, ...]:
    """The interval methods of ``measure``, in the order they are listed.

    Examples
    --------
    >>> "wald" in available_methods("odds_ratio")
    True
    """
    return tuple(_engine.EFFECT_METHODS[measure])


def odds_ratio(
    outcome: BinaryOutcome,
    *,
    method: str = "wald",
    confidence_level: float = 0.95,
    two_sided: str | None = None,
) -> Estimate:
    r"""The odds ratio of the event, treatment against control, with a confidence interval.

    Parameters
    ----------
    outcome : BinaryOutcome
        The two arms' counts.
    method : str, optional
        The interval method (see "Choosing a method" in the docs for formulas, zero-cell
        behaviour and recommendations):

        - ``"wald"`` (default): Woolf's logit interval;
        - ``"haldane"``: Woolf's interval with 0.5 added to every cell;
        - ``"mn"``: Miettinen-Nurminen score interval;
        - ``"profile"``: profile likelihood of the logistic model, solved exactly;
        - ``"exact"``: conditional (Cornfield) interval, estimate the conditional MLE as
          R's ``fisher.test``;
        - ``"midp"``: conditional mid-p interval, median-unbiased estimate;
        - ``"firth"``: Firth's penalised likelihood with its profile-penalised interval.
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.
    two_sided : {None, "central", "minlike", "blaker"}, optional
        Only with ``method="exact"``: the two-sided rule of the conditional test whose
        inversion gives the interval (see "Matched exact tests and intervals" in the docs).
        None (default) and ``"central"`` give Cornfield's interval, which inverts twice the
        smaller one-sided p-value; ``"minlike"`` inverts Fisher's two-sided test (the
        p-value of ``hypothesis_test(method="fisher")``), ``"blaker"`` Blaker's test. For
        ``"minlike"`` and ``"blaker"`` the set of odds ratios not rejected need not be an
        interval: the smallest interval enclosing it is returned, as R's exact2x2 does.
        ``pvalue`` is then the matching test's p-value at OR = 1 (with None, Fisher's).

    Returns
    -------
    Estimate
        ``measure="odds_ratio"``; ``pvalue`` is that of the test that goes with the method
        (Wald z test for ``"wald"``, score test for ``"mn"``, likelihood-ratio test for
        ``"profile"``, Fisher's exact test for ``"exact"``, ...).

    Raises
    ------
    InvalidInputError
        If ``outcome`` is not a BinaryOutcome, ``method`` is unknown, ``confidence_level``
        is outside (0, 1), or ``two_sided`` is unknown or given with a method other than
        ``"exact"``.
    CostLimitError
        For ``two_sided="minlike"`` or ``"blaker"`` when the table has more than 2000
        possible values of the treatment events given the margins (the computation is
        quadratic in that number: 0.03-0.08 s at 500, 0.4-2 s at 2000).

    Warns
    -----
    RctkitWarning
        When a cell is zero (the Wald interval is then ``[0, inf]``).

    Notes
    -----
    With cells :math:`a, b` (treatment events, non-events) and :math:`c, d` (control),
    :math:`\widehat{OR} = ad / bc` and Woolf's interval is
    :math:`\exp(\log \widehat{OR} \pm z_{1-\alpha/2}\sqrt{1/a + 1/b + 1/c + 1/d})`.
    With ``"wald"``, a zero cell makes the standard error infinite: the estimate is 0 or
    infinite (undefined, ``nan``, when no participant or every participant had the event),
    the interval ``[0, inf]`` and the p-value 1 (``nan`` where the estimate is ``nan``).
    No 0.5 is added to the cells unless you ask for ``method="haldane"``; the exact, score,
    profile and Firth methods handle zero cells without correction (the docs give each
    method's zero-cell policy).

    References
    ----------
    Woolf B. On estimating the relation between blood group and disease.
    Ann Hum Genet 1955;19:251-3.

    Examples
    --------
    The CORE trial (Johnson et al., Lancet 2018): readmission within a year.

    >>> import rctkit as rk
    >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    >>> est = rk.odds_ratio(core)
    >>> print(f"{est.estimate:.2f} ({est.ci.low:.2f} to {est.ci.high:.2f})")
    0.67 (0.45 to 0.99)

    Fisher's two-sided p-value (0.054) and Cornfield's interval disagree about OR = 1 in
    this trial; the interval that inverts Fisher's test agrees with it:

    >>> rk.odds_ratio(core, method="exact").ci.high > 1
    True
    >>> est = rk.odds_ratio(core, method="exact", two_sided="minlike")
    >>> print(f"{est.ci.low:.4f} to {est.ci.high:.4f}, p = {est.pvalue:.4f}")
    0.4455 to 1.0067, p = 0.0539
    """
    return _engine.estimate_one("odds_ratio", outcome, method, confidence_level, two_sided)


def risk_ratio(
    outcome: BinaryOutcome, *, method: str = "wald", confidence_level: float = 0.95
) -> Estimate:
    r"""The risk ratio (relative risk), treatment against control, with a confidence interval.

    Parameters
    ----------
    outcome : BinaryOutcome
        The two arms' counts.
    method : str, optional
        ``"wald"`` (default): Katz's log interval; ``"haldane"``: Katz's interval with 0.5
        added to every cell; ``"koopman"``: Koopman's asymptotic score interval; ``"mn"``:
        Miettinen-Nurminen score interval; ``"chan-zhang"``, ``"agresti-min"``: exact
        unconditional score intervals (see "Exact unconditional intervals" on the methods
        page).
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.

    Returns
    -------
    Estimate
        ``measure="risk_ratio"``; ``pvalue`` from the Wald z test of log RR = 0.

    Raises
    ------
    InvalidInputError
        If ``outcome`` is not a BinaryOutcome, ``method`` is unknown or ``confidence_level``
        is outside (0, 1).

    Warns
    -----
    RctkitWarning
        When an arm has no events (the interval is then ``[0, inf]``).

    Notes
    -----
    :math:`\widehat{RR} = (a/n_1)/(c/n_2)` and Katz's interval is
    :math:`\exp(\log \widehat{RR} \pm z\sqrt{1/a - 1/n_1 + 1/c - 1/n_2})`. With no events in
    an arm the interval is ``[0, inf]`` and the p-value 1; with no events in either arm the
    estimate and p-value are ``nan``. When every participant in both arms had the event the
    estimate is 1, the interval ``[1, 1]`` and the p-value 1 (R gives ``NaN`` from 0/0).

    References
    ----------
    Katz D, Baptista J, Azen SP, Pike MC. Obtaining confidence intervals for the risk ratio
    in cohort studies. Biometrics 1978;34:469-74.

    Examples
    --------
    >>> import rctkit as rk
    >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    >>> est = rk.risk_ratio(core)
    >>> print(f"{est.estimate:.2f} ({est.ci.low:.2f} to {est.ci.high:.2f})")
    0.76 (0.59 to 1.00)
    """
    return _engine.estimate_one("risk_ratio", outcome, method, confidence_level)


def risk_difference(
    outcome: BinaryOutcome, *, method: str = "wald", confidence_level: float = 0.95
) -> Estimate:
    r"""The risk difference, treatment minus control, with a confidence interval.

    Parameters
    ----------
    outcome : BinaryOutcome
        The two arms' counts.
    method : str, optional
        ``"wald"`` (default): the simple asymptotic interval; ``"wald-cc"``: with continuity
        correction; ``"agresti-caffo"``: Wald on the table with one event and one non-event
        added to each arm; ``"newcombe"``: Newcombe's hybrid score (Wilson) interval;
        ``"newcombe-cc"``: the same with continuity-corrected Wilson limits; ``"mee"``: Mee's
        score interval; ``"mn"``: Miettinen-Nurminen score interval; ``"santner-snell"``,
        ``"chan-zhang"``, ``"agresti-min"``: exact unconditional intervals (see "Exact
        unconditional intervals" on the methods page; seconds for a few hundred per arm,
        refused with CostLimitError beyond about 520 per arm). The default here is
        fixed by the public API; the report, the command line and
        :func:`~rctkit.number_needed_to_treat` use Newcombe's (:data:`rctkit.DEFAULT_METHODS`),
        so pass ``method="newcombe"`` for the report's interval.
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.

    Returns
    -------
    Estimate
        ``measure="risk_difference"``; limits clipped to [-1, 1].

    Raises
    ------
    InvalidInputError
        If ``outcome`` is not a BinaryOutcome, ``method`` is unknown or ``confidence_level``
        is outside (0, 1).

    Notes
    -----
    :math:`\hat p_1 - \hat p_2 \pm z\sqrt{\hat p_1 \hat q_1/n_1 + \hat p_2 \hat q_2/n_2}`.
    When every observed risk is 0 or 1 the standard error is zero: the interval has zero width
    and a warning is issued; the p-value is then 1 when the risks are equal and 0 when they
    differ (R gives ``NaN`` for 0/0).

    Examples
    --------
    >>> import rctkit as rk
    >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    >>> est = rk.risk_difference(core)
    >>> print(f"{est.estimate:.3f} ({est.ci.low:.3f} to {est.ci.high:.3f})")
    -0.091 (-0.179 to -0.002)
    """
    return _engine.estimate_one("risk_difference", outcome, method, confidence_level)
