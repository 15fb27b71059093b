"""Bootstrap resamples of participants within arms, drawn in chunks of bounded size, and the
percentile interval of the refitted estimates."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from rctkit.adjusted.design import BLOCK_LEVELS, Design, row_products
from rctkit.adjusted.glm import HESSIAN_MAX, hessian_cost, refit_resamples
from rctkit.errors import CostLimitError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Floats a chunk's largest temporary may hold (32 MiB): resamples are refitted this many
#: floats' worth at a time, so that memory does not grow with the number of resamples.
CHUNK_FLOATS = 2**22
#: Most bootstrap resamples of an adjusted model (their estimates are kept: 80 MB).
MAX_RESAMPLES = 10**7
#: Largest n_resamples x participants x coefficients of an adjusted model's bootstrap (about
#: five minutes on one core of a 2024 laptop's worth of batched Newton refits).
MAX_BOOTSTRAP_COST = 2 * 10**10


def check_resamples_cost(n_resamples: int, n: int, p: int, alternative: str) -> None:
    """Refuse, before any resample is drawn, a bootstrap beyond ``MAX_RESAMPLES`` resamples or
    ``MAX_BOOTSTRAP_COST`` (``n = 1`` checks the count alone, before the design is built)."""
    cost = n_resamples * n * p
    if n_resamples <= MAX_RESAMPLES and cost <= MAX_BOOTSTRAP_COST:
        return
    largest = min(MAX_RESAMPLES, MAX_BOOTSTRAP_COST // (n * p))
    fewer = f"n_resamples={largest:,} at most, or " if largest >= 2 else ""
    size = "" if n == 1 else f" of {n:,} participants and {p} coefficients"
    raise CostLimitError(
        f"`n_resamples` asks for {n_resamples:,} bootstrap refits{size} (cost n_resamples x "
        f"participants x coefficients = {cost:.3g}), beyond the limits of {MAX_RESAMPLES:,} "
        f"resamples and a cost of {MAX_BOOTSTRAP_COST:.0e}: use {fewer}{alternative}"
    )


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
    # the draws (n integers a resample) and their codes stay within the chunk's budget too
    chunk = max(1, min(chunk, chunk_size(3 * n + width)))
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


def refit_chunks(
    design: Design,
    beta: FloatArray,
    firth: bool,
    n_resamples: int,
    rng: np.random.Generator,
    set_aside: tuple[BoolArray, BoolArray, FloatArray] | None = None,
) -> tuple[FloatArray, Iterator[tuple[FloatArray, FloatArray, BoolArray]]]:
    """Refit every resample, a chunk at a time: the design's distinct rows, and an iterator of
    (weights on them, coefficients, converged) per chunk.

    Participants with the same covariates and outcome enter every (penalised) likelihood, and
    every standardised risk, only through the sum of their weights, so the resamples are
    refitted on the distinct rows of the design, exactly, warm-started at ``beta``, in chunks
    whose temporaries stay within ``CHUNK_FLOATS``.

    ``set_aside`` = (rows kept, arms, outcomes) of all the participants when ``design`` holds
    only the kept ones (a factor level with a constant outcome set aside): the resamples are
    drawn within arms from all of them, and the weights get two more columns, the resample's
    count of set-aside participants with outcome 0 and with outcome 1 (not refitted).
    """
    patterns, column = np.unique(
        np.column_stack([design.X, design.y]), axis=0, return_inverse=True
    )
    X, y = patterns[:, :-1], patterns[:, -1]
    rows, p = X.shape
    outer = row_products(X)
    widest = max(design.factor_columns, key=lambda c: c[1] - c[0], default=None)
    block = widest if widest is not None and widest[1] - widest[0] >= BLOCK_LEVELS else None
    d = p if block is None else p - (block[1] - block[0])
    if block is not None and not firth:
        per_resample = rows * (d + 8) + 4 * p
    elif firth and hessian_cost(rows, p) > HESSIAN_MAX:  # Fisher scoring, by blocks or not
        per_resample = rows * (3 * d + 8) + p * p
    else:
        per_resample = rows * p + p * p + (min(p**3, rows * rows) if firth else 0)
    treated, codes, width = design.treated, np.asarray(column, dtype=np.int64).ravel(), rows
    if set_aside is not None:
        keep, treated, outcomes = set_aside
        codes_all = rows + (outcomes > 0.5).astype(np.int64)
        codes_all[keep] = codes
        codes, width = codes_all, rows + 2
    chunks = weight_chunks(treated, n_resamples, rng, chunk_size(per_resample), codes, width)

    def refits() -> Iterator[tuple[FloatArray, FloatArray, BoolArray]]:
        for weights in chunks:
            coef, converged = refit_resamples(
                X, y, weights[:, :rows], start=beta, firth=firth, outer=outer, block=block
            )
            yield weights, coef, converged

    return X, refits()


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
