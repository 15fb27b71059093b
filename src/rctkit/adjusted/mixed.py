"""The random-intercept logistic model by adaptive Gauss-Hermite quadrature."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from rctkit.adjusted.design import Design
from rctkit.adjusted.glm import information, solve
from rctkit.errors import RctkitError

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class RandomInterceptModel:
    """The marginal likelihood of a random-intercept logistic model by adaptive quadrature.

    Parameters are :math:`\\theta = (\\beta, \\sigma)`; cluster :math:`i`'s likelihood
    :math:`L_i = \\int \\prod_j p(y_{ij} \\mid x_{ij}^\\top\\beta + \\sigma u)\\,\\phi(u)\\,du`
    is approximated with ``n_agq`` Gauss-Hermite nodes centred at the conditional mode
    :math:`\\hat u_i` and scaled by :math:`\\tau_i = (-h_i''(\\hat u_i))^{-1/2}`, as lme4 does
    for ``nAGQ > 1`` (``n_agq=1`` is the Laplace approximation).
    """

    def __init__(self, design: Design, n_agq: int) -> None:
        if design.clusters is None:  # the caller builds the design with random_intercept
            raise RctkitError("a random-intercept model needs a design with clusters")
        order = np.argsort(design.clusters, kind="stable")
        self.X = design.X[order]
        self.y = design.y[order]
        g = design.clusters[order]
        self.g = g
        self.m = len(design.cluster_labels)
        self.starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        self.outer = None if design.outer is None else design.outer[order]
        z, wk = np.polynomial.hermite.hermgauss(n_agq)
        self.z = z
        self.log_wk = np.log(wk) + z * z
        self.modes = np.zeros(self.m)

    def _segsum(self, a: FloatArray) -> FloatArray:
        return np.asarray(np.add.reduceat(a, self.starts, axis=0))

    def _modes(self, eta: FloatArray, sigma: float) -> tuple[FloatArray, FloatArray]:
        """Conditional modes of the random effects and the curvature there (Newton)."""
        from scipy import special  # imported where used: it is slow to import

        u = self.modes.copy()
        y, g = self.y, self.g

        def h(u: FloatArray) -> FloatArray:
            e = eta + sigma * u[g]
            return self._segsum(y * e - np.logaddexp(0.0, e)) - 0.5 * u * u

        hu = h(u)
        for _ in range(100):
            mu = special.expit(eta + sigma * u[g])
            grad = sigma * self._segsum(y - mu) - u
            curv = sigma * sigma * self._segsum(mu * (1.0 - mu)) + 1.0
            step = grad / curv
            t = np.ones(self.m)
            for _ in range(40):
                cand = u + t * step
                h_c = h(cand)
                worse = h_c < hu - 1e-13 * (1.0 + np.abs(hu))
                if not worse.any():
                    break
                t = np.where(worse, t / 2.0, t)
            u, hu = cand, h_c
            if np.all(np.abs(t * step) <= 1e-13 * np.maximum(1.0, np.abs(u))):
                break
        mu = special.expit(eta + sigma * u[g])
        curv = sigma * sigma * self._segsum(mu * (1.0 - mu)) + 1.0
        return u, 1.0 / np.sqrt(curv)

    def evaluate(
        self, theta: FloatArray, derivatives: bool
    ) -> tuple[float, FloatArray, FloatArray, FloatArray]:
        r"""Log-likelihood, and (with ``derivatives``) its gradient, Hessian and Fisher part.

        The gradient is exact for the adaptive quadrature sum: besides the derivative with
        the nodes held still it has the terms from the nodes' movement with the parameters
        (the conditional modes by implicit differentiation of :math:`h_i'(\hat u_i) = 0`,
        and the scales :math:`\tau_i`). The Hessian is that of the sum with the nodes held
        still (a close approximation, used for the Newton steps); the Fisher part is its
        negative-definite first term, a fallback ascent direction.
        """
        from scipy import special  # imported where used: it is slow to import

        p = self.X.shape[1]
        beta, sigma = theta[:p], float(theta[p])
        eta = self.X @ beta
        u_hat, tau = self._modes(eta, sigma)
        self.modes = u_hat
        sqrt2 = math.sqrt(2.0)
        U = u_hat[:, None] + sqrt2 * tau[:, None] * self.z[None, :]  # (m, K)
        Ug = U[self.g]  # (n, K)
        E = eta[:, None] + sigma * Ug
        ll_obs = self.y[:, None] * E - np.logaddexp(0.0, E)
        A = (
            np.log(sqrt2 * tau)[:, None]
            + self.log_wk[None, :]
            - 0.5 * U * U
            - 0.5 * math.log(2.0 * math.pi)
            + self._segsum(ll_obs)
        )
        logL = special.logsumexp(A, axis=1)
        total = float(logL.sum())
        if not derivatives:
            empty = np.zeros(0)
            return total, empty, empty, empty
        pi = np.exp(A - logL[:, None])  # (m, K) posterior weights of the nodes
        mu = special.expit(E)
        r = self.y[:, None] - mu
        v = mu * (1.0 - mu)
        # s_ik: the score of cluster i at node k, for (beta, sigma), nodes held still
        r_sum = self._segsum(r)  # (m, K)
        s_beta = self._segsum(r[:, :, None] * self.X[:, None, :])  # (m, K, p)
        s = np.concatenate([s_beta, (r_sum * U)[:, :, None]], axis=2)  # (m, K, q)
        g_i = np.einsum("ik,ikq->iq", pi, s)
        # the nodes' movement: u_ik = u_hat_i + sqrt2 tau_i z_k
        mu_hat = special.expit(eta + sigma * u_hat[self.g])
        v_hat = mu_hat * (1.0 - mu_hat)
        S = self._segsum(v_hat)
        d_h1 = np.concatenate(  # d h_i'(u) / d theta at u_hat, nodes' u held still
            [
                -sigma * self._segsum(v_hat[:, None] * self.X),
                (self._segsum(self.y - mu_hat) - sigma * S * u_hat)[:, None],
            ],
            axis=1,
        )
        du = d_h1 * (tau * tau)[:, None]  # (m, q)
        c = v_hat * (1.0 - 2.0 * mu_hat)
        c_sum = self._segsum(c)
        dS = sigma * c_sum[:, None] * du
        dS[:, :p] += self._segsum(c[:, None] * self.X)
        dS[:, p] += c_sum * u_hat
        dtau = -0.5 * (tau**3)[:, None] * (sigma * sigma * dS)
        dtau[:, p] -= 0.5 * tau**3 * 2.0 * sigma * S
        h1 = sigma * r_sum - U  # h_i'(u_ik), (m, K)
        move = (
            np.einsum("ik,ik->i", pi, h1)[:, None] * du
            + np.einsum("ik,ik,k->i", pi, h1, sqrt2 * self.z)[:, None] * dtau
        )
        grad = (g_i + move + dtau / tau[:, None]).sum(axis=0)
        omega = pi[self.g] * v  # (n, K)
        q = p + 1
        fisher = np.empty((q, q))
        fisher[:p, :p] = information(omega.sum(axis=1)[None, :], self.X, self.outer)[0]
        cross = (omega * Ug).sum(axis=1) @ self.X
        fisher[:p, p] = cross
        fisher[p, :p] = cross
        fisher[p, p] = float((omega * Ug * Ug).sum())
        hess = -fisher + np.einsum("ik,ikq,ikr->qr", pi, s, s) - g_i.T @ g_i
        return total, grad, hess, fisher

    def hessian(self, theta: FloatArray) -> FloatArray:
        """Hessian of the log-likelihood by central differences of the exact gradient."""
        saved = self.modes.copy()
        q = theta.size
        H = np.empty((q, q))
        for j in range(q):
            h = 1e-5 * max(1.0, abs(float(theta[j])))
            grads = []
            for sign in (1.0, -1.0):
                shifted = theta.copy()
                shifted[j] += sign * h
                self.modes = saved.copy()
                grads.append(self.evaluate(shifted, True)[1])
            H[:, j] = (grads[0] - grads[1]) / (2.0 * h)
        self.modes = saved
        sym: FloatArray = 0.5 * (H + H.T)
        return sym

    def fit(
        self, start: FloatArray, free: BoolArray, maxiter: int = 200
    ) -> tuple[FloatArray, float, FloatArray, FloatArray, bool]:
        """Maximise over the free parameters, away from a false stop at sigma = 0.

        The log-likelihood is even in sigma, so its gradient vanishes at sigma = 0 whether or
        not that is a maximum: Newton can stop there while a small positive sigma is higher
        (seen with the Laplace approximation). When a fit ends at sigma = 0, the likelihood
        is probed at a ladder of positive sigmas (the other parameters held), and the fit
        restarts from the highest probe that beats it; at most three restarts.
        """
        result = self._newton(start, free, maxiter)
        if not free[-1]:
            return result
        for _ in range(3):
            theta, ll = result[0], result[1]
            if abs(float(theta[-1])) > 1e-4:
                break
            saved = self.modes.copy()
            best, best_ll = None, ll + 1e-9 * (1.0 + abs(ll))
            for sigma in (0.025, 0.05, 0.1, 0.2, 0.4, 0.8):
                probe = theta.copy()
                probe[-1] = sigma
                self.modes = saved.copy()
                ll_p = self.evaluate(probe, False)[0]
                if ll_p > best_ll:
                    best, best_ll = probe, ll_p
            self.modes = saved
            if best is None:
                break
            result = self._newton(best, free, maxiter)
        return result

    def _newton(
        self, start: FloatArray, free: BoolArray, maxiter: int
    ) -> tuple[FloatArray, float, FloatArray, FloatArray, bool]:
        """Maximise over the free parameters by Newton with step halving.

        The first steps use the Hessian of the quadrature sum with its nodes held still
        (cheap, and close for ``n_agq`` of about 5 or more); from the sixth step on, the
        Hessian by central differences of the exact gradient, which restores quadratic
        convergence where the nodes' movement matters (the Laplace approximation, few
        clusters). Returns theta, the log-likelihood, its gradient and Hessian there, and
        convergence.
        """
        theta = np.array(start, dtype=np.float64)
        idx = np.flatnonzero(free)
        ll, grad, hess, fisher = self.evaluate(theta, True)
        converged = False
        for iteration in range(maxiter):
            if iteration >= 5:
                hess = self.hessian(theta)
            H = -hess[np.ix_(idx, idx)]
            try:
                np.linalg.cholesky(H)  # Newton only where -H is positive definite
                step_free = np.linalg.solve(H, grad[idx])
            except np.linalg.LinAlgError:
                step_free = solve(fisher[np.ix_(idx, idx)][None], grad[idx][None])[0]
            step = np.zeros_like(theta)
            step[idx] = step_free
            # sigma moves by at most max(|sigma| / 2, 0.05) a step (a trust region on its
            # scale), so that the iterates do not swing across sigma = 0
            sigma_step = abs(float(step[-1]))
            radius = max(0.5 * abs(float(theta[-1])), 0.05)
            t = min(1.0, radius / sigma_step) if sigma_step else 1.0
            saved = self.modes.copy()
            for _ in range(40):
                ll_c = self.evaluate(theta + t * step, False)[0]
                if ll_c >= ll - 1e-10 * (1.0 + abs(ll)):
                    break
                self.modes = saved.copy()
                t /= 2.0
            theta = theta + t * step
            theta[-1] = abs(theta[-1])  # the likelihood is even in sigma
            ll, grad, hess, fisher = self.evaluate(theta, True)
            if np.abs(t * step).max() <= 1e-10 * max(1.0, float(np.abs(theta).max())):
                converged = True
                break
        return theta, ll, grad, hess, converged
