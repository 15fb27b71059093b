"""Risk-ratio kernels."""

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
    """Katz's log interval: ``log RR +/- z * sqrt(1/a - 1/n1 + 1/c - 1/n2)``.

    With no events in an arm the standard error is infinite and the interval is ``[0, inf]``;
    the estimate is ``0`` or ``inf``, and ``nan`` with no events in either arm. When every
    participant in both arms had the event, the estimate is 1 with a zero-width interval.
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    zero = (a == 0) | (c == 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (fa / fn1) / (fc / fn2)
        log_rr = np.log(fa) - np.log(fn1) - np.log(fc) + np.log(fn2)
        se = np.sqrt(np.maximum(1.0 / fa - 1.0 / fn1 + 1.0 / fc - 1.0 / fn2, 0.0))
        z = z_quantile(level)
        low = np.where(zero, 0.0, np.exp(log_rr - z * se))
        high = np.where(zero, np.inf, np.exp(log_rr + z * se))
        stat = np.where(se == 0.0, 0.0, log_rr / se)
        pvalue = np.where(zero, 1.0, two_sided_normal_p(stat))
    pvalue = np.where(np.isnan(estimate), np.nan, pvalue)
    _warnings.warn_where(
        zero,
        "has no events in an arm: the Wald risk-ratio interval is [0, inf] "
        '(consider method="koopman" or "mn")',
    )
    return Interval(estimate, low, high, pvalue)


EFFECTS: dict[str, dict[str, EffectKernel]] = {"risk_ratio": {"wald": wald}}
