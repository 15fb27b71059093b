"""Tests of no difference between two arms: chi-squared, exact, unconditional, model-based."""

from __future__ import annotations

from rctkit import _engine
from rctkit.model import BinaryOutcome
from rctkit.results import TestResult

__all__ = ["hypothesis_test"]


def hypothesis_test(
    outcome: BinaryOutcome, *, method: str = "chi2", alternative: str = "two-sided"
) -> TestResult:
    """Test the null hypothesis that the risk of the event is the same in both arms.

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
        ``"lr"``: the likelihood-ratio test.
    alternative : {"two-sided", "less", "greater"}, optional
        One-sided alternatives (treatment effect below or above the null) exist for every
        test but the chi-squared ones.

    Returns
    -------
    TestResult
        ``statistic`` is the chi-squared value (None for Fisher's test).

    Raises
    ------
    InvalidInputError
        If ``outcome`` is not a BinaryOutcome, or ``method`` or ``alternative`` is unknown or
        undefined for the test.

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

    Examples
    --------
    >>> import rctkit as rk
    >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    >>> rk.hypothesis_test(core)
    TestResult(statistic=3.983, pvalue=0.04596, method='chi2')
    >>> round(rk.hypothesis_test(core, method="fisher").pvalue, 4)
    0.0539
    """
    return _engine.test_one(outcome, method, alternative)


hypothesis_test.__test__ = False  # type: ignore[attr-defined]
