"""Profile-likelihood limits of one coefficient, by safeguarded Newton on both sides at once."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from rctkit import _warnings
from rctkit.errors import RctkitError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Profile limits: Newton on psi stops after a step below this, relative to max(1, |psi|).
PROFILE_TOL = 1e-12
#: Profile limits farther than this from 0 (beyond |psi_hat|) are reported as infinite.
PSI_REACH = 30.0

#: ``constrained(psi) -> (loglik, dloglik/dpsi)`` for an array of fixed arm coefficients.
Constrained = Callable[[FloatArray], tuple[FloatArray, FloatArray]]


def profile_limits(
    constrained: Constrained, psi_hat: float, se: float, loglik_max: float, q: float
) -> tuple[FloatArray, BoolArray]:
    """Solve :math:`2\\{l_{max} - l_p(\\psi)\\} = q` below and above ``psi_hat``.

    Safeguarded Newton on both sides at once: the derivative of the profile log-likelihood
    is the arm's score at the constrained fit (envelope theorem), so each step costs one
    warm-started constrained refit. A step that leaves the bracket known so far is replaced by
    bisection (or by doubling the distance while no outer point is known). The profile
    deviance of the logistic model is convex, so Newton converges monotonically from outside.

    The search stays within ``|psi| <= PSI_REACH`` (plus ``|psi_hat|``): beyond it fitted
    risks are within 1e-13 of 0 or 1 and double precision no longer resolves the likelihood.
    A limit not reached there, or where ``constrained`` returns nan (a constrained fit that
    failed out there), is returned as -inf / +inf. Returns the two limits (log scale) and
    whether each converged.
    """
    reach = PSI_REACH + abs(psi_hat)
    sides = np.array([-1.0, 1.0])
    width = math.sqrt(q) * se if math.isfinite(se) and se > 0 else 1.0
    psi = psi_hat + sides * width
    inner = np.full(2, psi_hat)
    outer = np.full(2, np.nan)
    result = np.full(2, np.nan)
    done = np.zeros(2, dtype=bool)
    for _ in range(200):
        loglik, slope = constrained(psi)
        failed = ~np.isfinite(loglik)
        if np.any(failed & ~done & (np.abs(psi - psi_hat) < 0.5 * reach)):
            raise RctkitError("a constrained fit of the profile likelihood did not converge")
        unreachable = ~done & (failed | ((np.abs(psi) >= reach) & (loglik > loglik_max - q / 2)))
        if np.any(unreachable):
            result = np.where(unreachable, sides * np.inf, result)
            done |= unreachable
            if done.all():
                break
        f = 2.0 * (loglik_max - loglik) - q
        df = -2.0 * slope
        below = f < 0
        inner = np.where(below & ~done, psi, inner)
        outer = np.where(~below & ~done, psi, outer)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = psi - f / df
        # the root lies beyond `inner` (away from psi_hat) and before `outer`
        beyond_inner = sides * (newton - inner) > 0
        before_outer = np.isnan(outer) | (sides * (outer - newton) > 0)
        ok = np.isfinite(newton) & beyond_inner & before_outer
        fallback = np.where(
            np.isnan(outer),
            inner + sides * 2.0 * np.maximum(np.abs(inner - psi_hat), width),
            0.5 * (inner + outer),
        )
        new = np.clip(np.where(ok, newton, fallback), -reach, reach)
        # a Newton step this small ends the search (it may round to psi itself, outside the
        # open bracket, so it is tested before the safeguard)
        small = np.isfinite(newton) & (
            np.abs(newton - psi) <= PROFILE_TOL * np.maximum(1.0, np.abs(psi))
        )
        bracket = ~np.isnan(outer) & (
            np.abs(outer - inner) <= PROFILE_TOL * np.maximum(1.0, np.abs(inner))
        )
        finished = ~done & (small | bracket)
        result = np.where(finished, np.where(small, newton, 0.5 * (inner + outer)), result)
        done |= finished
        if done.all():
            break
        psi = np.where(done, psi, new)
    return result, done


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
