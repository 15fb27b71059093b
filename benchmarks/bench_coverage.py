"""Exact coverage of an interval method: rctkit.coverage against a loop of statsmodels calls.

The work: the exact coverage of Newcombe's hybrid score risk-difference interval at 100 per
arm over a 100-point grid of true risks (101 x 101 = 10,201 tables). rctkit computes the
10,201 intervals in one batch call and weights them by binomial probabilities in blocks.
The peer computes each table's interval with statsmodels'
``confint_proportions_2indep(..., method="newcomb", compare="diff")`` (one table a call),
then the same weighting in numpy, and its coverage is checked against rctkit's (to 1e-9)
before anything is timed. Both are timed in full: the statsmodels loop takes about a second,
so nothing is scaled. Measured side by side in one run (``make bench``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

import rctkit as rk
from benchmarks.timing import Row, best_time

N = 100
N_POINTS = 100
ROW = "exact coverage, Newcombe RD, 100/arm"

#: peer time / rctkit time at least this.
TARGETS = {ROW: 10.0}


def _grid() -> np.ndarray:
    p0 = np.linspace(0.02, 0.88, N_POINTS)
    return np.column_stack([p0 + 0.1, p0])


def _peer_weighting(low: np.ndarray, high: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The coverage of given intervals (shape (N + 1, N + 1)), as rctkit weights them."""
    k = np.arange(N + 1)
    w1 = stats.binom.pmf(k[None, :], N, grid[:, :1])
    w0 = stats.binom.pmf(k[None, :], N, grid[:, 1:])
    theta = (grid[:, 0] - grid[:, 1])[:, None, None]
    covered = ((low <= theta) & (theta <= high) & (low < high)).astype(float)
    result: np.ndarray = np.einsum("gi,gij,gj->g", w1, covered, w0)
    return result


def bench_coverage() -> Row:
    grid = _grid()
    x1 = np.repeat(np.arange(N + 1), N + 1)
    x0 = np.tile(np.arange(N + 1), N + 1)
    n_tables = x1.size

    def ours() -> None:
        rk.coverage("newcombe", measure="risk_difference", n_treatment=N, n_control=N, p_grid=grid)

    def peer_intervals() -> tuple[np.ndarray, np.ndarray]:
        low, high = np.empty(n_tables), np.empty(n_tables)
        for i in range(n_tables):
            low[i], high[i] = confint_proportions_2indep(
                x1[i], N, x0[i], N, method="newcomb", compare="diff", alpha=0.05
            )
        return low.reshape(N + 1, N + 1), high.reshape(N + 1, N + 1)

    def peer() -> None:
        _peer_weighting(*peer_intervals(), grid)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        low, high = peer_intervals()
        # The same numbers: the peer's coverage agrees with rctkit's.
        mine_values = rk.coverage(
            "newcombe", measure="risk_difference", n_treatment=N, n_control=N, p_grid=grid
        ).coverage
        theirs_values = _peer_weighting(low, high, grid)
        if not np.allclose(mine_values, theirs_values, rtol=0, atol=1e-9):
            raise AssertionError("statsmodels' Newcombe intervals give another coverage")
        mine = best_time(ours, repeat=3)
        theirs = best_time(peer, repeat=3, min_time=0.0)
    return (ROW, "statsmodels confint_proportions_2indep", mine, theirs)


BENCHMARKS: list[Callable[[], Row]] = [bench_coverage]


if __name__ == "__main__":
    for bench in BENCHMARKS:
        name, peer, mine, theirs = bench()
        print(f"{name:<40} {peer:<46} {mine:>10.3g} {theirs:>10.3g} {theirs / mine:>8.1f}x")
