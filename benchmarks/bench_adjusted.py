"""The adjusted models against a statsmodels refit loop, and Firth with many factor levels.

rctkit refits all B bootstrap resamples in chunks of bounded size (batched Newton/IRLS, warm
started from the full fit; a factor with many levels enters through its diagonal block of
the information matrix). The peer refits each resample with
``statsmodels.GLM(..., freq_weights=counts).fit()``, the usual loop; it is timed on a part of
the resamples and scaled to B (its cost is linear in B).

Firth's profile-penalised-likelihood interval at 4,000 participants and 100 sites (102
columns) has no peer in Python; its row compares the time with issue 9's budget of 10 s.

Issue 10's big cases: Firth's profile interval with 200 sites (202 columns) against the same
computation with the dense p x p information (the path before the factor entered by blocks,
forced by raising ``BLOCK_LEVELS``), measured side by side; the Wald fit with 200 sites
against ``statsmodels.GLM(...).fit()`` (the same model and data); and the bootstrap of
200,000 participants (2000 resamples, bounded memory) against the statsmodels refit loop,
timed on a part of the resamples and scaled.
"""

from __future__ import annotations

import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import statsmodels.api as sm

import rctkit as rk
from benchmarks.timing import Row, best_time, paired_times
from rctkit.adjusted import build_design, load_core_simulated
from rctkit.adjusted.resample import resample_weights

KW: dict[str, Any] = {
    "outcome": "readmitted",
    "arm": "arm",
    "treatment": "peer_support",
    "covariates": ["prior_admissions"],
    "factors": ["site"],
}
B = 2000
B_PEER = 200
FIRTH_BUDGET = 10.0

CORE_ROW = f"adjusted bootstrap B={B}, 434 participants, 6 sites"
SITES_ROW = f"adjusted bootstrap B={B}, 4000 participants, 100 sites"
FIRTH_ROW = "Firth profile CI, 4000 participants, 100 sites"

FIRTH_200_ROW = "Firth profile CI, 4000 participants, 200 sites"
WALD_200_ROW = "adjusted OR (Wald), 4000 participants, 200 sites"
LARGE_ROW = f"adjusted bootstrap B={B}, 200000 participants"

TARGETS = {
    CORE_ROW: 30.0,
    SITES_ROW: 30.0,
    FIRTH_ROW: 1.0,
    FIRTH_200_ROW: 10.0,
    WALD_200_ROW: 1.0,
    LARGE_ROW: 10.0,
}


