"""Tests of no difference between two arms: chi-squared, exact, unconditional, model-based."""

from __future__ import annotations

from rctkit import _engine
from rctkit.model import BinaryOutcome
from rctkit.results import TestResult

__all__ = ["hypothesis_test"]


def hypothesis_test(
    outcome: BinaryOutcome,
    *,
    method: str = "chi2",
    alternative: str = "two-sided",
    measure: str = "risk_difference",
    null_value: float | None = None,
    two_sided: str | None = None,
) -> TestResult:
    """Test the null hypothesis that the risk of the event is the same in both arms, or, with
    the score tests, that the effect equals ``null_value``.

    Parameters
    ----------
    outcome : BinaryOutcome
        The two arms' counts.
    method : str, optional
        ``"chi2"`` (default): Pearson's chi-squared test (1 df) without continuity
        correction; ``"chi2-yates"``: with Yates's correction as R's ``chisq.test`` applies
        it; ``"fisher"``: Fisher's exact test, two-sided as R's ``fisher.test``;
        ``"fisher-midp"``: its mid-p version; ``"barnard"`` and ``"boschloo"``: the
        unconditional exact tests; ``"wald"``: the Wald test of the logistic model;
        ``"lr"``: the likelihood-ratio test; ``"mn"`` and ``"fm"``: the Miettinen-Nurminen
        and Farrington-Manning score tests on the scale of ``measure`` (the tests that
        :func:`rctkit.noninferiority` uses; at no effect ``"mn"`` is the "N - 1" chi-squared
        test and ``"fm"`` Pearson's).
    alternative : {"two-sided", "less", "greater"}, optional
        One-sided alternatives (treatment effect below or above the null) exist for every
        test but the chi-squared ones.
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}, optional
        The scale of ``null_value``, for ``"mn"`` and ``"fm"`` (default the risk
        difference). The other tests compare the arms at no effect, which is the same on
        every scale, and do not use it.
    null_value : float or None, optional
        The effect under the null for ``"mn"`` and ``"fm"``; None (default) is no effect
        (0 or 1). Any other test refuses a value other than None.
    two_sided : {None, "minlike", "central", "blaker"}, optional
        Only with ``method="fisher"`` and ``alternative="two-sided"``: which tables count as
        "as or more extreme" than the observed one. None (default) and ``"minlike"``: those
        no more probable (R's ``fisher.test``); ``"central"``: twice the smaller one-sided
        p-value, capped at 1; ``"blaker"``: those whose smaller tail probability is at most
        the observed table's (Blaker 2000). Each is inverted by
        ``odds_ratio(method="exact", two_sided=...)`` with the same rule.

    Returns
    -------
    TestResult
        ``statistic`` is the chi-squared value (None for Fisher's test).

    Raises
    ------
    InvalidInputError
        If ``outcome`` is not a BinaryOutcome, or ``method`` or ``alternative`` is unknown or
        undefined for the test, or ``null_value`` is given to a test of no effect or lies
        outside the measure's range, or ``two_sided`` is unknown or given with another
        test or a one-sided alternative.
    CostLimitError
        For ``"barnard"``, ``"barnard-unpooled"`` and ``"boschloo"`` with more than 10,000
        participants (an InvalidInputError), before any work; for ``two_sided="blaker"``
        when the table has more than 2000 possible values of the treatment events given the
        margins.

    Warns
    -----
    RctkitWarning
        When no participant, or every participant, had the event: the chi-squared statistic
        is then 0 and the p-value 1 (R gives NaN).

    Notes
    -----
    Fisher's two-sided p-value sums the probabilities of all tables with the observed margins
    that are no more likely than the observed table, counting a table as no more likely when
    its probability is at most :math:`1 + 10^{-7}` times the observed one, as R does.
    Blaker's p-value at OR = 1 is a ratio of exact integers (ties between tail
    probabilities decided exactly).

    Cost: constant in the counts for every method but the unconditional ones (counts up to
    ``rctkit.MAX_COUNT``). Barnard's and Boschloo's tests enumerate the sample space: their
    cost grows like :math:`N^{1.7}` (about 2 s for Barnard's, 3.5 s for two-sided Boschloo,
    at :math:`N = 8000`), and they are refused above :math:`N = 10{,}000`, where the
    chi-squared and Fisher tests agree with them closely. :func:`rctkit.batch.hypothesis_test`
    also refuses a batch whose tables add up to more than 1e9 cells (about a minute).

    Examples
    --------
    >>> import rctkit as rk
    >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    >>> rk.hypothesis_test(core)
    TestResult(statistic=3.983, pvalue=0.04596, method='chi2')
    >>> round(rk.hypothesis_test(core, method="fisher").pvalue, 4)
    0.0539
    >>> res = rk.hypothesis_test(core, method="mn", measure="risk_ratio", null_value=1.1,
    ...                          alternative="less")
    >>> round(res.pvalue, 4)
    0.0034
    >>> round(rk.hypothesis_test(core, method="fisher", two_sided="central").pvalue, 4)
    0.058
    """
    return _engine.test_one(outcome, method, alternative, measure, null_value, two_sided)


hypothesis_test.__test__ = False  # type: ignore[attr-defined]
