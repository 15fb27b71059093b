"""Brute-force exact unconditional p-values, written apart from rctkit's kernels.

Used by tests/test_exact_unconditional.py (values printed below, pasted there with this file
named as their source). Everything is in mpmath at 30 digits: the restricted MLEs by golden
section on the concave log-likelihood along the null line, the regions by comparing
statistics (exactly for the difference statistic, integers x1*n2 - x2*n1; within a relative
1e-9 for the score statistic), the tail probability as a sum of binomial products, and its
supremum over the control risk p2 by a grid of 4000 points uniform in p2 followed by golden
section around the five best grid points.

Also Boschloo's test of 1/17 against 16/17 ("greater"): the region from exact rational Fisher
p-values (fractions.Fraction), its supremum over the common risk as above.

Run: python tests/reference/exact_unconditional_brute.py
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from math import comb
from typing import Any

import mpmath as mp

mp.mp.dps = 30
GRID = 4000


def golden_max(f: Callable[[Any], Any], lo: Any, hi: Any, iters: int = 120) -> tuple[Any, Any]:
    g = (mp.sqrt(5) - 1) / 2
    a, b = mp.mpf(lo), mp.mpf(hi)
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iters):
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    x = (a + b) / 2
    return x, f(x)


def p1_of(measure: str, p2: Any, delta: Any) -> Any:
    return p2 + delta if measure == "rd" else delta * p2


def p2_range(measure: str, delta: Any) -> tuple[Any, Any]:
    if measure == "rd":
        return max(mp.mpf(0), -delta), min(mp.mpf(1), 1 - delta)
    return mp.mpf(0), min(mp.mpf(1), 1 / delta)


def loglik(x1: int, n1: int, x2: int, n2: int, p1: Any, p2: Any) -> Any:
    def term(x: int, n: int, p: Any) -> Any:
        out = mp.mpf(0)
        if x:
            out += x * mp.log(p) if p > 0 else -mp.inf
        if n - x:
            out += (n - x) * mp.log(1 - p) if p < 1 else -mp.inf
        return out

    return term(x1, n1, p1) + term(x2, n2, p2)


def score(measure: str, x1: int, n1: int, x2: int, n2: int, delta: Any) -> Any:
    lo, hi = p2_range(measure, delta)
    p2, _ = golden_max(lambda s: loglik(x1, n1, x2, n2, p1_of(measure, s, delta), s), lo, hi)
    p1 = p1_of(measure, p2, delta)
    if measure == "rd":
        num = mp.mpf(x1) / n1 - mp.mpf(x2) / n2 - delta
        var = p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    else:
        num = mp.mpf(x1) / n1 - delta * mp.mpf(x2) / n2
        var = p1 * (1 - p1) / n1 + delta**2 * p2 * (1 - p2) / n2
    if abs(num) < mp.mpf(10) ** -25:
        return mp.mpf(0)
    if var < mp.mpf(10) ** -25:
        return mp.inf if num > 0 else -mp.inf
    return num / mp.sqrt(var)


def region(
    measure: str, statistic: str, a: int, n1: int, c: int, n2: int, delta: Any, kind: str
) -> list[tuple[int, int]]:
    cells = [(i, j) for i in range(n1 + 1) for j in range(n2 + 1)]
    if measure == "rr":
        cells = [(i, j) for i, j in cells if (i, j) != (0, 0)]
    if statistic == "difference":
        t = {(i, j): i * n2 - j * n1 for i, j in cells}
        t0, tol = a * n2 - c * n1, 0
    else:
        t = {(i, j): score(measure, i, n1, j, n2, delta) for i, j in cells}
        t0 = score(measure, a, n1, c, n2, delta)
        tol = 0 if mp.isinf(t0) else mp.mpf("1e-9") * max(1, abs(t0))
    if kind == "less":
        return [k for k in cells if t[k] <= t0 + tol]
    if kind == "greater":
        return [k for k in cells if t[k] >= t0 - tol]
    return [k for k in cells if abs(t[k]) >= abs(t0) - tol]


def prob(measure: str, cells: list[tuple[int, int]], n1: int, n2: int, p2: Any, delta: Any) -> Any:
    p1 = p1_of(measure, p2, delta)
    return mp.fsum(
        comb(n1, i) * p1**i * (1 - p1) ** (n1 - i) * comb(n2, j) * p2**j * (1 - p2) ** (n2 - j)
        for i, j in cells
    )


def supremum(f: Callable[[Any], Any], lo: Any, hi: Any) -> Any:
    xs = [lo + (hi - lo) * k / GRID for k in range(GRID + 1)]
    vals = [f(x) for x in xs]
    best = max(vals)
    order = sorted(range(len(xs)), key=lambda k: -vals[k])[:5]
    for k in order:
        a, b = xs[max(k - 1, 0)], xs[min(k + 1, GRID)]
        best = max(best, golden_max(f, a, b, iters=80)[1])
    return best


def pvalue(
    measure: str, statistic: str, a: int, n1: int, c: int, n2: int, delta: str, kind: str
) -> Any:
    d = mp.mpf(delta)
    cells = region(measure, statistic, a, n1, c, n2, d, kind)
    lo, hi = p2_range(measure, d)
    return supremum(lambda s: prob(measure, cells, n1, n2, s, d), lo, hi)


CASES: list[tuple[str, str, int, int, int, int, str, str]] = [
    # measure, statistic, a, n1, c, n2, delta, kind
    ("rd", "difference", 24, 61, 10, 35, "0", "greater"),
    ("rd", "difference", 24, 61, 10, 35, "-0.1015686570", "greater"),
    ("rd", "score", 6, 13, 2, 7, "0", "less"),
    ("rd", "score", 6, 13, 2, 7, "0.3", "less"),
    ("rd", "score", 9, 11, 4, 12, "0.2", "absolute"),
    ("rd", "score", 3, 8, 1, 5, "-0.2", "greater"),
    ("rr", "score", 11, 13, 2, 7, "2", "greater"),
    ("rr", "score", 9, 11, 4, 12, "1", "absolute"),
    ("rr", "score", 5, 5, 2, 6, "4", "less"),
    # Where exact2x2 (floating-point differences) loses exactly tied tables:
    ("rd", "difference", 0, 10, 4, 10, "0", "less"),
    ("rd", "difference", 15, 40, 8, 35, "0", "greater"),
]


def boschloo_greater(a: int, n1: int, c: int, n2: int) -> Any:
    """Boschloo's one-sided ("greater") p-value with exact rational Fisher p-values."""
    n = n1 + n2

    def upper(x1: int, s: int) -> Fraction:
        return Fraction(
            sum(comb(n1, k) * comb(n2, s - k) for k in range(x1, n1 + 1) if 0 <= s - k <= n2),
            comb(n, s),
        )

    f0 = upper(a, a + c)
    cells = [(i, j) for i in range(n1 + 1) for j in range(n2 + 1) if upper(i, i + j) <= f0]

    def f(p: Any) -> Any:
        return mp.fsum(
            comb(n1, i) * comb(n2, j) * p ** (i + j) * (1 - p) ** (n - i - j) for i, j in cells
        )

    return supremum(f, mp.mpf(0), mp.mpf(1))


if __name__ == "__main__":
    # ``python exact_unconditional_brute.py K`` prints only the cases from index K on.
    import sys

    first = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    for case in CASES[first:]:
        measure, statistic, a, n1, c, n2, delta, kind = case
        p = pvalue(measure, statistic, a, n1, c, n2, delta, kind)
        print(f"{case}: {mp.nstr(p, 12)}")
    if first == 0:
        print(f"boschloo 1/17 vs 16/17 greater: {mp.nstr(boschloo_greater(1, 17, 16, 17), 12)}")
