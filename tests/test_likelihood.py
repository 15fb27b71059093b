"""Likelihood methods of the logistic model: profile and Firth odds ratios, Wald and LR tests.

References, each named beside its numbers:

- mpmath (``mp.dps = 40``), written here independently of rctkit's closed form: the
  intercept is solved from its score equation with ``mp.findroot``, the log-likelihood summed
  directly, and for Firth the penalty ``1/2 log det(X'WX)`` and its gradient are built from the
  design matrix (nothing assumes that Firth equals "add 1/2 to every cell"). Compared at
  rtol 1e-9.
- R 4.2.2 (``tests/reference/likelihood.R``): ``glm`` Wald and LR tests; ``MASS::confint``
  (profile likelihood, spline-interpolated on a grid, so only good to about 1e-4); the same
  script's own profile code (uniroot on the intercept's score, tol 1e-15, and on the limits,
  tol 1e-13); ``brglm2`` (Firth estimate, ``type = "AS_mean"``); logistf's algorithm for the
  profile penalised likelihood written out in R (logistf is not installed).
- statsmodels ``GLM`` (binomial, ``freq_weights``) and ``Logit``: the MLE and its Wald z;
  scipy's G-test (``chi2_contingency(lambda_="log-likelihood")``) for the LR test.
- Agresti's Physicians' Health Study example (published, rounded).
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import mpmath as mp
import numpy as np
import pytest
import statsmodels.api as sm
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import rctkit as rk
import rctkit.batch as rkb
from tests.strategies import confidence_levels, outcomes

Table = tuple[int, int, int, int]
MpFloat = Any  # mpmath's mpf has no type stubs

RTOL = 1e-9


def _outcome(table: Table) -> rk.BinaryOutcome:
    a, n1, c, n2 = table
    return rk.BinaryOutcome.from_counts(treatment=(a, n1), control=(c, n2), name="t")


def _swap(outcome: rk.BinaryOutcome) -> rk.BinaryOutcome:
    return rk.BinaryOutcome(name="t", treatment=outcome.control, control=outcome.treatment)


def _empty(table: Table) -> bool:
    """No events, or only events, in both arms together."""
    a, n1, c, n2 = table
    return a + c == 0 or a + c == n1 + n2


def _zero_cell(table: Table) -> bool:
    a, n1, c, n2 = table
    return 0 in (a, n1 - a, c, n2 - c)


def _expect_warning(expected: bool) -> AbstractContextManager[Any]:
    return pytest.warns(rk.RctkitWarning) if expected else contextlib.nullcontext()


def _or(table: Table, method: str, level: float = 0.95) -> rk.Estimate:
    with _expect_warning(_empty(table)):
        return rk.odds_ratio(_outcome(table), method=method, confidence_level=level)


def _test(table: Table, method: str, alternative: str = "two-sided") -> rk.TestResult:
    expected = _zero_cell(table) if method == "wald" else _empty(table)
    with _expect_warning(expected):
        return rk.hypothesis_test(_outcome(table), method=method, alternative=alternative)


# --------------------------------------------------------------------------------------------
# mpmath references
# --------------------------------------------------------------------------------------------

#: Design rows (intercept, arm) of the treatment and the control arm.
_ROWS = ((1, 1), (1, 0))


def _expit(x: MpFloat) -> MpFloat:
    return 1 / (1 + mp.exp(-x))


def _mp_loglik(alpha: MpFloat, psi: MpFloat, t: tuple[MpFloat, ...]) -> MpFloat:
    a, n1, c, n2 = t
    b, d = n1 - a, n2 - c
    e1, e0 = alpha + psi, alpha
    return -(
        a * mp.log1p(mp.exp(-e1))
        + b * mp.log1p(mp.exp(e1))
        + c * mp.log1p(mp.exp(-e0))
        + d * mp.log1p(mp.exp(e0))
    )


def _mp_decreasing_root(f: Callable[[MpFloat], MpFloat], x0: MpFloat = 0) -> MpFloat:
    """Root of a decreasing function, bracketed outwards from ``x0``."""
    lo, hi, k = mp.mpf(x0) - 1, mp.mpf(x0) + 1, 1
    while f(lo) < 0:
        lo, k = lo - 2**k, k + 1
    k = 1
    while f(hi) > 0:
        hi, k = hi + 2**k, k + 1
    return _mp_bracketed(f, lo, hi)


def _mp_bracketed(f: Callable[[MpFloat], MpFloat], lo: MpFloat, hi: MpFloat) -> MpFloat:
    """A root in the bracket ``(lo, hi)``: 40 bisections (so that a far bracket, as at 1e12
    participants, does not stall the solver), then Anderson-Bjorck."""
    f_lo = f(lo)
    for _ in range(40):
        mid = (lo + hi) / 2
        f_mid = f(mid)
        if f_mid == 0:
            return mid
        if (f_mid > 0) == (f_lo > 0):
            lo, f_lo = mid, f_mid
        else:
            hi = mid
    return mp.findroot(f, (lo, hi), solver="anderson")


def _mp_ray_root(f: Callable[[MpFloat], MpFloat], x_in: MpFloat, direction: int) -> MpFloat:
    """Root of ``f`` on the ray from ``x_in`` (where ``f < 0``) in ``direction``."""
    step = mp.mpf(1) / 4
    x_out = x_in + direction * step
    while f(x_out) < 0:
        x_in, step = x_out, 2 * step
        x_out = x_in + direction * step
    return _mp_bracketed(f, x_in, x_out)


def _mp_quantile(level: float) -> MpFloat:
    """The chi-squared(1) quantile at ``level``: z**2 with z = sqrt(2) erfinv(level)."""
    return 2 * mp.erfinv(mp.mpf(level)) ** 2


def _mp_chi2_sf(x: MpFloat) -> MpFloat:
    return mp.gammainc(mp.mpf(1) / 2, x / 2, mp.inf, regularized=True)


def _mp_alpha_hat(psi: MpFloat, t: tuple[MpFloat, ...]) -> MpFloat:
    a, n1, c, n2 = t
    # The score equation a + c = n1 p1 + n2 p0, on the log scale (nearly linear in alpha).
    return _mp_decreasing_root(
        lambda al: mp.log(a + c) - mp.log(n1 * _expit(al + psi) + n2 * _expit(al))
    )


def _mp_saturated(t: tuple[MpFloat, ...]) -> MpFloat:
    a, n1, c, n2 = t

    def xlog(o: MpFloat, n: MpFloat) -> MpFloat:
        return o * mp.log(o / n) if o > 0 else mp.mpf(0)

    return xlog(a, n1) + xlog(n1 - a, n1) + xlog(c, n2) + xlog(n2 - c, n2)


@functools.cache
def mp_profile(table: Table, level: float, dps: int = 40) -> tuple[float, float, float, float]:
    """Profile-likelihood OR interval, LR statistic and p-value, by mpmath at ``dps`` digits
    (40; more for tables of 1e12, whose log likelihoods cancel in about 25 digits)."""
    with mp.workdps(dps):
        t = tuple(mp.mpf(x) for x in table)
        a, n1, c, n2 = t
        b, d = n1 - a, n2 - c
        lmax = _mp_saturated(t)

        def dev(psi: MpFloat) -> MpFloat:
            return 2 * (lmax - _mp_loglik(_mp_alpha_hat(psi, t), psi, t))

        q = _mp_quantile(level)

        def f(psi: MpFloat) -> MpFloat:
            return dev(psi) - q

        if min(a, b, c, d) > 0:
            psi_hat = mp.log(a * d / (b * c))
            low = mp.exp(_mp_ray_root(f, psi_hat, -1))
            high = mp.exp(_mp_ray_root(f, psi_hat, 1))
        elif a * d == 0:  # OR = 0: D falls to 0 as psi -> -inf
            x_in = mp.mpf(-1)
            while f(x_in) >= 0:
                x_in *= 2
            low, high = mp.mpf(0), mp.exp(_mp_ray_root(f, x_in, 1))
        else:  # OR = inf
            x_in = mp.mpf(1)
            while f(x_in) >= 0:
                x_in *= 2
            low, high = mp.exp(_mp_ray_root(f, x_in, -1)), mp.inf
        stat = dev(0)
        return float(low), float(high), float(stat), float(_mp_chi2_sf(stat))


def _mp_information(
    alpha: MpFloat, psi: MpFloat, t: tuple[MpFloat, ...]
) -> tuple[tuple[MpFloat, MpFloat], list[MpFloat], list[list[MpFloat]]]:
    """``X'WX`` and its derivatives in (alpha, psi), as symmetric (00, 01, 11) triples."""
    _, n1, _, n2 = t
    probs = (_expit(alpha + psi), _expit(alpha))
    info = [mp.mpf(0)] * 3
    dinfo = [[mp.mpf(0)] * 3, [mp.mpf(0)] * 3]
    for x, p, n in zip(_ROWS, probs, (n1, n2), strict=True):
        w = n * p * (1 - p)
        outer = (x[0] * x[0], x[0] * x[1], x[1] * x[1])
        for j in range(3):
            info[j] += w * outer[j]
            for m in range(2):
                dinfo[m][j] += w * (1 - 2 * p) * x[m] * outer[j]
    return (probs[0], probs[1]), info, dinfo


