"""The Mantel-Fleiss criterion over strata: the strata lie along the last axis.

For the total of the treatment arm's events, :math:`T = \\sum_k a_k`, with expectation
``E = sum(n1 m1 / N)`` under no effect, the criterion is the distance from ``E`` to the nearer
end of the range ``T`` can take given every margin:
``min(E - sum(max(0, m1 - n2)), sum(min(n1, m1)) - E)``.
"""

from __future__ import annotations

import numpy as np

from rctkit._kernels.common import FloatArray, IntArray, as_float

__all__ = ["mantel_fleiss"]


def mantel_fleiss(
    a: IntArray, n1: IntArray, c: IntArray, n2: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The expected total ``E``, the distances from the range's ends to it, the criterion.

    Returns ``(E, E - low, high - E, min of the two)`` with ``low = sum(max(0, m1 - n2))`` and
    ``high = sum(min(n1, m1))``. A stratum with no participants contributes nothing.
    """
    fa, fn1, fc, fn2 = as_float(a, n1, c, n2)
    m1 = fa + fc
    n = fn1 + fn2
    expected = np.where(n > 0.0, fn1 * m1 / np.where(n > 0.0, n, 1.0), 0.0).sum(axis=-1)
    low = np.maximum(0.0, m1 - fn2).sum(axis=-1)
    high = np.minimum(fn1, m1).sum(axis=-1)
    below = expected - low
    above = high - expected
    return expected, below, above, np.minimum(below, above)
