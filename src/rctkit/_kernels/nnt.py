"""The signed number needed to treat from risk differences and their limits.

One transform, elementwise over arrays, used by the scalar and vectorised NNT alike. Positive
values are NNTB (benefit), negative NNTH (harm), ``inf`` no difference; the limits are the
risk-difference limits inverted and exchanged, so an interval through infinity has
``low > high`` (Altman 1998).
"""

from __future__ import annotations

import numpy as np

from rctkit._kernels.common import FloatArray


def signed_nnt(
    rd: FloatArray, low: FloatArray, high: FloatArray, harmful: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Signed NNTs and their limits from risk differences (treatment minus control).

    ``harmful`` says the counted event is bad for the patient, so that benefit is a lower risk
    on treatment. The arrays are validated by the caller (finite, in [-1, 1], low <= high).
    """
    if harmful:
        # The absolute risk reduction, control minus treatment, and its limits.
        arr, arr_low, arr_high = -rd, -high, -low
    else:
        arr, arr_low, arr_high = rd, low, high
    with np.errstate(divide="ignore"):
        nnt = np.where(arr == 0.0, np.inf, 1.0 / arr)
        nnt_high = np.where(arr_low == 0.0, np.inf, 1.0 / arr_low)
        # An upper ARR limit of exactly 0 is approached from below, unless the interval is {0}.
        nnt_low = np.where(
            arr_high == 0.0, np.where(arr_low < 0.0, -np.inf, np.inf), 1.0 / arr_high
        )
    return (
        np.asarray(nnt, dtype=np.float64),
        np.asarray(nnt_low, dtype=np.float64),
        np.asarray(nnt_high, dtype=np.float64),
    )