def _mp_penalised(alpha: MpFloat, psi: MpFloat, t: tuple[MpFloat, ...]) -> MpFloat:
    """Firth's ``l + 1/2 log det(X'WX)``."""
    _, i, _ = _mp_information(alpha, psi, t)
    return _mp_loglik(alpha, psi, t) + mp.log(i[0] * i[2] - i[1] ** 2) / 2


def _mp_penalised_score(alpha: MpFloat, psi: MpFloat, t: tuple[MpFloat, ...], m: int) -> MpFloat:
    """Firth's modified score ``U_m + 1/2 tr(I^-1 dI/dtheta_m)`` (m = 0: alpha, 1: psi)."""
    a, n1, c, n2 = t
    (p1, p0), i, di = _mp_information(alpha, psi, t)
    det = i[0] * i[2] - i[1] ** 2
    trace = (i[2] * di[m][0] - 2 * i[1] * di[m][1] + i[0] * di[m][2]) / det
    score = (a - n1 * p1) + ((c - n2 * p0) if m == 0 else 0)
    return score + trace / 2


@functools.cache
def mp_firth(table: Table, level: float) -> tuple[float, float, float, float]:
    """Firth estimate, profile-penalised-likelihood limits and penalised LR p, by mpmath."""
    with mp.workdps(40):
        t = tuple(mp.mpf(x) for x in table)

        def alpha_star(psi: MpFloat) -> MpFloat:
            return _mp_decreasing_root(lambda al: _mp_penalised_score(al, psi, t, 0))

        def profile(psi: MpFloat) -> MpFloat:
            return _mp_penalised(alpha_star(psi), psi, t)

        psi_star = _mp_decreasing_root(lambda p: _mp_penalised_score(alpha_star(p), p, t, 1))
        lmax = profile(psi_star)
        q = _mp_quantile(level)

        def f(psi: MpFloat) -> MpFloat:
            return 2 * (lmax - profile(psi)) - q

        low = _mp_ray_root(f, psi_star, -1)
        high = _mp_ray_root(f, psi_star, 1)
        pvalue = _mp_chi2_sf(2 * (lmax - profile(0)))
        return float(mp.exp(psi_star)), float(mp.exp(low)), float(mp.exp(high)), float(pvalue)


