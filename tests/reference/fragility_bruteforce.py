"""Brute-force fragility indices, written apart from rctkit (pure Python loops, scipy tests).

For each random table and each documented choice (rule for the arms, test, alpha, incidence
threshold q), every table reachable by changing outcomes is enumerated one by one, tested
with scipy.stats.fisher_exact or scipy.stats.chi2_contingency (correction=False), and the
fewest changes |x_treatment| + |x_control| that reverse the decision at alpha is kept.

Rules, as documented in rctkit.fragility_index:
- significant means p < alpha; an undefined p (chi2_contingency refuses a zero margin) is
  not significant;
- "both": any change in either arm; "treatment"/"control": that arm only, either direction;
- "walsh": the arm with fewer events (tie: lower risk, then treatment); significant: only
  non-event -> event there; non-significant: only event -> non-event there;
- incidence (Baer et al. 2021) with threshold q: in an arm with incidence p = e / n,
  non-event -> event only if p >= q, event -> non-event only if 1 - p >= q.

Run: python tests/reference/fragility_bruteforce.py > tests/reference/fragility_bruteforce.txt
Each output line is JSON: table, method, alpha, arm, q, index (null when no change works).
"""

from __future__ import annotations

import json
import random
from fractions import Fraction

from scipy.stats import chi2_contingency, fisher_exact


def pvalue(a: int, n1: int, c: int, n2: int, method: str) -> float:
    table = [[a, n1 - a], [c, n2 - c]]
    if method == "fisher":
        return float(fisher_exact(table, alternative="two-sided").pvalue)
    try:
        return float(chi2_contingency(table, correction=False).pvalue)
    except ValueError:  # a zero expected count: the test is undefined
        return float("nan")


def significant(p: float, alpha: float) -> bool:
    return p == p and p < alpha  # nan is not significant


def permitted(e: int, n: int, x: int, q: float | None) -> bool:
    if q is None or x == 0:
        return True
    incidence = Fraction(e, n)
    qq = Fraction(q).limit_denominator(1000)
    return incidence >= qq if x > 0 else 1 - incidence >= qq


Cache = dict[tuple[int, int, str], float]


def index(
    a: int,
    n1: int,
    c: int,
    n2: int,
    method: str,
    alpha: float,
    arm: str,
    q: float | None,
    cache: Cache,
) -> int | None:
    def p_of(x1: int, x2: int) -> float:
        key = (a + x1, c + x2, method)
        if key not in cache:
            cache[key] = pvalue(a + x1, n1, c + x2, n2, method)
        return cache[key]

    sig0 = significant(p_of(0, 0), alpha)
    # Walsh's arm: fewer events; a tie goes to the lower risk, then to the treatment arm
    w = (0 if a < c else 1) if a != c else (1 if Fraction(c, n2) < Fraction(a, n1) else 0)
    best = None
    for x1 in range(-a, n1 - a + 1):
        for x2 in range(-c, n2 - c + 1):
            if x1 == 0 and x2 == 0:
                continue
            if arm == "treatment" and x2 != 0:
                continue
            if arm == "control" and x1 != 0:
                continue
            if arm == "walsh":
                mine, other = (x1, x2) if w == 0 else (x2, x1)
                if other != 0:
                    continue
                if sig0 and mine <= 0:
                    continue
                if not sig0 and mine >= 0:
                    continue
            if not (permitted(a, n1, x1, q) and permitted(c, n2, x2, q)):
                continue
            k = abs(x1) + abs(x2)
            if best is not None and k >= best:
                continue
            if significant(p_of(x1, x2), alpha) != sig0:
                best = k
    return best


def main() -> None:
    rng = random.Random(20261206)
    tables: list[tuple[int, int, int, int]] = []
    while len(tables) < 40:
        n1, n2 = rng.randint(4, 24), rng.randint(4, 24)
        a, c = rng.randint(0, n1), rng.randint(0, n2)
        tables.append((a, n1, c, n2))
    # Tables with a clear difference, so that many start significant.
    while len(tables) < 70:
        n1, n2 = rng.randint(8, 30), rng.randint(8, 30)
        a = rng.randint(0, n1 // 4)
        c = rng.randint(n2 // 2, n2)
        tables.append((a, n1, c, n2) if rng.random() < 0.5 else (c, n2, a, n1))
    cache_by_table: dict[tuple[int, int, int, int], Cache] = {}
    for table in tables:
        cache = cache_by_table.setdefault(table, {})
        for method in ("fisher", "chi2"):
            for alpha in (0.05, 0.01, 0.1):
                for arm in ("both", "walsh", "treatment", "control"):
                    fi = index(*table, method, alpha, arm, None, cache)
                    row = {"table": table, "method": method, "alpha": alpha, "arm": arm}
                    print(json.dumps({**row, "q": None, "index": fi}))
            for q in (0.0, 0.1, 0.3, 0.5):
                fi = index(*table, method, 0.05, "both", q, cache)
                row = {"table": table, "method": method, "alpha": 0.05, "arm": "both"}
                print(json.dumps({**row, "q": q, "index": fi}))
    # The CORE trial (64/218 vs 83/216): every rule, both tests, two levels.
    core = (64, 218, 83, 216)
    cache = Cache()
    for method in ("fisher", "chi2"):
        for alpha in (0.05, 0.01):
            for arm in ("both", "walsh", "treatment", "control"):
                fi = index(*core, method, alpha, arm, None, cache)
                row = {"table": core, "method": method, "alpha": alpha, "arm": arm}
                print(json.dumps({**row, "q": None, "index": fi}))


if __name__ == "__main__":
    main()
