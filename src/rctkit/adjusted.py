r"""Covariate-adjusted analyses of a binary outcome from individual participants' data.

:func:`adjusted_odds_ratio` fits the logistic model

.. math:: \operatorname{logit} P(y_i = 1) = \beta_0 + \psi\, t_i + x_i^\top \gamma
          \;[+\, \sigma u_{s(i)}],

with :math:`t_i = 1` in the treatment arm, numeric covariates and dummy-coded factors in
:math:`x_i`, and optionally a random intercept :math:`\sigma u_s`, :math:`u_s \sim N(0, 1)`,
for each cluster (site) :math:`s`; :math:`e^\psi` is the adjusted (conditional) odds ratio.
:func:`marginal_effect` standardises the fitted model over the trial's participants
(g-computation) to give the covariate-adjusted *marginal* risk difference, risk ratio or odds
ratio of the 2023 FDA guidance on covariate adjustment.

The building blocks are reusable: :func:`build_design` turns a table into a :class:`Design`
(the model matrix, the outcome, the arm's column, the clusters), and :func:`newton_logistic`
fits the logistic model by Newton-Raphson (IRLS) for a whole batch of weight vectors at once:
one matrix product forms all the information matrices of an iteration and one stacked solve
gives all the steps. The bootstrap refits every resample that way, with the resample expressed
as frequency weights on the same design matrix.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from importlib import resources
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from scipy import linalg, optimize, special, stats

from rctkit import _warnings
from rctkit._validation import check_choice, check_confidence_level
from rctkit.errors import InvalidInputError, RctkitError
from rctkit.results import ConfidenceInterval, Estimate, short_number

__all__ = [
    "AdjustedEstimate",
    "Coefficient",
    "Design",
    "LogisticFit",
    "MarginalEstimate",
    "SeparationError",
    "adjusted_odds_ratio",
    "build_design",
    "load_core_simulated",
    "marginal_effect",
    "newton_logistic",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

METHODS = ("profile", "wald", "bootstrap")
MARGINAL_MEASURES = ("risk_difference", "risk_ratio", "odds_ratio")
MARGINAL_METHODS = ("delta", "bootstrap")
VARIANCES = ("sandwich", "model")
MISSING = ("raise", "drop")

#: Newton stops once no coefficient moved by more than this (relative to max(1, |beta|)).
#: Convergence is quadratic for the likelihood, so the error left is about the square of it.
STEP_TOL = 1e-11
#: Newton iterations at most (the MLE of a well-posed model takes five to eight).
MAXITER = 100
#: Firth fits move no coefficient by more than this a step (as logistf's maxstep).
MAXSTEP = 5.0
#: Profile limits: Newton on psi stops after a step below this, relative to max(1, |psi|).
PROFILE_TOL = 1e-12
#: Profile limits farther than this from 0 (beyond |psi_hat|) are reported as infinite.
PSI_REACH = 30.0
#: Largest n * p * p for which Design keeps the row-wise products x_i x_i' (128 MiB).
OUTER_MAX = 2**24


class SeparationError(InvalidInputError):
    """The outcome is perfectly predicted by a combination of the model's columns.

    The maximum-likelihood estimate is then infinite; ``firth=True`` (Jeffreys-penalised
    likelihood) gives finite estimates and intervals.
    """


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@attrs.frozen
class Coefficient:
    """One row of the fitted model's coefficient table (log-odds scale).

    Attributes
    ----------
    name : str
        ``"(Intercept)"``, ``"arm[T.<treatment>]"``, a covariate's name, or
        ``"<factor>[T.<level>]"`` for a factor's dummy.
    estimate, std_error : float
        The coefficient and its standard error (inverse observed information).
    statistic, pvalue : float
        Wald z and its two-sided p-value.
    """

    name: str
    estimate: float
    std_error: float
    statistic: float
    pvalue: float


def _short(value: float | None) -> str:
    return short_number(value)


@attrs.frozen(repr=False)
class AdjustedEstimate(Estimate):
    """An adjusted odds ratio with the fitted model behind it.

    Besides the :class:`~rctkit.Estimate` fields:

    Attributes
    ----------
    std_error : float
        Standard error of the log odds ratio (Wald).
    statistic : float or None
        The statistic of the test behind ``pvalue``: the likelihood-ratio chi-squared (1 df)
        for ``"profile"`` (penalised for Firth), Wald z for ``"wald"``; None for
        ``"bootstrap"``, whose ``pvalue`` is None.
    coefficients : tuple of Coefficient
        The full model's coefficient table (log-odds scale, Wald statistics).
    n_used, n_dropped : int
        Participants analysed, and rows dropped for missing values (``missing="drop"``).
    log_likelihood : float
        Maximised log-likelihood (penalised for Firth; the quadrature approximation of the
        marginal log-likelihood for a random-intercept model).
    firth : bool
        Whether the Jeffreys-penalised (Firth) likelihood was used.
    random_intercept_sd : float or None
        The random intercepts' standard deviation :math:`\\sigma` (None without one).
    n_failed : int
        Bootstrap resamples whose refit did not converge (separated resamples); 0 otherwise.
    """

    std_error: float = math.nan
    statistic: float | None = None
    coefficients: tuple[Coefficient, ...] = ()
    n_used: int = 0
    n_dropped: int = 0
    log_likelihood: float = math.nan
    firth: bool = False
    random_intercept_sd: float | None = None
    n_failed: int = 0

    @property
    def random_intercept_variance(self) -> float | None:
        """:math:`\\sigma^2`, as lme4 reports it (None without a random intercept)."""
        sd = self.random_intercept_sd
        return None if sd is None else sd * sd

    def __repr__(self) -> str:
        return super().__repr__()


@attrs.frozen(repr=False)
class MarginalEstimate(Estimate):
    """A covariate-adjusted marginal effect by standardisation (g-computation).

    Besides the :class:`~rctkit.Estimate` fields:

    Attributes
    ----------
    risk_treatment, risk_control : float
        The standardised risks: the mean over all analysed participants of the fitted risk
        with everyone given the treatment, and with everyone given the control.
    std_error : float
        Delta-method standard error on the interval's scale (risk difference, log risk ratio
        or log odds ratio); nan for the bootstrap.
    variance : str or None
        ``"sandwich"`` or ``"model"`` for the delta method; None for the bootstrap.
    n_used, n_dropped : int
        Participants analysed and rows dropped for missing values.
    n_failed : int
        Bootstrap resamples whose refit did not converge (separated resamples).
    """

    risk_treatment: float = math.nan
    risk_control: float = math.nan
    std_error: float = math.nan
    variance: str | None = None
    n_used: int = 0
    n_dropped: int = 0
    n_failed: int = 0

    def __repr__(self) -> str:
        return super().__repr__()


# --------------------------------------------------------------------------------------------
# Data: columns, missing values, the design matrix
# --------------------------------------------------------------------------------------------


def _is_missing(x: Any) -> bool:
    if x is None:
        return True
    if isinstance(x, float | np.floating):
        return bool(np.isnan(x))
    # pandas.NA and pandas.NaT, recognised without importing pandas
    return type(x).__name__ in ("NAType", "NaTType")


def _missing_mask(arr: npt.NDArray[Any]) -> BoolArray:
    kind = arr.dtype.kind
    if kind in "fc":
        return np.asarray(np.isnan(arr), dtype=bool)
    if kind in "mM":
        return np.asarray(np.isnat(arr), dtype=bool)
    if kind == "O":
        try:  # None and NaN, vectorised; pandas.NA makes the comparison raise
            with np.errstate(invalid="ignore"):
                none = np.asarray(arr == None, dtype=np.bool_)  # noqa: E711 (elementwise)
                mask = none | np.asarray(arr != arr, dtype=np.bool_)
            if mask.shape == arr.shape:
                return mask
        except (TypeError, ValueError):
            pass
        return np.fromiter((_is_missing(x) for x in arr.tolist()), dtype=bool, count=arr.size)
    return np.zeros(arr.shape, dtype=bool)


def _encode(arr: npt.NDArray[Any], name: Hashable, parameter: str) -> tuple[list[Any], IntArray]:
    """Sorted distinct levels of a column and each row's level index."""
    try:
        levels, codes = np.unique(arr, return_inverse=True)
    except TypeError:
        raise InvalidInputError(
            f"the levels of {parameter} column {name!r} cannot be sorted (mixed types: "
            f"{sorted({type(v).__name__ for v in arr.tolist()})})"
        ) from None
    return levels.tolist(), np.asarray(codes, dtype=np.int64).reshape(-1)