MP_TABLES: list[Table] = [
    (64, 218, 83, 216),  # CORE trial (Johnson et al., Lancet 2018)
    (2, 15, 9, 14),
    (1, 2000, 30, 2000),  # rare events
    (45_000, 100_000, 45_500, 100_000),  # large and near the null
    (3, 100_000_000, 40, 100_000_000),  # huge arms, products beyond 2**53
    (0, 20, 4, 20),  # no events in the treatment arm
    (6, 10, 0, 12),  # no events in the control arm
    (5, 5, 3, 10),  # all events in the treatment arm
    (0, 6, 4, 4),  # a = d = 0
    (1, 1, 0, 1),  # b = c = 0, the smallest separated table
    (0, 299, 411, 411),  # a = d = 0, upper limit about 1e-212
]


@pytest.mark.parametrize("level", [0.95, 0.5, 0.999])
@pytest.mark.parametrize("table", MP_TABLES)
def test_profile_matches_mpmath(table: Table, level: float) -> None:
    low, high, _, pvalue = mp_profile(table, level)  # mpmath, 40 digits (above)
    est = _or(table, "profile", level)
    np.testing.assert_allclose([est.ci.low, est.ci.high], [low, high], rtol=RTOL, atol=0)
    assert est.pvalue == pytest.approx(pvalue, rel=RTOL)


@pytest.mark.parametrize(
    ("table", "level"),
    [
        ((64, 218, 83, 216), 0.95),
        ((0, 20, 4, 20), 0.95),
        ((0, 6, 4, 4), 0.99),
        ((1, 1, 0, 1), 0.9),
        ((1, 2000, 30, 2000), 0.95),
        # Two fitted cells of about 1e-7 at the upper limit (near a double root of the
        # quadratic): needs the cancellation-free fitted cells and discriminant.
        ((2, 4, 0, 2), 0.9999),
    ],
)
def test_firth_matches_mpmath(table: Table, level: float) -> None:
    estimate, low, high, pvalue = mp_firth(table, level)  # mpmath, 40 digits (above)
    est = _or(table, "firth", level)
    assert est.estimate == pytest.approx(estimate, rel=RTOL)
    np.testing.assert_allclose([est.ci.low, est.ci.high], [low, high], rtol=RTOL, atol=0)
    assert est.pvalue == pytest.approx(pvalue, rel=RTOL)


@pytest.mark.parametrize("table", MP_TABLES)
def test_lr_test_matches_mpmath(table: Table) -> None:
    _, _, stat, pvalue = mp_profile(table, 0.95)  # mpmath: D(0) from the profile deviance
    res = _test(table, "lr")
    assert res.statistic == pytest.approx(stat, rel=RTOL)
    assert res.pvalue == pytest.approx(pvalue, rel=RTOL)
    a, n1, c, n2 = table
    with mp.workdps(40):
        signed = math.copysign(1.0, a * (n2 - c) - (n1 - a) * c) * mp.sqrt(stat)
        less, greater = float(mp.ncdf(signed)), float(mp.ncdf(-signed))
    assert _test(table, "lr", "less").pvalue == pytest.approx(less, rel=RTOL)
    assert _test(table, "lr", "greater").pvalue == pytest.approx(greater, rel=RTOL)


@pytest.mark.parametrize("table", [t for t in MP_TABLES if not _zero_cell(t)])
def test_wald_test_matches_mpmath(table: Table) -> None:
    with mp.workdps(40):
        a, n1, c, n2 = (mp.mpf(x) for x in table)
        b, d = n1 - a, n2 - c
        z = mp.log(a * d / (b * c)) / mp.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
        expected = {
            "two-sided": float(2 * mp.ncdf(-abs(z))),
            "less": float(mp.ncdf(z)),
            "greater": float(mp.ncdf(-z)),
        }
    for alternative, pvalue in expected.items():
        res = _test(table, "wald", alternative)
        assert res.statistic == pytest.approx(float(z), rel=RTOL)
        assert res.pvalue == pytest.approx(pvalue, rel=RTOL)


