"""Newton (IRLS) and Firth's penalised Newton for a model with one wide factor, by blocks.

A factor's dummies are mutually exclusive (no row has two), so the information matrix
:math:`X^\\top W X` has a *diagonal* block for the factor's ``f`` levels:
:math:`I = \\begin{pmatrix} A & C \\\\ C^\\top D \\end{pmatrix}` with ``A`` (d x d) over the
``d`` other columns, ``C`` (d x f) and ``D`` diagonal. Everything a fit needs then costs
:math:`O(n d^2 + f d^2)` an iteration instead of the dense :math:`O(n p^2 + p^3)`:

- the step, through the Schur complement :math:`S = A - C D^{-1} C^\\top`;
- :math:`\\log\\det I = \\sum_l \\log D_l + \\log\\det S` (Firth's penalty);
- the hat values :math:`x_i^\\top I^{-1} x_i = z_i^\\top S^{-1} z_i + 1/D_{l(i)}` with
  :math:`z_i = x_{i,d} - C_{\\cdot l(i)} / D_{l(i)}` (Firth's modified score).

The iterations are those of :func:`~rctkit.adjusted.glm.newton_logistic`: Newton steps for the
likelihood (which are Fisher-scoring steps, canonical link), step halving, logistf's
``maxstep`` and the same stopping rules. For Firth's penalised likelihood the Newton step is
solved by conjugate gradients preconditioned by the information, each product with the
negative Hessian costing :math:`O(n d^2)` (:func:`newton_product`); Fisher scoring alone
converges slowly, or stalls, when the factor has few participants a level.
"""

from __future__ import annotations

from typing import cast

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

#: Blocks: A (B, d, d), C (B, d, f), D (B, f).
Blocks = tuple[FloatArray, FloatArray, FloatArray]


class FactorLayout:
    """The model matrix split into the ``d`` dense columns and one factor's ``f`` dummies."""

    def __init__(self, X: FloatArray, block: tuple[int, int]) -> None:
        p = X.shape[1]
        lo, hi = block
        self.p, self.lo, self.hi, self.f = p, lo, hi, hi - lo
        self.dense = np.r_[0:lo, hi:p].astype(np.int64)
        self.XD = np.ascontiguousarray(X[:, self.dense])
        dummies = X[:, lo:hi]
        if self.f == 0:  # no factor: every column dense, one "reference level"
            self.level = np.zeros(X.shape[0], dtype=np.int64)
        else:
            first = dummies.argmax(axis=1)
            self.level = np.where(dummies.any(axis=1), first, self.f).astype(np.int64)

    @staticmethod
    def applies(X: FloatArray, block: tuple[int, int]) -> bool:
        """Whether the columns ``block`` are 0/1 dummies with at most one 1 a row."""
        dummies = X[:, block[0] : block[1]]
        return bool(np.all((dummies == 0.0) | (dummies == 1.0)) and dummies.sum(axis=1).max() <= 1)

    def level_sums(self, values: FloatArray) -> FloatArray:
        """Sums over each level's rows of ``values`` (B, k, n) -> (B, k, f); the reference
        level (no dummy) is left out."""
        B, k = values.shape[:2]
        f1 = self.f + 1
        codes = self.level[None, :] + f1 * np.arange(B * k)[:, None]
        sums = np.bincount(codes.ravel(), weights=values.reshape(-1), minlength=B * k * f1)
        return np.asarray(sums.reshape(B, k, f1)[:, :, : self.f])

    def eta(self, beta: FloatArray, offset: FloatArray) -> FloatArray:
        coef = np.concatenate([beta[:, self.lo : self.hi], np.zeros((beta.shape[0], 1))], axis=1)
        return np.asarray(beta[:, self.dense] @ self.XD.T + coef[:, self.level] + offset)

    def score(self, resid: FloatArray) -> FloatArray:
        """``resid @ X`` (B, p) without forming X."""
        out = np.empty((resid.shape[0], self.p))
        out[:, self.dense] = resid @ self.XD
        out[:, self.lo : self.hi] = self.level_sums(resid[:, None, :])[:, 0, :]
        return out

    def blocks(self, wv: FloatArray) -> Blocks:
        """The information's blocks for the weights ``wv`` (B, n)."""
        A = np.matmul(self.XD.T[None, :, :] * wv[:, None, :], self.XD)
        C = self.level_sums(wv[:, None, :] * self.XD.T[None, :, :])
        D = self.level_sums(wv[:, None, :])[:, 0, :]
        return np.asarray(A), C, D

    def dense_information(self, blocks: Blocks) -> FloatArray:
        """The whole (B, p, p) information matrix, assembled from its blocks."""
        A, C, D = blocks
        B = A.shape[0]
        out = np.zeros((B, self.p, self.p))
        dn, fb = self.dense, np.arange(self.lo, self.hi)
        out[:, dn[:, None], dn[None, :]] = A
        out[:, dn[:, None], fb[None, :]] = C
        out[:, fb[:, None], dn[None, :]] = np.transpose(C, (0, 2, 1))
        out[:, fb, fb] = D
        return out


