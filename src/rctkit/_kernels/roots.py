"""Vectorised bracketed root finding for interval limits, solved to about 1e-12 relative.

Every iterative limit in rctkit (score, exact, mid-p, profile, Firth) is the root of a
monotone function of the parameter on one side of the estimate. These helpers solve all the
tables of a batch at once with scipy's elementwise Chandrupatla solver
(:func:`scipy.optimize.elementwise.find_root`), not with a Python loop over tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import elementwise

from rctkit._kernels.common import BoolArray, FloatArray

#: Relative and absolute tolerances on the root; limits are wanted to 1e-9 relative.
XRTOL = 4 * np.finfo(float).eps
XATOL = 1e-300
MAXITER = 200


def find_root(
    f: Callable[..., FloatArray],
    low: FloatArray,
    high: FloatArray,
    args: tuple[Any, ...] = (),
) -> tuple[FloatArray, BoolArray]:
    """Solve ``f(x, *args) = 0`` elementwise for ``x`` in the bracket ``[low, high]``.

    ``f`` must be elementwise (``f(x)[i]`` depends on ``x[i]`` and ``args[...][i]`` only),
    continuous and of opposite signs at the two ends. Returns the roots and a mask of the
    elements where the solver converged.
    """
    res = elementwise.find_root(
        f,
        (low, high),
        args=args,
        tolerances={"xrtol": XRTOL, "xatol": XATOL, "frtol": 0.0, "fatol": 0.0},
        maxiter=MAXITER,
    )
    return np.asarray(res.x, dtype=np.float64), np.asarray(res.success, dtype=bool)


def find_root_from(
    f: Callable[..., FloatArray],
    start: FloatArray,
    step: FloatArray | float,
    args: tuple[Any, ...] = (),
    *,
    low: FloatArray | float = -np.inf,
    high: FloatArray | float = np.inf,
) -> tuple[FloatArray, BoolArray]:
    """Bracket then solve ``f(x, *args) = 0``, searching outward from ``start``.

    Useful on the log scale of a ratio, where the root's distance from the estimate is not
    known in advance. ``low`` and ``high`` bound the search. Returns the roots and a mask of
    the elements where a bracket was found and the solver converged.
    """
    start = np.asarray(start, dtype=np.float64)
    br = elementwise.bracket_root(f, start - step, start + step, xmin=low, xmax=high, args=args)
    found = np.asarray(br.success, dtype=bool)
    lo = np.where(found, br.bracket[0], start)
    hi = np.where(found, br.bracket[1], start + 1.0)
    x, ok = find_root(f, lo, hi, args)
    return x, ok & found
