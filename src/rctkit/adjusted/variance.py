"""Variances of the standardised risks of :func:`~rctkit.adjusted.marginal_effect`: Ge et al.
(2011) with the model-based or the HC0 covariance of the coefficients, the stacked
estimating-equation sandwich, and Ye et al. (2023) with its term for stratified randomisation.

Each function returns the 2 x 2 covariance matrix of (treatment risk, control risk).

A factor level whose outcome is constant (a site with no events, or only events)
---------------------------------------------------------------------------------
Its coefficient is infinite; :func:`~rctkit.adjusted.separated_levels.set_aside_constant_levels`
fits the others (the set K, ``n_K`` of the ``n`` participants) and the variances here are the
limits of those of the full fit as the level's coefficient runs off. Reparametrise the full
model as (beta_K, delta), delta added to the linear predictor of the level's participants S
only (the intercept and the factor's dummies span that indicator, so this is the same model).
As delta runs to -inf (no events; +inf is the mirror image) every S participant's fitted risk
under either arm tends to its outcome c_i (0 or 1), and its weight w_i = p_i (1 - p_i), under
the observed or either counterfactual arm, and its residual y_i - mu_i are O(e^delta).

- The standardised risks m_a = n^-1 (sum_K p_ai + sum_S c_i): means over all n, with the S
  participants' limit predictions; they add c_i to both arms, so a zero difference.
- The gradients G_a = n^-1 sum_i w_ai x_i^(a): the S terms vanish, and the beta_K block is
  G_K = n^-1 sum_K w_ai x_i^(a) (note n, not n_K); the delta entry g_a = n^-1 sum_S w_ai is
  O(e^delta).
- The information I = [[I_K + A, b], [b', d]] with A, b, d = sum_S w_i (x_i x_i', x_i, 1),
  all O(e^delta). By the block inverse, (I^-1)_deltadelta ~ 1/d = O(e^-delta),
  (I^-1)_(K,delta) = -(I_K + A - b b'/d)^-1 b/d = O(1), and (I^-1)_KK -> I_K^-1. So
  G I^-1 G' = G_K I_K^-1 G_K' + O(g) + O(g^2 / d) -> G_K I_K^-1 G_K' ("ge": the reduced
  model's information with the gradients over all n). The vector G I^-1 itself stays bounded
  (its delta entry g/d + G_K (I^-1)_(K,delta) is O(1)).
- HC0: the S scores x_i (y_i - mu_i) are O(e^delta) in every entry (the delta entry
  included), so their outer products are O(e^(2 delta)) and, sandwiched by the bounded
  G I^-1, vanish: the limit is G_K I_K^-1 (sum_K s_i s_i') I_K^-1 G_K'.
- Sandwich: the influence function phi_ai = p_ai - m_a + n G_a I^-1 s_i. For i in S the
  score term is a bounded vector times O(e^delta), so phi_ai -> c_i - m_a, which is not 0:
  the S participants add their own sampling variability (the share of the sample in that
  level), while for i in K phi_ai = p_ai - m_a + n G_K I_K^-1 s_i with m_a the mean over all
  n. The variance n^-2 sum_i phi_i phi_i' is over all n participants.
- Ye: a continuous function of y, the arms and every participant's p_1, p_0 and mu; the limit
  puts p_ai = mu_i = c_i = y_i for S (residual 0), with sample (co)variances over all n.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import numpy.typing as npt

from rctkit._validation import column_list, column_names, missing_mask
from rctkit.adjusted.design import Design
from rctkit.errors import InvalidInputError

__all__: list[str] = []

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: The accepted names; "model" and "sandwich" are the names of rctkit 0.x, kept.
VARIANCES = ("sandwich", "ye", "ge", "ge-hc0", "model")
#: The same method under two names.
CANONICAL = {"model": "ge"}

#: Why each variance may differ from the model-based one (Ge et al. 2011), for the result's
#: ``variance_note``.
REASONS = {
    "ge": "model-based (Ge et al. 2011): the logistic model taken as right and the covariates "
    "as fixed",
    "ge-hc0": "differs from the model-based one (Ge et al. 2011) only by the HC0 sandwich "
    "covariance of the coefficients, which stays valid when the logistic model is wrong; the "
    "covariates are still held fixed",
    "sandwich": "differs from the model-based one (Ge et al. 2011) because it also counts the "
    "sampling variability of the covariates (the standardised risks average over a sample, "
    "not a fixed population) and stays valid when the logistic model is wrong",
    "ye": "differs from the model-based one (Ge et al. 2011) because it also counts the "
    "sampling variability of the covariates and stays valid when the logistic model is wrong "
    "(Ye et al. 2023)",
}
STRATA_REASON = (
    "; it subtracts the variance that stratified (covariate-adaptive) randomisation removes, "
    "the Ye et al. (2023) strata term"
)


def ge_variance(G: FloatArray, cov_beta: FloatArray) -> FloatArray:
    """Ge et al. (2011): ``G cov(beta) G'``, ``G`` the gradients of the two standardised risks."""
    return np.asarray(G @ cov_beta @ G.T)


def hc0_covariance(design: Design, mu: FloatArray, info_inv: FloatArray) -> FloatArray:
    """The HC0 sandwich covariance of the coefficients, ``I^-1 (sum s_i s_i') I^-1``."""
    score = design.X * (design.y - mu)[:, None]
    return np.asarray(info_inv @ (score.T @ score) @ info_inv)