def _inv_diag(D: FloatArray) -> FloatArray:
    # a level with no weight (a bootstrap resample without it) keeps its coefficient
    return np.divide(1.0, D, out=np.zeros_like(D), where=D > 0.0)


def _solve(a: FloatArray, b: FloatArray) -> FloatArray:
    try:
        return np.asarray(np.linalg.solve(a, b[..., None])[..., 0])
    except np.linalg.LinAlgError:
        return np.asarray(np.linalg.pinv(a) @ b[..., None])[..., 0]


def firth_terms(
    layout: FactorLayout, blocks: Blocks
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """``log det I`` (B,), -inf where I is singular, the hat values x_i' I^-1 x_i (B, n), and
    for the Hessian: ``Z`` (B, d, n), :math:`S^{-1}` (B, d, d) and :math:`1/D` padded with a
    zero for the reference level (B, f + 1)."""
    A, C, D = blocks
    inv_d = _inv_diag(D)
    G = C * inv_d[:, None, :]  # C D^-1
    S = A - np.matmul(G, np.transpose(C, (0, 2, 1)))
    sign, logdet_s = np.linalg.slogdet(S)
    with np.errstate(divide="ignore"):
        logdet = np.where(
            (sign > 0) & (D > 0.0).all(axis=1), logdet_s + np.log(D).sum(axis=1), -np.inf
        )
    try:
        S_inv = np.linalg.inv(S)
    except np.linalg.LinAlgError:
        S_inv = np.linalg.pinv(S)
    G_pad = np.concatenate([G, np.zeros((*G.shape[:2], 1))], axis=2)
    Z = layout.XD.T[None, :, :] - G_pad[:, :, layout.level]  # (B, d, n)
    lev = np.einsum("bjn,bjk,bkn->bn", Z, S_inv, Z)
    inv_pad = np.concatenate([inv_d, np.zeros((D.shape[0], 1))], axis=1)
    return (
        np.asarray(logdet),
        np.asarray(lev + inv_pad[:, layout.level]),
        np.asarray(Z),
        np.asarray(S_inv),
        inv_pad,
    )


#: What the penalised Newton matrix needs, per fit: wv, a = wv (1 - 2 mu),
#: c = wv (1 - 6 v) h, Z, S^-1 and the padded 1/D.
Curvature = tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]


def newton_product(layout: FactorLayout, curv: Curvature, V: FloatArray) -> FloatArray:
    r"""The negative Hessian of Firth's penalised log-likelihood times ``V`` (B, p), in
    :math:`O(n d^2)`: :math:`I V - \tfrac12\{X^\top \operatorname{diag}(c) X V -
    (aX)^\top (Q \circ Q) (a X V)\}` with :math:`Q = X I^{-1} X^\top = Z S^{-1} Z^\top + L`,
    ``L`` the within-level matrix :math:`\delta_{\lambda(i)\lambda(l)} / D_\lambda`; the
    Hadamard square is applied term by term without forming an n x n matrix."""
    wv, a, c, Z, S_inv, inv_pad = curv
    xv = layout.eta(V, np.zeros((V.shape[0], 1)))
    u = a * xv
    # (Z M Z')^2 u: z_i' M (sum_l u_l z_l z_l') M z_i
    W = np.einsum("bjn,bn,bkn->bjk", Z, u, Z)
    P = np.matmul(np.matmul(S_inv, W), S_inv)
    r = np.einsum("bjn,bjk,bkn->bn", Z, P, Z)
    # 2 (Z M Z') o L u: 2 / D z_i' M (sum over i's level of z_l u_l)
    sums = layout.level_sums(Z * u[:, None, :])  # (B, d, f)
    MS = np.matmul(S_inv, sums)
    MS = np.concatenate([MS, np.zeros((*MS.shape[:2], 1))], axis=2)
    d_i = inv_pad[:, layout.level]
    r += 2.0 * d_i * np.einsum("bjn,bjn->bn", Z, MS[:, :, layout.level])
    # (L o L) u: 1 / D^2 times the sum of u over i's level
    level_u = layout.level_sums(u[:, None, :])[:, 0, :]
    level_u = np.concatenate([level_u, np.zeros((u.shape[0], 1))], axis=1)
    r += d_i * d_i * level_u[:, layout.level]
    penalty = 0.5 * (layout.score(c * xv) - layout.score(a * r))
    return np.asarray(layout.score(wv * xv) - penalty)


