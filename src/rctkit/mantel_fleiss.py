"""The Mantel-Fleiss criterion: is the Mantel-Haenszel approximation good enough here?"""

from __future__ import annotations

from collections.abc import Sequence

from rctkit import _engine
from rctkit._kernels import mantel_fleiss as _kernel
from rctkit.model import BinaryOutcome
from rctkit.results.mantel_fleiss import MantelFleissResult

__all__ = ["mantel_fleiss"]


def mantel_fleiss(strata: Sequence[BinaryOutcome]) -> MantelFleissResult:
    r"""The Mantel-Fleiss criterion for the Cochran-Mantel-Haenszel test and estimates.

    Given every stratum's margins, the total :math:`T = \sum_k a_k` of treatment-arm events
    lies between :math:`\sum_k \max(0, m_{1k} - n_{2k})` and :math:`\sum_k \min(n_{1k},
    m_{1k})`, and under no effect its expectation is :math:`E = \sum_k n_{1k} m_{1k} / N_k`
    (:math:`m_{1k}` the stratum's events, :math:`N_k` its participants). Mantel and Fleiss
    (1980) judge the normal approximation of the Mantel-Haenszel methods adequate when both
    distances from :math:`E` to the ends of that range exceed 5:

    .. math::

        \min\Bigl(E - \sum_k \max(0, m_{1k} - n_{2k}),\;
                  \sum_k \min(n_{1k}, m_{1k}) - E\Bigr) > 5.

    Parameters
    ----------
    strata : sequence of BinaryOutcome
        One outcome per stratum, the same arms in each.

    Returns
    -------
    MantelFleissResult
        The criterion, both distances, the expected and observed totals, and whether it is met.

    Raises
    ------
    InvalidInputError
        For an empty or mistyped ``strata``.

    Notes
    -----
    The criterion is a rule of thumb on the data's margins, not a test: it does not look at the
    observed total. A stratum with no participants contributes nothing; a stratum with one
    arm empty has :math:`E_k = 0` and a range of one point, so it contributes nothing either.
    When the criterion fails, prefer ``mantel_haenszel(..., method="exact")`` for the odds
    ratio, or the stratified score (``method="mn"``) or Newcombe (``method="newcombe"``)
    intervals for the risk difference. A failing criterion is not a warning by itself: the
    caller decides.

    References
    ----------
    Mantel N, Fleiss JL. Minimum expected cell size requirements for the Mantel-Haenszel
    one-degree-of-freedom chi-square test and a related rapid procedure. Am J Epidemiol
    1980;112:129-34.

    Examples
    --------
    >>> import rctkit as rk
    >>> strata = [rk.BinaryOutcome.from_counts(treatment=(0, 5), control=(2, 6)),
    ...           rk.BinaryOutcome.from_counts(treatment=(1, 4), control=(3, 5)),
    ...           rk.BinaryOutcome.from_counts(treatment=(2, 3), control=(0, 4)),
    ...           rk.BinaryOutcome.from_counts(treatment=(1, 6), control=(1, 6))]
    >>> rk.mantel_fleiss(strata)
    MantelFleissResult(value=4.54, passed=False)
    """
    a, n1, c, n2 = _engine.check_strata(strata)
    expected, lower, upper, value = _kernel.mantel_fleiss(a, n1, c, n2)
    return MantelFleissResult(
        value=float(value),
        lower=float(lower),
        upper=float(upper),
        expected=float(expected),
        observed=int(a.sum()),
    )