# --------------------------------------------------------------------------------------------
# R references (tests/reference/likelihood.R; R 4.2.2, MASS 7.3-58.2, brglm2 0.9)
# --------------------------------------------------------------------------------------------

R_REFERENCE: dict[str, dict[str, Any]] = {
    "core": {
        "table": (64, 218, 83, 216),
        "glm_wald_z": -1.99128410196734,
        "glm_wald_p": 0.046449662264552,
        "glm_lr_stat": 3.99140895923586,
        "glm_lr_p": 0.0457328070327507,
        "mass_0.95": (0.445336310813897, 0.992335315737876),
        "own_0.95": (0.445338474874243, 0.992336001469414),
        "mass_0.9": (0.475262743207453, 0.930813869222644),
        "own_0.9": (0.475264350619548, 0.930814488100003),
        "mass_0.99": (0.391991411069425, 1.12450236315655),
        "own_0.99": (0.391994533300935, 1.12450243295324),
        "brglm2": 0.667461194116621,
        "firth_0.95": (0.446891445334596, 0.993468213579949),
        "firth_0.9": (0.476827991155574, 0.932046470934757),
        "firth_0.99": (0.393514923883883, 1.12538566856209),
        "firth_plr_p": 0.0463351256535674,
    },
    "aspirin": {  # Physicians' Health Study, placebo (treatment here) vs aspirin: MI
        "table": (189, 11034, 104, 11037),
        "glm_wald_z": 4.92860393822497,
        "glm_wald_p": 8.28192717491193e-07,
        "glm_lr_stat": 25.3719590391238,
        "glm_lr_p": 4.7274016040704e-07,
        "mass_0.95": (1.44357930981686, 2.33786091075021),
        "own_0.95": (1.44357480700708, 2.33784813240595),
        "mass_0.9": (1.49951403603909, 2.24700188255754),
        "own_0.9": (1.49951039990171, 2.24699385401187),
        "mass_0.99": (1.34057986513445, 2.52756442522807),
        "own_0.99": (1.34057451186029, 2.52754600187109),
        "brglm2": 1.82811096878537,
        "firth_0.95": (1.44113114047918, 2.33164766443886),
        "firth_0.9": (1.49686473297673, 2.24122215615485),
        "firth_0.99": (1.33848974217994, 2.52041963233314),
        "firth_plr_p": 4.94708386765374e-07,
    },
    "small1": {
        "table": (2, 15, 9, 14),
        "glm_wald_z": -2.61004305417758,
        "glm_wald_p": 0.00905308279765962,
        "glm_lr_stat": 8.46666112372857,
        "glm_lr_p": 0.00361714772380633,
        # MASS is 1.4e-4 off the exact limit here (own profile): its spline interpolation.
        "mass_0.95": (0.0102668204482958, 0.46790330315464),
        "own_0.95": (0.010268276148079, 0.467974772746689),
        "mass_0.9": (0.0151333382362829, 0.361425624700172),
        "own_0.9": (0.0151343538291911, 0.36143667077634),
        "mass_0.99": (0.00445642921566638, 0.767578922703574),
        "own_0.99": (0.00445852153851407, 0.767685014985668),
        "brglm2": 0.107212475633528,
        "firth_0.95": (0.0158790635819205, 0.529599187778649),
        "firth_0.9": (0.0223296307310097, 0.414442825356908),
        "firth_0.99": (0.00773467295925438, 0.848705146232522),
        "firth_plr_p": 0.0052325258052362,
    },
    "small2": {
        "table": (12, 20, 5, 21),
        "glm_wald_z": 2.28603574539805,
        "glm_wald_p": 0.0222521674569262,
        "glm_lr_stat": 5.66388108640048,
        "glm_lr_p": 0.0173177605941021,
        "mass_0.95": (1.31034232305178, 19.9121212237305),
        "own_0.95": (1.31031877866214, 19.9109084334306),
        "mass_0.9": (1.60690026648538, 15.643026340287),
        "own_0.9": (1.60684082531074, 15.6422269568664),
        "mass_0.99": (0.881915349745138, 32.496731395224),
        "own_0.99": (0.881909566075706, 32.4891978485105),
        "brglm2": 4.41176470588235,
        "firth_0.95": (1.25219883371341, 17.335699101865),
        "firth_0.9": (1.52690318478204, 13.7597203136095),
        "firth_0.99": (0.851800697652285, 27.6596986818972),
        "firth_plr_p": 0.020395894899353,
    },
    # Separated tables. glm stops at a large finite estimate, so its Wald z is about 1e-6 and
    # its p-value just below 1: the Hauck-Donner limit that rctkit sets exactly (z = 0, p = 1).
    # MASS::confint fails on the finite side (NA) and gives 0 or Inf on the other; the script's
    # own profile code gives the finite limit.
    "zero_a": {
        "table": (0, 20, 4, 20),
        "glm_wald_z": -2.09019545582834e-06,
        "glm_wald_p": 0.999998332265317,
        "glm_lr_stat": 5.99054092978834,
        "glm_lr_p": 0.0143827911709871,
        "own_0.95": (0, 0.535901236074752),
        "own_0.9": (0, 0.342831836957497),
        "own_0.99": (0, 1.16840831070116),
        "brglm2": 0.0894308943089431,
        "firth_0.95": (0.000656792444981027, 0.932913416671714),
        "firth_0.9": (0.0020838266494748, 0.673802545996342),
        "firth_0.99": (3.98785670842064e-05, 1.73015312754867),
        "firth_plr_p": 0.0425316528279443,
    },
    "zero_c": {
        "table": (6, 10, 0, 12),
        "glm_wald_z": 1.63563359405118e-06,
        "glm_wald_p": 0.999998694953208,
        "glm_lr_stat": 12.3216818651711,
        "glm_lr_p": 0.000447727107258209,
        "own_0.95": (6.27706122788965, math.inf),
        "own_0.9": (9.91721107103574, math.inf),
        "own_0.99": (2.85905915569282, math.inf),
        "brglm2": 36.1111111111111,
        "firth_0.95": (3.20520820148818, 5085.28979947504),
        "firth_0.9": (4.4719977243037, 1601.69320822812),
        "firth_0.99": (1.7232291307908, 83779.1972899499),
        "firth_plr_p": 0.00169610102557372,
    },
    "all_a": {
        "table": (5, 5, 3, 10),
        "glm_wald_z": 1.11234427002671e-06,
        "glm_wald_p": 0.999999112477681,
        "glm_lr_stat": 8.51041323831667,
        "glm_lr_p": 0.00353119862682705,
        "own_0.95": (3.61248604567555, math.inf),
        "own_0.9": (5.87581972072393, math.inf),
        "own_0.99": (1.54558255006888, math.inf),
        "brglm2": 23.5714285714286,
        "firth_0.95": (1.83307262582181, 3442.87385625507),
        "firth_0.9": (2.62490914010043, 1083.58572437091),
        "firth_0.99": (0.932480285181175, 56738.9823296264),
        "firth_plr_p": 0.0120377207352676,
    },
    "zero_ad": {
        "table": (0, 6, 4, 4),
        "glm_wald_z": -1.45545013648477e-06,
        "glm_wald_p": 0.999998838718807,
        "glm_lr_stat": 13.4602333401851,
        "glm_lr_p": 0.000243673449854287,
        "own_0.95": (0, 0.0471256714921698),
        "own_0.9": (0, 0.0219896220059683),
        "own_0.99": (0, 0.163891028556019),
        "brglm2": 0.00854700854700855,
        "firth_0.95": (2.55346339945595e-05, 0.228669518680801),
        "firth_0.9": (8.80278009226939e-05, 0.145767895049369),
        "firth_0.99": (1.42700074856161e-06, 0.525978650804133),
        "firth_plr_p": 0.00211454660856047,
    },
}
LEVELS = (0.95, 0.9, 0.99)
R_NAMES = list(R_REFERENCE)


