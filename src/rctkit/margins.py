"""Non-inferiority and equivalence tests against a margin, with their matching intervals.

Both functions test the treatment against the control on one effect measure (risk
difference, risk ratio or odds ratio) with the margin on that measure's own scale, and return
a :class:`~rctkit.MarginTest`: the p-value, the decision, the two-sided interval that the test
inverts, and a sentence that states the conclusion. :func:`rctkit.batch.noninferiority` and
:func:`rctkit.batch.equivalence` run the same kernels over arrays of tables.

The level rule, the same for both: each one-sided test is at
``alpha = (1 - confidence_level) / 2``, and the interval is the two-sided one at
``confidence_level``. A non-inferiority test at one-sided 2.5% is therefore read off the 95%
interval (the default); the conventional equivalence test (TOST) at 5% needs
``confidence_level=0.90``. See :doc:`/margins`.
"""

from __future__ import annotations

from rctkit import _engine
from rctkit.model import BinaryOutcome
from rctkit.results import MarginTest

__all__ = ["equivalence", "noninferiority"]


def noninferiority(
    outcome: BinaryOutcome,
    *,
    measure: str,
    margin: float,
    method: str = "mn",
    confidence_level: float = 0.95,
    higher_is_better: bool = False,
) -> MarginTest:
    """Test that the treatment is not worse than the control by more than ``margin``.

    Parameters
    ----------
    outcome : BinaryOutcome
        The two arms' counts.
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}
        The effect measure, treatment against control.
    margin : float
        The non-inferiority margin on the measure's scale: a difference of risks (e.g.
        ``-0.125``) or a ratio (e.g. ``0.8``). With ``higher_is_better=False`` it must lie
        above the null (a risk difference above 0, a ratio above 1); with
        ``higher_is_better=True`` below it.
    method : {"mn", "fm", "wald", "newcombe", "exact"}, optional
        ``"mn"`` (default): the Miettinen-Nurminen score test, whose interval is
        Miettinen and Nurminen's; ``"fm"``: the Farrington-Manning score test (the same
        without the factor ``N / (N - 1)``), whose interval is Mee's for the risk difference,
        Koopman's for the risk ratio and the score interval without the factor for the odds
        ratio; ``"wald"``: the Wald test (the unconstrained variance, on the log scale for
        the ratios), whose interval is Wald's, Katz's or Woolf's; ``"newcombe"`` (risk
        difference only): the decision from Newcombe's hybrid score interval; ``"exact"``
        (risk difference and risk ratio): Chan's (1998) exact unconditional test, the
        supremum over the nuisance risk of the tail of tables ordered by the
        Farrington-Manning score, whose interval is Chan and Zhang's (1999; a hull: its
        p-value is not monotone in the margin, so a margin the interval excludes is always
        rejected, while one inside a rare hole may be rejected too). It costs seconds at a few
        hundred per arm and is refused beyond about 520 per arm (``CostLimitError``).
    confidence_level : float, optional
        The level of the two-sided interval returned; the test is one-sided at
        ``alpha = (1 - confidence_level) / 2`` (default 0.95: 2.5%).
    higher_is_better : bool, optional
        False (default): the event is harmful, so a higher effect is worse and
        ``H0: effect >= margin`` is tested against ``H1: effect < margin``. True: the event
        is a benefit (a cure, a response), and ``H0: effect <= margin`` against
        ``H1: effect > margin``.

    Returns
    -------
    MarginTest
        ``pvalue`` (one-sided), ``rejected`` (non-inferiority shown, ``pvalue < alpha``),
        ``ci`` (the matching interval at ``confidence_level``), ``statistic``,
        ``hypothesis`` and ``conclusion``.

    Raises
    ------
    InvalidInputError
        If ``outcome`` is not a BinaryOutcome; the measure or method is unknown (or
        ``"newcombe"`` with a ratio); the margin is not a finite number inside the measure's
        range, or lies on the wrong side of the null for ``higher_is_better`` (the message
        says which side and names the other setting); the level is outside (0, 1).

    Notes
    -----
    With the score methods the statistic at the margin :math:`\\delta_0` is

    .. math::

        z = \\frac{\\hat\\theta - \\delta_0}{\\sqrt{k\\,\\tilde V(\\delta_0)}},

    where (for the risk difference) :math:`\\hat\\theta = \\hat p_1 - \\hat p_2` and
    :math:`\\tilde V = \\tilde p_1 (1 - \\tilde p_1)/n_1 + \\tilde p_2 (1 - \\tilde p_2)/n_2`
    at the maximum likelihood fit under :math:`p_1 - p_2 = \\delta_0`; for the risk ratio
    the numerator is :math:`\\hat p_1 - \\phi_0 \\hat p_2` (Farrington and Manning 1990); for
    the odds ratio it is the observed minus the fitted treatment events under :math:`\\psi_0`
    (Miettinen and Nurminen 1985). :math:`k = N / (N - 1)` for ``"mn"`` and 1 for ``"fm"``.
    The one-sided p-value is :math:`1 - \\Phi(z)` for ``higher_is_better`` and
    :math:`\\Phi(z)` otherwise. Since the interval holds the values that this statistic does
    not reject, the test rejects exactly when the interval's relevant limit lies beyond the
    margin (up to rounding at an exact tie).

    ``"wald"``: :math:`z = (\\hat\\theta - \\delta_0) / \\widehat{se}` on the log scale for
    the ratios; with a zero cell a Wald ratio's interval is [0, inf], the statistic is
    undefined (None) and the p-value 1. ``"newcombe"``: the interval is not the inversion of
    one statistic, so the p-value is defined as the one-sided level at which the interval's
    limit touches the margin: with :math:`L(z)` Newcombe's lower limit at the normal
    quantile :math:`z`, :math:`p = 1 - \\Phi(z^*)` where :math:`L(z^*) = \\delta_0` (and,
    for a margin above the estimate, :math:`z^* < 0` from the upper limit). It rejects at
    ``alpha`` exactly when the interval at ``1 - 2 alpha`` excludes the margin, and
    ``statistic`` is :math:`z^*`.

    Zero cells need no correction for the score and Newcombe methods (the constrained fit
    is defined for every table).

    References
    ----------
    .. [1] Farrington CP, Manning G. Test statistics and sample size formulae for comparative
       binomial trials with null hypothesis of non-zero risk difference or non-unity
       relative risk. Stat Med 1990;9:1447-1454.
    .. [2] Miettinen O, Nurminen M. Comparative analysis of two rates. Stat Med
       1985;4:213-226.
    .. [3] Newcombe RG. Interval estimation for the difference between independent
       proportions: comparison of eleven methods. Stat Med 1998;17:873-890.

    Examples
    --------
    A cure rate of 245/356 against 270/370, non-inferiority margin -12.5 percentage points:

    >>> import rctkit as rk
    >>> trial = rk.BinaryOutcome.from_counts(treatment=(245, 356), control=(270, 370))
    >>> res = rk.noninferiority(trial, measure="risk_difference", margin=-0.125,
    ...                         higher_is_better=True)
    >>> round(res.pvalue, 6), res.rejected
    (0.006582, True)
    >>> res.hypothesis
    'H0: risk difference <= -0.125 vs H1: risk difference > -0.125'
    >>> print(res.conclusion)  # doctest: +NORMALIZE_WHITESPACE
    Non-inferior at a margin of -0.125: the lower 95% confidence limit -0.1076 lies above
    it (one-sided p = 0.0066).
    """
    return _engine.margin_one(
        "noninferiority",
        outcome,
        measure=measure,
        method=method,
        confidence_level=confidence_level,
        bound=margin,
        higher_is_better=higher_is_better,
    )


