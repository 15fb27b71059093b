"""Per-call speed of every interval method and test that a peer also offers (issue 3).

Each row times one scalar call of rctkit on the CORE table against the peer function that
computes the same interval or p-value, in the same process. Issue 3's target: no method
slower per call than its peer (ratio >= 1). Issue 4's: the batch exact interval and Fisher
p-value on 400 tables at least 20 times faster than scipy called table by table.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import statsmodels.api as sm
from scipy import stats
from scipy.stats.contingency import odds_ratio as scipy_odds_ratio
from statsmodels.stats.proportion import confint_proportions_2indep

import rctkit as rk
import rctkit.batch as rkb
from benchmarks.timing import Row, best_time, paired_times

CORE = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
TABLE = np.array([[64, 154], [83, 133]])
COUNTS = (64, 218, 83, 216)


def _statsmodels_glm() -> None:
    # The 2x2 table as a binomial GLM with one row per arm.
    exog = sm.add_constant(np.array([1.0, 0.0]))
    endog = np.array([[64, 154], [83, 133]])
    sm.GLM(endog, exog, family=sm.families.Binomial()).fit().conf_int()


PEERS: list[tuple[str, str, Callable[[], object], str, Callable[[], object]]] = [
    (
        "OR exact",
        "scipy odds_ratio(conditional) + CI",
        lambda: rk.odds_ratio(CORE, method="exact"),
        "",
        lambda: scipy_odds_ratio(TABLE, kind="conditional").confidence_interval(),
    ),
    (
        "OR mn",
        "statsmodels score (odds-ratio)",
        lambda: rk.odds_ratio(CORE, method="mn"),
        "",
        lambda: confint_proportions_2indep(*COUNTS, method="score", compare="odds-ratio"),
    ),
    (
        "OR profile",
        "statsmodels GLM fit + conf_int",
        lambda: rk.odds_ratio(CORE, method="profile"),
        "",
        _statsmodels_glm,
    ),
    (
        "OR haldane",
        "statsmodels logit-adjusted",
        lambda: rk.odds_ratio(CORE, method="haldane"),
        "",
        lambda: confint_proportions_2indep(*COUNTS, method="logit-adjusted", compare="odds-ratio"),
    ),
    (
        "RR koopman",
        "statsmodels score (ratio)",
        lambda: rk.risk_ratio(CORE, method="koopman"),
        "",
        lambda: confint_proportions_2indep(
            *COUNTS, method="score", compare="ratio", correction=False
        ),
    ),
    (
        "RR mn",
        "statsmodels score (ratio)",
        lambda: rk.risk_ratio(CORE, method="mn"),
        "",
        lambda: confint_proportions_2indep(*COUNTS, method="score", compare="ratio"),
    ),
    (
        "RD mn",
        "statsmodels score (diff)",
        lambda: rk.risk_difference(CORE, method="mn"),
        "",
        lambda: confint_proportions_2indep(*COUNTS, method="score", compare="diff"),
    ),
    (
        "RD mee",
        "statsmodels score (diff)",
        lambda: rk.risk_difference(CORE, method="mee"),
        "",
        lambda: confint_proportions_2indep(
            *COUNTS, method="score", compare="diff", correction=False
        ),
    ),
    (
        "RD newcombe",
        "statsmodels newcomb",
        lambda: rk.risk_difference(CORE, method="newcombe"),
        "",
        lambda: confint_proportions_2indep(*COUNTS, method="newcomb", compare="diff"),
    ),
    (
        "RD agresti-caffo",
        "statsmodels agresti-caffo",
        lambda: rk.risk_difference(CORE, method="agresti-caffo"),
        "",
        lambda: confint_proportions_2indep(*COUNTS, method="agresti-caffo", compare="diff"),
    ),
    (
        "test fisher",
        "scipy fisher_exact",
        lambda: rk.hypothesis_test(CORE, method="fisher"),
        "",
        lambda: stats.fisher_exact(TABLE),
    ),
    (
        "test barnard",
        "scipy barnard_exact",
        lambda: rk.hypothesis_test(CORE, method="barnard"),
        "",
        lambda: stats.barnard_exact(TABLE.T),
    ),
    (
        "test boschloo",
        "scipy boschloo_exact",
        lambda: rk.hypothesis_test(CORE, method="boschloo"),
        "",
        lambda: stats.boschloo_exact(TABLE.T),
    ),
    (
        "test chi2",
        "scipy chi2_contingency",
        lambda: rk.hypothesis_test(CORE, method="chi2"),
        "",
        lambda: stats.chi2_contingency(TABLE, correction=False),
    ),
]

#: Issue 3: no method slower per call than its peer.
TARGETS: dict[str, float] = {f"scalar {name}, CORE": 1.0 for name, *_ in PEERS}
TARGETS["batch exact OR CI + Fisher p, 400 tables"] = 20.0


def _row(
    name: str, peer: str, ours: Callable[[], object], theirs: Callable[[], object]
) -> Callable[[], Row]:
    def bench() -> Row:
        rounds = 3 if name.startswith("test b") else 7
        mine, peers = paired_times(ours, theirs, rounds=rounds)
        return (f"scalar {name}, CORE", peer, mine, peers)

    return bench


def bench_batch_exact(n_tables: int = 400) -> Row:
    rng = np.random.default_rng(4)
    n1 = rng.integers(20, 300, n_tables)
    n2 = rng.integers(20, 300, n_tables)
    a = rng.binomial(n1, 0.3)
    c = rng.binomial(n2, 0.4)

    def ours() -> None:
        rkb.odds_ratio(a, n1, c, n2, method="exact")
        rkb.hypothesis_test(a, n1, c, n2, method="fisher")

    def theirs() -> None:
        for i in range(n_tables):
            t = np.array([[a[i], n1[i] - a[i]], [c[i], n2[i] - c[i]]])
            scipy_odds_ratio(t, kind="conditional").confidence_interval()
            stats.fisher_exact(t)

    return (
        "batch exact OR CI + Fisher p, 400 tables",
        "scipy per table",
        best_time(ours, repeat=3),
        best_time(theirs, repeat=1, min_time=0.0),
    )


BENCHMARKS: list[Callable[[], Row]] = [
    *(_row(name, peer, ours, theirs) for name, peer, ours, _, theirs in PEERS),
    bench_batch_exact,
]


def main() -> None:
    warnings.simplefilter("ignore")
    for bench in BENCHMARKS:
        name, peer, ours, theirs = bench()
        print(f"{name:<44}{peer:<40}{ours:>11.3g}{theirs:>11.3g}{theirs / ours:>8.1f}x")


if __name__ == "__main__":
    main()
