"""The exact conditional rate ratio (R's ``poisson.test``) by mpmath; writes
``tests/reference/rate_ratio.csv``.

This is the reference of ``tests/test_harms.py``. It shares no code with rctkit or scipy.
Conditional on ``k = e1 + e2`` events, ``e1`` is binomial ``(k, p0)`` with
``p0 = T1 / (T1 + T2)``. Every binomial tail is a regularised incomplete beta function,

    P(X >= x) = I_p(x, k - x + 1),        P(X <= x) = I_{1 - p}(k - x, x + 1),

evaluated here as the integral of the beta density (its log from mpmath's ``loggamma`` at 50
digits) by mpmath's tanh-sinh quadrature, on intervals cut at the mode plus and minus 1, 2,
4, ... standard deviations, so that counts up to 2e12 cost no more than small ones.

- Limits (Clopper-Pearson): ``p_low`` solves ``P(X >= e1 | p) = (1 - level) / 2`` and
  ``p_high`` solves ``P(X <= e1 | p) = (1 - level) / 2`` (mpmath ``findroot``, bracketed);
  the rate-ratio limits are ``p / (1 - p) * T2 / T1`` in mpmath arithmetic. With no events
  in one arm the limits have closed forms and those are used: ``e1 = 0`` gives
  ``RR_high = expm1(-log(q) / k) T2/T1``; ``e2 = 0`` gives ``RR_low = T2/T1 / expm1(-log(q)
  / k)``.
- p-value: R's ``binom.test`` rule, the mass of the outcomes whose probability is at most
  ``1 + 1e-7`` times that of ``e1``; the edge of the far tail is found by bisection on
  mpmath log probabilities. One-sided (R's ``alternative``): ``P(X <= e1)`` for "less" and
  ``P(X >= e1)`` for "greater", with the one limit at ``q = 1 - level``.

The script checks itself first: against R's ``poisson.test`` values kept in
``tests/test_report.py`` (to 1e-12), and its tails against term-by-term sums at k = 3,000.
Run from the repository root (about a minute):

    python tests/reference/rate_ratio.py
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Callable
from pathlib import Path

import mpmath

mpmath.mp.dps = 32
OUT = Path(__file__).with_suffix(".csv")
RELATIVE_TOLERANCE = mpmath.mpf("1e-7")

# (e1, e2, T1, T2, level, alternative)
CASES = [
    (29, 42, 100.0, 100.0, 0.95, "two-sided"),
    (3, 250, 10.0, 1.0, 0.95, "two-sided"),  # p0 = 10/11: the control arm is the rarer one
    (1234, 1766, 1.0, 1.5, 0.9, "two-sided"),
    (7, 0, 12.0, 30.0, 1 - 1e-10, "two-sided"),
    (0, 10**12, 1.0, 1.0, 0.95, "two-sided"),  # no treatment events, MAX_COUNT control events
    (10**12, 0, 1.0, 1.0, 0.95, "two-sided"),  # the lower limit lost 5 digits to 1 - p before
    (10**12, 3, 2.0, 5.0, 0.95, "two-sided"),
    (1, 10**12, 1.0, 1.0, 0.99, "two-sided"),
    (500_000_500_000, 499_999_500_000, 1.0, 1.0, 0.95, "two-sided"),  # k = 1e12, z = 1
    (10**12, 999_998_000_000, 3.0, 3.0, 0.99, "two-sided"),  # k near 2e12, z about 1.4
    (100_015_000, 299_985_000, 1.0, 3.0, 0.95, "two-sided"),  # p0 = 1/4, z about 1.7
    (2_000_000, 3_000_000, 2.0, 3.0, 1e-6, "two-sided"),
    (29, 42, 310.5, 287.25, 0.95, "less"),
    (29, 42, 310.5, 287.25, 0.95, "greater"),
    (3, 250, 10.0, 1.0, 0.9, "greater"),
    (0, 10**12, 1.0, 1.0, 0.95, "less"),
    (10**12, 0, 1.0, 1.0, 0.95, "greater"),
    (500_000_500_000, 499_999_500_000, 1.0, 1.0, 0.95, "less"),
    (100_015_000, 299_985_000, 1.0, 3.0, 0.99, "greater"),
]


def log_density(t: mpmath.mpf, a: mpmath.mpf, b: mpmath.mpf) -> mpmath.mpf:
    g = mpmath.loggamma
    value = -(g(a) + g(b) - g(a + b))
    if a != 1:
        value += (a - 1) * mpmath.log(t)
    if b != 1:
        value += (b - 1) * mpmath.log1p(-t)
    return value


def _cuts(lo: mpmath.mpf, hi: mpmath.mpf, a: mpmath.mpf, b: mpmath.mpf) -> list[mpmath.mpf]:
    mean = a / (a + b)
    sd = mpmath.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    points = {lo, hi}
    # An endpoint in a tail: cut at 1, 2, 4, ... local decay lengths from it.
    for end, sign in ((lo, 1), (hi, -1)):
        if 0 < end < 1:
            slope = (a - 1) / end - (b - 1) / (1 - end)
            if slope != 0:
                step = 1 / abs(slope)
                offsets = list(range(1, 65)) + [64 * 2**k for k in range(1, 80)]
                for j in offsets:
                    x = end + sign * step * j
                    if not lo < x < hi:
                        break
                    points.add(x)
    for k in range(0, 12):
        for sign in (-1, 1):
            x = mean + sign * (2**k if k else 0) * sd
            if lo < x < hi:
                points.add(x)
    return sorted(points)


def _integral(cuts: list[mpmath.mpf], a: mpmath.mpf, b: mpmath.mpf) -> mpmath.mpf:
    """The beta density integrated piece by piece between the cuts.

    mpmath's quadrature stops on an absolute error, so each piece is rescaled to an integral
    over [0, 1] of a function whose largest end value is 1 (the density is unimodal, and the
    pieces are cut at the mean, so a piece without the mode is largest at an end). Pieces
    whose bound (width times largest end value) is below 1e-40 of the largest bound are
    left out: they change the sum by less than 1e-38 of it.
    """
    pieces = []
    for u, v in itertools.pairwise(cuts):
        ends = [log_density(t, a, b) for t in (u, v) if 0 < t < 1]
        shift = max(ends) if ends else log_density((u + v) / 2, a, b)
        pieces.append((u, v - u, shift, mpmath.log(v - u) + shift))
    top = max(p[3] for p in pieces)
    total = mpmath.mpf(0)
    for u, width, shift, bound in pieces:
        if bound < top - 92:  # exp(-92) < 1e-40
            continue

        def scaled(
            s: mpmath.mpf, u: mpmath.mpf = u, w: mpmath.mpf = width, c: mpmath.mpf = shift
        ) -> mpmath.mpf:
            return mpmath.exp(log_density(u + s * w, a, b) - c)

        total += mpmath.quad(scaled, [0, 1]) * width * mpmath.exp(shift)
    return total


def beta_lower(x: mpmath.mpf, a: mpmath.mpf, b: mpmath.mpf) -> mpmath.mpf:
    """``I_x(a, b)``, the beta(a, b) probability below ``x``."""
    if x <= 0:
        return mpmath.mpf(0)
    return _integral(_cuts(mpmath.mpf(0), x, a, b), a, b)


def beta_upper(x: mpmath.mpf, a: mpmath.mpf, b: mpmath.mpf) -> mpmath.mpf:
    """``1 - I_x(a, b)``, integrated directly (no cancellation)."""
    if x >= 1:
        return mpmath.mpf(0)
    return _integral(_cuts(x, mpmath.mpf(1), a, b), a, b)


def binom_le(x: int, n: int, p: mpmath.mpf) -> mpmath.mpf:
    """P(X <= x) for X binomial (n, p)."""
    if x < 0:
        return mpmath.mpf(0)
    if x >= n:
        return mpmath.mpf(1)
    return beta_upper(p, mpmath.mpf(x + 1), mpmath.mpf(n - x))


def binom_ge(x: int, n: int, p: mpmath.mpf) -> mpmath.mpf:
    """P(X >= x) for X binomial (n, p)."""
    if x <= 0:
        return mpmath.mpf(1)
    if x > n:
        return mpmath.mpf(0)
    return beta_lower(p, mpmath.mpf(x), mpmath.mpf(n - x + 1))


def log_pmf(x: int, n: int, p: mpmath.mpf) -> mpmath.mpf:
    g = mpmath.loggamma
    return g(n + 1) - g(x + 1) - g(n - x + 1) + x * mpmath.log(p) + (n - x) * mpmath.log1p(-p)


def _solve(
    tail: Callable[[mpmath.mpf], mpmath.mpf],
    q: mpmath.mpf,
    lo: mpmath.mpf,
    hi: mpmath.mpf,
    density: Callable[[mpmath.mpf], mpmath.mpf],
) -> mpmath.mpf:
    """The ``x`` in ``[lo, hi]`` with ``tail(x) = q``, for a monotone ``tail`` whose derivative
    is plus or minus ``density``: bisection in the log of the tail to within a few percent,
    then Newton's method on ``log tail(x) - log q`` until the step is below 1e-28 of x."""
    log_q = mpmath.log(q)
    rising = tail(hi) > tail(lo)
    for _ in range(200):
        mid = (lo + hi) / 2
        value = tail(mid)
        if abs(mpmath.log(value) - log_q) < mpmath.mpf("0.01"):
            break
        if (value < q) == rising:
            lo = mid
        else:
            hi = mid
    x = mid
    for _ in range(50):
        value = tail(x)
        slope = (1 if rising else -1) * density(x) / value
        step = (mpmath.log(value) - log_q) / slope
        x -= step
        if abs(step) < mpmath.mpf(10) ** -28 * x:
            return x
    raise RuntimeError("Newton's method did not converge")


