"""Coverage of the delta-method intervals of rctkit.adjusted.marginal_effect (risk difference)
under stratified permuted-block randomisation, for docs/adjusted.rst and
tests/test_marginal_variance.py.

The trial: n = 200 participants; a stratum s ~ Bernoulli(0.5) (say, a site) and a prognostic
covariate x ~ N(0, 1); treatment assigned by permuted blocks of 4 within each stratum (in
order of enrolment); P(y = 1) = expit(-1 + 0.6 a + x + 1.5 s). The true marginal risk
difference of the population, E expit(-0.4 + x + 1.5 s) - E expit(-1 + x + 1.5 s), is computed
here independently of rctkit by mpmath quadrature over the normal density (50 digits).

Two analyses: "model with the strata" (covariates x and factor s, as the FDA guidance advises)
and "strata left out" (covariate x only). Run (takes about 30 s):
    .venv/bin/python tests/reference/marginal_variance_coverage.py
Output: tests/reference/marginal_variance_coverage.txt
"""

from __future__ import annotations

import math
import sys
from typing import Any

import mpmath
import numpy as np

from rctkit.adjusted import marginal_effect

N = 200
B0, BA, BX, BS = -1.0, 0.6, 1.0, 1.5
VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("ge", {"variance": "ge"}),
    ("ge-hc0", {"variance": "ge-hc0"}),
    ("sandwich", {"variance": "sandwich"}),
    ("ye", {"variance": "ye"}),
    ("ye + strata", {"variance": "ye", "randomisation_strata": "s"}),
]
MODELS = {
    "model with the strata": {"covariates": ["x"], "factors": ["s"]},
    "strata left out": {"covariates": ["x"]},
}


def true_risk_difference() -> float:
    """E expit(B0 + BA + BX x + BS s) - E expit(B0 + BX x + BS s), x ~ N(0,1), s ~ Bern(1/2)."""
    mpmath.mp.dps = 50

    def mean_risk(a: int) -> Any:
        total = mpmath.mpf(0)
        for s in (0, 1):

            def f(x: Any, s: int = s) -> Any:
                return mpmath.npdf(x) / (1 + mpmath.exp(-(B0 + BA * a + BX * x + BS * s)))

            total += mpmath.quad(f, [-mpmath.inf, 0, mpmath.inf]) / 2
        return total

    return float(mean_risk(1) - mean_risk(0))


def one_trial(rng: np.random.Generator) -> dict[str, Any]:
    s = (rng.random(N) < 0.5).astype(np.int64)
    x = rng.normal(size=N)
    a = np.zeros(N, dtype=np.int64)
    for level in (0, 1):
        idx = np.flatnonzero(s == level)
        blocks = [rng.permutation([0, 0, 1, 1]) for _ in range(-(-idx.size // 4))]
        a[idx] = np.concatenate(blocks)[: idx.size] if blocks else a[idx]
    risk = 1.0 / (1.0 + np.exp(-(B0 + BA * a + BX * x + BS * s)))
    y = (rng.random(N) < risk).astype(np.int64)
    return {"y": y, "a": a, "x": x, "s": s}


def simulate(n_trials: int, seed: int, models: Any = None) -> dict[str, dict[str, list[int]]]:
    """For each model and variance: [intervals covering the truth, trials, sum of SEs x 1e6]."""
    truth = true_risk_difference()
    rng = np.random.default_rng(seed)
    models = MODELS if models is None else {m: MODELS[m] for m in models}
    out = {m: {v: [0, 0, 0] for v, _ in VARIANTS} for m in models}
    for _ in range(n_trials):
        data = one_trial(rng)
        for model, terms in models.items():
            for name, kwargs in VARIANTS:
                est = marginal_effect(data, outcome="y", arm="a", treatment=1, **terms, **kwargs)
                row = out[model][name]
                row[0] += int(est.ci.low <= truth <= est.ci.high)
                row[1] += 1
                row[2] += round(est.std_error * 1e6)
    return out


def main() -> None:
    n_trials, seed = 2000, 20261206
    truth = true_risk_difference()
    half = 1.96 * math.sqrt(0.95 * 0.05 / n_trials)
    print(f"true marginal risk difference (mpmath quadrature): {truth:.10f}")
    print(f"{n_trials} trials, seed {seed}; Monte Carlo band 0.95 +/- {half:.4f}")
    for model, rows in simulate(n_trials, seed).items():
        print(f"-- {model}")
        for name, (cover, total, se) in rows.items():
            print(f"   {name:12s} coverage {cover / total:.4f}   mean SE {se / total / 1e6:.5f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
