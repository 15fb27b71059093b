"""Issue 10's large stratified cases: the exact common odds ratio, grouping, the bootstrap.

Before issue 10 the exact method convolved every point of every stratum's support (the
1000 strata of 100 below took about 13 s on the development machine, two strata of 1e6 per
arm asked numpy for 7.27 TiB and raised MemoryError) and ``strata_from_arrays`` built one
mask per stratum (86 s for 200,000 rows in 50,000 strata). These rows print the time now;
the exact method and the grouping have no peer in Python, so their rows compare the time
with a budget. The Mantel-Haenszel rows time statsmodels' ``StratifiedTable`` side by side
on the same strata (estimate, interval and test).

Timings of ``numpy.convolve`` depend on the BLAS threads: on a loaded machine the first call
can stall for seconds while OpenBLAS starts its threads, so run with
``OPENBLAS_NUM_THREADS=1`` for stable numbers.
"""

from __future__ import annotations

import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from statsmodels.stats.contingency_tables import StratifiedTable

import rctkit as rk
from benchmarks.timing import Row, best_time, paired_times

#: Time budgets of the rows without a peer (seconds): the documented costs, with a margin.
EXACT_BUDGET = 5.0
GROUPING_BUDGET = 5.0

EXACT_SMALL_ROW = "exact MH OR, 1000 strata of 100"
EXACT_HUGE_ROW = "exact MH OR, 2 strata of 1e6 per arm"
GROUPING_ROW = "strata_from_arrays, 2e5 rows, 5e4 strata"
MH_ROW = "MH OR + CMH test, 1000 strata of 100"
MH_BIG_ROW = "MH OR + CMH test, 50 strata of 1e9 per arm"

TARGETS = {EXACT_SMALL_ROW: 1.0, EXACT_HUGE_ROW: 1.0, GROUPING_ROW: 1.0, MH_ROW: 1.0}


def many_small(k: int = 1000, n: int = 100, seed: int = 0) -> list[rk.BinaryOutcome]:
    """``k`` strata of ``n`` participants, half per arm, risks 0.3 and 0.4."""
    rng = np.random.default_rng(seed)
    half = n // 2
    a = rng.binomial(half, 0.3, k)
    c = rng.binomial(n - half, 0.4, k)
    return [
        rk.BinaryOutcome.from_counts(treatment=(int(x), half), control=(int(y), n - half))
        for x, y in zip(a, c, strict=True)
    ]


def huge(k: int = 2, n: int = 10**6, seed: int = 0) -> list[rk.BinaryOutcome]:
    """``k`` strata of ``n`` per arm, risks 0.48 and 0.52."""
    rng = np.random.default_rng(seed)
    a = rng.binomial(n, 0.48, k)
    c = rng.binomial(n, 0.52, k)
    return [
        rk.BinaryOutcome.from_counts(treatment=(int(x), n), control=(int(y), n))
        for x, y in zip(a, c, strict=True)
    ]


def participants(
    rows: int = 200_000, strata: int = 50_000, seed: int = 0
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]:
    """Arms, outcomes and strata of ``rows`` participants, both arms in every stratum."""
    rng = np.random.default_rng(seed)
    stratum = rng.permutation(np.arange(rows) % strata)
    order = np.argsort(stratum, kind="stable")
    rank = np.empty(rows, dtype=np.int64)
    rank[order] = np.arange(rows) % (rows // strata)
    arm = np.where(rank % 2 == 0, "T", "C")
    return arm, rng.integers(0, 2, rows), stratum


def _once(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def bench_exact_small() -> Row:
    strata = many_small()
    ours = best_time(lambda: rk.mantel_haenszel(strata, method="exact"), repeat=3)
    return (EXACT_SMALL_ROW, f"time budget {EXACT_BUDGET:g} s (was ~13 s)", ours, EXACT_BUDGET)


def bench_exact_huge() -> Row:
    strata = huge()
    ours = min(_once(lambda: rk.mantel_haenszel(strata, method="exact")) for _ in range(3))
    return (EXACT_HUGE_ROW, f"time budget {EXACT_BUDGET:g} s (was 7 TiB)", ours, EXACT_BUDGET)


def bench_grouping() -> Row:
    arm, y, stratum = participants()
    ours = min(
        _once(lambda: rk.strata_from_arrays(arm, y, stratum, treatment="T")) for _ in range(3)
    )
    return (GROUPING_ROW, f"time budget {GROUPING_BUDGET:g} s (was 86 s)", ours, GROUPING_BUDGET)


def _mh_rows(name: str, strata: list[rk.BinaryOutcome]) -> Row:
    tables = [np.array(s.table) for s in strata]

    def ours() -> None:
        rk.mantel_haenszel(strata)

    def theirs() -> None:
        table = StratifiedTable(tables)
        table.oddsratio_pooled_confint()
        table.test_null_odds()

    mine, peer = paired_times(ours, theirs)
    return (name, "statsmodels StratifiedTable", mine, peer)


def bench_mh() -> Row:
    return _mh_rows(MH_ROW, many_small())


def bench_mh_big() -> Row:
    return _mh_rows(MH_BIG_ROW, huge(50, 10**9, seed=1))


def bootstrap_at_the_limit() -> tuple[float, float]:
    """Time (s) and peak traced memory (MiB) of a stratified bootstrap of 20,000 resamples of
    1000 strata: B K = 2e7, the largest accepted."""
    strata = many_small()
    tracemalloc.start()
    try:
        start = time.perf_counter()
        rk.stratified_bootstrap(strata, n_resamples=20_000, rng=1)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return elapsed, peak / 2**20


BENCHMARKS: list[Callable[[], Row]] = [
    bench_exact_small,
    bench_exact_huge,
    bench_grouping,
    bench_mh,
    bench_mh_big,
]


def report() -> None:
    """The bootstrap's time and memory at its limit (printed by benchmarks.run)."""
    elapsed, peak = bootstrap_at_the_limit()
    print(
        f"stratified bootstrap at its limit (B=20,000 x 1000 strata): {elapsed:.2f} s, "
        f"{peak:.0f} MiB allocated at the peak (tracemalloc; 320 MB of it the kept counts)"
    )


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    for bench in BENCHMARKS:
        name, peer, ours, theirs = bench()
        print(f"{name:<44}{peer:<36}{ours:>10.3g}{theirs:>10.3g}{theirs / ours:>8.1f}x")
    report()