def equivalence(
    outcome: BinaryOutcome,
    *,
    measure: str,
    margins: tuple[float, float],
    method: str = "mn",
    confidence_level: float = 0.95,
) -> MarginTest:
    """Test that the effect lies between two margins: two one-sided tests (TOST).

    Parameters
    ----------
    outcome : BinaryOutcome
        The two arms' counts.
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}
        The effect measure, treatment against control.
    margins : tuple of two floats
        ``(low, high)`` on the measure's scale, with ``low < null < high`` (the null is 0
        for the risk difference, 1 for the ratios), e.g. ``(-0.1, 0.1)`` or ``(0.8, 1.25)``.
    method : {"mn", "fm", "wald", "newcombe", "exact"}, optional
        As in :func:`noninferiority`.
    confidence_level : float, optional
        The level of the two-sided interval returned; each one-sided test is at
        ``alpha = (1 - confidence_level) / 2``. The default 0.95 tests each side at 2.5%;
        **the conventional TOST at 5% needs** ``confidence_level=0.90``.

    Returns
    -------
    MarginTest
        ``pvalue`` is the larger of the two one-sided p-values (of ``H1: effect > low`` and
        ``H1: effect < high``), ``statistic`` the statistic that gave it, ``rejected``
        whether both are rejected (equivalence shown), ``ci`` the interval at
        ``confidence_level``: equivalence is shown exactly when it lies inside the margins.

    Raises
    ------
    InvalidInputError
        As :func:`noninferiority`, and if ``margins`` is not a pair with
        ``low < null < high``.

    Notes
    -----
    Schuirmann's two one-sided tests, each the test of :func:`noninferiority` (one with
    ``higher_is_better=True`` at ``low``, one with ``False`` at ``high``).

    References
    ----------
    .. [1] Schuirmann DJ. A comparison of the two one-sided tests procedure and the power
       approach for assessing the equivalence of average bioavailability. J Pharmacokinet
       Biopharm 1987;15:657-680.

    Examples
    --------
    >>> import rctkit as rk
    >>> trial = rk.BinaryOutcome.from_counts(treatment=(245, 356), control=(270, 370))
    >>> res = rk.equivalence(trial, measure="risk_difference", margins=(-0.125, 0.125),
    ...                      confidence_level=0.90)
    >>> round(res.pvalue, 4), res.rejected
    (0.0066, True)
    """
    return _engine.margin_one(
        "equivalence",
        outcome,
        measure=measure,
        method=method,
        confidence_level=confidence_level,
        bound=margins,
    )
