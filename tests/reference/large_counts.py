"""Hypergeometric tails and Fisher p-values of very large tables, by mpmath; writes
``tests/reference/large_counts.csv``.

This is the reference of ``tests/test_large_counts.py``. It shares no code with rctkit: the
probability of the observed table comes from mpmath's ``loggamma`` at 60 digits, and the tails
are summed term by term with the exact ratio of neighbouring hypergeometric probabilities,

    f(x - 1) / f(x) = x (n - n1 - m1 + x) / ((n1 - x + 1) (m1 - x + 1)),

in mpmath arithmetic until a term falls below 1e-40 of the sum. Fisher's two-sided p-value
is R's definition: the mass of the tables whose probability is at most ``f(a) (1 + 1e-7)``;
the edge of the far tail is found by bisection on mpmath log probabilities.

The tables are chosen so that every tail has at most a few million terms (a local standard
deviation up to about 4e4), from 1e9 to 1e12 (``rctkit.MAX_COUNT``) participants per arm.
Run from the repository root (about a minute):

    python tests/reference/large_counts.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import mpmath

mpmath.mp.dps = 60
OUT = Path(__file__).with_suffix(".csv")

# (a, n1, c, n2): treatment events and total, control events and total.
TABLES = [
    (4_999_900_000, 10**10, 5_000_100_000, 10**10),  # issue 10's overflow repro
    (499_990_000, 10**9, 500_010_000, 10**9),
    (20, 10**12, 45, 10**12),  # rare events at MAX_COUNT
    (0, 10**12, 13, 10**12),
    (999_999_999_000, 10**12, 999_999_999_100, 10**12),  # almost all events
    (0, 10**12, 700, 10**12),  # p about 1e-211
    (999_999_000_000, 10**12, 999_999_100_000, 10**12),  # p about 1e-1146: 0 in float64
    (49_990_000, 10**12, 50_010_000, 10**12),  # 1e8 events: the smooth (Euler-Maclaurin) path
    (997_000, 333_333_333_333, 2_003_000, 666_666_666_667),  # unequal arms
    (5_983_900, 10**12, 6_100, 10**9),  # unequal arms, a thousand to one
    (12, 10**9, 3, 7),  # a huge arm against a tiny one
    (10**12, 10**12, 10**12 - 5, 10**12),
]


def log_pmf(x: int, n: int, m1: int, n1: int) -> mpmath.mpf:
    g = mpmath.loggamma
    return (
        g(m1 + 1)
        - g(x + 1)
        - g(m1 - x + 1)
        + g(n - m1 + 1)
        - g(n1 - x + 1)
        - g(n - m1 - n1 + x + 1)
        - g(n + 1)
        + g(n1 + 1)
        + g(n - n1 + 1)
    )


def support(n: int, m1: int, n1: int) -> tuple[int, int]:
    return max(0, n1 - (n - m1)), min(n1, m1)


def tail_from(x: int, n: int, m1: int, n1: int, direction: int) -> mpmath.mpf:
    """``sum f(y) / f(x)`` over ``y = x, x + direction, ...`` to the end of the support."""
    low, high = support(n, m1, n1)
    total = mpmath.mpf(1)
    term = mpmath.mpf(1)
    y = x
    while low < y if direction < 0 else y < high:
        if direction < 0:
            term *= mpmath.mpf(y * (n - n1 - m1 + y)) / ((n1 - y + 1) * (m1 - y + 1))
        else:
            term *= mpmath.mpf((n1 - y) * (m1 - y)) / ((y + 1) * (n - n1 - m1 + y + 1))
        y += direction
        total += term
        if term < total * mpmath.mpf("1e-40"):
            break
    return total


def lower_tail(x: int, n: int, m1: int, n1: int) -> mpmath.mpf:
    """``P(X <= x)``."""
    low, high = support(n, m1, n1)
    if x < low:
        return mpmath.mpf(0)
    if x >= high:
        return mpmath.mpf(1)
    return mpmath.exp(log_pmf(x, n, m1, n1)) * tail_from(x, n, m1, n1, -1)


def upper_tail(x: int, n: int, m1: int, n1: int) -> mpmath.mpf:
    """``P(X >= x)``."""
    low, high = support(n, m1, n1)
    if x <= low:
        return mpmath.mpf(1)
    if x > high:
        return mpmath.mpf(0)
    return mpmath.exp(log_pmf(x, n, m1, n1)) * tail_from(x, n, m1, n1, +1)


def mode(n: int, m1: int, n1: int) -> int:
    return (n1 + 1) * (m1 + 1) // (n + 2)  # Python ints: exact


def fisher_two_sided(a: int, n1: int, c: int, n2: int) -> mpmath.mpf:
    n, m1 = n1 + n2, a + c
    low, high = support(n, m1, n1)
    if low == high:
        return mpmath.mpf(1)
    threshold = log_pmf(a, n, m1, n1) + mpmath.log1p(mpmath.mpf("1e-7"))
    top = mode(n, m1, n1)
    if log_pmf(top, n, m1, n1) <= threshold:
        return mpmath.mpf(1)
    # The observed side's tail and, by bisection, the first table of the far side that is no
    # more probable than the observed one.
    if a <= top:
        near = lower_tail(a, n, m1, n1)
        inside, outside = top, high + 1  # log_pmf(inside) > threshold
        while outside - inside > 1:
            mid = (inside + outside) // 2
            if log_pmf(mid, n, m1, n1) <= threshold:
                outside = mid
            else:
                inside = mid
        far = upper_tail(outside, n, m1, n1)
    else:
        near = upper_tail(a, n, m1, n1)
        inside, outside = top, low - 1
        while inside - outside > 1:
            mid = (inside + outside) // 2
            if log_pmf(mid, n, m1, n1) <= threshold:
                outside = mid
            else:
                inside = mid
        far = lower_tail(outside, n, m1, n1)
    return min(near + far, mpmath.mpf(1))


def main() -> None:
    rows = []
    for a, n1, c, n2 in TABLES:
        n, m1 = n1 + n2, a + c
        rows.append(
            {
                "a": a,
                "n1": n1,
                "c": c,
                "n2": n2,
                "lower": mpmath.nstr(lower_tail(a, n, m1, n1), 20),
                "upper": mpmath.nstr(upper_tail(a, n, m1, n1), 20),
                "fisher": mpmath.nstr(fisher_two_sided(a, n1, c, n2), 20),
                "log_pmf": mpmath.nstr(log_pmf(a, n, m1, n1), 25),
            }
        )
        print(rows[-1], flush=True)
    with OUT.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