@pytest.mark.parametrize("name", R_NAMES)
def test_profile_matches_r(name: str) -> None:
    ref = R_REFERENCE[name]
    for level in LEVELS:
        est = _or(ref["table"], "profile", level)
        # The script's own profile code (uniroot on the score and on the limits).
        np.testing.assert_allclose(tuple(est.ci), ref[f"own_{level}"], rtol=RTOL, atol=0)
        if f"mass_{level}" in ref:
            # MASS::confint interpolates the profile with a spline: 5e-6 to 1.4e-4 off.
            np.testing.assert_allclose(tuple(est.ci), ref[f"mass_{level}"], rtol=5e-4)
    # glm's LR test (anova, test = "LRT") is the profile interval's p-value.
    assert est.pvalue == pytest.approx(ref["glm_lr_p"], rel=RTOL)


@pytest.mark.parametrize("name", R_NAMES)
def test_firth_matches_r(name: str) -> None:
    ref = R_REFERENCE[name]
    for level in LEVELS:
        est = _or(ref["table"], "firth", level)
        # brglm2's bias-reduced estimate (AS_mean, epsilon 1e-12) is Firth's for this model.
        assert est.estimate == pytest.approx(ref["brglm2"], rel=1e-12)
        # logistf's profile penalised likelihood, written out in R.
        np.testing.assert_allclose(tuple(est.ci), ref[f"firth_{level}"], rtol=RTOL, atol=0)
        assert est.pvalue == pytest.approx(ref["firth_plr_p"], rel=RTOL)


@pytest.mark.parametrize("name", R_NAMES)
def test_tests_match_r_glm(name: str) -> None:
    ref = R_REFERENCE[name]
    table = ref["table"]
    lr = _test(table, "lr")
    assert lr.statistic == pytest.approx(ref["glm_lr_stat"], rel=RTOL)
    assert lr.pvalue == pytest.approx(ref["glm_lr_p"], rel=RTOL)
    wald = _test(table, "wald")
    if _zero_cell(table):
        # glm's last iterate versus the limit: z -> 0, p -> 1 (Hauck-Donner).
        assert wald.statistic == 0.0
        assert wald.pvalue == 1.0
        assert ref["glm_wald_p"] == pytest.approx(1.0, abs=1e-5)
    else:
        assert wald.statistic == pytest.approx(ref["glm_wald_z"], rel=RTOL)
        # glm stops IRLS on the deviance's relative change, leaving z about 2e-10 off for
        # small1 (mpmath: z = -2.6100430536330, glm -2.6100430541776), which the steep normal
        # tail turns into 1.6e-9 in p; the mpmath test above checks p at 1e-9.
        assert wald.pvalue == pytest.approx(ref["glm_wald_p"], rel=1e-8)


