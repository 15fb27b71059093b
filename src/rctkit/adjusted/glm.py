"""The logistic model: batched Newton-Raphson (IRLS), Firth's penalised likelihood, separation.

:func:`newton_logistic` fits a batch of weight vectors (bootstrap resamples), offsets or
fixed coefficients (the profile's constrained fits) at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import attrs
import numpy as np
import numpy.typing as npt

from rctkit.adjusted.blocked import (
    Curvature,
    FactorLayout,
    block_state,
    block_step,
    newton_cg_step,
)
from rctkit.adjusted.design import Design, wide_block
from rctkit.errors import InvalidInputError, RctkitError

__all__ = ["LogisticFit", "SeparationError", "newton_logistic"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Newton stops once no coefficient moved by more than this (relative to max(1, |beta|)).
#: Convergence is quadratic for the likelihood, so the error left is about the square of it.
STEP_TOL = 1e-11
#: Newton iterations at most (the MLE of a well-posed model takes five to eight).
MAXITER = 100
#: Firth fits move no coefficient by more than this a step (as logistf's maxstep).
MAXSTEP = 5.0
#: Largest cost for which Firth fits form the penalty's exact Hessian: O(n p^3) through the
#: derivatives of the information, or O(n^2 p) through the n x n matrix of x_i' I^-1 x_l,
#: whichever is cheaper; larger models take Fisher-scoring steps (the information alone, as
#: logistf), O(n p^2) or, with a wide factor, O(n d^2).
HESSIAN_MAX = 2**25
#: Fisher-scoring iterations of a dense Firth fit before it turns to Newton steps solved by
#: conjugate gradients (Fisher scoring converges only linearly, and can stall).
FISHER_MAXITER = 100


def hessian_cost(n: int, p: int) -> int:
    """The cost of the exact Hessian of Firth's penalty (compared with ``HESSIAN_MAX``)."""
    return min(n * p**3, n * n * p)


class SeparationError(InvalidInputError):
    """The outcome is perfectly predicted by a combination of the model's columns.

    The maximum-likelihood estimate is then infinite; ``firth=True`` (Jeffreys-penalised
    likelihood) gives finite estimates and intervals.
    """


def information(wv: FloatArray, X: FloatArray, outer: FloatArray | None) -> FloatArray:
    """X' diag(wv_b) X for each row b of ``wv`` (shape (B, n)) -> (B, p, p)."""
    B, p = wv.shape[0], X.shape[1]
    if outer is not None:
        return np.asarray((wv @ outer).reshape(B, p, p))
    return np.asarray(np.matmul(X.T[None, :, :] * wv[:, None, :], X))


@attrs.frozen(eq=False)
class LogisticFit:
    """What :func:`newton_logistic` returns, for a batch of ``B`` fits.

    Attributes
    ----------
    beta : ndarray, shape (B, p)
        Coefficients.
    loglik : ndarray, shape (B,)
        Log-likelihood at ``beta`` (penalised, :math:`l + \\tfrac12\\log\\det I`, for Firth).
    score : ndarray, shape (B, p)
        Gradient of ``loglik`` at ``beta`` (zero in the free coordinates at convergence).
    info : ndarray, shape (B, p, p)
        Fisher information :math:`X^\\top W V X` at ``beta``.
    converged : ndarray of bool, shape (B,)
        Whether the last Newton step was below the tolerance.
    iterations : int
        Newton iterations taken.
    """

    beta: FloatArray
    loglik: FloatArray
    score: FloatArray
    info: FloatArray
    converged: BoolArray
    iterations: int