def _column_names(data: Any) -> list[Hashable]:
    if hasattr(data, "columns") and hasattr(data, "__getitem__"):
        return list(data.columns)
    if isinstance(data, Mapping):
        return list(data.keys())
    raise InvalidInputError(
        "`data` must be a pandas DataFrame or a mapping of column name -> 1-D array "
        f"(got {type(data).__name__})"
    )


def _read_column(data: Any, name: Hashable) -> npt.NDArray[Any]:
    col = data[name]
    to_numpy = getattr(col, "to_numpy", None)
    arr = np.asarray(to_numpy() if callable(to_numpy) else col)
    if arr.ndim != 1:
        raise InvalidInputError(
            f"column {name!r} of `data` must be one-dimensional (got shape {arr.shape})"
        )
    return arr


def _names(value: Any, parameter: str) -> tuple[Hashable, ...]:
    """A column name or an iterable of them, as a tuple (a lone string is one name)."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable):
        raise InvalidInputError(
            f"`{parameter}` must be a column name or a sequence of column names (got {value!r})"
        )
    names = tuple(value)
    if len(set(names)) != len(names):
        raise InvalidInputError(f"`{parameter}` names a column twice (got {names!r})")
    return names


def _binary_outcome(arr: npt.NDArray[Any], name: Hashable) -> FloatArray:
    if arr.dtype == np.bool_:
        return arr.astype(np.float64)
    if arr.dtype.kind in "iuf":
        values = arr.astype(np.float64)
    elif arr.dtype.kind == "O" and all(
        isinstance(x, bool | int | float | np.bool_ | np.integer | np.floating)
        for x in arr.tolist()
    ):
        values = np.asarray([float(x) for x in arr.tolist()], dtype=np.float64)
    else:
        raise InvalidInputError(
            f"`outcome` column {name!r} must hold 0/1 or boolean values (got dtype {arr.dtype})"
        )
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        shown = ", ".join(repr(v) for v in np.unique(arr[bad])[:5].tolist())
        raise InvalidInputError(
            f"`outcome` column {name!r} must hold only 0/1 or boolean values "
            f"(got {int(bad.sum())} other values: {shown})"
        )
    return values


def _numeric(arr: npt.NDArray[Any], name: Hashable) -> FloatArray:
    try:
        if arr.dtype.kind in "biuf":
            return arr.astype(np.float64)
        if arr.dtype.kind == "O":
            return np.asarray([float(x) for x in arr.tolist()], dtype=np.float64)
    except (TypeError, ValueError):
        pass
    raise InvalidInputError(
        f"covariate {name!r} must be numeric (got dtype {arr.dtype}); "
        f"pass categorical columns in `factors`"
    )


@attrs.frozen(eq=False)
class Design:
    """The model matrix and everything else a fit needs, built by :func:`build_design`.

    Attributes
    ----------
    X : ndarray, shape (n, p)
        Columns: intercept, arm (1 = treatment), numeric covariates, then each factor's
        dummies against its first level in sorted order.
    y : ndarray, shape (n,)
        The outcome, 0.0 or 1.0.
    names : tuple of str
        The columns' names, as in the coefficient table.
    arm_index : int
        Index of the arm's column in ``X`` (always 1).
    treated : ndarray of bool, shape (n,)
        True in the treatment arm.
    clusters : ndarray of int or None
        Cluster codes 0..m-1 for a random intercept (sorted labels), else None.
    cluster_labels : tuple
        The cluster labels in code order.
    treatment, control : hashable
        The arm labels.
    n_dropped : int
        Rows dropped for missing values.
    outer : ndarray, shape (n, p * p), or None
        Row-wise products :math:`x_i x_i^\\top`, flattened: ``(w * v) @ outer`` gives the
        information matrices of a whole batch of weight vectors ``w * v`` at once.
    """

    X: FloatArray
    y: FloatArray
    names: tuple[str, ...]
    arm_index: int
    treated: BoolArray
    clusters: IntArray | None
    cluster_labels: tuple[Any, ...]
    treatment: Any
    control: Any
    n_dropped: int
    outer: FloatArray | None

    @property
    def n(self) -> int:
        """Participants analysed."""
        return int(self.X.shape[0])

    @property
    def p(self) -> int:
        """Columns of the model matrix."""
        return int(self.X.shape[1])

    def with_arm(self, value: float) -> FloatArray:
        """``X`` with the arm column set to ``value`` for everyone (for standardisation)."""
        X: FloatArray = self.X.copy()
        X[:, self.arm_index] = value
        return X


def build_design(
    data: Any,
    *,
    outcome: Hashable,
    arm: Hashable,
    treatment: Any,
    covariates: Any = (),
    factors: Any = (),
    random_intercept: Hashable | None = None,
    missing: str = "raise",
) -> Design:
    """Validate the columns and build the model matrix of the logistic model.

    Parameters are those of :func:`adjusted_odds_ratio`. With ``missing="drop"`` the rows with
    a missing value in any column used are dropped and a warning says how many.

    Raises
    ------
    InvalidInputError
        Naming the column and the count: unknown columns, missing values (unless dropped),
        a non-binary or constant outcome, an arm with other than two levels, a treatment
        label not in the arm column, constant covariates, one-level factors, a rank-deficient
        model matrix.
    """
    missing = check_choice(missing, "missing", MISSING)
    available = _column_names(data)
    covariate_names = _names(covariates, "covariates")
    factor_names = _names(factors, "factors")
    roles: list[tuple[str, Hashable]] = [("outcome", outcome), ("arm", arm)]
    roles += [("covariates", c) for c in covariate_names]
    roles += [("factors", f) for f in factor_names]
    if random_intercept is not None:
        roles.append(("random_intercept", random_intercept))
    seen: dict[Hashable, str] = {}
    known = set(available)
    for role, name in roles:
        if name not in known:
            shown = ", ".join(repr(c) for c in available[:12])
            more = ", ..." if len(available) > 12 else ""
            raise InvalidInputError(
                f"`{role}` names column {name!r}, which is not in `data` (columns: {shown}{more})"
            )
        if name in seen:
            raise InvalidInputError(
                f"column {name!r} is used twice (as `{seen[name]}` and as `{role}`)"
            )
        seen[name] = role

    columns = {name: _read_column(data, name) for _, name in roles}
    lengths = {len(v) for v in columns.values()}
    if len(lengths) != 1:
        shown = ", ".join(f"{k!r}: {len(v)}" for k, v in columns.items())
        raise InvalidInputError(f"the columns of `data` must have one length (got {shown})")
    (n_rows,) = lengths
    masks = {name: _missing_mask(arr) for name, arr in columns.items()}
    drop = np.zeros(n_rows, dtype=bool)
    for role, name in roles:
        count = int(masks[name].sum())
        if count and missing == "raise":
            raise InvalidInputError(
                f"column {name!r} (`{role}`) has {count} missing value{'s' * (count > 1)}; "
                f'drop the rows with missing="drop" or impute them first'
            )
        drop |= masks[name]
    n_dropped = int(drop.sum())
    if n_dropped:
        _warnings.warn(f"{n_dropped} of {n_rows} rows dropped for missing values (missing='drop')")
        keep = ~drop
        columns = {name: arr[keep] for name, arr in columns.items()}
    n = n_rows - n_dropped
    if n == 0:
        raise InvalidInputError("`data` has no complete rows to analyse")

    y = _binary_outcome(columns[outcome], outcome)
    events = int(y.sum())
    if events in (0, n):
        raise InvalidInputError(
            f"`outcome` column {outcome!r} is constant ({events} events in {n} participants): "
            f"no odds ratio can be estimated"
        )

    labels, arm_codes = _encode(columns[arm], arm, "arm")
    if len(labels) != 2:
        shown = ", ".join(repr(x) for x in labels[:5]) + (", ..." if len(labels) > 5 else "")
        raise InvalidInputError(
            f"`arm` column {arm!r} must hold exactly two levels (got {len(labels)}: {shown})"
        )
    if treatment not in labels:
        raise InvalidInputError(
            f"`treatment` must be one of the levels of `arm` column {arm!r} "
            f"({labels[0]!r}, {labels[1]!r}) (got {treatment!r})"
        )
    t_code = labels.index(treatment)
    control = labels[1 - t_code]
    treated = arm_codes == t_code

    blocks: list[FloatArray] = [np.ones(n), treated.astype(np.float64)]
    names: list[str] = ["(Intercept)", f"{arm}[T.{treatment}]"]
    for name in covariate_names:
        values = _numeric(columns[name], name)
        if not np.all(np.isfinite(values)):
            raise InvalidInputError(
                f"covariate {name!r} holds {int((~np.isfinite(values)).sum())} infinite values"
            )
        if np.ptp(values) == 0:
            raise InvalidInputError(
                f"covariate {name!r} is constant (all {n} values are {values[0]!r})"
            )
        blocks.append(values)
        names.append(str(name))
    for name in factor_names:
        levels, idx = _encode(columns[name], name, "factor")
        if len(levels) < 2:
            raise InvalidInputError(
                f"factor {name!r} has one level ({levels[0]!r} in all {n} rows)"
            )
        for i, level in enumerate(levels[1:], start=1):
            blocks.append((idx == i).astype(np.float64))
            names.append(f"{name}[T.{level}]")
    X = np.column_stack(blocks)

    clusters: IntArray | None = None
    cluster_labels: tuple[Any, ...] = ()
    if random_intercept is not None:
        levels, clusters = _encode(columns[random_intercept], random_intercept, "random_intercept")
        if len(levels) < 2:
            raise InvalidInputError(
                f"`random_intercept` column {random_intercept!r} has one level "
                f"({levels[0]!r}); a random intercept needs at least two clusters"
            )
        cluster_labels = tuple(levels)

    p = X.shape[1]
    _check_rank(X, names)
    # the products take n p^2 floats: kept up to 128 MiB, else information by batched matmul
    outer = _outer(X) if n * p * p <= OUTER_MAX else None
    return Design(
        X=X,
        y=y,
        names=tuple(names),
        arm_index=1,
        treated=treated,
        clusters=clusters,
        cluster_labels=cluster_labels,
        treatment=treatment,
        control=control,
        n_dropped=n_dropped,
        outer=outer,
    )


def _outer(X: FloatArray) -> FloatArray:
    """Row-wise products x_i x_i', flattened to shape (n, p * p)."""
    n, p = X.shape
    return np.asarray((X[:, :, None] * X[:, None, :]).reshape(n, p * p))


