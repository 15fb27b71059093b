"""The tipping-point grid by brute force, table by table, in plain Python.

Independent of rctkit's kernels: every completed table is built with two nested loops over
the imputed events, the risk difference is an exact ``fractions.Fraction``, Newcombe's hybrid
score interval is written out here from two Wilson intervals with ``math``, Woolf's odds
ratio interval likewise, and the p-values come from ``scipy.stats.chi2_contingency``
(``correction=False``: Pearson's chi-squared) and ``scipy.stats.fisher_exact`` (two-sided),
one 2x2 table at a time. The observed-case conclusion and where it holds are decided here
too. Run ``python tests/reference/tipping_bruteforce.py``; its output is kept beside it
(``tipping_bruteforce.txt``) and tests/test_tipping.py compares rctkit.tipping_point with
it to 1e-12.
"""

from __future__ import annotations

import math
from fractions import Fraction
from statistics import NormalDist

from scipy.stats import chi2_contingency, fisher_exact

#: (name, treatment events, treatment analysed, control events, control analysed, missing
#: treatment, missing control, alpha). CORE is the shipped example (221/220 randomised).
CASES = [
    ("core", 64, 218, 83, 216, 3, 4, 0.05),
    ("small", 3, 30, 12, 30, 5, 5, 0.05),
    ("null", 10, 40, 11, 40, 2, 3, 0.05),
    ("zero", 0, 12, 5, 12, 2, 1, 0.10),
]


def wilson(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denom = 1 + z * z / n
    return (centre - half) / denom, (centre + half) / denom


def newcombe(x1: int, n1: int, x0: int, n0: int, z: float) -> tuple[float, float]:
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson(x1, n1, z)
    l0, u0 = wilson(x0, n0, z)
    d = p1 - p0
    low = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return low, high


def woolf(x1: int, n1: int, x0: int, n0: int, z: float) -> tuple[float, float, float]:
    a, b, c, d = x1, n1 - x1, x0, n0 - x0
    if 0 in (a, b, c, d):
        return math.nan, math.nan, math.nan  # not compared: the grid cases avoid zero cells
    log_or = math.log(a * d / (b * c))
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return math.exp(log_or), math.exp(log_or - z * se), math.exp(log_or + z * se)


def chi2_p(x1: int, n1: int, x0: int, n0: int) -> float:
    table = [[x1, n1 - x1], [x0, n0 - x0]]
    if x1 + x0 == 0 or x1 + x0 == n1 + n0:
        return 1.0  # an empty margin: no evidence of a difference
    return float(chi2_contingency(table, correction=False)[1])


def fisher_p(x1: int, n1: int, x0: int, n0: int) -> float:
    return float(fisher_exact([[x1, n1 - x1], [x0, n0 - x0]])[1])


def main() -> None:
    for name, e1, n1, e0, n0, m1, m0, alpha in CASES:
        z = NormalDist().inv_cdf(1 - alpha / 2)
        d_obs = Fraction(e1, n1) - Fraction(e0, n0)
        p_obs = chi2_p(e1, n1, e0, n0)
        sig_obs = p_obs < alpha
        print(f"case {name} alpha={alpha!r} observed_rd={float(d_obs)!r} observed_p={p_obs!r}")
        for i in range(m1 + 1):
            for j in range(m0 + 1):
                x1, t1, x0, t0 = e1 + i, n1 + m1, e0 + j, n0 + m0
                d = Fraction(x1, t1) - Fraction(x0, t0)
                low, high = newcombe(x1, t1, x0, t0, z)
                odds, olow, ohigh = woolf(x1, t1, x0, t0, z)
                p = chi2_p(x1, t1, x0, t0)
                pf = fisher_p(x1, t1, x0, t0)
                same_sign = (d > 0) == (d_obs > 0) and d != 0
                holds = (p < alpha and same_sign) if sig_obs else not (p < alpha)
                print(
                    f"{name} {i} {j} rd={float(d)!r} low={low!r} high={high!r} "
                    f"or={odds!r} or_low={olow!r} or_high={ohigh!r} "
                    f"chi2_p={p!r} fisher_p={pf!r} holds={int(holds)}"
                )


if __name__ == "__main__":
    main()