def test_firth_is_the_half_added_odds_ratio() -> None:
    # The identity checked against brglm2 above, on many tables at once (formula written here).
    rng = np.random.default_rng(20240611)
    n1 = rng.integers(1, 60, size=300)
    n2 = rng.integers(1, 60, size=300)
    a = rng.integers(0, n1 + 1)
    c = rng.integers(0, n2 + 1)
    empty = (a + c == 0) | (a + c == n1 + n2)
    with _expect_warning(bool(empty.any())):
        res = rkb.odds_ratio(a, n1, c, n2, method="firth")
    expected = (a + 0.5) * (n2 - c + 0.5) / ((n1 - a + 0.5) * (c + 0.5))
    np.testing.assert_allclose(res.estimate, expected, rtol=1e-14)


# --------------------------------------------------------------------------------------------
# statsmodels and a textbook example
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", [t for t in MP_TABLES if not _zero_cell(t)][:4])
def test_matches_statsmodels_glm(table: Table) -> None:
    a, n1, c, n2 = table
    design = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    events = np.array([1.0, 0.0, 1.0, 0.0])
    weights = np.array([a, n1 - a, c, n2 - c], dtype=float)
    fit = sm.GLM(events, design, family=sm.families.Binomial(), freq_weights=weights).fit(
        tol=1e-14
    )
    assert _or(table, "profile").estimate == pytest.approx(np.exp(fit.params[1]), rel=RTOL)
    wald = _test(table, "wald")
    assert wald.statistic == pytest.approx(fit.tvalues[1], rel=RTOL)
    assert wald.pvalue == pytest.approx(fit.pvalues[1], rel=RTOL)


@pytest.mark.parametrize("table", MP_TABLES)
def test_lr_matches_scipy_g_test(table: Table) -> None:
    # scipy.stats.chi2_contingency(lambda_="log-likelihood"): the G-test of independence.
    a, n1, c, n2 = table
    observed = np.array([[a, n1 - a], [c, n2 - c]])
    stat, pvalue, *_ = stats.chi2_contingency(observed, correction=False, lambda_="log-likelihood")
    res = _test(table, "lr")
    assert res.statistic == pytest.approx(stat, rel=RTOL)
    assert res.pvalue == pytest.approx(pvalue, rel=RTOL)


def test_matches_statsmodels_logit_on_individual_data() -> None:
    # The CORE table expanded to 434 participants, fitted by statsmodels' Logit (Newton).
    a, n1, c, n2 = table = (64, 218, 83, 216)
    arm = np.repeat([1.0, 1.0, 0.0, 0.0], [a, n1 - a, c, n2 - c])
    event = np.repeat([1.0, 0.0, 1.0, 0.0], [a, n1 - a, c, n2 - c])
    fit = sm.Logit(event, sm.add_constant(arm)).fit(disp=0, tol=1e-14, maxiter=100)
    assert _or(table, "profile").estimate == pytest.approx(np.exp(fit.params[1]), rel=RTOL)
    assert _test(table, "wald").statistic == pytest.approx(fit.tvalues[1], rel=RTOL)


def test_agresti_physicians_health_study() -> None:
    # Agresti, An Introduction to Categorical Data Analysis, 2nd ed. (2007), section 2.3:
    # placebo 189/11034 vs aspirin 104/11037 myocardial infarctions; sample odds ratio 1.832,
    # log odds ratio 0.605 with standard error 0.123.
    table = (189, 11034, 104, 11037)
    est = _or(table, "profile")
    assert round(est.estimate, 3) == 1.832
    z = _test(table, "wald").statistic
    assert z is not None
    assert round(math.log(est.estimate), 3) == 0.605
    assert round(math.log(est.estimate) / z, 3) == 0.123


# --------------------------------------------------------------------------------------------
# Zero cells: the documented policy
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "estimate", "low_zero", "high_inf"),
    [
        ((0, 20, 4, 20), 0.0, True, False),  # no events, treatment
        ((4, 20, 0, 20), math.inf, False, True),  # no events, control
        ((20, 20, 4, 20), math.inf, False, True),  # all events, treatment
        ((4, 20, 20, 20), 0.0, True, False),  # all events, control
        ((0, 6, 4, 4), 0.0, True, False),  # a = d = 0
        ((6, 6, 0, 4), math.inf, False, True),  # b = c = 0
    ],
)
def test_profile_one_sided_separation(
    table: Table, estimate: float, low_zero: bool, high_inf: bool
) -> None:
    est = _or(table, "profile")  # no warning: the likelihood interval is well defined
    assert est.estimate == estimate
    assert (est.ci.low == 0.0) is low_zero
    assert (est.ci.high == math.inf) is high_inf
    finite_limit = est.ci.low if high_inf else est.ci.high
    assert 0.0 < finite_limit < math.inf
    assert est.pvalue is not None
    assert 0.0 < est.pvalue < 1.0
    firth = _or(table, "firth")
    assert 0.0 < firth.ci.low < firth.estimate < firth.ci.high < math.inf


