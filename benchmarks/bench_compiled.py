"""rctkit's batch kernels against a compiled single-pass loop (numba), side by side (issue 9).

Each reference is the straightforward per-table loop a user would write in numba: one pass
over the tables, and for the exact interval a safeguarded Newton iteration per limit over
the table's whole support, solved to rctkit's tolerance (1e-13 relative in log psi). Before
timing, every row checks that the compiled loop and rctkit agree to 1e-9 relative, so the
two compute the same numbers. The rows report rctkit time / numba time (below 1 means
rctkit is faster). numba is a benchmark-only dependency; nothing in ``src/`` imports it.

Run alone with ``python -m benchmarks.bench_compiled``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numba
import numpy as np
import numpy.typing as npt

import rctkit.batch as rkb
from benchmarks.timing import paired_times
from rctkit.results import BatchEstimate

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: One compiled row: (measurement, rctkit seconds per call, numba seconds per call).
CompiledRow = tuple[str, float, float]

Z95 = 1.959963984540054
FISHER_TOL = 1e-7
XTOL = 1e-13


def tables(n: int, seed: int = 0) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Random two-arm tables with 20-300 per arm and no zero cell."""
    rng = np.random.default_rng(seed)
    n1 = rng.integers(20, 300, n)
    n2 = rng.integers(20, 300, n)
    a = np.clip(rng.binomial(n1, 0.3), 1, n1 - 1)
    c = np.clip(rng.binomial(n2, 0.4), 1, n2 - 1)
    return a, n1, c, n2


@numba.njit(cache=True)
def nb_wald(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray) -> FloatArray:
    out = np.empty((3, a.size))
    for i in range(a.size):
        fa, fb, fc = float(a[i]), float(n1[i] - a[i]), float(c[i])
        fd = float(n2[i] - c[i])
        log_or = math.log(fa) + math.log(fd) - math.log(fb) - math.log(fc)
        se = math.sqrt(1.0 / fa + 1.0 / fb + 1.0 / fc + 1.0 / fd)
        out[0, i] = fa * fd / (fb * fc)
        out[1, i] = math.exp(log_or - Z95 * se)
        out[2, i] = math.exp(log_or + Z95 * se)
    return out


@numba.njit(cache=True)
def nb_chi2(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray) -> FloatArray:
    out = np.empty(a.size)
    for i in range(a.size):
        n = float(n1[i] + n2[i])
        m1 = float(a[i] + c[i])
        diff = abs(float(a[i] * n2[i] - c[i] * n1[i]))
        stat = (diff / n1[i]) * (diff / n2[i]) * (n / m1) / (n - m1)
        out[i] = math.erfc(math.sqrt(0.5 * stat))
    return out


@numba.njit(cache=True)
def nb_fisher(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray) -> FloatArray:
    """Two-sided p as R's fisher.test: tables with probability <= (1 + 1e-7) * observed."""
    out = np.empty(a.size)
    for i in range(a.size):
        m1 = a[i] + c[i]
        lo = max(0, m1 - n2[i])
        hi = min(n1[i], m1)
        base = -math.lgamma(n1[i] + 1.0) - math.lgamma(n2[i] + 1.0)
        logp = np.empty(hi - lo + 1)
        for x in range(lo, hi + 1):
            logp[x - lo] = -(
                math.lgamma(x + 1.0)
                + math.lgamma(n1[i] - x + 1.0)
                + math.lgamma(m1 - x + 1.0)
                + math.lgamma(n2[i] - m1 + x + 1.0)
                + base
            )
        peak = logp.max()
        threshold = logp[a[i] - lo] + math.log1p(FISHER_TOL)
        total = 0.0
        kept = 0.0
        for k in range(logp.size):
            p = math.exp(logp[k] - peak)
            total += p
            if logp[k] <= threshold:
                kept += p
        out[i] = min(kept / total, 1.0)
    return out


