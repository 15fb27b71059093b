"""Exact power of Fisher's and Pearson's chi-squared tests by brute force in fractions.

A reference for tests/test_power.py, written apart from rctkit (standard library only): every
table (x1 of n1, x0 of n0) is enumerated, the test decides each one in exact rational
arithmetic, and the power is the sum of the exact binomial probabilities of the tables
rejected (``p <= alpha``).

- Fisher's two-sided test (R's fisher.test, "minlike"): the p-value is the total hypergeometric
  probability of the tables, given the margins, no more probable than the one observed;
  computed exactly in fractions, so ties are exact.
- Pearson's chi-squared test without correction: reject when X^2 >= z_{1-alpha/2}^2, X^2 in
  fractions, the critical value from statistics.NormalDist (tables with an empty margin have
  X^2 = 0 and are not rejected).

Run: python tests/reference/power_bruteforce.py > tests/reference/power_bruteforce.txt
"""

from __future__ import annotations

from fractions import Fraction
from math import comb
from statistics import NormalDist

CASES = [
    # n1, n0, p1, p0, alpha
    (10, 10, "0.2", "0.7", "0.05"),
    (8, 10, "0.1", "0.6", "0.05"),
    (10, 7, "0.5", "0.5", "0.05"),
    (6, 9, "0.3", "0.9", "0.1"),
]


def binom(k: int, n: int, p: Fraction) -> Fraction:
    return comb(n, k) * p**k * (1 - p) ** (n - k)


def fisher_p(x1: int, n1: int, x0: int, n0: int) -> Fraction:
    m = x1 + x0
    total = comb(n1 + n0, m)
    lo, hi = max(0, m - n0), min(m, n1)
    probs = {k: Fraction(comb(n1, k) * comb(n0, m - k), total) for k in range(lo, hi + 1)}
    observed = probs[x1]
    return sum((q for q in probs.values() if q <= observed), Fraction(0))


def chi2_stat(x1: int, n1: int, x0: int, n0: int) -> Fraction:
    m, n = x1 + x0, n1 + n0
    if m in (0, n):
        return Fraction(0)
    num = Fraction(n * (x1 * (n0 - x0) - x0 * (n1 - x1)) ** 2)
    return num / (n1 * n0 * m * (n - m))


def powers(n1: int, n0: int, p1: Fraction, p0: Fraction, alpha: Fraction) -> tuple[float, float]:
    crit = NormalDist().inv_cdf(1 - float(alpha) / 2) ** 2
    fisher = chi2 = Fraction(0)
    for x1 in range(n1 + 1):
        b1 = binom(x1, n1, p1)
        for x0 in range(n0 + 1):
            w = b1 * binom(x0, n0, p0)
            if fisher_p(x1, n1, x0, n0) <= alpha:
                fisher += w
            if float(chi2_stat(x1, n1, x0, n0)) >= crit:
                chi2 += w
    return float(fisher), float(chi2)


if __name__ == "__main__":
    print("# n1 n0 p1 p0 alpha fisher_power chi2_power")
    for n1, n0, p1, p0, alpha in CASES:
        f, c = powers(n1, n0, Fraction(p1), Fraction(p0), Fraction(alpha))
        print(f"{n1} {n0} {p1} {p0} {alpha} {f!r} {c!r}")
