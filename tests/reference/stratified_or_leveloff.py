"""Reference for issue 14 defect 3: the stratified Miettinen-Nurminen odds ratio with
Mantel-Haenszel weights, whose pooled score can level off as the odds ratio -> inf (or 0).

Written apart from rctkit's kernels: for each stratum the risks fitted under a common odds
ratio theta are the root in [max(0, m1 - n2), min(n1, m1)] of the quadratic
A (n2 - m1 + A) = theta (n1 - A)(m1 - A), solved in mpmath at 700 digits (the cells B or C
near 1/theta = 1e-300 need that many to keep 50 correct digits); the score on the log odds
ratio scale is S = (a - A)(1/h1 + 1/h2), V = N/(N-1) (1/h1 + 1/h2), h1 = A B / n1,
h2 = C D / n2, and Z = sum w S / sqrt(sum w^2 V) with w = n1 n2 / N (Miettinen-Nurminen 1985,
Laud 2017). Printed: Z at theta = 10^k, its minimum over the grid above the estimate, and for
data sets whose Z passes -z a bisection root of Z(theta) = -z (to 1e-40 relative).

Run: python tests/reference/stratified_or_leveloff.py > tests/reference/stratified_or_leveloff.txt
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 700
Z = mp.sqrt(2) * mp.erfinv(mp.mpf("0.95"))  # the 0.975 normal quantile

SETS = {
    # found by a random search: rctkit returned 7.2e86 for the upper limit
    "high1": [(3, 4, 1, 1), (5, 5, 1, 5)],
    "high2": [(0, 2, 2, 5), (1, 4, 0, 5), (1, 1, 0, 1)],
    "high3": [(2, 2, 3, 5), (2, 3, 1, 5), (2, 5, 0, 2)],
    # and 1.4e-87 for the lower limit
    "low1": [(3, 3, 3, 3), (1, 1, 0, 1), (0, 4, 2, 4)],
    # the score levels off below -z: a finite (large) upper limit
    "finite": [(3, 10, 7, 10), (5, 5, 1, 5)],
}


def fitted_a(theta: mp.mpf, a: int, n1: int, c: int, n2: int) -> mp.mpf:
    m1 = a + c
    lo, hi = max(0, m1 - n2), min(n1, m1)
    # A (n2 - m1 + A) = theta (n1 - A)(m1 - A), i.e.
    # (theta - 1) A^2 - (theta (n1 + m1) + n2 - m1) A + theta n1 m1 = 0
    qa = theta - 1
    qb = -(theta * (n1 + m1) + n2 - m1)
    qc = theta * n1 * m1
    if qa == 0:
        return -qc / qb
    disc = mp.sqrt(qb * qb - 4 * qa * qc)
    for r in ((-qb - disc) / (2 * qa), (-qb + disc) / (2 * qa)):
        if lo - mp.mpf(10) ** -600 <= r <= hi + mp.mpf(10) ** -600:
            return r
    raise ValueError("no root in the support")


def z_stat(theta: mp.mpf, tables: list[tuple[int, int, int, int]]) -> mp.mpf:
    num = mp.mpf(0)
    den = mp.mpf(0)
    for a, n1, c, n2 in tables:
        m1 = a + c
        n = n1 + n2
        if m1 == 0 or m1 == n:
            continue  # no information on the odds ratio
        big_a = fitted_a(theta, a, n1, c, n2)
        big_b, big_c = n1 - big_a, m1 - big_a
        big_d = n2 - big_c
        inv = n1 / (big_a * big_b) + n2 / (big_c * big_d)
        w = mp.mpf(n1 * n2) / n
        num += w * (a - big_a) * inv
        den += w * w * mp.mpf(n) / (n - 1) * inv
    return num / mp.sqrt(den)


def main() -> None:
    print(f"z = {mp.nstr(Z, 20)}")
    for name, tables in SETS.items():
        print(f"## {name} {tables}")
        low_side = name.startswith("low")
        ks = (
            [-300, -200, -100, -50, -20, -10, -5, -2, -1]
            if low_side
            else [1, 2, 5, 10, 20, 50, 100, 200, 300]
        )
        values = []
        for k in ks:
            zz = z_stat(mp.mpf(10) ** k, tables)
            values.append(zz)
            print(f"theta=1e{k}: Z = {mp.nstr(zz, 50)}")
        if low_side:
            print(f"max Z over the grid = {mp.nstr(max(values), 30)} (vs +z)")
        else:
            print(f"min Z over the grid = {mp.nstr(min(values), 30)} (vs -z)")
        if not low_side and min(values) < -Z:
            # bisection on log theta between the last grid point above -z and the first below
            i = next(j for j, v in enumerate(values) if v < -Z)
            lo, hi = mp.mpf(ks[i - 1]) if i else mp.mpf(0), mp.mpf(ks[i])
            for _ in range(200):
                mid = (lo + hi) / 2
                if z_stat(mp.mpf(10) ** mid, tables) > -Z:
                    lo = mid
                else:
                    hi = mid
            print(f"upper limit (Z = -z) = {mp.nstr(mp.mpf(10) ** ((lo + hi) / 2), 30)}")


if __name__ == "__main__":
    main()