def many_sites(n: int, sites: int, seed: int = 0) -> dict[str, npt.NDArray[Any]]:
    """A simulated trial with ``sites`` sites of similar size (the CORE model, more sites)."""
    rng = np.random.default_rng(seed)
    site = rng.integers(0, sites, size=n)
    treated = rng.permutation(np.arange(n) % 2 == 0)
    prior = rng.poisson(1.5, size=n)
    age = np.clip(np.round(rng.normal(40.0, 13.0, size=n)), 18, 80)
    eta = -0.49 + np.log(0.62) * treated + 0.35 * (prior - 1.5) + rng.normal(0, 0.45, sites)[site]
    return {
        "site": np.array([f"s{j:03d}" for j in range(sites)])[site],
        "arm": np.where(treated, "peer_support", "control"),
        "age": age,
        "prior_admissions": prior,
        "readmitted": (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(int),
    }


def _bootstrap_row(name: str, data: dict[str, npt.NDArray[Any]], b_peer: int) -> Row:
    ours = best_time(
        lambda: rk.adjusted_odds_ratio(data, method="bootstrap", n_resamples=B, rng=1, **KW),
        repeat=3,
        min_time=0.0,
    )
    design = build_design(data, **KW)
    weights = resample_weights(design, b_peer, np.random.default_rng(2))

    def peer() -> None:
        for w in weights:
            sm.GLM(design.y, design.X, family=sm.families.Binomial(), freq_weights=w).fit()

    start = time.perf_counter()
    peer()
    theirs = (time.perf_counter() - start) * B / b_peer
    return (name, "statsmodels GLM refit loop", ours, theirs)


def bench_adjusted_bootstrap() -> Row:
    return _bootstrap_row(CORE_ROW, load_core_simulated(), B_PEER)


def bench_adjusted_bootstrap_sites() -> Row:
    return _bootstrap_row(SITES_ROW, many_sites(4000, 100), 20)


def bench_firth_sites() -> Row:
    data = many_sites(4000, 100, seed=3)
    kw = {**KW, "covariates": ["prior_admissions", "age"], "firth": True}
    start = time.perf_counter()
    rk.adjusted_odds_ratio(data, method="profile", **kw)
    ours = time.perf_counter() - start
    return (FIRTH_ROW, f"time budget {FIRTH_BUDGET:g} s (issue 9)", ours, FIRTH_BUDGET)


def bench_firth_200_sites() -> Row:
    import rctkit.adjusted.design as design_module

    data = many_sites(4000, 200)
    start = time.perf_counter()
    rk.adjusted_odds_ratio(data, method="profile", firth=True, **KW)
    ours = time.perf_counter() - start
    saved = design_module.BLOCK_LEVELS
    design_module.BLOCK_LEVELS = 10**9  # every column dense: the path before issue 10
    try:
        start = time.perf_counter()
        rk.adjusted_odds_ratio(data, method="profile", firth=True, **KW)
        theirs = time.perf_counter() - start
    finally:
        design_module.BLOCK_LEVELS = saved
    return (FIRTH_200_ROW, "dense p x p information", ours, theirs)


def bench_wald_200_sites() -> Row:
    data = many_sites(4000, 200, seed=1)  # seed 0 separates a site: no MLE
    design = build_design(data, **KW)

    def peer() -> None:
        sm.GLM(design.y, design.X, family=sm.families.Binomial()).fit()

    ours, theirs = paired_times(
        lambda: rk.adjusted_odds_ratio(data, method="wald", **KW), peer, rounds=3
    )
    return (WALD_200_ROW, "statsmodels GLM fit", ours, theirs)


def bench_bootstrap_large() -> Row:
    data = many_sites(200_000, 1)
    kw = {**KW, "factors": []}
    start = time.perf_counter()
    rk.adjusted_odds_ratio(data, method="bootstrap", n_resamples=B, rng=1, **kw)
    ours = time.perf_counter() - start
    design = build_design(data, **kw)
    weights = resample_weights(design, 5, np.random.default_rng(2))
    start = time.perf_counter()
    for w in weights:
        sm.GLM(design.y, design.X, family=sm.families.Binomial(), freq_weights=w).fit()
    theirs = (time.perf_counter() - start) * B / weights.shape[0]
    return (LARGE_ROW, "statsmodels GLM refit loop", ours, theirs)


def large_bootstrap_peak_memory() -> float:
    """Peak memory (MiB, tracemalloc) of the bootstrap of 200,000 participants, B=2000."""
    data = many_sites(200_000, 1)
    kw = {**KW, "factors": []}
    tracemalloc.start()
    try:
        rk.adjusted_odds_ratio(data, method="bootstrap", n_resamples=B, rng=1, **kw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def bootstrap_peak_memory(n_resamples: int) -> float:
    """Peak memory (MiB, tracemalloc) of the bootstrap at 4000 participants and 100 sites."""
    data = many_sites(4000, 100)
    tracemalloc.start()
    try:
        rk.adjusted_odds_ratio(data, method="bootstrap", n_resamples=n_resamples, rng=1, **KW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


BENCHMARKS: list[Callable[[], Row]] = [
    bench_adjusted_bootstrap,
    bench_adjusted_bootstrap_sites,
    bench_firth_sites,
    bench_firth_200_sites,
    bench_wald_200_sites,
    bench_bootstrap_large,
]


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    for bench in BENCHMARKS:
        name, peer, ours, theirs = bench()
        print(f"{name:<56}{peer:<30}{ours:>10.3g}{theirs:>10.3g}{theirs / ours:>8.1f}x")
    for b in (2000, 20000):
        print(
            f"peak memory, adjusted bootstrap B={b}, 100 sites: {bootstrap_peak_memory(b):.1f} MiB"
        )
    print(
        f"peak memory, adjusted bootstrap B={B}, 200000 participants: "
        f"{large_bootstrap_peak_memory():.1f} MiB"
    )
