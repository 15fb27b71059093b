"""Bootstrap resamples of participants within arms, drawn in chunks of bounded size, and the
percentile interval of the refitted estimates."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from rctkit.adjusted.design import Design

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Floats a chunk's largest temporary may hold (32 MiB): resamples are refitted this many
#: floats' worth at a time, so that memory does not grow with the number of resamples.
CHUNK_FLOATS = 2**22


def chunk_size(per_resample: int) -> int:
    """Resamples per chunk when each needs ``per_resample`` floats of temporaries."""
    return max(1, CHUNK_FLOATS // max(1, per_resample))


def weight_chunks(
    treated: BoolArray,
    n_resamples: int,
    rng: np.random.Generator,
    chunk: int,
    column: IntArray | None = None,
    n_columns: int | None = None,
) -> Iterator[FloatArray]:
    """Frequency weights of ``n_resamples`` resamples within arms, ``chunk`` rows at a time.

    The draws are those of one call per arm for all the resamples (the treated arm's, then the
    control arm's), so the weights do not depend on ``chunk`` and ``rng`` ends where it would
    have: a copy of ``rng`` draws the treated arm's indices while ``rng`` itself, advanced past
    them, draws the control arm's. ``column`` maps each participant to a column of the weights
    (the distinct rows of the design, say; default one column per participant).
    """
    n = treated.size
    if column is None:
        column = np.arange(n)
    width = n if n_columns is None else n_columns
    arms = [np.flatnonzero(treated), np.flatnonzero(~treated)]
    first = copy.deepcopy(rng)
    sizes = [min(chunk, n_resamples - s) for s in range(0, n_resamples, chunk)]
    for size in sizes:  # move rng past the treated arm's draws
        rng.integers(0, arms[0].size, size=(size, arms[0].size))
    for size in sizes:
        offsets = (np.arange(size) * width)[:, None]
        flat = np.zeros(size * width)
        for gen, idx in ((first, arms[0]), (rng, arms[1])):
            draws = column[idx[gen.integers(0, idx.size, size=(size, idx.size))]]
            flat += np.bincount((draws + offsets).ravel(), minlength=size * width)
        yield flat.reshape(size, width)


def resample_weights(design: Design, n_resamples: int, rng: np.random.Generator) -> FloatArray:
    """Frequency weights of ``n_resamples`` resamples of participants within arms, (B, n)."""
    return np.vstack(list(weight_chunks(design.treated, n_resamples, rng, n_resamples)))


def percentile(values: FloatArray, level: float) -> tuple[float, float]:
    """Percentile limits (linear interpolation of order statistics, infinities kept).

    The one percentile of :mod:`rctkit.adjusted`; it is to give way to the library's shared
    weighted quantile once that exists.
    """
    x = np.sort(values)
    out = []
    for prob in ((1.0 - level) / 2.0, (1.0 + level) / 2.0):
        h = (x.size - 1) * prob
        lo = math.floor(h)
        hi = min(lo + 1, x.size - 1)
        frac = h - lo
        a, b = float(x[lo]), float(x[hi])
        out.append(a if frac == 0.0 or a == b else a + frac * (b - a))
    return out[0], out[1]
