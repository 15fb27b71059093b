"""Risk-difference kernels. Limits are clipped to [-1, 1]."""

from __future__ import annotations

import numpy as np

from rctkit import _warnings
from rctkit._kernels.common import (
    EffectKernel,
    IntArray,
    Interval,
    as_float,
    two_sided_normal_p,
    z_quantile,
)


def wald(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, level: float) -> Interval:
    """The Wald interval ``p1 - p2 +/- z * sqrt(p1 q1 / n1 + p2 q2 / n2)``, clipped to [-1, 1].

    When both observed risks are 0 or 1 the estimated standard error is zero and the interval
    has zero width: the method's known failure, for which a warning is issued.
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    p1, p2 = fa / fn1, fc / fn2
    estimate = p1 - p2
    se = np.sqrt(p1 * (1.0 - p1) / fn1 + p2 * (1.0 - p2) / fn2)
    z = z_quantile(level)
    low = np.clip(estimate - z * se, -1.0, 1.0)
    high = np.clip(estimate + z * se, -1.0, 1.0)
    degenerate = se == 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(degenerate & (estimate == 0.0), 0.0, estimate / se)
    pvalue = two_sided_normal_p(stat)
    _warnings.warn_where(
        degenerate,
        "has every risk at 0 or 1: the Wald risk-difference interval has zero width "
        '(consider method="newcombe" or "mn")',
    )
    return Interval(estimate, low, high, pvalue)


EFFECTS: dict[str, dict[str, EffectKernel]] = {"risk_difference": {"wald": wald}}