def _bracket(a: int, b: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    """Where the root lies: within 40 standard deviations of the beta(a, b) mean."""
    aa, bb = mpmath.mpf(a), mpmath.mpf(b)
    mean = aa / (aa + bb)
    sd = mpmath.sqrt(aa * bb / ((aa + bb) ** 2 * (aa + bb + 1)))
    tiny = mpmath.mpf(10) ** -40
    return max(tiny, mean - 40 * sd), min(1 - tiny, mean + 40 * sd)


def limits(
    e1: int, e2: int, t1: float, t2: float, level: float, alternative: str = "two-sided"
) -> tuple[mpmath.mpf, ...]:
    """The limits; one-sided alternatives have one limit at ``1 - level`` (R's rule)."""
    k = e1 + e2
    q = 1 - mpmath.mpf(level)
    if alternative == "two-sided":
        q /= 2
    scale = mpmath.mpf(t2) / mpmath.mpf(t1)
    if e1 == 0 or alternative == "less":
        low = mpmath.mpf(0)
    elif e2 == 0:
        low = scale / mpmath.expm1(-mpmath.log(q) / k)
    else:
        lo, hi = _bracket(e1, k - e1 + 1)
        a, b = mpmath.mpf(e1), mpmath.mpf(k - e1 + 1)
        p = _solve(
            lambda x: binom_ge(e1, k, x), q, lo, hi, lambda x: mpmath.exp(log_density(x, a, b))
        )
        low = p / (1 - p) * scale
    if e2 == 0 or alternative == "greater":
        high = mpmath.inf
    elif e1 == 0:
        high = mpmath.expm1(-mpmath.log(q) / k) * scale
    else:
        lo, hi = _bracket(e1 + 1, k - e1)
        a, b = mpmath.mpf(e1 + 1), mpmath.mpf(k - e1)
        p = _solve(
            lambda x: binom_le(e1, k, x), q, lo, hi, lambda x: mpmath.exp(log_density(x, a, b))
        )
        high = p / (1 - p) * scale
    return low, high


def pvalue(e1: int, e2: int, t1: float, t2: float, alternative: str = "two-sided") -> mpmath.mpf:
    n = e1 + e2
    p = mpmath.mpf(t1) / (mpmath.mpf(t1) + mpmath.mpf(t2))
    if alternative == "less":
        return binom_le(e1, n, p)
    if alternative == "greater":
        return binom_ge(e1, n, p)
    m = n * p
    threshold = log_pmf(e1, n, p) + mpmath.log1p(RELATIVE_TOLERANCE)
    if e1 == m:
        return mpmath.mpf(1)
    if e1 < m:
        # First y >= ceil(m) with log_pmf(y) <= threshold (n + 1 if none).
        lo, hi = int(mpmath.ceil(m)), n + 1
        while lo < hi:
            mid = (lo + hi) // 2
            if log_pmf(mid, n, p) <= threshold:
                hi = mid
            else:
                lo = mid + 1
        total = binom_le(e1, n, p) + binom_ge(hi, n, p)
    else:
        # Last y <= floor(m) with log_pmf(y) <= threshold (-1 if none).
        lo, hi = -1, int(mpmath.floor(m))
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if log_pmf(mid, n, p) <= threshold:
                lo = mid
            else:
                hi = mid - 1
        total = binom_le(lo, n, p) + binom_ge(e1, n, p)
    return min(total, mpmath.mpf(1))


def _self_check() -> None:
    # R 4.x poisson.test(c(29, 42), c(310.5, 287.25)), as in tests/test_report.py.
    low, high = limits(29, 42, 310.5, 287.25, 0.95)
    assert abs(low / mpmath.mpf("0.38374290150901297") - 1) < 1e-12
    assert abs(high / mpmath.mpf("1.0499373616745058") - 1) < 1e-12
    assert abs(pvalue(29, 42, 310.5, 287.25) / mpmath.mpf("0.074197980743680794") - 1) < 1e-12
    # The tails against term-by-term sums.
    n, p = 3000, mpmath.mpf(1) / 3
    for x in (0, 17, 950, 1000, 1050, 2999):
        direct = mpmath.fsum(mpmath.exp(log_pmf(i, n, p)) for i in range(x + 1))
        assert abs(binom_le(x, n, p) - direct) <= mpmath.mpf(10) ** -25 * direct
        direct = mpmath.fsum(mpmath.exp(log_pmf(i, n, p)) for i in range(x, n + 1))
        assert abs(binom_ge(x, n, p) - direct) <= mpmath.mpf(10) ** -25 * direct


def main() -> None:
    _self_check()
    with OUT.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["e1", "e2", "t1", "t2", "level", "alternative", "low", "high", "pvalue"])
        for e1, e2, t1, t2, level, alternative in CASES:
            low, high = limits(e1, e2, t1, t2, level, alternative)
            p = pvalue(e1, e2, t1, t2, alternative)
            row = [e1, e2, repr(t1), repr(t2), repr(level), alternative]
            row += [mpmath.nstr(v, 25) for v in (low, high, p)]
            writer.writerow(row)
            print(*row, flush=True)


if __name__ == "__main__":
    main()