def newton_cg_step(
    layout: FactorLayout,
    blocks: Blocks,
    curv: Curvature,
    score: FloatArray,
    free_dense: IntArray,
    maxiter: int = 200,
) -> FloatArray:
    """The Newton step of Firth's penalised likelihood by conjugate gradients, preconditioned
    by the information (:func:`block_step`), each product :math:`O(n d^2)`. A fit whose
    Newton matrix shows negative curvature takes the Fisher-scoring step instead."""
    fixed = np.ones(layout.p, dtype=bool)
    fixed[layout.dense[free_dense]] = False
    fixed[layout.lo : layout.hi] = False
    r = np.where(fixed, 0.0, score)
    fisher = block_step(blocks, r, free_dense, layout.lo, layout.hi)
    x = np.zeros_like(r)
    z = fisher.copy()
    d = z.copy()
    rz = np.einsum("bp,bp->b", r, z)
    norm0 = np.sqrt(np.einsum("bp,bp->b", r, r))
    active = norm0 > 0.0
    bad = np.zeros(r.shape[0], dtype=bool)
    for _ in range(maxiter):
        rows = np.flatnonzero(active)
        if rows.size == 0:
            break
        sub = cast(Curvature, tuple(part[rows] for part in curv))
        Nd = np.where(fixed, 0.0, newton_product(layout, sub, d[rows]))
        dNd = np.einsum("bp,bp->b", d[rows], Nd)
        negative = ~(dNd > 0.0)
        bad[rows[negative]] = True
        alpha = np.where(negative, 0.0, rz[rows] / np.where(negative, 1.0, dNd))
        x[rows] += alpha[:, None] * d[rows]
        r[rows] -= alpha[:, None] * Nd
        done = negative | (np.sqrt(np.einsum("bp,bp->b", r[rows], r[rows])) <= 1e-13 * norm0[rows])
        active[rows[done]] = False
        keep = rows[~done]
        if keep.size == 0:
            break
        sub_blocks = (blocks[0][keep], blocks[1][keep], blocks[2][keep])
        z_k = block_step(sub_blocks, r[keep], free_dense, layout.lo, layout.hi)
        rz_new = np.einsum("bp,bp->b", r[keep], z_k)
        d[keep] = z_k + (rz_new / rz[keep])[:, None] * d[keep]
        rz[keep] = rz_new
    return np.where(bad[:, None], fisher, x)


def block_step(
    blocks: Blocks, score: FloatArray, free_dense: IntArray, lo: int, hi: int
) -> FloatArray:
    """Solve I s = score over the free coordinates (the dense ones ``free_dense``, positions in
    the dense part, and all the factor's); the fixed coordinates' step is zero."""
    A, C, D = blocks
    B, d = A.shape[0], A.shape[1]
    A_F = A[:, free_dense][:, :, free_dense]
    C_F = C[:, free_dense, :]
    inv_d = _inv_diag(D)
    p = d + D.shape[1]
    dense = np.r_[0:lo, hi:p]
    u_d = score[:, dense][:, free_dense]
    u_f = score[:, lo:hi]
    schur = A_F - np.matmul(C_F * inv_d[:, None, :], np.transpose(C_F, (0, 2, 1)))
    rhs = u_d - np.einsum("bif,bf->bi", C_F, inv_d * u_f)
    s_d = _solve(schur, rhs)
    s_f = inv_d * (u_f - np.einsum("bif,bi->bf", C_F, s_d))
    step = np.zeros((B, p))
    step[:, dense[free_dense]] = s_d
    step[:, lo:hi] = s_f
    return step


def block_state(
    layout: FactorLayout,
    beta: FloatArray,
    y: FloatArray,
    w: FloatArray,
    offset: FloatArray,
    firth: bool,
) -> tuple[FloatArray, FloatArray, Blocks, Curvature | None]:
    """Log-likelihood (B,) (penalised for Firth), score (B, p), the information's blocks and,
    for Firth, what :func:`newton_product` needs."""
    from scipy import special  # imported where used: it is slow to import

    eta = layout.eta(beta, offset)
    mu = special.expit(eta)
    one_minus = special.expit(-eta)
    v = mu * one_minus
    with np.errstate(divide="ignore"):
        softplus = np.where(one_minus > 0.0, -np.log(one_minus), eta)
    loglik = np.sum(w * (y * eta - softplus), axis=1)
    wv = w * v
    blocks = layout.blocks(wv)
    resid = w * (y - mu)
    curv: Curvature | None = None
    if firth:
        logdet, lev, Z, S_inv, inv_pad = firth_terms(layout, blocks)
        resid = resid + wv * lev * (0.5 - mu)
        loglik = loglik + 0.5 * logdet
        curv = (wv, wv * (1.0 - 2.0 * mu), wv * (1.0 - 6.0 * v) * lev, Z, S_inv, inv_pad)
    return np.asarray(loglik), layout.score(resid), blocks, curv
