"""Brute-force reference for the matched conditional rules; writes ``two_sided_rules.csv``.

This is the reference of ``tests/test_exact_matching.py``. It shares no code with rctkit,
scipy or R. For each table ``(a, n1, c, n2)`` (treatment events/total, control events/total)
the treatment events ``X`` given the margins have weights ``w_x = C(n1, x) C(n2, m1 - x)
psi^x`` on ``l <= x <= h``.

- p-values at OR = 1: exact rational arithmetic (``fractions.Fraction`` of Python integers),
  ties decided exactly (no tolerance):

  * central: ``min(1, 2 min(P(X <= a), P(X >= a)))``;
  * minlike: ``P(f(X) <= f(a))`` (Fisher's two-sided test);
  * blaker: ``P(g(X) <= g(a))`` with ``g(x) = min(P(X <= x), P(X >= x))`` (Blaker 2000).

- Limits at 95%: the p-value functions above evaluated by definition in mpmath at 40 digits
  (every tail summed term by term), and the interval reported as the smallest one enclosing
  ``{psi : p(psi) > 0.05}``: ``log psi`` is scanned on a grid of step 0.005 over [-14, 14];
  beyond the last (first) grid point where ``p > 0.05`` the boundary is found by 120
  bisection steps on the indicator ``p(psi) > 0.05`` (this converges to a crossing or to a
  jump of ``p``, whichever bounds the set). A table whose ``a`` is the highest (lowest)
  possible value has upper (lower) limit ``inf`` (0): there ``p -> 1``.

Run from the repository root (about two minutes):

    python tests/reference/two_sided_rules.py
"""

from __future__ import annotations

import csv
import math
from fractions import Fraction
from pathlib import Path

import mpmath

mpmath.mp.dps = 40

ALPHA = mpmath.mpf("0.05")

#: Small tables, symmetric ones (ties at OR = 1), zero cells, and R exact2x2's tables.
TABLES = [
    (7, 12, 2, 11),
    (3, 10, 0, 10),
    (5, 12, 1, 12),
    (9, 12, 3, 12),
    (1, 8, 6, 9),
    (10, 20, 3, 20),
    (2, 15, 8, 15),
    (12, 30, 20, 31),
    (0, 5, 4, 6),
    (6, 6, 2, 7),
    (4, 9, 4, 9),
    (3, 4, 1, 4),
    (8, 12, 2, 12),
    (11, 40, 3, 38),
    (0, 3, 3, 3),
    (2, 10, 7, 10),
    (5, 7, 1, 9),
    (1, 12, 5, 11),
    (6, 12, 6, 12),
    (3, 5, 9, 10),
]


def weights(a: int, n1: int, c: int, n2: int) -> tuple[list[int], list[int]]:
    m1 = a + c
    xs = list(range(max(0, m1 - n2), min(n1, m1) + 1))
    return xs, [math.comb(n1, x) * math.comb(n2, m1 - x) for x in xs]


def exact_pvalues(a: int, n1: int, c: int, n2: int) -> dict[str, Fraction]:
    xs, w = weights(a, n1, c, n2)
    total = sum(w)
    i = xs.index(a)
    lower = [sum(w[: k + 1]) for k in range(len(w))]
    upper = [sum(w[k:]) for k in range(len(w))]
    g = [min(lo, up) for lo, up in zip(lower, upper, strict=True)]
    return {
        "central": min(Fraction(1), 2 * Fraction(min(lower[i], upper[i]), total)),
        "minlike": Fraction(sum(wx for wx in w if wx <= w[i]), total),
        "blaker": Fraction(sum(wx for wx, gx in zip(w, g, strict=True) if gx <= g[i]), total),
    }


def mp_pvalue(xs: list[int], w: list[int], i: int, t: mpmath.mpf, rule: str) -> mpmath.mpf:
    terms = [mpmath.mpf(wx) * mpmath.exp(x * t) for x, wx in zip(xs, w, strict=True)]
    total = mpmath.fsum(terms)
    f = [term / total for term in terms]
    lower = [mpmath.fsum(f[: k + 1]) for k in range(len(f))]
    upper = [mpmath.fsum(f[k:]) for k in range(len(f))]
    if rule == "central":
        return min(mpmath.mpf(1), 2 * min(lower[i], upper[i]))
    if rule == "minlike":
        return mpmath.fsum(fx for fx in f if fx <= f[i])
    g = [min(lo, up) for lo, up in zip(lower, upper, strict=True)]
    return mpmath.fsum(fx for fx, gx in zip(f, g, strict=True) if gx <= g[i])


def limits(a: int, n1: int, c: int, n2: int, rule: str) -> tuple[mpmath.mpf, mpmath.mpf]:
    xs, w = weights(a, n1, c, n2)
    i = xs.index(a)

    def inside(t: mpmath.mpf) -> bool:
        return bool(mp_pvalue(xs, w, i, t, rule) > ALPHA)

    grid = [mpmath.mpf(k) / 200 for k in range(-2800, 2801)]
    flags = [inside(t) for t in grid]
    members = [k for k, flag in enumerate(flags) if flag]
    first, last = members[0], members[-1]

    def bisect(good: mpmath.mpf, bad: mpmath.mpf) -> mpmath.mpf:
        for _ in range(120):
            mid = (good + bad) / 2
            if inside(mid):
                good = mid
            else:
                bad = mid
        return good

    high = mpmath.inf if a == xs[-1] else mpmath.exp(bisect(grid[last], grid[last + 1]))
    low = mpmath.mpf(0) if a == xs[0] else mpmath.exp(bisect(grid[first], grid[first - 1]))
    return low, high


def disagreements(tables: list[tuple[int, int, int, int]]) -> int:
    """Tables where Fisher's (minlike) p <= 0.05 and the central rule's p <= 0.05 differ.

    The central rule's p is <= 0.05 exactly when Cornfield's 95% interval excludes 1, so this
    counts the tables where the default test and the default exact interval disagree.
    """
    alpha = Fraction(1, 20)
    count = 0
    for table in tables:
        p = exact_pvalues(*table)
        count += (p["minlike"] <= alpha) != (p["central"] <= alpha)
    return count


def main() -> None:
    arms = [(n, x) for n in range(1, 13) for x in range(n + 1)]
    grid = [(a, n1, c, n2) for n1, a in arms for n2, c in arms]
    cells = [
        (a, a + b, c, c + d)
        for a in range(11)
        for b in range(11)
        for c in range(11)
        for d in range(11)
        if a + b > 0 and c + d > 0
    ]
    print(
        f"default Fisher p vs Cornfield interval, n1, n2 <= 12 ({len(grid)} tables):",
        disagreements(grid),
    )
    print(f"the same, every cell 0..10, no empty arm ({len(cells)} tables):", disagreements(cells))
    out = Path(__file__).with_name("two_sided_rules.csv")
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["a", "n1", "c", "n2", "two_sided", "pvalue", "low", "high"])
        for table in TABLES:
            exact = exact_pvalues(*table)
            for rule in ("central", "minlike", "blaker"):
                low, high = limits(*table, rule)
                writer.writerow(
                    [
                        *table,
                        rule,
                        mpmath.nstr(
                            mpmath.mpf(exact[rule].numerator) / exact[rule].denominator, 17
                        ),
                        mpmath.nstr(low, 17),
                        mpmath.nstr(high, 17),
                    ]
                )
                print(*table, rule, float(exact[rule]), float(low), float(high), flush=True)


if __name__ == "__main__":
    main()