@pytest.mark.parametrize("table", [(0, 20, 0, 30), (20, 20, 30, 30), (0, 1, 0, 1)])
def test_no_information_tables(table: Table) -> None:
    a, n1, _, n2 = table
    with pytest.warns(rk.RctkitWarning, match="both arms"):
        est = rk.odds_ratio(_outcome(table), method="profile")
    assert math.isnan(est.estimate)
    assert tuple(est.ci) == (0.0, math.inf)
    assert est.pvalue == 1.0
    with pytest.warns(rk.RctkitWarning, match="penalty"):
        firth = rk.odds_ratio(_outcome(table), method="firth")
    # Driven by the penalty alone: the arm sizes (n2 + 1/2) / (n1 + 1/2), as logistf.
    expected = (n2 + 0.5) / (n1 + 0.5) if a == 0 else (n1 + 0.5) / (n2 + 0.5)
    assert firth.estimate == pytest.approx(expected, rel=1e-14)
    assert 0.0 < firth.ci.low < firth.estimate < firth.ci.high < math.inf
    for alternative, pvalue in (("two-sided", 1.0), ("less", 0.5), ("greater", 0.5)):
        with pytest.warns(rk.RctkitWarning, match="likelihood-ratio statistic is 0"):
            lr = rk.hypothesis_test(_outcome(table), method="lr", alternative=alternative)
        assert (lr.statistic, lr.pvalue) == (0.0, pvalue)
        with pytest.warns(rk.RctkitWarning, match="Hauck-Donner"):
            wald = rk.hypothesis_test(_outcome(table), method="wald", alternative=alternative)
        assert (wald.statistic, wald.pvalue) == (0.0, pvalue)


def test_wald_zero_cell_is_hauck_donner_limit() -> None:
    with pytest.warns(rk.RctkitWarning, match="zero cell"):
        res = rkb.hypothesis_test([0, 5, 3], [10, 5, 10], [3, 2, 4], [10, 9, 10], method="wald")
    assert res.statistic is not None
    assert list(res.statistic[:2]) == [0.0, 0.0]
    assert list(res.pvalue[:2]) == [1.0, 1.0]
    assert res.statistic[2] != 0.0


# --------------------------------------------------------------------------------------------
# Extremes and the batch path
# --------------------------------------------------------------------------------------------


HUGE_TABLES: list[Table] = [
    (3, 10**12, 40, 10**12),
    (5 * 10**11, 10**12, 5 * 10**11 + 10**6, 10**12),
    (10**12 - 5, 10**12, 10**12 - 9, 10**12),
    (123_456, 10**9, 0, 10**12),
    (7, 10**9, 3, 10**12),
    (333_333_333_333, 10**12, 10**11, 3 * 10**11),
]


@pytest.mark.parametrize("table", HUGE_TABLES)
def test_profile_and_lr_at_huge_tables_match_mpmath(table: Table) -> None:
    """Issue 10: arms up to rctkit.MAX_COUNT against mpmath at 80 digits."""
    low, high, stat, pvalue = mp_profile(table, 0.95, dps=80)  # mpmath (above)
    est = _or(table, "profile")
    np.testing.assert_allclose([est.ci.low, est.ci.high], [low, high], rtol=RTOL, atol=0)
    assert est.pvalue == pytest.approx(pvalue, rel=RTOL)
    res = _test(table, "lr")
    assert res.statistic == pytest.approx(stat, rel=RTOL)


def test_extreme_levels_and_counts_stay_finite() -> None:
    a = np.array([1, 0, 500_000_000, 1, 3])
    n1 = np.array([10**9, 10**9, 10**9, 1, 3])
    c = np.array([0, 1, 499_990_000, 0, 0])
    n2 = np.array([10**9, 10**9, 10**9, 1, 3])
    for level in (1e-6, 0.5, 0.999999, 1 - 1e-10):  # 1 - 1e-10: the largest level accepted
        for method in ("profile", "firth"):
            res = rkb.odds_ratio(a, n1, c, n2, method=method, confidence_level=level)
            assert np.all(res.low <= res.high)
            assert not np.any(np.isnan(res.low) | np.isnan(res.high))
            assert np.all(res.low[[0, 2, 3, 4]] > 0)  # OR > 0 or infinite: lower limit > 0
            assert np.all(res.high[[1, 2]] < np.inf)  # OR < inf: finite upper limit
            assert res.pvalue is not None
            assert np.all((res.pvalue >= 0) & (res.pvalue <= 1))


def test_scalar_inputs_give_0d_arrays() -> None:
    res = rkb.odds_ratio(64, 218, 83, 216, method="profile")
    assert res.estimate.shape == res.low.shape == res.high.shape == ()
    test = rkb.hypothesis_test(64, 218, 83, 216, method="lr", alternative="less")
    assert test.pvalue.shape == ()


def test_broadcast_shapes() -> None:
    res = rkb.odds_ratio([[3], [8]], 20, [1, 5, 9], 20, method="firth")
    assert res.low.shape == (2, 3)
    assert res.estimate[1, 0] == pytest.approx(_or((8, 20, 1, 20), "firth").estimate, rel=0)


