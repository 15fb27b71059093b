"""The adjusted-model bootstrap against a statsmodels refit loop (issue 4).

rctkit refits all B resamples at once (batched Newton/IRLS: one matrix product forms every
information matrix, one stacked solve gives every step, warm start from the full fit).
The peer refits each resample with ``statsmodels.GLM(..., freq_weights=counts).fit()``, the
usual loop; it is timed on 200 resamples and scaled to B = 2000 (its cost is linear in B).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import statsmodels.api as sm

import rctkit as rk
from benchmarks.timing import Row, best_time
from rctkit.adjusted import _resample_weights, build_design, load_core_simulated

KW: dict[str, Any] = {
    "outcome": "readmitted",
    "arm": "arm",
    "treatment": "peer_support",
    "covariates": ["prior_admissions"],
    "factors": ["site"],
}
B = 2000
B_PEER = 200

TARGETS = {f"adjusted bootstrap B={B}, 434 participants, 6 sites": 30.0}


def bench_adjusted_bootstrap() -> Row:
    data = load_core_simulated()
    ours = best_time(
        lambda: rk.adjusted_odds_ratio(data, method="bootstrap", n_resamples=B, rng=1, **KW),
        repeat=3,
        min_time=0.0,
    )
    design = build_design(data, **KW)
    weights = _resample_weights(design, B_PEER, np.random.default_rng(2))

    def peer() -> None:
        for w in weights:
            sm.GLM(design.y, design.X, family=sm.families.Binomial(), freq_weights=w).fit()

    start = time.perf_counter()
    peer()
    theirs = (time.perf_counter() - start) * B / B_PEER
    return (
        f"adjusted bootstrap B={B}, 434 participants, 6 sites",
        "statsmodels GLM refit loop",
        ours,
        theirs,
    )


BENCHMARKS: list[Callable[[], Row]] = [bench_adjusted_bootstrap]


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    for bench in BENCHMARKS:
        name, peer, ours, theirs = bench()
        print(f"{name:<50}{peer:<30}{ours:>10.3g}{theirs:>10.3g}{theirs / ours:>8.1f}x")
