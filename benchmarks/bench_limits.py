"""The big cases of the docs' Limits page: conditional methods on huge tables.

Rows against a peer where one can run at all (scipy's conditional odds-ratio interval takes
about 90 s at 1e5 per arm, so its row is at 1e4), and a table of rctkit's own times from
1e6 to :data:`rctkit.MAX_COUNT` per arm, which the Limits page quotes.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import numpy as np
from scipy import stats
from scipy.stats.contingency import odds_ratio as scipy_odds_ratio

import rctkit as rk
import rctkit.batch as rkb
from benchmarks.timing import Row, best_time


def _near_null(n: int, shift: float) -> tuple[int, int, int, int]:
    """Two arms of ``n`` with 30% events, the treatment arm ``shift`` standard errors off."""
    c = int(0.3 * n)
    se = (2 * 0.3 * 0.7 * n) ** 0.5
    return c + int(shift * se), n, c, n


def bench_exact_or_large() -> Row:
    a, n1, c, n2 = _near_null(10**4, 2.0)
    ours = best_time(lambda: rkb.odds_ratio(a, n1, c, n2, method="exact"))
    table = [[a, n1 - a], [c, n2 - c]]
    theirs = best_time(
        lambda: scipy_odds_ratio(table, kind="conditional").confidence_interval(),
        repeat=1,
        min_time=0.0,
    )
    return ("exact OR CI, 1e4 per arm", "scipy odds_ratio(kind='conditional')", ours, theirs)


def bench_fisher_huge_batch(n_tables: int = 100) -> Row:
    rng = np.random.default_rng(3)
    n = np.full(n_tables, 10**9)
    a = rng.binomial(n, 0.3)
    c = rng.binomial(n, 0.3)
    ours = best_time(lambda: rkb.hypothesis_test(a, n, c, n, method="fisher")) / n_tables

    def peer() -> None:
        for i in range(n_tables):
            stats.fisher_exact([[a[i], n[i] - a[i]], [c[i], n[i] - c[i]]])

    theirs = best_time(peer, repeat=3) / n_tables
    return (
        "Fisher p, 1e9 per arm, 100 tables",
        "scipy.stats.fisher_exact per table",
        ours,
        theirs,
    )


BENCHMARKS: list[Callable[[], Row]] = [bench_exact_or_large, bench_fisher_huge_batch]
TARGETS: dict[str, float] = {}


def report() -> None:
    """rctkit's own time per call of each conditional method as the arms grow."""
    warnings.simplefilter("ignore", rk.RctkitWarning)
    print("conditional methods on one huge table (seconds per call; 0 and 10 SE from the null):")
    calls: dict[str, Callable[[tuple[int, int, int, int]], object]] = {
        "exact": lambda t: rkb.odds_ratio(*t, method="exact"),
        "midp": lambda t: rkb.odds_ratio(*t, method="midp"),
        "fisher": lambda t: rkb.hypothesis_test(*t, method="fisher"),
        "fisher-midp": lambda t: rkb.hypothesis_test(*t, method="fisher-midp"),
    }
    print(f"{'per arm':>10}{'shift':>7}" + "".join(f"{name:>13}" for name in calls))
    for n in (10**6, 10**9, rk.MAX_COUNT):
        for shift in (0.0, 10.0):
            table = _near_null(n, shift)
            times = []
            for call in calls.values():
                start = time.perf_counter()
                call(table)
                times.append(time.perf_counter() - start)
            print(f"{n:>10.0e}{shift:>7g}" + "".join(f"{t:>13.4f}" for t in times))
