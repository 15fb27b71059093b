"""Exact coverage of two risk-difference intervals, by brute force in plain Python.

Independent of rctkit: the intervals are written out here with ``math`` (Wald's closed form,
and Newcombe's hybrid score interval from two Wilson intervals), the binomial probabilities
are exact ``fractions.Fraction`` products, and the weight of every table is summed table by
table. Run ``python tests/reference/coverage_bruteforce.py``; its output is kept beside it
(``coverage_bruteforce.txt``) and tests/test_coverage.py compares rctkit's
``rctkit.coverage`` with these numbers to 1e-12.

Containment is closed (``low <= theta <= high``); an interval of zero width never covers and
counts in the tail on whose side it lies (in neither when it sits on ``theta``).
"""

from __future__ import annotations

import math
from fractions import Fraction
from statistics import NormalDist

Z = NormalDist().inv_cdf(0.975)

#: (n_treatment, n_control) and the grid of true risks (p_treatment, p_control), as fractions.
CASES = [
    (7, 8),
    (5, 5),
]
GRID = [
    (Fraction(3, 10), Fraction(1, 10)),
    (Fraction(11, 20), Fraction(7, 20)),
    (Fraction(1, 5), Fraction(9, 20)),
    (Fraction(9, 10), Fraction(3, 5)),
    (Fraction(37, 100), Fraction(61, 100)),
    (Fraction(1, 20), Fraction(1, 4)),
]


def wald(x1: int, n1: int, x0: int, n0: int) -> tuple[float, float]:
    p1, p0 = x1 / n1, x0 / n0
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    return p1 - p0 - Z * se, p1 - p0 + Z * se


def wilson(x: int, n: int) -> tuple[float, float]:
    p = x / n
    centre = (2 * x + Z * Z) / (2 * (n + Z * Z))
    half = Z * math.sqrt(Z * Z + 4 * x * (1 - p)) / (2 * (n + Z * Z))
    return centre - half, centre + half


def newcombe(x1: int, n1: int, x0: int, n0: int) -> tuple[float, float]:
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson(x1, n1)
    l0, u0 = wilson(x0, n0)
    d = p1 - p0
    return d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + math.sqrt(
        (u1 - p1) ** 2 + (p0 - l0) ** 2
    )


def pmf(x: int, n: int, p: Fraction) -> Fraction:
    return math.comb(n, x) * p**x * (1 - p) ** (n - x)


def exact_coverage(method, n1: int, n0: int, p1: Fraction, p0: Fraction):  # type: ignore[no-untyped-def]
    theta = float(p1) - float(p0)
    covered = below = above = Fraction(0)
    for x1 in range(n1 + 1):
        for x0 in range(n0 + 1):
            low, high = method(x1, n1, x0, n0)
            weight = pmf(x1, n1, p1) * pmf(x0, n0, p0)
            if high < theta:
                below += weight
            elif low > theta:
                above += weight
            elif low < high:
                covered += weight
    return covered, below, above


def main() -> None:
    print("method n_treatment n_control p_treatment p_control coverage below above")
    for name, method in (("wald", wald), ("newcombe", newcombe)):
        for n1, n0 in CASES:
            for p1, p0 in GRID:
                c, b, a = exact_coverage(method, n1, n0, p1, p0)
                print(name, n1, n0, p1, p0, repr(float(c)), repr(float(b)), repr(float(a)))


if __name__ == "__main__":
    main()