def stacked_variance(
    score: FloatArray,
    p1: FloatArray,
    p0: FloatArray,
    G: FloatArray,
    info_inv: FloatArray,
) -> FloatArray:
    """The stacked estimating-equation sandwich of (beta, m1, m0), no small-sample factor.

    ``score`` holds each participant's score ``x_i (y_i - mu_i)`` (zero rows for participants
    set aside), ``p1`` and ``p0`` every participant's predicted risks."""
    n = p1.size
    phi = np.column_stack([p1 - p1.mean(), p0 - p0.mean()]) + n * score @ (info_inv @ G.T)
    return np.asarray(phi.T @ phi / (n * n))


def _cov(a: FloatArray, b: FloatArray) -> float:
    """Sample covariance (denominator n - 1, R's ``cov``); nan below two values."""
    if a.size < 2:
        return float("nan")
    return float(((a - a.mean()) * (b - b.mean())).sum() / (a.size - 1))


def ye_variance(
    y: FloatArray,
    t: BoolArray,
    mu: FloatArray,
    p1: FloatArray,
    p0: FloatArray,
    strata: IntArray | None,
) -> FloatArray:
    """Ye et al. (2023), as beeca's ``varcov_ye`` and RobinCar compute it (sample covariances
    with denominator n - 1), minus the strata term when ``strata`` (codes 0..k-1) is given.
    ``y``, ``t`` (treated), ``mu``, ``p1`` and ``p0`` are over every participant."""
    n = y.size
    arms = (t, ~t)
    preds = (p1, p0)
    pi = np.array([t.mean(), 1.0 - t.mean()])
    V = np.empty((2, 2))
    for a in range(2):
        ya, pa_own = y[arms[a]], preds[a][arms[a]]
        cov_obs_pred = _cov(ya, pa_own)
        var_pred = _cov(preds[a], preds[a])
        # the decomposition beeca uses to match RobinCar: var(y) - 2 cov(y, p) + var(p), with
        # var(p) over all participants
        var_obs_pred = _cov(ya, ya) - 2.0 * cov_obs_pred + var_pred
        V[a, a] = var_obs_pred / pi[a] + 2.0 * cov_obs_pred - var_pred
    V[0, 1] = V[1, 0] = _cov(y[t], p0[t]) + _cov(y[~t], p1[~t]) - _cov(p1, p0)
    if strata is not None:
        V = V - _strata_term(y - mu, t, pi, strata)
    return V / n


def _strata_term(resid: FloatArray, t: BoolArray, pi: FloatArray, strata: IntArray) -> FloatArray:
    """``sum_z P(z) R_z Omega R_z`` with ``R_z = diag(mean residual in arm a and stratum z /
    pi_a)`` and ``Omega = diag(pi) - pi pi'`` (permuted blocks: Omega_z = 0). A stratum with no
    participant in an arm contributes 0 for that arm."""
    k = int(strata.max()) + 1
    n = strata.size
    omega = np.diag(pi) - np.outer(pi, pi)
    size = np.bincount(strata, minlength=k).astype(np.float64)
    means = np.zeros((k, 2))
    for a, in_arm in enumerate((t, ~t)):
        total = np.bincount(strata[in_arm], weights=resid[in_arm], minlength=k)
        count = np.bincount(strata[in_arm], minlength=k)
        means[:, a] = np.divide(total, count, out=np.zeros(k), where=count > 0) / pi[a]
    # sum over strata of (n_z / n) * diag(r_z) omega diag(r_z), all at once
    return np.asarray(np.einsum("z,za,ab,zb->ab", size / n, means, omega, means))


def strata_codes(
    data: Any,
    strata: Any,
    used_columns: tuple[Hashable, ...],
    n_used: int,
) -> IntArray:
    """Codes 0..k-1 of the joint levels of the ``randomisation_strata`` columns, for the rows
    the design kept (those with no missing value in ``used_columns``)."""
    names = column_list(strata, "randomisation_strata")
    if not names:
        raise InvalidInputError(
            "`randomisation_strata` must name at least one column (got an empty sequence); "
            "pass None for simple randomisation"
        )
    available = set(column_names(data))
    for name in names:
        if name not in available:
            raise InvalidInputError(
                f"`randomisation_strata` names column {name!r}, which is not in `data`"
            )

    def read(name: Hashable) -> npt.NDArray[Any]:
        col = data[name]
        to_numpy = getattr(col, "to_numpy", None)
        return np.asarray(to_numpy() if callable(to_numpy) else col)

    columns = [read(name) for name in names]
    for name, arr in zip(names, columns, strict=True):
        count = int(missing_mask(arr).sum()) if arr.ndim == 1 else 0
        if arr.ndim != 1 or count:
            raise InvalidInputError(
                f"`randomisation_strata` column {name!r} must be known for every participant "
                f"(got {count} missing values)"
                if count
                else f"`randomisation_strata` column {name!r} must be one-dimensional "
                f"(got shape {arr.shape})"
            )
    n_rows = read(used_columns[0]).shape[0]
    for name, arr in zip(names, columns, strict=True):
        if arr.shape[0] != n_rows:
            raise InvalidInputError(
                f"`randomisation_strata` column {name!r} must have one value per row of `data` "
                f"({n_rows}) (got {arr.shape[0]})"
            )
    keep = np.ones(n_rows, dtype=bool)
    for name in used_columns:
        keep &= ~missing_mask(read(name))
    if int(keep.sum()) != n_used:  # pragma: no cover - build_design checked the same columns
        raise InvalidInputError("`randomisation_strata` columns do not match `data`'s length")
    codes = np.zeros(n_used, dtype=np.int64)
    for arr in columns:
        try:
            _, level = np.unique(arr[keep], return_inverse=True)
        except TypeError:
            level = np.unique([repr(x) for x in arr[keep].tolist()], return_inverse=True)[1]
        codes = codes * (int(level.max()) + 1) + np.asarray(level, dtype=np.int64).reshape(-1)
    return np.asarray(np.unique(codes, return_inverse=True)[1], dtype=np.int64).reshape(-1)