def test_invalid_alternative() -> None:
    core = _outcome((64, 218, 83, 216))
    with pytest.raises(rk.InvalidInputError, match="`alternative` must be one of"):
        rk.hypothesis_test(core, method="lr", alternative="sideways")


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

METHODS = st.sampled_from(["profile", "firth"])


def _table(outcome: rk.BinaryOutcome) -> Table:
    a, n1, c, n2 = outcome.as_tuple()
    return a, n1, c, n2


@given(outcomes(max_total=300), METHODS, confidence_levels)
def test_swapping_arms_inverts(outcome: rk.BinaryOutcome, method: str, level: float) -> None:
    table = _table(outcome)
    est = _or(table, method, level)
    swapped = _or(_table(_swap(outcome)), method, level)
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(
            [swapped.estimate, swapped.ci.low, swapped.ci.high],
            1.0 / np.array([est.estimate, est.ci.high, est.ci.low]),
            rtol=1e-10,
        )
    assert swapped.pvalue == pytest.approx(est.pvalue, rel=1e-10)


@given(outcomes(max_total=300), METHODS, confidence_levels)
def test_interval_contains_estimate(outcome: rk.BinaryOutcome, method: str, level: float) -> None:
    est = _or(_table(outcome), method, level)
    assert 0.0 <= est.ci.low <= est.ci.high <= math.inf
    if not math.isnan(est.estimate):
        assert est.ci.low <= est.estimate <= est.ci.high
    assert est.pvalue is not None
    assert 0.0 <= est.pvalue <= 1.0


@given(outcomes(max_total=300), METHODS, confidence_levels, confidence_levels)
def test_higher_level_is_wider(
    outcome: rk.BinaryOutcome, method: str, level1: float, level2: float
) -> None:
    lower, higher = sorted((level1, level2))
    narrow = _or(_table(outcome), method, lower)
    wide = _or(_table(outcome), method, higher)
    assert wide.ci.low <= narrow.ci.low
    assert wide.ci.high >= narrow.ci.high


@given(outcomes(max_total=300), METHODS, confidence_levels)
def test_interval_and_test_agree(outcome: rk.BinaryOutcome, method: str, level: float) -> None:
    # The profile interval is the set of odds ratios the (penalised) LR test does not reject.
    est = _or(_table(outcome), method, level)
    assert est.pvalue is not None
    alpha = 1.0 - level
    if math.isnan(est.estimate) or abs(est.pvalue - alpha) < 1e-8 * alpha:
        return
    assert (est.ci.low <= 1.0 <= est.ci.high) == (est.pvalue > alpha)


@given(st.lists(outcomes(max_total=200), min_size=1, max_size=4), METHODS, confidence_levels)
def test_batch_equals_scalar(batch: list[rk.BinaryOutcome], method: str, level: float) -> None:
    tables = [_table(o) for o in batch]
    a, n1, c, n2 = (np.array(x) for x in zip(*tables, strict=True))
    with _expect_warning(any(_empty(t) for t in tables)):
        res = rkb.odds_ratio(a, n1, c, n2, method=method, confidence_level=level)
    for i, table in enumerate(tables):
        est = _or(table, method, level)
        assert res.pvalue is not None
        np.testing.assert_array_equal(
            [res.estimate[i], res.low[i], res.high[i], res.pvalue[i]],
            [est.estimate, est.ci.low, est.ci.high, est.pvalue],
        )


@given(st.lists(outcomes(max_total=200), min_size=1, max_size=4), st.sampled_from(["wald", "lr"]))
def test_tests_batch_equals_scalar(batch: list[rk.BinaryOutcome], method: str) -> None:
    tables = [_table(o) for o in batch]
    a, n1, c, n2 = (np.array(x) for x in zip(*tables, strict=True))
    flag = _zero_cell if method == "wald" else _empty
    for alternative in ("two-sided", "less", "greater"):
        with _expect_warning(any(flag(t) for t in tables)):
            res = rkb.hypothesis_test(a, n1, c, n2, method=method, alternative=alternative)
        for i, table in enumerate(tables):
            one = _test(table, method, alternative)
            assert res.statistic is not None
            assert (res.statistic[i], res.pvalue[i]) == (one.statistic, one.pvalue)


@given(outcomes(max_total=300), st.sampled_from(["wald", "lr"]))
def test_one_sided_p_values(outcome: rk.BinaryOutcome, method: str) -> None:
    table = _table(outcome)
    two = _test(table, method).pvalue
    less = _test(table, method, "less").pvalue
    greater = _test(table, method, "greater").pvalue
    assert less + greater == pytest.approx(1.0, abs=1e-15)
    assert two == pytest.approx(2 * min(less, greater), rel=1e-10, abs=1e-300)


@given(outcomes(max_total=300, zero_cells=False))
def test_wald_test_is_woolf(outcome: rk.BinaryOutcome) -> None:
    # For the 2x2 table the logistic model's Wald test of the arm is Woolf's z.
    table = _table(outcome)
    woolf = rk.odds_ratio(outcome, method="wald")
    assert _test(table, "wald").pvalue == pytest.approx(woolf.pvalue, rel=1e-12)