@numba.njit(cache=True)
def _nb_root(
    up: FloatArray,
    down: FloatArray,
    distance: bool,
    alpha0: float,
    beta0: float,
    target: float,
    t: float,
) -> float:
    """Solve g(t) = 0 (see rctkit._kernels.conditional) by safeguarded Newton."""
    low, high = -np.inf, np.inf
    for _ in range(200):
        su, mu, sd_, md = 0.0, 0.0, 0.0, 0.0
        peak_u, peak_d = 0.0, 0.0
        for k in range(up.size):
            peak_u = max(peak_u, up[k] + (k + 1) * t + (math.log(k + 1.0) if distance else 0.0))
        for k in range(down.size):
            v = down[k] - (k + 1) * t + (math.log(k + 1.0) if distance else 0.0)
            peak_d = max(peak_d, v)
        for k in range(up.size):
            w = (k + 1.0) if distance else 1.0
            e = w * math.exp(up[k] + (k + 1) * t - peak_u)
            su += e
            mu += e * (k + 1)
        for k in range(down.size):
            w = (k + 1.0) if distance else 1.0
            e = w * math.exp(down[k] - (k + 1) * t - peak_d)
            sd_ += e
            md += e * (k + 1)
        su += alpha0 * math.exp(-peak_u)
        sd_ += beta0 * math.exp(-peak_d)
        g = math.log(su) + peak_u - math.log(sd_) - peak_d - target
        slope = mu / su + md / sd_
        if g < 0:
            low = t
        elif g > 0:
            high = t
        else:
            return t
        step = min(max(g / slope, -20.0), 20.0)
        new = t - step
        scale = XTOL * max(1.0, abs(t))
        if low <= new <= high:
            if abs(new - t) <= scale:
                return new
            t = new
        else:
            if high - low <= scale:
                return t
            t = 0.5 * (low + high) if np.isfinite(low + high) else t - step
    return t


@numba.njit(cache=True)
def nb_conditional(a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, midp: bool) -> FloatArray:
    """Exact (conditional MLE, Cornfield limits) or mid-p (MUE, mid-p limits), 95%."""
    q = 0.025
    lq = math.log(q) - math.log1p(-q)
    out = np.empty((3, a.size))
    for i in range(a.size):
        m1 = a[i] + c[i]
        lo = max(0, m1 - n2[i])
        hi = min(n1[i], m1)
        fa, fn1, fm1, fn2 = float(a[i]), float(n1[i]), float(m1), float(n2[i])
        # log(w[a + k] / w[a]) and log(w[a - k] / w[a]) by cumulative log ratios.
        up = np.empty(hi - a[i])
        s = 0.0
        for k in range(up.size):
            x = fa + k
            s += math.log((fn1 - x) * (fm1 - x) / ((x + 1.0) * (fn2 - fm1 + x + 1.0)))
            up[k] = s
        down = np.empty(a[i] - lo)
        s = 0.0
        for k in range(down.size):
            x = fa - k - 1.0
            s -= math.log((fn1 - x) * (fm1 - x) / ((x + 1.0) * (fn2 - fm1 + x + 1.0)))
            down[k] = s
        ha, hb = fa + 0.5, fn1 - fa + 0.5
        hc, hd = fm1 - fa + 0.5, fn2 - fm1 + fa + 0.5
        se = math.sqrt(1.0 / ha + 1.0 / hb + 1.0 / hc + 1.0 / hd)
        start = math.log(ha * hd / (hb * hc))
        if midp:
            est = _nb_root(up, down, False, 0.5, 0.5, 0.0, start)
            low = _nb_root(up, down, False, 0.5, 0.5, lq, start - Z95 * se)
            high = _nb_root(up, down, False, 0.5, 0.5, -lq, start + Z95 * se)
        else:
            est = _nb_root(up, down, True, 0.0, 0.0, 0.0, start)
            low = _nb_root(up, down, False, 1.0, 0.0, lq, start - Z95 * se)
            high = _nb_root(up, down, False, 0.0, 1.0, -lq, start + Z95 * se)
        out[0, i] = math.exp(est)
        out[1, i] = math.exp(low)
        out[2, i] = math.exp(high)
    return out


def _check(name: str, ours: FloatArray, theirs: FloatArray) -> None:
    """Refuse to time two computations that do not give the same numbers (1e-9 relative)."""
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=0, err_msg=name)


