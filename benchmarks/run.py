"""Benchmarks: rctkit against its peers, measured side by side in one run.

Each row times rctkit and the peer on the same work in the same process and prints the
ratio peer time / rctkit time (above 1 means rctkit is faster). Run with ``make bench``.
"""

from __future__ import annotations

import platform
import time
import warnings
from collections.abc import Callable

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2

import rctkit as rk
import rctkit.batch as rkb


def best_time(func: Callable[[], object], *, repeat: int = 5, min_time: float = 0.2) -> float:
    """The best per-call time over ``repeat`` rounds, each at least ``min_time`` long."""
    func()  # warm up
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            func()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            break
        number *= 2
    best = elapsed / number
    for _ in range(repeat - 1):
        start = time.perf_counter()
        for _ in range(number):
            func()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def random_tables(n: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    n1 = rng.integers(20, 300, n)
    n2 = rng.integers(20, 300, n)
    a = rng.binomial(n1, 0.3)
    c = rng.binomial(n2, 0.4)
    # Avoid zero cells so the peers' Wald intervals are defined.
    a = np.clip(a, 1, n1 - 1)
    c = np.clip(c, 1, n2 - 1)
    return a, n1, c, n2


Row = tuple[str, str, float, float]


def bench_batch_wald(n_tables: int = 1_000_000, n_peer: int = 2_000) -> Row:
    a, n1, c, n2 = random_tables(n_tables)
    ours = best_time(lambda: rkb.odds_ratio(a, n1, c, n2), repeat=3) / n_tables

    def peer() -> None:
        for i in range(n_peer):
            t = Table2x2(np.array([[a[i], n1[i] - a[i]], [c[i], n2[i] - c[i]]]))
            t.oddsratio_confint()

    theirs = best_time(peer, repeat=3) / n_peer
    return ("batch Wald OR, 1e6 tables", "statsmodels Table2x2 per table", ours, theirs)


def bench_batch_fisher(n_tables: int = 400) -> Row:
    a, n1, c, n2 = random_tables(n_tables, seed=1)
    ours = best_time(lambda: rkb.hypothesis_test(a, n1, c, n2, method="fisher")) / n_tables

    def peer() -> None:
        for i in range(n_tables):
            stats.fisher_exact([[a[i], n1[i] - a[i]], [c[i], n2[i] - c[i]]])

    theirs = best_time(peer, repeat=3) / n_tables
    return ("batch Fisher p, 400 tables", "scipy.stats.fisher_exact per table", ours, theirs)


def bench_scalar_fisher() -> Row:
    core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    ours = best_time(lambda: rk.hypothesis_test(core, method="fisher"))
    theirs = best_time(lambda: stats.fisher_exact([[64, 154], [83, 133]]))
    return ("scalar Fisher p, CORE", "scipy.stats.fisher_exact", ours, theirs)


def bench_scalar_wald() -> Row:
    core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    ours = best_time(lambda: rk.odds_ratio(core))
    table = np.array([[64, 154], [83, 133]])
    theirs = best_time(lambda: Table2x2(table).oddsratio_confint())
    return ("scalar Wald OR, CORE", "statsmodels Table2x2", ours, theirs)


BENCHMARKS: list[Callable[[], Row]] = [
    bench_scalar_wald,
    bench_scalar_fisher,
    bench_batch_wald,
    bench_batch_fisher,
]


def main() -> None:
    warnings.simplefilter("ignore")
    print(
        f"rctkit {rk.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"statsmodels {statsmodels.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}"
    )
    print(f"{'measurement':<30}{'peer':<38}{'rctkit/call':>14}{'peer/call':>14}{'ratio':>10}")
    for bench in BENCHMARKS:
        name, peer, ours, theirs = bench()
        print(f"{name:<30}{peer:<38}{ours:>14.3g}{theirs:>14.3g}{theirs / ours:>9.1f}x")


if __name__ == "__main__":
    main()
