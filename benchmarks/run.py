"""Benchmarks: rctkit against its peers, measured side by side in one run.

Each row times rctkit and the peer on the same work in the same process and prints the
ratio peer time / rctkit time (above 1 means rctkit is faster). Run with ``make bench``.
"""

from __future__ import annotations

import platform
import warnings
from collections.abc import Callable

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.contingency_tables import Table2x2

import rctkit as rk
import rctkit.batch as rkb
from benchmarks import (
    bench_adam,
    bench_adjusted,
    bench_ae_tables,
    bench_bootstrap,
    bench_compiled,
    bench_coverage,
    bench_evaluate,
    bench_harms,
    bench_limits,
    bench_limits_strata,
    bench_margins,
    bench_methods,
    bench_power,
    bench_tidy,
)
from benchmarks.timing import Row, best_time


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


def bench_scalar_wald() -> Row:
    core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
    ours = best_time(lambda: rk.odds_ratio(core))
    table = np.array([[64, 154], [83, 133]])
    theirs = best_time(lambda: Table2x2(table).oddsratio_confint())
    return ("scalar Wald OR, CORE", "statsmodels Table2x2", ours, theirs)


BENCHMARKS: list[Callable[[], Row]] = [
    bench_scalar_wald,
    bench_batch_wald,
    bench_batch_fisher,
    *bench_methods.BENCHMARKS,
    *bench_bootstrap.BENCHMARKS,
    *bench_adjusted.BENCHMARKS,
    *bench_limits.BENCHMARKS,
    *bench_harms.BENCHMARKS,
    *bench_ae_tables.BENCHMARKS,
    *bench_tidy.BENCHMARKS,
    *bench_limits_strata.BENCHMARKS,
    *bench_margins.BENCHMARKS,
    *bench_coverage.BENCHMARKS,
    *bench_power.BENCHMARKS,
    *bench_evaluate.BENCHMARKS,
    *bench_adam.BENCHMARKS,
]

#: The issues' targets: peer time / rctkit time at least this.
TARGETS: dict[str, float] = {
    "batch Wald OR, 1e6 tables": 1000.0,
    "scalar Wald OR, CORE": 1.0,
    **bench_methods.TARGETS,
    **bench_bootstrap.TARGETS,
    **bench_adjusted.TARGETS,
    **bench_harms.TARGETS,
    **bench_ae_tables.TARGETS,
    **bench_limits_strata.TARGETS,
    **bench_margins.TARGETS,
    **bench_coverage.TARGETS,
    **bench_power.TARGETS,
    **bench_evaluate.TARGETS,
    **bench_adam.TARGETS,
}


def main() -> None:
    warnings.simplefilter("ignore")
    print(
        f"rctkit {rk.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"statsmodels {statsmodels.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}"
    )
    print(f"{'measurement':<36}{'peer':<42}{'rctkit/call':>12}{'peer/call':>12}{'ratio':>9}")
    for bench in BENCHMARKS:
        name, peer, ours, theirs = bench()
        ratio = theirs / ours
        target = TARGETS.get(name)
        verdict = (
            ""
            if target is None
            else f"  target >= {target:g}x: {'met' if ratio >= target else 'NOT MET'}"
        )
        print(f"{name:<36}{peer:<42}{ours:>12.3g}{theirs:>12.3g}{ratio:>8.1f}x{verdict}")
    memory = bench_bootstrap.bootstrap_peak_memory()
    print(
        f"peak memory, BCa bootstrap of CORE with B=1e7: {memory['traced_peak'] / 2**20:.2f} MiB "
        f"allocated during the call (tracemalloc); process peak RSS "
        f"{memory['maxrss_kib'] / 2**10:.0f} MiB (target < 1 GiB)"
    )
    bench_limits_strata.report()
    adam_peak = bench_adam.peak_memory()
    print(
        f"peak memory, read_adam + ae_table of 1e5 participants and 2e6 events: "
        f"{adam_peak:.0f} MiB process peak RSS (target < {bench_adam.MEMORY_LIMIT_MIB} MiB)"
    )
    bench_compiled.report()
    bench_limits.report()


if __name__ == "__main__":
    main()
