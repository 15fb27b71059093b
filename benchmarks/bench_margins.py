"""Non-inferiority tests over many tables: rctkit.batch.noninferiority against statsmodels.

statsmodels' ``test_proportions_2indep(..., value=margin, method="score", compare="diff",
alternative="larger")`` is the peer, called table by table (it takes one table at a time).
Its constrained MLE under a non-zero difference is wrong (statsmodels issue 10269), so its
p-values differ from rctkit's in the third digit; the row compares the cost of the same
work, not the numbers. Measured side by side in one run (``make bench``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from statsmodels.stats.proportion import test_proportions_2indep

import rctkit.batch as rkb
from benchmarks.timing import Row, best_time

N_TABLES = 10_000
#: statsmodels is timed on the first tables only (about 1 ms a table) and scaled per table.
N_PEER = 500
MARGIN = -0.125

ROW = "batch NI test (MN score), 1e4 tables"

#: peer time / rctkit time at least this.
TARGETS = {ROW: 10.0}


def _tables(n: int, seed: int = 12) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    n1 = rng.integers(50, 500, n)
    n2 = rng.integers(50, 500, n)
    return rng.binomial(n1, 0.65), n1, rng.binomial(n2, 0.7), n2


def bench_noninferiority(n_tables: int = N_TABLES, n_peer: int = N_PEER) -> Row:
    a, n1, c, n2 = _tables(n_tables)

    def ours() -> None:
        rkb.noninferiority(
            a, n1, c, n2, measure="risk_difference", margin=MARGIN, higher_is_better=True
        )

    def peer() -> None:
        for i in range(n_peer):
            test_proportions_2indep(
                a[i],
                n1[i],
                c[i],
                n2[i],
                value=MARGIN,
                method="score",
                compare="diff",
                alternative="larger",
            )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mine = best_time(ours, repeat=3) / n_tables
        theirs = best_time(peer, repeat=3, min_time=0.0) / n_peer
    return (ROW, "statsmodels test_proportions_2indep per table", mine, theirs)


BENCHMARKS: list[Callable[[], Row]] = [bench_noninferiority]


if __name__ == "__main__":
    for bench in BENCHMARKS:
        name, peer, mine, theirs = bench()
        print(f"{name:<40} {peer:<46} {mine:>10.3g} {theirs:>10.3g} {theirs / mine:>8.1f}x")
