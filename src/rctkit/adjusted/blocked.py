"""Newton (IRLS) and Firth's Fisher scoring for a model with one wide factor, by blocks.

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
likelihood (which are Fisher-scoring steps, canonical link), Fisher-scoring steps for Firth's
penalised likelihood (as logistf), step halving, logistf's ``maxstep`` and the same stopping
rules.
"""

from __future__ import annotations

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
        self.level = np.where(dummies.any(axis=1), dummies.argmax(axis=1), self.f).astype(np.int64)

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


def firth_terms(layout: FactorLayout, blocks: Blocks) -> tuple[FloatArray, FloatArray]:
    """``log det I`` (B,), -inf where I is singular, and the hat values x_i' I^-1 x_i (B, n)."""
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
    return np.asarray(logdet), np.asarray(lev + inv_pad[:, layout.level])


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
) -> tuple[FloatArray, FloatArray, Blocks]:
    """Log-likelihood (B,) (penalised for Firth), score (B, p) and the information's blocks."""
    from scipy import special  # imported where used: it is slow to import

    eta = layout.eta(beta, offset)
    mu = special.expit(eta)
    one_minus = special.expit(-eta)
    v = mu * one_minus
    with np.errstate(divide="ignore"):
        softplus = np.where(one_minus > 0.0, -np.log(one_minus), eta)
    loglik = np.sum(w * (y * eta - softplus), axis=1)
    blocks = layout.blocks(w * v)
    resid = w * (y - mu)
    if firth:
        logdet, lev = firth_terms(layout, blocks)
        resid = resid + w * v * lev * (0.5 - mu)
        loglik = loglik + 0.5 * logdet
    return np.asarray(loglik), layout.score(resid), blocks
