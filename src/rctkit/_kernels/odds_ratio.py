"""Odds-ratio kernels."""

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
    """Woolf's logit interval: ``log OR +/- z * sqrt(1/a + 1/b + 1/c + 1/d)``.

    With a zero cell the standard error is infinite: the interval is ``[0, inf]``, the
    estimate is ``0`` or ``inf`` (``nan`` when no participant, or every participant, had the
    event) and the Wald p-value is 1. Nothing is added to the cells.
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    fb, fd = fn1 - fa, fn2 - fc
    zero = (a == 0) | (n1 == a) | (c == 0) | (n2 == c)
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = (fa * fd) / (fb * fc)
        log_or = np.log(fa) + np.log(fd) - np.log(fb) - np.log(fc)
        se = np.sqrt(1.0 / fa + 1.0 / fb + 1.0 / fc + 1.0 / fd)
        z = z_quantile(level)
        low = np.where(zero, 0.0, np.exp(log_or - z * se))
        high = np.where(zero, np.inf, np.exp(log_or + z * se))
        pvalue = np.where(zero, 1.0, two_sided_normal_p(log_or / se))
    pvalue = np.where(np.isnan(estimate), np.nan, pvalue)
    _warnings.warn_where(
        zero,
        "has a zero cell: the Wald odds-ratio interval is [0, inf] "
        '(consider method="exact", "mn", "profile" or "firth")',
    )
    return Interval(estimate, low, high, pvalue)


EFFECTS: dict[str, dict[str, EffectKernel]] = {"odds_ratio": {"wald": wald}}