def _information(wv: FloatArray, X: FloatArray, outer: FloatArray | None) -> FloatArray:
    """X' diag(wv_b) X for each row b of ``wv`` (shape (B, n)) -> (B, p, p)."""
    B, p = wv.shape[0], X.shape[1]
    if outer is not None:
        return np.asarray((wv @ outer).reshape(B, p, p))
    return np.asarray(np.matmul(X.T[None, :, :] * wv[:, None, :], X))


def _check_rank(X: FloatArray, names: list[str]) -> None:
    n, p = X.shape
    if n < p:
        raise InvalidInputError(
            f"the model has {p} coefficients but only {n} participants to estimate them"
        )
    # cheap screen on the scaled cross-product matrix; a QR with pivoting names the culprits
    gram = X.T @ X
    scale = np.sqrt(np.diag(gram))
    eig = np.linalg.eigvalsh(gram / np.outer(scale, scale))
    if eig[0] > 1e-10 * eig[-1]:
        return
    _, r, piv = linalg.qr(X / scale, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int(np.sum(diag > diag[0] * 1e-7))
    rank = min(rank, p - 1)
    dependent = ", ".join(repr(names[i]) for i in sorted(piv[rank:].tolist()))
    raise InvalidInputError(
        f"the model matrix is rank deficient or nearly so ({p - rank} of {p} columns are "
        f"linear combinations of the others, e.g. {dependent}); drop a covariate or factor"
    )


def load_core_simulated() -> dict[str, npt.NDArray[Any]]:
    """The simulated six-site trial shaped like CORE, as a dict of numpy columns.

    434 participants (218 peer support, 216 control; 64 and 83 readmitted, as in CORE), with
    ``participant``, ``site`` ("A" to "F"), ``arm`` ("peer_support" or "control"), ``age``,
    ``prior_admissions`` and ``readmitted`` (0/1). Simulated by
    ``tests/reference/simulate_core.py``; not the trial's data.

    Examples
    --------
    >>> data = load_core_simulated()
    >>> int(data["readmitted"][data["arm"] == "peer_support"].sum())
    64
    """
    text = resources.files("rctkit.data").joinpath("core_simulated.csv").read_text()
    lines = text.strip().splitlines()
    header = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    out: dict[str, npt.NDArray[Any]] = {}
    for j, name in enumerate(header):
        values = [row[j] for row in rows]
        try:
            out[name] = np.asarray([int(v) for v in values], dtype=np.int64)
        except ValueError:
            out[name] = np.asarray(values, dtype=object)
    return out


# --------------------------------------------------------------------------------------------
# The logistic model: batched Newton-Raphson (IRLS), Firth, separation
# --------------------------------------------------------------------------------------------


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
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Log-likelihood (B,), score (B, p), information and Newton matrix (B, p, p) per row.

    With ``with_loglik=False`` (plain Newton without line search) the log-likelihood is not
    formed (returned as zeros) and the weights ``mu (1 - mu)`` come from one ``expit`` pass:
    a third of the cost, for the bootstrap's thousands of refits.

    The Newton matrix is the negative Hessian of the (penalised) log-likelihood: the
    information itself without Firth; with Firth the information minus the penalty's
    Hessian (not always positive definite far from the maximum).
    """
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
    info = _information(w * v, X, outer)
    resid = w * (y - mu)
    newton = info
    if firth:
        # Firth's modified score: sum_i [w_i (y_i - mu_i) + h_i (1/2 - mu_i)] x_i, with h_i the
        # hat values of W^1/2 X; it is the gradient of l + 1/2 log det I.
        sign, logdet = np.linalg.slogdet(info)
        inv = _inverse(info)
        lev = np.einsum("bnp,np->bn", X @ inv, X)  # x_i' I^-1 x_i
        h = w * v * lev
        resid = resid + h * (0.5 - mu)
        loglik = loglik + np.where(sign > 0, 0.5 * logdet, -np.inf)
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
    a = w * v * (1.0 - 2.0 * mu)
    if outer is not None:
        A = np.matmul(np.transpose(a[:, :, None] * X[None, :, :], (0, 2, 1)), outer)
        A = A.reshape(B, p, p, p)
    else:
        A = np.einsum("bn,nj,nk,nl->bjkl", a, X, X, X, optimize=True)
    G = np.matmul(inv[:, None, :, :], A)  # I^-1 A_j
    trace = np.einsum("bjac,bkca->bjk", G, G)
    second = _information(w * v * (1.0 - 6.0 * v) * lev, X, outer)
    return np.asarray(0.5 * (second - trace))


def _inverse(a: FloatArray) -> FloatArray:
    try:
        return np.asarray(np.linalg.inv(a))
    except np.linalg.LinAlgError:
        return np.asarray(np.linalg.pinv(a))


def _solve(a: FloatArray, b: FloatArray) -> FloatArray:
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
) -> LogisticFit:
    """Fit the logistic model by Newton-Raphson for a batch of weight vectors at once.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        The model matrix (as :attr:`Design.X`).
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
        :attr:`Design.outer`; without it the information matrices are formed by a batched
        matrix product instead.
    maxiter : int, optional
        Newton iterations at most; default 100, or 1000 for Firth (whose Fisher-scoring
        steps, used far from the maximum, converge only linearly).
    line_search : bool, optional
        Halve steps that would lower the log-likelihood (default). Without it (unpenalised
        fits only) full Newton steps are taken, as R's ``glm.fit`` does, and the returned
        log-likelihood is not computed (zeros): the bootstrap's warm-started refits.

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
    logistf) elsewhere; no coefficient moves by more than 5 a step (logistf's ``maxstep``).
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

    every = idx.size == p
    active = np.ones(B, dtype=bool)
    converged = np.zeros(B, dtype=bool)
    line_search = line_search or firth
    loglik, score, info, curv = _logistic_state(beta, X, y, w, off, outer, firth, line_search)
    iterations = 0
    for iterations in range(1, maxiter + 1):
        rows = np.flatnonzero(active)
        whole = rows.size == B
        sub_score, sub_info = (score, info) if whole else (score[rows], info[rows])
        if not every:
            sub_score, sub_info = sub_score[:, idx], sub_info[:, idx][:, :, idx]
        if firth:
            # Newton on the penalised likelihood where its negative Hessian is positive
            # definite, Fisher scoring (the unpenalised information, as logistf) elsewhere
            sub_curv = curv if whole else curv[rows]
            if not every:
                sub_curv = sub_curv[:, idx][:, :, idx]
            usable = np.linalg.eigvalsh(sub_curv)[:, 0] > 0.0
            sub_info = np.where(usable[:, None, None], sub_curv, sub_info)
        step = np.zeros((rows.size, p))
        step[:, idx] = _solve(sub_info, sub_score)
        t = np.ones(rows.size)
        if firth:
            # no coefficient moves by more than MAXSTEP a step (logistf's maxstep): the
            # penalised likelihood is not concave, and a long step can land on a far ridge
            longest = np.abs(step).max(axis=1)
            t = np.minimum(1.0, MAXSTEP / np.maximum(longest, MAXSTEP))
        beta_r, ll_r = (beta, loglik) if whole else (beta[rows], loglik[rows])
        wr, offr = (w, off) if whole else (w[rows], off[rows])
        threshold = ll_r - 1e-12 * (1.0 + np.abs(ll_r))
        for _ in range(40):
            cand = beta_r + t[:, None] * step
            ll_c, sc_c, inf_c, cv_c = _logistic_state(
                cand, X, y, wr, offr, outer, firth, line_search
            )
            if not line_search:
                break
            worse = ~(ll_c >= threshold)
            if not worse.any():
                break
            t = np.where(worse, t / 2.0, t)
        moved = np.abs(t[:, None] * step).max(axis=1)
        if whole:
            beta, loglik, score, info, curv = cand, ll_c, sc_c, inf_c, cv_c
        else:
            beta[rows], loglik[rows], score[rows] = cand, ll_c, sc_c
            info[rows], curv[rows] = inf_c, cv_c
        done = moved <= STEP_TOL * np.maximum(1.0, np.abs(cand).max(axis=1))
        converged[rows[done]] = True
        active[rows[done]] = False
        if iterations >= 25 and not firth:
            eta_max = np.abs(cand @ X.T + offr).max(axis=1)
            runaway = ~done & ((eta_max > 35.0) | ~np.isfinite(ll_c) | ~np.isfinite(moved))
            active[rows[runaway]] = False
        if not active.any():
            break
    return LogisticFit(
        beta=beta,
        loglik=loglik,
        score=score,
        info=info,
        converged=converged,
        iterations=iterations,
    )


def _separated_columns(X: FloatArray, y: FloatArray) -> list[int]:
    """Columns whose coefficients are infinite by the linear program of Konis (2007).

    Maximise :math:`\\sum_i s_i x_i^\\top b` subject to :math:`s_i x_i^\\top b \\ge 0`,
    :math:`s_i = 2 y_i - 1`, :math:`-1 \\le b \\le 1` (columns scaled to unit maximum): the
    data are separated exactly when the optimum is positive, and the non-zero entries of
    :math:`b` mark the coefficients that run to infinity. Empty when not separated.
    """
    scaled = X / np.abs(X).max(axis=0)
    A = (2.0 * y - 1.0)[:, None] * scaled
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


def _fit_glm(
    design: Design,
    firth: bool,
    advice: str = "Use firth=True for the Jeffreys-penalised (Firth) fit",
) -> LogisticFit:
    """The full model's fit, raising SeparationError when the MLE does not exist."""
    fit = newton_logistic(design.X, design.y, firth=firth, outer=design.outer)
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
        raise RctkitError(
            f"the logistic model did not converge in {fit.iterations} Newton iterations"
        )
    return fit


# --------------------------------------------------------------------------------------------
# Profile-likelihood limits
# --------------------------------------------------------------------------------------------

#: ``constrained(psi) -> (loglik, dloglik/dpsi)`` for an array of fixed arm coefficients.
Constrained = Callable[[FloatArray], tuple[FloatArray, FloatArray]]


def _profile_limits(
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


def _warn_unbounded(limits: FloatArray, psi_hat: float) -> None:
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


# --------------------------------------------------------------------------------------------
# Random-intercept logistic model by adaptive Gauss-Hermite quadrature
# --------------------------------------------------------------------------------------------


class _RandomInterceptModel:
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
        fisher[:p, :p] = _information(omega.sum(axis=1)[None, :], self.X, self.outer)[0]
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
                step_free = linalg.cho_solve(linalg.cho_factor(H), grad[idx])
            except linalg.LinAlgError:
                step_free = _solve(fisher[np.ix_(idx, idx)][None], grad[idx][None])[0]
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


# --------------------------------------------------------------------------------------------
# The public functions
# --------------------------------------------------------------------------------------------


def _check_rng(rng: Any) -> np.random.Generator:
    if rng is None or (isinstance(rng, int | np.integer) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise InvalidInputError(
        f"`rng` must be None, an int seed or a numpy.random.Generator (got {rng!r})"
    )


def _check_resamples(n_resamples: Any) -> int:
    if (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, int | np.integer)
        or n_resamples < 2
    ):
        raise InvalidInputError(
            f"`n_resamples` must be an integer of at least 2 (got {n_resamples!r})"
        )
    return int(n_resamples)


def _resample_weights(design: Design, n_resamples: int, rng: np.random.Generator) -> FloatArray:
    """Frequency weights of ``n_resamples`` resamples of participants within arms."""
    n = design.n
    flat = np.zeros(n_resamples * n)
    offsets = (np.arange(n_resamples) * n)[:, None]
    for arm_mask in (design.treated, ~design.treated):
        idx = np.flatnonzero(arm_mask)
        draws = idx[rng.integers(0, idx.size, size=(n_resamples, idx.size))]
        flat += np.bincount((draws + offsets).ravel(), minlength=n_resamples * n)
    return flat.reshape(n_resamples, n)


def _percentile(values: FloatArray, level: float) -> tuple[float, float]:
    """Percentile limits (linear interpolation of order statistics, infinities kept)."""
    x = np.sort(values)
    out = []
    for prob in ((1.0 - level) / 2.0, (1.0 + level) / 2.0):
        h = (x.size - 1) * prob
        lo = math.floor(h)
        hi = min(lo + 1, x.size - 1)
        frac = h - lo
        a, b = float(x[lo]), float(x[hi])
        out.append(a if frac == 0.0 or a == b else a + frac * (b - a))
    return out[0], out[1]


def _coefficients(
    names: tuple[str, ...], beta: FloatArray, cov: FloatArray
) -> tuple[Coefficient, ...]:
    se = np.sqrt(np.diag(cov))
    z = beta / se
    pv = 2.0 * special.ndtr(-np.abs(z))
    return tuple(
        Coefficient(name, float(b), float(s), float(zz), float(pp))
        for name, b, s, zz, pp in zip(names, beta, se, z, pv, strict=True)
    )


def adjusted_odds_ratio(
    data: Any,
    *,
    outcome: Hashable,
    arm: Hashable,
    treatment: Any,
    covariates: Any = (),
    factors: Any = (),
    random_intercept: Hashable | None = None,
    method: str = "profile",
    confidence_level: float = 0.95,
    firth: bool = False,
    n_agq: int = 10,
    n_resamples: int = 2000,
    rng: Any = None,
    missing: str = "raise",
) -> AdjustedEstimate:
    r"""The covariate-adjusted odds ratio of a logistic model, treatment against control.

    Parameters
    ----------
    data : pandas.DataFrame or mapping
        One row per participant; a mapping is of column name -> 1-D array.
    outcome : hashable
        The 0/1 (or boolean) outcome column.
    arm : hashable
        The arm column: exactly two levels.
    treatment : hashable
        The level of ``arm`` that is the experimental arm.
    covariates : sequence of hashable, optional
        Numeric covariates, entered linearly.
    factors : sequence of hashable, optional
        Categorical covariates, dummy coded against their first level in sorted order
        (``sorted(set(values))``; a pandas Categorical's own order is not used).
    random_intercept : hashable, optional
        A cluster column (site): fits a random-intercept logistic model by adaptive
        Gauss-Hermite quadrature (lme4's ``glmer(..., nAGQ=n_agq)``).
    method : {"profile", "wald", "bootstrap"}, optional
        The interval: profile likelihood (default; p-value from the likelihood-ratio test),
        Wald (p-value from the Wald test) or the percentile bootstrap (no p-value).
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.
    firth : bool, optional
        Fit by Firth's Jeffreys-penalised likelihood (as R's logistf and brglm2's
        ``type="MPL_Jeffreys"``): finite estimates even when the data are separated. The
        ``"profile"`` interval and test are then the profile *penalised* likelihood's.
        Not available with ``random_intercept``.
    n_agq : int, optional
        Quadrature nodes per cluster for ``random_intercept`` (default 10; 1 is Laplace).
    n_resamples : int, optional
        Bootstrap resamples (``method="bootstrap"``); default 2000.
    rng : None, int or numpy.random.Generator, optional
        Random numbers for the bootstrap.
    missing : {"raise", "drop"}, optional
        What to do with rows that have a missing value (None, NaN, pandas NA) in a column
        used: refuse them (default) or drop them with a warning; the result's ``n_dropped``
        says how many.

    Returns
    -------
    AdjustedEstimate
        ``measure="odds_ratio"``, the estimate :math:`e^{\hat\psi}`, its interval, the
        p-value (see ``method``), and the fitted model (``coefficients``, ``n_used``,
        ``n_dropped``, ``statistic``, ``random_intercept_sd``, ...).

    Raises
    ------
    InvalidInputError
        For unknown, constant or non-numeric columns, missing values with
        ``missing="raise"``, a non-binary outcome, an arm with other than two levels, a
        ``treatment`` not in the arm, a rank-deficient model, bad options; the bootstrap with
        a random intercept.
    SeparationError
        (an InvalidInputError) When the data are separated and ``firth=False``: the
        maximum-likelihood estimate is infinite. The message names the columns involved and
        suggests ``firth=True``.

    Warns
    -----
    RctkitWarning
        When rows are dropped for missing values, and when bootstrap refits fail.

    Notes
    -----
    **Fit.** Newton-Raphson (IRLS) on the log-likelihood
    :math:`l(\beta) = \sum_i y_i\eta_i - \log(1 + e^{\eta_i})`, iterated until the steps are
    below 1e-11 (see :func:`newton_logistic`); it agrees with statsmodels' ``GLM`` to its
    convergence tolerance. Standard errors are from the inverse information.

    **Profile likelihood.** The limits solve
    :math:`2\{l(\hat\beta) - l_p(\psi)\} = \chi^2_{1,\text{level}}`, where
    :math:`l_p(\psi)` maximises the log-likelihood with the arm's coefficient fixed at
    :math:`\psi` (an offset :math:`\psi t_i`, the rest refitted by warm-started Newton). The
    root is found by safeguarded Newton on :math:`\psi` using
    :math:`l_p'(\psi) = \partial l / \partial\psi` at the constrained fit, to 1e-12
    relative. The p-value is the likelihood-ratio test of :math:`\psi = 0`. R's
    ``MASS::confint`` interpolates a spline through a grid of profile points and agrees only
    to about 1e-4.

    **Firth.** Maximises :math:`l^*(\beta) = l(\beta) + \tfrac12\log\det I(\beta)`; the
    interval is the profile penalised likelihood's (with the full model's penalty, as
    logistf), the p-value the penalised likelihood-ratio test; ``"wald"`` uses
    :math:`I(\hat\beta)^{-1}`.

    Unlike the log-likelihood, the penalised one is not concave: each constrained fit is
    started from both the last constrained fit and the full fit and the higher maximum kept,
    but on small, nearly separated data a limit can still come from a lower local maximum
    (seen in about 1 of 1500 random small trials, the limit then about 1% too near).

    **Separation.** When the unpenalised fit fails to converge the linear program of Konis
    (2007) checks for (quasi-)complete separation; if found, :class:`SeparationError` is
    raised rather than a huge finite estimate returned (statsmodels' behaviour). The
    profile limits of a model whose MLE exists are always finite.

    **Random intercept.** The marginal likelihood over :math:`(\beta, \sigma)` is
    approximated cluster by cluster by adaptive Gauss-Hermite quadrature (``n_agq`` nodes at
    the conditional mode, scaled by the curvature there, as lme4) and maximised by Newton on
    the quadrature sum with its nodes re-adapted at every iteration. The likelihood is even
    in :math:`\sigma`, so :math:`\sigma` is used directly (not :math:`\log\sigma`) and a
    boundary estimate :math:`\hat\sigma = 0` is reached without trouble. Standard errors are
    from the inverse of the Hessian over :math:`(\beta, \sigma)` (as lme4's ``vcov``); the
    profile interval refits :math:`(\beta_{-\psi}, \sigma)` at each fixed :math:`\psi`.

    **Bootstrap.** Participants are resampled with replacement within each arm
    (``n_resamples`` times), every resample is refitted (all at once, as frequency weights,
    warm-started at the full fit), and the percentile interval taken. A resample whose refit
    does not converge (separation) counts in ``n_failed`` and a warning; its log odds ratio
    is taken as :math:`\pm\infty` when the arm's coefficient runs away (beyond
    :math:`|\psi| > 15`) and as the last iterate otherwise. Not available with a random
    intercept (resampling participants would ignore the clustering).

    **Degenerate data.** Zero events (or only events) in one arm separate the data: an error
    without Firth, finite estimates with it. A constant outcome is refused. Profile limits
    beyond odds ratios of about :math:`e^{\pm 30}` (Firth on nearly separated data) lie where
    fitted risks are within 1e-13 of 0 or 1, where double precision no longer resolves the
    likelihood: the search stops at :math:`|\psi| = 30 + |\hat\psi|`, and a limit not
    reached there is reported as 0 or infinite, with a warning.

    References
    ----------
    Firth D. Bias reduction of maximum likelihood estimates. Biometrika 1993;80:27-38.
    Heinze G, Schemper M. A solution to the problem of separation in logistic regression.
    Stat Med 2002;21:2409-19.
    Venzon DJ, Moolgavkar SH. A method for computing profile-likelihood-based confidence
    intervals. Appl Stat 1988;37:87-94.
    Konis K. Linear programming algorithms for detecting separated data in binary logistic
    regression models. DPhil thesis, University of Oxford, 2007.
    Pinheiro JC, Bates DM. Approximations to the log-likelihood function in the nonlinear
    mixed-effects model. J Comput Graph Stat 1995;4:12-35.

    Examples
    --------
    The simulated six-site trial shaped like CORE (:func:`load_core_simulated`), adjusted
    for the number of previous admissions, age and site:

    >>> from rctkit.adjusted import adjusted_odds_ratio, load_core_simulated
    >>> data = load_core_simulated()
    >>> est = adjusted_odds_ratio(
    ...     data, outcome="readmitted", arm="arm", treatment="peer_support",
    ...     covariates=["prior_admissions", "age"], factors=["site"])
    >>> print(f"{est.estimate:.3f} ({est.ci.low:.3f} to {est.ci.high:.3f}), p = {est.pvalue:.3f}")
    0.730 (0.477 to 1.115), p = 0.146

    With a random intercept for site instead of fixed site effects:

    >>> est = adjusted_odds_ratio(
    ...     data, outcome="readmitted", arm="arm", treatment="peer_support",
    ...     covariates=["prior_admissions", "age"], random_intercept="site", method="wald")
    >>> print(f"{est.estimate:.3f} ({est.ci.low:.3f} to {est.ci.high:.3f}), "
    ...       f"site variance {est.random_intercept_variance:.4f}")
    0.751 (0.492 to 1.145), site variance 0.0388
    """
    method = check_choice(method, "method", METHODS)
    level = check_confidence_level(confidence_level)
    if not isinstance(firth, bool):
        raise InvalidInputError(f"`firth` must be True or False (got {firth!r})")
    if isinstance(n_agq, bool) or not isinstance(n_agq, int | np.integer) or not 1 <= n_agq <= 50:
        raise InvalidInputError(f"`n_agq` must be an integer from 1 to 50 (got {n_agq!r})")
    if method == "bootstrap":
        n_resamples = _check_resamples(n_resamples)
        generator = _check_rng(rng)
        if random_intercept is not None:
            raise InvalidInputError(
                '`method="bootstrap"` resamples participants and is not available with '
                '`random_intercept`; use method="profile" or "wald"'
            )
    if firth and random_intercept is not None:
        raise InvalidInputError("`firth=True` is not available with `random_intercept`")
    design = build_design(
        data,
        outcome=outcome,
        arm=arm,
        treatment=treatment,
        covariates=covariates,
        factors=factors,
        random_intercept=random_intercept,
        missing=missing,
    )
    if random_intercept is not None:
        return _random_intercept_or(design, method, level, int(n_agq))

    k = design.arm_index
    fit = _fit_glm(design, firth)
    beta = fit.beta[0]
    cov = _inverse(fit.info[0])
    coefficients = _coefficients(design.names, beta, cov)
    psi, se = float(beta[k]), float(coefficients[k].std_error)
    loglik_max = float(fit.loglik[0])
    common = _common_fields(design, psi, se, coefficients, loglik_max, level, method)
    common["firth"] = firth
    if method == "wald":
        return _wald_result(psi, se, level, coefficients[k], common)
    if method == "bootstrap":
        return _bootstrap_or(design, fit, firth, n_resamples, generator, level, common)

    free = np.ones(design.p, dtype=bool)
    free[k] = False
    warm = np.tile(beta, (2, 1))

    def constrained(psi_values: FloatArray) -> tuple[FloatArray, FloatArray]:
        # Two starts in one batch: the last constrained fit (warm) and the full fit. The
        # log-likelihood is concave and both reach its maximum; Firth's penalised one is not,
        # and a start can lead to a lower local maximum, so the higher of the two is kept.
        m = psi_values.size
        start = np.vstack([warm[:m], np.tile(beta, (m, 1))])
        start[:, k] = np.tile(psi_values, 2)
        res = newton_logistic(
            design.X, design.y, start=start, free=free, firth=firth, outer=design.outer
        )
        ok = res.converged & np.isfinite(res.loglik)
        ll = np.where(ok, res.loglik, -np.inf).reshape(2, m)
        pick = np.argmax(ll, axis=0) * m + np.arange(m)
        good = ok[pick]
        warm[:m] = np.where(good[:, None], res.beta[pick], warm[:m])
        # nan marks a failed fit; _profile_limits decides whether that is an error
        return np.where(good, res.loglik[pick], np.nan), res.score[pick, k]

    def null_loglik() -> float:
        null_start = beta.copy()
        null_start[k] = 0.0
        null = newton_logistic(
            design.X, design.y, start=null_start, free=free, firth=firth, outer=design.outer
        )
        if not null.converged[0]:
            raise RctkitError("the logistic model without the arm did not converge")
        return float(null.loglik[0])

    return _profile_result(constrained, null_loglik, psi, se, loglik_max, level, common)


def _common_fields(
    design: Design,
    psi: float,
    se: float,
    coefficients: Any,
    loglik_max: float,
    level: float,
    method: str,
) -> dict[str, Any]:
    """The fields every adjusted odds-ratio result carries, whatever the interval."""
    return {
        "measure": "odds_ratio",
        "estimate": math.exp(psi),
        "confidence_level": level,
        "method": method,
        "std_error": se,
        "coefficients": coefficients,
        "n_used": design.n,
        "n_dropped": design.n_dropped,
        "log_likelihood": loglik_max,
    }


def _wald_result(
    psi: float, se: float, level: float, coefficient: Coefficient, common: dict[str, Any]
) -> AdjustedEstimate:
    """The Wald interval and test of the arm's coefficient."""
    z = special.ndtri(0.5 + level / 2.0)
    return AdjustedEstimate(
        ci=ConfidenceInterval(math.exp(psi - z * se), math.exp(psi + z * se)),
        pvalue=coefficient.pvalue,
        statistic=coefficient.statistic,
        **common,
    )


def _profile_result(
    constrained: Callable[[FloatArray], tuple[FloatArray, FloatArray]],
    null_loglik: Callable[[], float],
    psi: float,
    se: float,
    loglik_max: float,
    level: float,
    common: dict[str, Any],
) -> AdjustedEstimate:
    """The profile-likelihood interval and the likelihood-ratio test of the arm."""
    q = float(stats.chi2.ppf(level, 1))
    limits, ok = _profile_limits(constrained, psi, se, loglik_max, q)
    if not ok.all():
        raise RctkitError("the profile-likelihood limits did not converge")
    _warn_unbounded(limits, psi)
    lr = max(0.0, 2.0 * (loglik_max - null_loglik()))
    return AdjustedEstimate(
        ci=ConfidenceInterval(math.exp(limits[0]), math.exp(limits[1])),
        pvalue=float(stats.chi2.sf(lr, 1)),
        statistic=lr,
        **common,
    )


def _bootstrap_or(
    design: Design,
    fit: LogisticFit,
    firth: bool,
    n_resamples: int,
    rng: np.random.Generator,
    level: float,
    common: dict[str, Any],
) -> AdjustedEstimate:
    k = design.arm_index
    weights = _resample_weights(design, n_resamples, rng)
    X, y, outer = design.X, design.y, design.outer
    # Participants with the same covariates and outcome enter every (penalised) likelihood
    # only through the sum of their weights: fit on the distinct rows, exactly.
    patterns, inverse = np.unique(np.column_stack([X, y]), axis=0, return_inverse=True)
    if patterns.shape[0] < design.n:
        onehot = np.zeros((design.n, patterns.shape[0]))
        onehot[np.arange(design.n), inverse.ravel()] = 1.0
        weights = weights @ onehot
        X, y = patterns[:, :-1], patterns[:, -1]
        outer = _outer(X) if outer is not None else None
    res = newton_logistic(
        X,
        y,
        weights=weights,
        start=fit.beta[0],
        firth=firth,
        outer=outer,
        line_search=False,
    )
    psi = res.beta[:, k].copy()
    failed = ~res.converged
    runaway = failed & (np.abs(psi) > 15.0)
    psi[runaway] = np.copysign(np.inf, psi[runaway])
    n_failed = int(failed.sum())
    if n_failed:
        _warnings.warn(
            f"{n_failed} of {n_resamples} bootstrap refits did not converge (separated "
            f"resamples); {int(runaway.sum())} of them give an infinite log odds ratio"
        )
    low, high = _percentile(psi, level)
    return AdjustedEstimate(
        ci=ConfidenceInterval(math.exp(low), math.exp(high)),
        pvalue=None,
        statistic=None,
        n_failed=n_failed,
        **common,
    )


def _random_intercept_or(
    design: Design, method: str, level: float, n_agq: int
) -> AdjustedEstimate:
    k = design.arm_index
    p = design.p
    model = _RandomInterceptModel(design, n_agq)
    glm = _fit_glm(
        design,
        firth=False,
        advice="The random-intercept model has no Firth option; fit site as a factor with "
        "firth=True instead",
    )
    # start sigma at the best of a few values with beta at the ordinary logistic fit: the
    # likelihood is not concave in sigma far from its maximum, and Newton from a poor start
    # wanders (the modes are reset for each trial value)
    candidates = []
    for sigma0 in (0.1, 0.3, 0.6, 1.0, 2.0):
        model.modes = np.zeros(model.m)
        candidates.append(model.evaluate(np.r_[glm.beta[0], sigma0], False)[0])
    model.modes = np.zeros(model.m)
    start = np.r_[glm.beta[0], (0.1, 0.3, 0.6, 1.0, 2.0)[int(np.argmax(candidates))]]
    free = np.ones(p + 1, dtype=bool)
    theta, loglik_max, _, _, converged = model.fit(start, free)
    if not converged:
        raise RctkitError("the random-intercept model did not converge")
    modes_hat = model.modes.copy()
    cov = _inverse(-model.hessian(theta))
    coefficients = _coefficients(design.names, theta[:p], cov[:p, :p])
    psi, se = float(theta[k]), coefficients[k].std_error
    common = _common_fields(design, psi, se, coefficients, loglik_max, level, method)
    common["random_intercept_sd"] = abs(float(theta[p]))
    if method == "wald":
        return _wald_result(psi, se, level, coefficients[k], common)
    free_c = free.copy()
    free_c[k] = False
    # constrained fits start with sigma away from 0, where its gradient vanishes by symmetry
    theta_start = theta.copy()
    theta_start[p] = max(abs(float(theta[p])), 0.1)
    warm = [theta_start.copy(), theta_start.copy()]
    warm_modes = [modes_hat.copy(), modes_hat.copy()]

    def constrained(psi_values: FloatArray) -> tuple[FloatArray, FloatArray]:
        ll = np.empty(psi_values.size)
        slope = np.empty(psi_values.size)
        for j, value in enumerate(psi_values):
            start_j = warm[j].copy()
            start_j[k] = value
            model.modes = warm_modes[j].copy()
            th, ll_j, grad, _, ok = model.fit(start_j, free_c)
            if not ok:
                raise RctkitError("a constrained random-intercept fit did not converge")
            warm[j], warm_modes[j] = th, model.modes.copy()
            ll[j], slope[j] = ll_j, grad[k]
        return ll, slope

    def null_loglik() -> float:
        null_start = theta_start.copy()
        null_start[k] = 0.0
        model.modes = modes_hat.copy()
        _, ll_null, _, _, ok_null = model.fit(null_start, free_c)
        if not ok_null:
            raise RctkitError("the random-intercept model without the arm did not converge")
        return float(ll_null)

    return _profile_result(constrained, null_loglik, psi, se, loglik_max, level, common)


# --------------------------------------------------------------------------------------------
# Marginal effects by standardisation
# --------------------------------------------------------------------------------------------


def _standardised(design: Design, beta: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean fitted risks with everyone treated and with everyone control, per row of beta."""
    X1, X0 = design.with_arm(1.0), design.with_arm(0.0)
    return (
        np.asarray(special.expit(beta @ X1.T).mean(axis=-1)),
        np.asarray(special.expit(beta @ X0.T).mean(axis=-1)),
    )


def _contrast(measure: str, m1: FloatArray, m0: FloatArray) -> FloatArray:
    """The effect on the interval's scale: difference, log risk ratio or log odds ratio."""
    if measure == "risk_difference":
        return np.asarray(m1 - m0)
    if measure == "risk_ratio":
        return np.asarray(np.log(m1) - np.log(m0))
    return np.asarray(special.logit(m1) - special.logit(m0))


def marginal_effect(
    data: Any,
    *,
    outcome: Hashable,
    arm: Hashable,
    treatment: Any,
    covariates: Any = (),
    factors: Any = (),
    measure: str = "risk_difference",
    method: str = "delta",
    variance: str = "sandwich",
    confidence_level: float = 0.95,
    firth: bool = False,
    n_resamples: int = 2000,
    rng: Any = None,
    missing: str = "raise",
) -> MarginalEstimate:
    r"""A covariate-adjusted marginal effect by standardisation (g-computation).

    Fits the logistic model of :func:`adjusted_odds_ratio`, predicts every participant's
    risk under the treatment and under the control, and compares the two averages: the
    approach of the FDA's 2023 guidance on covariate adjustment for binary outcomes.

    Parameters
    ----------
    data, outcome, arm, treatment, covariates, factors, firth, missing
        As for :func:`adjusted_odds_ratio`.
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}, optional
        The marginal contrast of the standardised risks.
    method : {"delta", "bootstrap"}, optional
        Delta-method Wald interval (default) or percentile bootstrap (participants resampled
        within arms, every resample refitted).
    variance : {"sandwich", "model"}, optional
        For the delta method: ``"sandwich"`` (default) is the stacked-estimating-equation
        sandwich, which counts the covariates' sampling variability and stays valid when the
        logistic model is wrong (Ye et al. 2023); ``"model"`` is Ge et al. (2011): the
        model-based covariance of the coefficients, with the covariates held fixed.
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95.
    n_resamples, rng
        For the bootstrap, as in :func:`adjusted_odds_ratio`.

    Returns
    -------
    MarginalEstimate
        ``measure`` as asked; ``risk_treatment`` and ``risk_control`` the standardised risks;
        ``pvalue`` the Wald test of no effect (None for the bootstrap).

    Raises
    ------
    InvalidInputError, SeparationError
        As for :func:`adjusted_odds_ratio`.

    Notes
    -----
    With :math:`\hat p_{ai} = \operatorname{expit}(x_i^{(a)\top}\hat\beta)` the fitted risk of
    participant :math:`i` with the arm set to :math:`a`, the standardised risks are
    :math:`\hat m_a = n^{-1}\sum_i \hat p_{ai}` and their gradients
    :math:`G_a = n^{-1}\sum_i \hat p_{ai}(1 - \hat p_{ai}) x_i^{(a)}`.

    - ``variance="model"`` (Ge et al. 2011):
      :math:`\operatorname{Var}(\hat m) = G\, I(\hat\beta)^{-1} G^\top`.
    - ``variance="sandwich"``: the influence function of :math:`\hat m_a` from the stacked
      estimating equations of :math:`(\beta, m_1, m_0)` is
      :math:`\phi_{ai} = \hat p_{ai} - \hat m_a + n G_a I(\hat\beta)^{-1} x_i (y_i - \hat\mu_i)`
      and :math:`\operatorname{Var}(\hat m) = n^{-2}\sum_i \phi_i\phi_i^\top` (no small-sample
      factor). Under simple randomisation it is consistent whether or not the model is right.

    The contrast and its standard error are on the risk-difference, log risk-ratio or log
    odds-ratio scale (delta method), the interval exponentiated for ratios and clipped to
    [-1, 1] for the difference. Separated data raise :class:`SeparationError` unless
    ``firth=True``; separated bootstrap resamples use their last Newton iterate (their fitted
    risks are then 0 or 1, the limit) and are counted in ``n_failed`` with a warning.

    References
    ----------
    U.S. Food and Drug Administration. Adjusting for covariates in randomized clinical
    trials for drugs and biological products. Guidance for industry, May 2023.
    Ge M, Durham LK, Meyer RD, Xie W, Thomas N. Covariate-adjusted difference in proportions
    from clinical trials using logistic regression and weighted risk differences. Drug Inf J
    2011;45:481-93.
    Ye T, Shao J, Yi Y, Zhao Q. Toward better practices of covariate adjustment in analyzing
    randomized clinical trials. J Am Stat Assoc 2023;118:2370-82.

    Examples
    --------
    >>> from rctkit.adjusted import load_core_simulated, marginal_effect
    >>> data = load_core_simulated()
    >>> est = marginal_effect(
    ...     data, outcome="readmitted", arm="arm", treatment="peer_support",
    ...     covariates=["prior_admissions", "age"], factors=["site"])
    >>> print(f"{est.estimate:.3f} ({est.ci.low:.3f} to {est.ci.high:.3f})")
    -0.063 (-0.148 to 0.022)
    >>> print(f"{est.risk_treatment:.3f} vs {est.risk_control:.3f}")
    0.307 vs 0.370
    """
    measure = check_choice(measure, "measure", MARGINAL_MEASURES)
    method = check_choice(method, "method", MARGINAL_METHODS)
    variance = check_choice(variance, "variance", VARIANCES)
    level = check_confidence_level(confidence_level)
    if not isinstance(firth, bool):
        raise InvalidInputError(f"`firth` must be True or False (got {firth!r})")
    if method == "bootstrap":
        n_resamples = _check_resamples(n_resamples)
        generator = _check_rng(rng)
    design = build_design(
        data,
        outcome=outcome,
        arm=arm,
        treatment=treatment,
        covariates=covariates,
        factors=factors,
        missing=missing,
    )
    fit = _fit_glm(design, firth)
    beta = fit.beta[0]
    m1, m0 = (float(v[0]) for v in _standardised(design, beta[None, :]))
    contrast = float(_contrast(measure, np.array(m1), np.array(m0)))
    estimate = contrast if measure == "risk_difference" else math.exp(contrast)
    common: dict[str, Any] = {
        "measure": measure,
        "estimate": estimate,
        "confidence_level": level,
        "method": method,
        "risk_treatment": m1,
        "risk_control": m0,
        "n_used": design.n,
        "n_dropped": design.n_dropped,
    }
    back = (lambda x: x) if measure == "risk_difference" else math.exp
    if method == "bootstrap":
        weights = _resample_weights(design, n_resamples, generator)
        res = newton_logistic(
            design.X,
            design.y,
            weights=weights,
            start=beta,
            firth=firth,
            outer=design.outer,
        )
        r1, r0 = _weighted_standardised(design, res.beta, weights)
        values = _contrast(measure, r1, r0)
        n_failed = int((~res.converged).sum())
        if n_failed:
            _warnings.warn(
                f"{n_failed} of {n_resamples} bootstrap refits did not converge (separated "
                f"resamples); their fitted risks at the last iterate are used"
            )
        low, high = _percentile(values, level)
        ci = _clip(measure, back(low), back(high))
        return MarginalEstimate(ci=ci, pvalue=None, n_failed=n_failed, **common)

    n = design.n
    X1, X0 = design.with_arm(1.0), design.with_arm(0.0)
    p1, p0 = special.expit(X1 @ beta), special.expit(X0 @ beta)
    G = np.vstack([(p1 * (1 - p1)) @ X1, (p0 * (1 - p0)) @ X0]) / n
    info_inv = _inverse(fit.info[0])
    if variance == "model":
        V = G @ info_inv @ G.T
    else:
        # (with Firth the penalised score's extra term is O(1/n) per participant and left out)
        mu = special.expit(design.X @ beta)
        score_i = design.X * (design.y - mu)[:, None]  # (n, p)
        phi = np.column_stack([p1 - m1, p0 - m0]) + n * score_i @ info_inv @ G.T
        V = phi.T @ phi / (n * n)
    if measure == "risk_difference":
        grad = np.array([1.0, -1.0])
    elif measure == "risk_ratio":
        grad = np.array([1.0 / m1, -1.0 / m0])
    else:
        grad = np.array([1.0 / (m1 * (1 - m1)), -1.0 / (m0 * (1 - m0))])
    se = float(math.sqrt(grad @ V @ grad))
    z = float(special.ndtri(0.5 + level / 2.0))
    ci = _clip(measure, back(contrast - z * se), back(contrast + z * se))
    pvalue = float(2.0 * special.ndtr(-abs(contrast / se)))
    return MarginalEstimate(ci=ci, pvalue=pvalue, std_error=se, variance=variance, **common)


def _weighted_standardised(
    design: Design, beta: FloatArray, weights: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Standardised risks of each resample, averaged over its own (weighted) participants."""
    X1, X0 = design.with_arm(1.0), design.with_arm(0.0)
    total = weights.sum(axis=1)
    r1 = (weights * special.expit(beta @ X1.T)).sum(axis=1) / total
    r0 = (weights * special.expit(beta @ X0.T)).sum(axis=1) / total
    return np.asarray(r1), np.asarray(r0)


def _clip(measure: str, low: float, high: float) -> ConfidenceInterval:
    if measure == "risk_difference":
        return ConfidenceInterval(max(-1.0, low), min(1.0, high))
    return ConfidenceInterval(low, high)
