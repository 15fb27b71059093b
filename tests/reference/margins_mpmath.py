"""Reference values for tests/test_margins.py: the Farrington-Manning and Miettinen-Nurminen
score statistics against a margin, by brute force in mpmath (50 digits), written apart from
rctkit's kernels.

The constrained MLE is found by solving the likelihood equation numerically (mpmath's
bracketed root finder on the derivative of the log likelihood in the control arm's risk),
not from the closed-form cubic or quadratics that rctkit uses:

* risk difference: p1 = p2 + delta;
* risk ratio: p1 = phi * p2;
* odds ratio: logit p1 = logit p2 + log psi.

Then z = numerator / sqrt(k * V) with k = 1 (FM) or N / (N - 1) (MN), and the one-sided
p-value of H1: effect > value is 1 - Phi(z). Run with ``python tests/reference/margins_mpmath.py``;
it prints the table that the test module holds.
"""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 50

#: (a, n1, c, n2, measure, value): treatment events and total, control events and total.
CASES = [
    (245, 356, 270, 370, "risk_difference", "-0.125"),
    (245, 356, 270, 370, "risk_ratio", "0.8"),
    (245, 356, 270, 370, "odds_ratio", "0.7"),
    (64, 218, 83, 216, "risk_difference", "0.05"),
    (64, 218, 83, 216, "risk_ratio", "1.2"),
    (64, 218, 83, 216, "odds_ratio", "1.3"),
    (7, 25, 3, 30, "risk_difference", "-0.1"),
    (7, 25, 3, 30, "risk_ratio", "0.5"),
    (7, 25, 3, 30, "odds_ratio", "0.4"),
    (190, 200, 180, 210, "risk_difference", "0.1"),
    (190, 200, 180, 210, "risk_ratio", "1.1"),
    (190, 200, 180, 210, "odds_ratio", "2.5"),
]


def risks(measure: str, value: mp.mpf, p2: mp.mpf) -> mp.mpf:
    """The treatment arm's risk given the control arm's under the constraint."""
    if measure == "risk_difference":
        return p2 + value
    if measure == "risk_ratio":
        return value * p2
    return value * p2 / (1 - p2 + value * p2)


def constrained_fit(
    a: int, n1: int, c: int, n2: int, measure: str, value: mp.mpf
) -> tuple[mp.mpf, mp.mpf]:
    """Maximise the log likelihood over p2 under the constraint: the root of its derivative
    (a numerical derivative of the exact log likelihood, solved by bisection-safe Anderson)."""
    b, d = n1 - a, n2 - c

    def loglik(p2: mp.mpf) -> mp.mpf:
        p1 = risks(measure, value, p2)
        return a * mp.log(p1) + b * mp.log(1 - p1) + c * mp.log(p2) + d * mp.log(1 - p2)

    if measure == "risk_difference":
        lo, hi = max(mp.mpf(0), -value), min(mp.mpf(1), 1 - value)
    elif measure == "risk_ratio":
        lo, hi = mp.mpf(0), min(mp.mpf(1), 1 / value)
    else:
        lo, hi = mp.mpf(0), mp.mpf(1)
    eps = mp.mpf(10) ** -40
    lo, hi = lo + eps, hi - eps
    p2 = mp.findroot(lambda x: mp.diff(loglik, x), (lo, hi), solver="anderson")
    return risks(measure, value, p2), p2


def statistic(a: int, n1: int, c: int, n2: int, measure: str, value: mp.mpf, k: mp.mpf) -> mp.mpf:
    p1, p2 = constrained_fit(a, n1, c, n2, measure, value)
    h1, h2 = p1 * (1 - p1) / n1, p2 * (1 - p2) / n2
    if measure == "risk_difference":
        num, var = mp.mpf(a) / n1 - mp.mpf(c) / n2 - value, h1 + h2
    elif measure == "risk_ratio":
        num, var = mp.mpf(a) / n1 - value * mp.mpf(c) / n2, h1 + value**2 * h2
    else:
        # Observed minus fitted treatment events over its variance given the events.
        v1, v2 = n1 * p1 * (1 - p1), n2 * p2 * (1 - p2)
        num, var = a - n1 * p1, 1 / (1 / v1 + 1 / v2)
    return num / mp.sqrt(k * var)


def main() -> None:
    print("# a, n1, c, n2, measure, value, z_fm, p_fm_greater, z_mn, p_mn_greater")
    for a, n1, c, n2, measure, text in CASES:
        value = mp.mpf(text)
        n = n1 + n2
        z_fm = statistic(a, n1, c, n2, measure, value, mp.mpf(1))
        z_mn = statistic(a, n1, c, n2, measure, value, mp.mpf(n) / (n - 1))
        row = [mp.nstr(x, 15) for x in (z_fm, mp.ncdf(-z_fm), z_mn, mp.ncdf(-z_mn))]
        print(f"    ({a}, {n1}, {c}, {n2}, {measure!r}, {text}, {', '.join(row)}),")


if __name__ == "__main__":
    main()
