"""The exact conditional interval and test of an incidence rate ratio (two Poisson counts).

Conditional on the total ``k = e1 + e2``, the treatment events are binomial with probability
``p = RR T1 / (RR T1 + T2)``; the Clopper-Pearson limits of ``p`` give the exact limits of
``RR``, and the p-value is the two-sided binomial test of ``p0 = T1 / (T1 + T2)`` (the
minimum-likelihood rule of R's ``poisson.test``).
"""

from __future__ import annotations

import math


def exact_rate_ratio(
    e1: int, e2: int, t1: float, t2: float, level: float
) -> tuple[float, float, float, float]:
    """Rate ratio ``(e1/t1)/(e2/t2)``, its exact limits and p-value, for validated inputs.

    With no events at all the ratio is undefined: ``(nan, 0, inf, 1)``. With no treatment
    events the lower limit is 0; with no control events the estimate and upper limit are
    infinite.
    """
    # scipy.stats is imported where it is first needed: it costs more than all of rctkit.
    from scipy import stats

    k = e1 + e2
    if k == 0:
        return math.nan, 0.0, math.inf, 1.0
    alpha = 1.0 - level
    scale = t2 / t1
    p_low = 0.0 if e1 == 0 else float(stats.beta.ppf(alpha / 2, e1, k - e1 + 1))
    p_high = 1.0 if e1 == k else float(stats.beta.ppf(1 - alpha / 2, e1 + 1, k - e1))
    low = p_low / (1 - p_low) * scale
    high = math.inf if p_high == 1.0 else p_high / (1 - p_high) * scale
    estimate = math.inf if e2 == 0 else (e1 / t1) / (e2 / t2)
    pvalue = float(stats.binomtest(e1, k, t1 / (t1 + t2)).pvalue)
    return estimate, low, high, pvalue
