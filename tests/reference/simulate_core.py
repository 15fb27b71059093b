"""Simulate a six-site trial shaped like CORE; writes ``src/rctkit/data/core_simulated.csv``.

The CORE trial (Johnson et al., Lancet 2018;392:409-18) randomised 441 people discharged from
crisis resolution teams to peer-supported self-management or a workbook by post; 64 of 218
and 83 of 216 analysed were readmitted to acute care within a year. Its participant data are
not public, so rctkit's covariate-adjusted examples use this simulation instead: 434
participants (218 / 216 per arm), six sites with a random site effect, age and the number of
admissions in the two years before baseline. Nothing here is CORE's real data.

The outcome model is

    logit P(readmitted) = -0.49 + log(0.62) * peer_support + 0.35 * (prior_admissions - 1.5)
                          - 0.01 * (age - 40) + u_site,        u_site ~ N(0, 0.45^2).

The seeds are tried in order from 20180804 and the first draw whose arms reproduce CORE's
published counts (64 / 218 and 83 / 216 readmitted) is kept, so that the unadjusted odds ratio
of the simulated data is that of the trial. Run from the repository root:

    python tests/reference/simulate_core.py
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import numpy as np

SITES = ("A", "B", "C", "D", "E", "F")
SITE_SHARES = np.array([0.22, 0.20, 0.18, 0.16, 0.13, 0.11])
N_TREATMENT, N_CONTROL = 218, 216
EVENTS = (64, 83)  # CORE's published readmissions: peer support, control
FIRST_SEED = 20180804

OUT = Path(__file__).resolve().parents[2] / "src" / "rctkit" / "data" / "core_simulated.csv"


def simulate(seed: int) -> dict[str, np.ndarray]:
    """One simulated trial from the seeded generator."""
    rng = np.random.default_rng(seed)
    n = N_TREATMENT + N_CONTROL
    site = rng.choice(len(SITES), size=n, p=SITE_SHARES)
    treated = rng.permutation(np.r_[np.ones(N_TREATMENT, bool), np.zeros(N_CONTROL, bool)])
    age = np.clip(np.round(rng.normal(40.0, 13.0, size=n)), 18, 80).astype(int)
    prior = rng.poisson(1.5, size=n)
    site_effect = rng.normal(0.0, 0.45, size=len(SITES))
    eta = (
        -0.49
        + np.log(0.62) * treated
        + 0.35 * (prior - 1.5)
        - 0.01 * (age - 40)
        + site_effect[site]
    )
    readmitted = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(int)
    return {
        "participant": np.arange(1, n + 1),
        "site": np.array(SITES)[site],
        "arm": np.where(treated, "peer_support", "control"),
        "age": age,
        "prior_admissions": prior,
        "readmitted": readmitted,
    }


def main() -> None:
    for seed in itertools.count(FIRST_SEED):
        data = simulate(seed)
        treated = data["arm"] == "peer_support"
        events = (int(data["readmitted"][treated].sum()), int(data["readmitted"][~treated].sum()))
        if events == EVENTS:
            break
    columns = list(data)
    with OUT.open("w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        for row in zip(*(data[c].tolist() for c in columns), strict=True):
            writer.writerow(row)
    print(f"seed {seed}: wrote {OUT}")  # seed 20181067


if __name__ == "__main__":
    main()
