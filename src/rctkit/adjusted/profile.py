"""Profile-likelihood limits of one coefficient, on the shared solvers, both sides at once."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from rctkit import _warnings
from rctkit.errors import RctkitError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: Profile limits: Newton on psi stops after a step below this, relative to max(1, |psi|).
PROFILE_TOL = 1e-12
#: Profile limits farther than this from 0 (beyond |psi_hat|) are reported as infinite.
PSI_REACH = 30.0

#: ``constrained(psi, side) -> (loglik, dloglik/dpsi)`` for arrays of fixed arm coefficients;
#: ``side`` (0 below the estimate, 1 above) keys each side's warm start.
Constrained = Callable[[FloatArray, IntArray], tuple[FloatArray, FloatArray]]


def profile_limits(
    constrained: Constrained, psi_hat: float, se: float, loglik_max: float, q: float
) -> tuple[FloatArray, BoolArray]:
    r"""Solve :math:`2\{l_{max} - l_p(\psi)\} = q` below and above ``psi_hat``.

    Both sides at once, on the shared solvers: with :math:`t = |\psi - \hat\psi|` the
    deviance :math:`f(t) = 2\{l_{max} - l_p\} - q` rises from :math:`-q` at :math:`t = 0`;
    :func:`~rctkit._kernels.solvers.bracket` searches outward from the Wald distance
    :math:`\sqrt q\,\mathrm{se}` (doubling it) for a sign change, and
    :func:`~rctkit._kernels.solvers.newton` refines the root inside the bracket, with
    :math:`f'` from the arm's score at the constrained fit (envelope theorem), so each step
    costs one warm-started constrained refit. It stops after a Newton step below
    ``PROFILE_TOL`` relative.

    The search stays within ``|psi| <= PSI_REACH`` (plus ``|psi_hat|``): beyond it fitted
    risks are within 1e-13 of 0 or 1 and double precision no longer resolves the likelihood.
    A limit not reached there, or where ``constrained`` returns nan (a constrained fit that
    failed) beyond half that distance, is returned as -inf / +inf; a failed fit nearer
    raises. Returns the two limits (log scale) and whether each converged.
    """
    from rctkit._kernels.solvers import bracket, newton

    reach = PSI_REACH + abs(psi_hat)
    direction = np.array([-1.0, 1.0])
    width = math.sqrt(q) * se if math.isfinite(se) and se > 0 else 1.0
    farthest = reach - direction * psi_hat  # t at which |psi| = reach, per side

    seen: dict[tuple[int, float], tuple[float, float]] = {}  # (side, t) -> (f, f')

    def deviance(t: FloatArray, side: IntArray) -> tuple[FloatArray, FloatArray]:
        f, fprime = np.full(t.size, -q), np.zeros(t.size)
        fit = t > 0.0  # at t = 0 the deviance is -q, with no fit
        for i in np.flatnonzero(fit):  # Newton starts where the search ended: no refit
            known = seen.get((int(side[i]), float(t[i])))
            if known is not None:
                f[i], fprime[i], fit[i] = known[0], known[1], False
        if fit.any():
            sign = direction[side[fit]]
            loglik, slope = constrained(psi_hat + sign * t[fit], side[fit])
            failed = ~np.isfinite(loglik)
            if np.any(failed & (t[fit] < 0.5 * farthest[side[fit]])):
                raise RctkitError("a constrained fit of the profile likelihood did not converge")
            # a fit that failed far out counts as still inside: the limit is then unbounded
            f[fit] = np.where(failed, -q, 2.0 * (loglik_max - loglik) - q)
            fprime[fit] = np.where(failed, 0.0, -2.0 * sign * slope)
            for i in np.flatnonzero(fit):
                seen[int(side[i]), float(t[i])] = (float(f[i]), float(fprime[i]))
        return f, fprime

    sides = np.arange(2)
    lo, hi, _, _, found = bracket(
        lambda t, side: deviance(t, side)[0],
        0.0,
        width,
        args=(sides,),
        low=0.0,
        high=farthest,
    )
    limits = direction * np.inf
    ok = np.ones(2, dtype=bool)
    inside = np.flatnonzero(found)
    if inside.size:
        t, converged = newton(
            deviance,
            lo[inside],
            hi[inside],
            # from the inner end where the search passed it (Newton overshoots the root of
            # the convex deviance, then converges from outside), else from the outer end
            np.where(lo[inside] > 0.0, lo[inside], hi[inside]),
            args=(sides[inside],),
            increasing=True,
            xrtol=PROFILE_TOL,
            step_rtol=PROFILE_TOL,
        )
        limits[inside] = psi_hat + direction[inside] * t
        ok[inside] = converged
    return limits, ok


def warn_unbounded(limits: FloatArray, psi_hat: float) -> None:
    reach = PSI_REACH + abs(psi_hat)
    for limit, name, sign, shown in (
        (limits[0], "lower", "-", "0"),
        (limits[1], "upper", "", "inf"),
    ):
        if math.isinf(limit):
            _warnings.warn(
                f"the {name} profile-likelihood limit lies beyond log odds ratio "
                f"{sign}{reach:.3g}, where fitted risks are within 1e-13 of 0 or 1 (nearly "
                f"separated data) and double precision does not resolve the likelihood; "
                f"reported as {shown}"
            )