def _logistic_state(
    beta: FloatArray,
    X: FloatArray,
    y: FloatArray,
    w: FloatArray,
    offset: FloatArray,
    outer: FloatArray | None,
    firth: bool,
    with_loglik: bool = True,
    exact: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Log-likelihood (B,), score (B, p), information and Newton matrix (B, p, p) per row.

    With ``with_loglik=False`` (plain Newton without line search) the log-likelihood is not
    formed (returned as zeros) and the weights ``mu (1 - mu)`` come from one ``expit`` pass:
    a third of the cost, for the bootstrap's thousands of refits.

    The Newton matrix is the negative Hessian of the (penalised) log-likelihood: the
    information itself without Firth; with Firth the information minus the penalty's
    Hessian (not always positive definite far from the maximum); with ``exact=False`` the
    penalty's Hessian is left out and the Newton matrix is the information (Fisher scoring).
    """
    from scipy import special  # imported where used: it is slow to import

    eta = beta @ X.T
    eta += offset
    # mu = expit(eta) and 1 - mu = expit(-eta), each accurate in its tail; then
    # log(1 + e^eta) = -log(1 - mu), except where 1 - mu underflows (eta > 745)
    mu = special.expit(eta)
    if with_loglik or firth:
        one_minus = special.expit(-eta)
        v = mu * one_minus
        with np.errstate(divide="ignore"):
            softplus = np.where(one_minus > 0.0, -np.log(one_minus), eta)
        loglik = np.sum(w * (y * eta - softplus), axis=1)
    else:
        v = mu * (1.0 - mu)
        loglik = np.zeros(eta.shape[0])
    info = information(w * v, X, outer)
    resid = w * (y - mu)
    newton = info
    if firth:
        # Firth's modified score: sum_i [w_i (y_i - mu_i) + h_i (1/2 - mu_i)] x_i, with h_i the
        # hat values of W^1/2 X; it is the gradient of l + 1/2 log det I.
        sign, logdet = np.linalg.slogdet(info)
        inv = inverse(info)
        lev = np.einsum("bnp,np->bn", X @ inv, X)  # x_i' I^-1 x_i
        h = w * v * lev
        resid = resid + h * (0.5 - mu)
        loglik = loglik + np.where(sign > 0, 0.5 * logdet, -np.inf)
        if exact:
            newton = info - _penalty_hessian(X, w, v, mu, lev, inv, outer)
    score = resid @ X
    return np.asarray(loglik), np.asarray(score), info, np.asarray(newton)


def _penalty_hessian(
    X: FloatArray,
    w: FloatArray,
    v: FloatArray,
    mu: FloatArray,
    lev: FloatArray,
    inv: FloatArray,
    outer: FloatArray | None,
) -> FloatArray:
    """Hessian of 1/2 log det I(beta), (B, p, p).

    With :math:`A_j = \\partial I / \\partial\\beta_j = X^\\top \\operatorname{diag}(w v
    (1 - 2\\mu) x_j) X` it is :math:`\\tfrac12\\{X^\\top \\operatorname{diag}(w v (1 - 6v)
    \\tilde h) X - \\operatorname{tr}(I^{-1} A_j I^{-1} A_k)\\}`, with
    :math:`\\tilde h_i = x_i^\\top I^{-1} x_i`.
    """
    B, p = inv.shape[0], X.shape[1]
    n = X.shape[0]
    a = w * v * (1.0 - 2.0 * mu)
    second = information(w * v * (1.0 - 6.0 * v) * lev, X, outer)
    if n * n * p < n * p**3:
        # tr(I^-1 A_j I^-1 A_k) = sum_il a_i a_l x_ij x_lk (x_i' I^-1 x_l)^2: with
        # Q = X I^-1 X' it is (aX)' (Q o Q) (aX), O(n^2 p) instead of O(n p^3)
        Q = np.matmul(X @ inv, X.T)
        Y = a[:, :, None] * X[None, :, :]
        trace = np.matmul(np.transpose(Y, (0, 2, 1)), np.matmul(Q * Q, Y))
        return np.asarray(0.5 * (second - trace))
    if outer is not None:
        A = np.matmul(np.transpose(a[:, :, None] * X[None, :, :], (0, 2, 1)), outer)
        A = A.reshape(B, p, p, p)
    else:
        A = np.einsum("bn,nj,nk,nl->bjkl", a, X, X, X, optimize=True)
    G = np.matmul(inv[:, None, :, :], A)  # I^-1 A_j
    trace = np.einsum("bjac,bkca->bjk", G, G)
    return np.asarray(0.5 * (second - trace))


def inverse(a: FloatArray) -> FloatArray:
    try:
        return np.asarray(np.linalg.inv(a))
    except np.linalg.LinAlgError:
        return np.asarray(np.linalg.pinv(a))


def solve(a: FloatArray, b: FloatArray) -> FloatArray:
    """Solve the stack ``a @ x = b`` (``b`` of shape (B, k)); singular rows by least squares."""
    try:
        return np.asarray(np.linalg.solve(a, b[..., None])[..., 0])
    except np.linalg.LinAlgError:
        return np.asarray(np.linalg.pinv(a) @ b[..., None])[..., 0]


def newton_logistic(
    X: FloatArray,
    y: FloatArray,
    *,
    weights: FloatArray | None = None,
    offset: FloatArray | None = None,
    start: FloatArray | None = None,
    free: BoolArray | None = None,
    firth: bool = False,
    outer: FloatArray | None = None,
    maxiter: int | None = None,
    line_search: bool = True,
    block: tuple[int, int] | None = None,
    stop_runaway: bool = True,
) -> LogisticFit:
    """Fit the logistic model by Newton-Raphson for a batch of weight vectors at once.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        The model matrix (as ``Design.X``).
    y : ndarray, shape (n,)
        0/1 outcome.
    weights : ndarray, shape (n,) or (B, n), optional
        Frequency weights, one row per fit (a bootstrap resample's counts, say); default 1.
    offset : ndarray, shape (n,) or (B, n), optional
        Offsets added to the linear predictor.
    start : ndarray, shape (p,) or (B, p), optional
        Starting coefficients (a warm start); default zero.
    free : ndarray of bool, shape (p,), optional
        Coefficients to fit; the others stay at their ``start`` values (how the profile
        likelihood fixes the arm's coefficient). Default all.
    firth : bool, optional
        Maximise the Jeffreys-penalised log-likelihood :math:`l + \\tfrac12\\log\\det I`
        (always with the full model's information, as logistf and brglm2 do).
    outer : ndarray, shape (n, p * p), optional
        ``Design.outer``; without it the information matrices are formed by a batched
        matrix product instead.
    maxiter : int, optional
        Newton iterations at most; default 100, or 1000 for Firth (whose Fisher-scoring
        steps, used far from the maximum, converge only linearly).
    line_search : bool, optional
        Halve steps that would lower the log-likelihood (default). Without it (unpenalised
        fits only) full Newton steps are taken, as R's ``glm.fit`` does, and the returned
        log-likelihood is not computed (zeros): the bootstrap's warm-started refits.
    block : (int, int), optional
        The column range of a factor's dummies (``Design.factor_columns``). Unpenalised
        fits, and Firth fits too large for the exact Hessian, then work with the information
        matrix by blocks (``rctkit.adjusted.blocked``): an iteration costs
        :math:`O(n d^2 + f d^2)` for ``d`` other columns instead of :math:`O(n p^2 + p^3)`.
        The factor's coefficients must be free.

    Returns
    -------
    LogisticFit

    Notes
    -----
    Each iteration forms, for all ``B`` fits at once, the linear predictors ``beta @ X.T``,
    the information matrices ``(w * v) @ outer`` (one matrix product) and the Newton steps
    (one stacked solve), halving a step whenever it would lower the (penalised)
    log-likelihood. For the logistic model Newton-Raphson is IRLS (canonical link). For
    Firth's likelihood the step uses the exact Hessian of :math:`l + \\tfrac12\\log\\det I`
    (the penalty's part formed from :math:`\\partial I/\\partial\\beta_j`, one batched product)
    where it is negative definite, and the unpenalised information (Fisher scoring, as
    logistf) elsewhere; the penalty's Hessian costs :math:`O(\\min(n p^3, n^2 p))`. Models
    where that is above ``HESSIAN_MAX`` (many participants and many columns) take
    Fisher-scoring steps, each :math:`O(n p^2)`, converging linearly to the same maximum, and
    after ``FISHER_MAXITER`` (100) of them Newton steps solved by conjugate gradients
    (Hessian-vector products of :math:`O(n p^2)`; Fisher scoring alone stalls on factors
    with a few participants a level); with ``block`` they take those Newton steps from the
    start, each product :math:`O(n d^2)`. No coefficient moves by
    more than 5 a step (logistf's ``maxstep``).
    With ``block`` (a factor of many levels) the iterations are the same but the information
    is kept by blocks, :math:`O(n d^2 + f d^2)` an iteration (Firth's hat values and
    :math:`\\log\\det I` included), so 200 sites cost little more than none.
    A fit stops when no coefficient moved by more than ``1e-11 * max(1, |beta|)``.
    Unpenalised fits still moving after 25 iterations with linear predictors past 35 in
    absolute value (fitted risks within 1e-15 of 0 or 1: separated data) are stopped there
    and reported as not converged; Firth's penalised likelihood always has a finite
    maximum, so its fits run to ``maxiter``.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, p = X.shape
    w = np.ones((1, n)) if weights is None else np.atleast_2d(np.asarray(weights, float))
    off = np.zeros((1, n)) if offset is None else np.atleast_2d(np.asarray(offset, float))
    beta0 = np.zeros((1, p)) if start is None else np.atleast_2d(np.asarray(start, float))
    B = max(w.shape[0], off.shape[0], beta0.shape[0])
    beta = np.array(np.broadcast_to(beta0, (B, p)), dtype=np.float64)
    w = np.broadcast_to(w, (B, n))
    off = np.broadcast_to(off, (B, n))
    if maxiter is None:
        maxiter = 10 * MAXITER if firth else MAXITER
    free_mask = np.ones(p, dtype=bool) if free is None else np.asarray(free, dtype=bool)
    idx = np.flatnonzero(free_mask)

    exact = firth and hessian_cost(n, p) <= HESSIAN_MAX
    scoring = firth and not exact and block is None  # dense Fisher scoring, then Newton-CG
    if scoring:
        maxiter, cg_maxiter = min(maxiter, FISHER_MAXITER), maxiter
    if (
        block is not None
        and not exact
        and free_mask[block[0] : block[1]].all()
        and FactorLayout.applies(X, block)
    ):
        return _newton_by_blocks(
            FactorLayout(X, block),
            y,
            w,
            off,
            beta,
            free_mask,
            firth,
            maxiter,
            line_search,
            stop_runaway,
        )
    every = idx.size == p
    active = np.ones(B, dtype=bool)
    converged = np.zeros(B, dtype=bool)
    line_search = line_search or firth
    loglik, score, info, curv = _logistic_state(
        beta, X, y, w, off, outer, firth, line_search, exact
    )
    iterations = 0
    for iterations in range(1, maxiter + 1):
        rows = np.flatnonzero(active)
        whole = rows.size == B
        sub_score, sub_info = (score, info) if whole else (score[rows], info[rows])
        if not every:
            sub_score, sub_info = sub_score[:, idx], sub_info[:, idx][:, :, idx]
        if exact:
            # Newton on the penalised likelihood where its negative Hessian is positive
            # definite, Fisher scoring (the unpenalised information, as logistf) elsewhere
            sub_curv = curv if whole else curv[rows]
            if not every:
                sub_curv = sub_curv[:, idx][:, :, idx]
            usable = np.linalg.eigvalsh(sub_curv)[:, 0] > 0.0
            sub_info = np.where(usable[:, None, None], sub_curv, sub_info)
        step = np.zeros((rows.size, p))
        step[:, idx] = solve(sub_info, sub_score)
        t = np.ones(rows.size)
        if firth:
            # no coefficient moves by more than MAXSTEP a step (logistf's maxstep): the
            # penalised likelihood is not concave, and a long step can land on a far ridge
            longest = np.abs(step).max(axis=1)
            t = np.minimum(1.0, MAXSTEP / np.maximum(longest, MAXSTEP))
        beta_r, ll_r = (beta, loglik) if whole else (beta[rows], loglik[rows])
        wr, offr = (w, off) if whole else (w[rows], off[rows])
        cand, (ll_c, sc_c, inf_c, cv_c), t = _line_search(
            functools.partial(
                _logistic_state,
                X=X,
                y=y,
                w=wr,
                offset=offr,
                outer=outer,
                firth=firth,
                with_loglik=line_search,
                exact=exact,
            ),
            beta_r,
            ll_r,
            step,
            t,
            line_search,
        )
        moved = np.abs(t[:, None] * step).max(axis=1)
        if whole:
            beta, loglik, score, info, curv = cand, ll_c, sc_c, inf_c, cv_c
        else:
            beta[rows], loglik[rows], score[rows] = cand, ll_c, sc_c
            info[rows], curv[rows] = inf_c, cv_c
        done = moved <= STEP_TOL * np.maximum(1.0, np.abs(cand).max(axis=1))
        converged[rows[done]] = True
        active[rows[done]] = False
        if stop_runaway and iterations >= 25 and not firth:
            eta_max = np.abs(cand @ X.T + offr).max(axis=1)
            runaway = ~done & ((eta_max > 35.0) | ~np.isfinite(ll_c) | ~np.isfinite(moved))
            active[rows[runaway]] = False
        if not active.any():
            break
    if scoring and not converged.all():
        # Fisher scoring stalls on small factors with a few participants a level: the rest
        # by Newton steps solved by conjugate gradients (every column dense), from where it is
        rest = np.flatnonzero(~converged)
        more = _newton_by_blocks(
            FactorLayout(X, (p, p)),
            y,
            w[rest],
            off[rest],
            beta[rest],
            free_mask,
            firth,
            cg_maxiter,
            line_search,
        )
        beta[rest], loglik[rest], score[rest] = more.beta, more.loglik, more.score
        info[rest], converged[rest] = more.info, more.converged
        iterations += more.iterations
    return LogisticFit(
        beta=beta,
        loglik=loglik,
        score=score,
        info=info,
        converged=converged,
        iterations=iterations,
    )


def _newton_by_blocks(
    layout: FactorLayout,
    y: FloatArray,
    w: FloatArray,
    off: FloatArray,
    beta: FloatArray,
    free: BoolArray,
    firth: bool,
    maxiter: int,
    line_search: bool,
    stop_runaway: bool = True,
) -> LogisticFit:
    """:func:`newton_logistic`'s iterations with the information by blocks: Newton (IRLS)
    steps without Firth; with Firth, Newton steps on the penalised likelihood solved by
    conjugate gradients preconditioned by the information (Fisher scoring where the Newton
    matrix is not positive definite)."""
    B = beta.shape[0]
    free_dense = np.flatnonzero(free[layout.dense])
    line_search = line_search or firth
    loglik, score, blocks, curv = block_state(layout, beta, y, w, off, firth)
    active = np.ones(B, dtype=bool)
    converged = np.zeros(B, dtype=bool)
    iterations = 0
    for iterations in range(1, maxiter + 1):
        rows = np.flatnonzero(active)
        sub_blocks = (blocks[0][rows], blocks[1][rows], blocks[2][rows])
        if curv is None:
            step = block_step(sub_blocks, score[rows], free_dense, layout.lo, layout.hi)
        else:  # Newton on the penalised likelihood, by conjugate gradients
            sub_curv = cast(Curvature, tuple(part[rows] for part in curv))
            step = newton_cg_step(layout, sub_blocks, sub_curv, score[rows], free_dense)
        t = np.ones(rows.size)
        if firth:
            longest = np.abs(step).max(axis=1)
            t = np.minimum(1.0, MAXSTEP / np.maximum(longest, MAXSTEP))
        beta_r, ll_r, wr, offr = beta[rows], loglik[rows], w[rows], off[rows]
        cand, (ll_c, sc_c, bl_c, cv_c), t = _line_search(
            functools.partial(block_state, layout, y=y, w=wr, offset=offr, firth=firth),
            beta_r,
            ll_r,
            step,
            t,
            line_search,
        )
        moved = np.abs(t[:, None] * step).max(axis=1)
        beta[rows], loglik[rows], score[rows] = cand, ll_c, sc_c
        for whole, part in zip(blocks, bl_c, strict=True):
            whole[rows] = part
        if curv is not None and cv_c is not None:
            for whole, part in zip(curv, cv_c, strict=True):
                whole[rows] = part
        done = moved <= STEP_TOL * np.maximum(1.0, np.abs(cand).max(axis=1))
        converged[rows[done]] = True
        active[rows[done]] = False
        if stop_runaway and iterations >= 25 and not firth:
            eta_max = np.abs(layout.eta(cand, offr)).max(axis=1)
            runaway = ~done & ((eta_max > 35.0) | ~np.isfinite(ll_c) | ~np.isfinite(moved))
            active[rows[runaway]] = False
        if not active.any():
            break
    return LogisticFit(
        beta=beta,
        loglik=loglik,
        score=score,
        info=layout.dense_information(blocks),
        converged=converged,
        iterations=iterations,
    )


_State = TypeVar("_State", bound=tuple[Any, ...])


def _line_search(
    state: Callable[[FloatArray], _State],
    beta: FloatArray,
    loglik: FloatArray,
    step: FloatArray,
    t: FloatArray,
    line_search: bool,
) -> tuple[FloatArray, _State, FloatArray]:
    """``beta + t step`` with each row's ``t`` halved (up to 40 times) until its
    log-likelihood (the state's first entry) is not below the current one; the candidate,
    its state and the ``t`` taken. Without ``line_search`` the full step is taken."""
    threshold = loglik - 1e-12 * (1.0 + np.abs(loglik))
    for _ in range(40):
        cand = beta + t[:, None] * step
        out = state(cand)
        if not line_search:
            break
        worse = ~(out[0] >= threshold)
        if not worse.any():
            break
        t = np.where(worse, t / 2.0, t)
    return cand, out, t


def _separated_columns(X: FloatArray, y: FloatArray) -> list[int]:
    """Columns whose coefficients are infinite by the linear program of Konis (2007).

    Maximise :math:`\\sum_i s_i x_i^\\top b` subject to :math:`s_i x_i^\\top b \\ge 0`,
    :math:`s_i = 2 y_i - 1`, :math:`-1 \\le b \\le 1` (columns scaled to unit maximum): the
    data are separated exactly when the optimum is positive, and the non-zero entries of
    :math:`b` mark the coefficients that run to infinity. Empty when not separated.
    """
    scaled = X / np.abs(X).max(axis=0)
    A = (2.0 * y - 1.0)[:, None] * scaled
    from scipy import optimize  # only when a fit fails

    res = optimize.linprog(
        -A.sum(axis=0),
        A_ub=-A,
        b_ub=np.zeros(A.shape[0]),
        bounds=[(-1.0, 1.0)] * A.shape[1],
        method="highs",
    )
    if res.status != 0 or -res.fun <= 1e-6:
        return []
    return [int(i) for i in np.flatnonzero(np.abs(res.x) > 1e-6)]


def fit_glm(
    design: Design,
    firth: bool,
    advice: str = "Use firth=True for the Jeffreys-penalised (Firth) fit",
) -> LogisticFit:
    """The full model's fit, raising SeparationError when the MLE does not exist."""
    fit = newton_logistic(
        design.X, design.y, firth=firth, outer=design.outer, block=wide_factor(design)
    )
    if not fit.converged[0]:
        if not firth:
            infinite = _separated_columns(design.X, design.y)
            if infinite:
                shown = ", ".join(repr(design.names[i]) for i in infinite)
                raise SeparationError(
                    f"the outcome is perfectly predicted (complete or quasi-complete "
                    f"separation) along {shown}: the maximum-likelihood estimates are "
                    f"infinite. {advice}"
                )
            # Not separated by the linear program, so the MLE is finite but may lie far out
            # (|eta| past 35): go on from where the fit stopped, without taking that for
            # divergence.
            with np.errstate(all="ignore"):
                more = newton_logistic(
                    design.X,
                    design.y,
                    outer=design.outer,
                    block=wide_factor(design),
                    start=fit.beta[0],
                    maxiter=2 * MAXITER,
                    stop_runaway=False,
                )
                eta = np.abs(design.X @ more.beta[0])
            # Kept only where no fitted risk is within e^-35 of 0 or 1: beyond that the
            # information is singular to double precision, as under separation.
            if more.converged[0] and np.isfinite(more.beta[0]).all() and eta.max() <= 35.0:
                return more
            # Still moving with a log-likelihood flat to double precision: the data are
            # separated in all but the last digits (30 participants whose covariate's
            # coefficient is near 200, say), and the coefficients that wander are not
            # estimable; the same answer as separation.
            with np.errstate(all="ignore"):
                change = np.abs(more.beta[0] - fit.beta[0])
                wander = ~(change <= 1e-6 * (1.0 + np.abs(more.beta[0])))
            shown = ", ".join(repr(design.names[i]) for i in np.flatnonzero(wander))
            raise SeparationError(
                f"the outcome is perfectly predicted to double precision (numerically "
                f"separated) along {shown or 'the model'}: the likelihood no longer changes "
                f"while those coefficients move, so they cannot be estimated. {advice}"
            )
        raise RctkitError(
            f"the logistic model did not converge in {fit.iterations} Newton iterations"
        )
    if not firth:
        with np.errstate(all="ignore"):
            variances = np.diag(inverse(fit.info[0]))
        singular = ~(np.isfinite(variances) & (variances > 0.0))
        if singular.any():
            # Converged where the information is singular to double precision (fitted
            # risks at 0 or 1, as in a model with nearly as many coefficients as
            # participants): those coefficients are not estimable, as under separation.
            shown = ", ".join(repr(design.names[i]) for i in np.flatnonzero(singular))
            raise SeparationError(
                f"the information matrix is singular at the fit (fitted risks of 0 or 1: "
                f"the outcome is numerically separated) along {shown}: those coefficients "
                f"cannot be estimated. {advice}"
            )
    return fit


def wide_factor(design: Design) -> tuple[int, int] | None:
    """The column range of the design's widest factor when it has ``BLOCK_LEVELS`` or more."""
    return wide_block(design.factor_columns)


def refit_resamples(
    X: FloatArray,
    y: FloatArray,
    weights: FloatArray,
    *,
    start: FloatArray,
    firth: bool,
    outer: FloatArray | None,
    block: tuple[int, int] | None,
) -> tuple[FloatArray, BoolArray]:
    """Refit a chunk of bootstrap resamples (frequency weights, shape (B, n)), warm-started.

    Full Newton steps, as :func:`newton_logistic` with ``line_search=False``. Unpenalised
    fits with a ``block`` (the column range of a factor's dummies, which no row has two of)
    use :func:`_newton_blocked`, whose cost does not grow with the square of the factor's
    levels. Returns the coefficients (B, p) and whether each fit converged.
    """
    if block is not None and not firth:
        return _newton_blocked(X, y, weights, start, block)
    res = newton_logistic(
        X,
        y,
        weights=weights,
        start=start,
        firth=firth,
        outer=outer,
        line_search=False,
        block=block,
    )
    return res.beta, res.converged


def _newton_blocked(
    X: FloatArray, y: FloatArray, w: FloatArray, start: FloatArray, block: tuple[int, int]
) -> tuple[FloatArray, BoolArray]:
    """Batched Newton for a model matrix whose columns ``block`` are one factor's dummies.

    The information matrix then has a diagonal block for the factor's ``f`` levels, so each
    Newton step is solved through the Schur complement of that block: with ``d`` other
    columns an iteration costs :math:`O(B n d^2 + B f d^2)` instead of :math:`O(B n p^2)`.
    A level with no weight in a resample keeps its coefficient (the minimum-norm step, as the
    pseudo-inverse gives). Stopping and runaway rules are those of :func:`newton_logistic`.
    """
    from scipy import special  # imported where used: it is slow to import

    n, p = X.shape
    lo, hi = block
    f = hi - lo
    dense = np.r_[0:lo, hi:p]
    XD = X[:, dense]
    d = dense.size
    dummies = X[:, lo:hi]
    level = np.where(dummies.any(axis=1), dummies.argmax(axis=1), f)
    E = np.zeros((n, f))  # the factor's dummies, as stored
    has = level < f
    E[np.flatnonzero(has), level[has]] = 1.0
    outer_d = (XD[:, :, None] * XD[:, None, :]).reshape(n, d * d)
    B = w.shape[0]
    beta = np.array(np.broadcast_to(start, (B, p)), dtype=np.float64)
    converged = np.zeros(B, dtype=bool)
    active = np.ones(B, dtype=bool)
    for iteration in range(1, MAXITER + 1):
        rows = np.flatnonzero(active)
        b, wr = beta[rows], w[rows]
        coef_f = np.concatenate([b[:, lo:hi], np.zeros((rows.size, 1))], axis=1)
        eta = b[:, dense] @ XD.T + coef_f[:, level]
        if iteration > 25:
            runaway = (np.abs(eta).max(axis=1) > 35.0) | ~np.isfinite(eta).all(axis=1)
            active[rows[runaway]] = False
            keep = ~runaway
            rows, b, wr, eta = rows[keep], b[keep], wr[keep], eta[keep]
            if rows.size == 0:
                break
        mu = special.expit(eta)
        om = wr * mu * (1.0 - mu)
        resid = wr * (y - mu)
        m = rows.size
        A = (om @ outer_d).reshape(m, d, d)
        C = np.matmul(om[:, None, :] * XD.T[None, :, :], E)  # (m, d, f)
        diag = om @ E
        inv_diag = np.divide(1.0, diag, out=np.zeros_like(diag), where=diag > 0.0)
        u_d, u_f = resid @ XD, resid @ E
        schur = A - np.matmul(C * inv_diag[:, None, :], np.transpose(C, (0, 2, 1)))
        rhs = u_d - np.einsum("mif,mf->mi", C, inv_diag * u_f)
        s_d = solve(schur, rhs)
        s_f = inv_diag * (u_f - np.einsum("mif,mi->mf", C, s_d))
        step = np.empty((m, p))
        step[:, dense] = s_d
        step[:, lo:hi] = s_f
        new = b + step
        beta[rows] = new
        moved = np.abs(step).max(axis=1)
        done = moved <= STEP_TOL * np.maximum(1.0, np.abs(new).max(axis=1))
        stuck = ~done & ~np.isfinite(moved)
        converged[rows[done]] = True
        active[rows[done | stuck]] = False
        if not active.any():
            break
    return beta, converged