def _row(
    name: str,
    ours: Callable[[], FloatArray],
    theirs: Callable[[], FloatArray],
    n_tables: int,
) -> Callable[[], CompiledRow]:
    def bench() -> CompiledRow:
        _check(name, ours(), theirs())
        mine, compiled = paired_times(ours, theirs, rounds=5)
        return (name, mine / n_tables, compiled / n_tables)

    return bench


def _interval(res: BatchEstimate) -> FloatArray:
    return np.stack([res.estimate, res.low, res.high])


N_SIMPLE = 1_000_000
N_FISHER = 20_000
N_EXACT = 4_000

_S = tables(N_SIMPLE, seed=0)
_F = tables(N_FISHER, seed=1)
_E = tables(N_EXACT, seed=2)

BENCHMARKS: list[Callable[[], CompiledRow]] = [
    _row(
        "batch Wald OR, 1e6 tables",
        lambda: _interval(rkb.odds_ratio(*_S)),
        lambda: nb_wald(*_S),
        N_SIMPLE,
    ),
    _row(
        "batch chi2 p, 1e6 tables",
        lambda: rkb.hypothesis_test(*_S, method="chi2").pvalue,
        lambda: nb_chi2(*_S),
        N_SIMPLE,
    ),
    _row(
        "batch Fisher p, 2e4 tables",
        lambda: rkb.hypothesis_test(*_F, method="fisher").pvalue,
        lambda: nb_fisher(*_F),
        N_FISHER,
    ),
    _row(
        "batch exact OR CI, 4e3 tables",
        lambda: _interval(rkb.odds_ratio(*_E, method="exact")),
        lambda: nb_conditional(*_E, False),
        N_EXACT,
    ),
    _row(
        "batch mid-p OR CI, 4e3 tables",
        lambda: _interval(rkb.odds_ratio(*_E, method="midp")),
        lambda: nb_conditional(*_E, True),
        N_EXACT,
    ),
]

#: Issue 9: rctkit time / numba time at most this.
TARGETS: dict[str, float] = {
    "batch Fisher p, 2e4 tables": 2.0,
    "batch exact OR CI, 4e3 tables": 5.0,
    "batch mid-p OR CI, 4e3 tables": 5.0,
}


def chi2_over_wald(n_tables: int = N_SIMPLE) -> list[CompiledRow]:
    """Batch chi2, Yates and LR p-values against the batch Wald OR (issue 9: within 2x)."""
    wald = lambda: rkb.odds_ratio(*_S)  # noqa: E731
    rows = []
    for method in ("chi2", "chi2-yates", "lr"):
        test = lambda m=method: rkb.hypothesis_test(*_S, method=m)  # noqa: E731
        mine, base = paired_times(test, wald, rounds=5)
        rows.append((f"batch {method} p / batch Wald OR", mine / n_tables, base / n_tables))
    return rows


def report() -> None:
    """Print the compiled-reference rows (``make bench`` prints them after its own)."""
    print(f"compiled reference: numba {numba.__version__}, single-pass loops per table")
    print(f"{'measurement':<40}{'rctkit/table':>13}{'numba/table':>13}{'rctkit/numba':>14}")
    for bench in BENCHMARKS:
        name, ours, theirs = bench()
        target = TARGETS.get(name)
        ratio = ours / theirs
        verdict = (
            ""
            if target is None
            else f"  target <= {target:g}x: {'met' if ratio <= target else 'NOT MET'}"
        )
        print(f"{name:<40}{ours:>13.3g}{theirs:>13.3g}{ratio:>13.2f}x{verdict}")
    print(f"{'measurement':<40}{'test/table':>13}{'Wald/table':>13}{'test/Wald':>14}")
    for name, ours, theirs in chi2_over_wald():
        ratio = ours / theirs
        verdict = f"  target <= 2x: {'met' if ratio <= 2.0 else 'NOT MET'}"
        print(f"{name:<40}{ours:>13.3g}{theirs:>13.3g}{ratio:>13.2f}x{verdict}")


def main() -> None:
    warnings.simplefilter("ignore")
    report()


if __name__ == "__main__":
    main()
