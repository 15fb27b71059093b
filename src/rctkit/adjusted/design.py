"""The design of a covariate-adjusted logistic model: columns, missing values, encoding.

:func:`build_design` validates the columns of a table and builds the model matrix
(:class:`Design`); :func:`load_core_simulated` loads the example data set.
"""

from __future__ import annotations

from collections.abc import Hashable
from importlib import resources
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from rctkit import _warnings
from rctkit._validation import check_choice, column_list, column_names, missing_mask
from rctkit.adjusted.blocked import FactorLayout
from rctkit.errors import CostLimitError, InvalidInputError

__all__ = ["Design", "build_design", "load_core_simulated"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MISSING = ("raise", "drop")

#: Largest n * p * p for which Design keeps the row-wise products x_i x_i' (128 MiB).
OUTER_MAX = 2**24
#: A factor with at least this many levels is fitted through its diagonal block of the
#: information matrix (``rctkit.adjusted.blocked``).
BLOCK_LEVELS = 8
#: Most coefficients a model may have (the covariance matrix is inverted, O(p^3)).
MAX_COEFFICIENTS = 2000
#: Largest model matrix, participants x coefficients (2^27 floats: 1 GiB).
MAX_DESIGN_FLOATS = 2**27
#: Largest cost of one Newton iteration, participants x d^2 with d the coefficients outside
#: the widest factor of BLOCK_LEVELS or more levels (all of them without one).
MAX_FIT_COST = 2**31


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


def _read_column(data: Any, name: Hashable) -> npt.NDArray[Any]:
    col = data[name]
    to_numpy = getattr(col, "to_numpy", None)
    arr = np.asarray(to_numpy() if callable(to_numpy) else col)
    if arr.ndim != 1:
        raise InvalidInputError(
            f"column {name!r} of `data` must be one-dimensional (got shape {arr.shape})"
        )
    return arr


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
    except OverflowError:
        raise InvalidInputError(
            f"covariate {name!r} holds a value beyond the range of double precision "
            f"(about 1.8e308); rescale the column"
        ) from None
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
    factor_columns : tuple of (int, int)
        Each factor's dummies as a column range ``(start, stop)`` of ``X``.
    factor_levels : tuple of (str, tuple)
        Each factor's name and its levels in code order (the first is the reference), in
        the order of ``factor_columns``.
    scale_exponents : ndarray of int, shape (p,)
        Each numeric covariate enters ``X`` multiplied by :math:`2^{-e}`, an exact power of
        two that brings its largest magnitude into [0.5, 1) (``e = 0`` for the other
        columns): a covariate of 1e300 or 1e-300 fits like one of 1. The coefficients of the
        covariate as given are those of ``X`` times :math:`2^{-e}`
        (:meth:`original_scale`); the arm's is not scaled.
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
    factor_columns: tuple[tuple[int, int], ...] = ()
    scale_exponents: IntArray | None = None
    factor_levels: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def original_scale(self, values: FloatArray) -> FloatArray:
        """Coefficients (or their standard errors) of ``X``, shape (..., p), on the scale of
        the columns as given (exact: a multiplication by a power of two)."""
        values = np.asarray(values, dtype=np.float64)
        if self.scale_exponents is None:
            return values
        with np.errstate(over="ignore"):  # beyond 1.8e308: reported as infinite
            return np.asarray(np.ldexp(values, -self.scale_exponents))

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
        label not in the arm column, constant or infinite covariates, one-level factors, a
        rank-deficient model matrix.
    CostLimitError
        Before the model matrix is built: more than ``MAX_COEFFICIENTS`` (2000) coefficients,
        participants x coefficients above ``MAX_DESIGN_FLOATS`` (2^27, 1 GiB), or
        participants x d^2 above ``MAX_FIT_COST`` (2^31), ``d`` the coefficients outside the
        widest factor of 8 or more levels.
    """
    missing = check_choice(missing, "missing", MISSING)
    available = column_names(data)
    covariate_names = column_list(covariates, "covariates")
    factor_names = column_list(factors, "factors")
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
    masks = {name: missing_mask(arr) for name, arr in columns.items()}
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
    n = n_rows - n_dropped
    if n == 0:
        empty = [f"{name!r} (`{role}`)" for role, name in roles if masks[name].all()]
        which = f"; column {', '.join(empty)} is all missing" if empty else ""
        raise InvalidInputError(f"`data` has no complete rows to analyse{which}")
    if n_dropped:
        _warnings.warn(f"{n_dropped} of {n_rows} rows dropped for missing values (missing='drop')")
        keep = ~drop
        columns = {name: arr[keep] for name, arr in columns.items()}

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
    exponents: list[int] = [0, 0]
    for name in covariate_names:
        values = _numeric(columns[name], name)
        if not np.all(np.isfinite(values)):
            raise InvalidInputError(
                f"covariate {name!r} holds {int((~np.isfinite(values)).sum())} infinite values"
            )
        if np.all(values == values[0]):
            raise InvalidInputError(
                f"covariate {name!r} is constant (all {n} values are {float(values[0])!r} "
                f"in double precision); drop it"
            )
        # an exact power of two brings the largest magnitude into [0.5, 1)
        exponent = int(np.frexp(np.abs(values).max())[1])
        exponents.append(exponent)
        blocks.append(np.ldexp(values, -exponent))
        names.append(str(name))
    factor_columns: list[tuple[int, int]] = []
    factor_levels: list[tuple[str, tuple[Any, ...]]] = []
    by_blocks = random_intercept is None
    for name in factor_names:
        levels, idx = _encode(columns[name], name, "factor")
        if len(levels) < 2:
            raise InvalidInputError(
                f"factor {name!r} has one level ({levels[0]!r} in all {n} rows)"
            )
        factor_columns.append((len(blocks), len(blocks) + len(levels) - 1))
        factor_levels.append((str(name), tuple(levels)))
        _check_size(n, len(blocks) + len(levels) - 1, factor_columns, by_blocks)
        exponents += [0] * (len(levels) - 1)
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

    _check_size(n, X.shape[1], factor_columns, by_blocks)
    _check_rank(X, names, wide_block(tuple(factor_columns)))
    # the products take n p^2 floats: kept up to 128 MiB, else information by batched matmul
    outer = row_products(X)
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
        factor_columns=tuple(factor_columns),
        scale_exponents=np.asarray(exponents, dtype=np.int64),
        factor_levels=tuple(factor_levels),
    )


def row_products(X: FloatArray) -> FloatArray | None:
    """:func:`outer_products` of ``X`` when they fit in ``OUTER_MAX`` floats, else None."""
    n, p = X.shape
    return outer_products(X) if n * p * p <= OUTER_MAX else None


def outer_products(X: FloatArray) -> FloatArray:
    """Row-wise products x_i x_i', flattened to shape (n, p * p)."""
    n, p = X.shape
    return np.asarray((X[:, :, None] * X[:, None, :]).reshape(n, p * p))


def wide_block(factor_columns: tuple[tuple[int, int], ...]) -> tuple[int, int] | None:
    """The column range of the factor with the most levels, if it has ``BLOCK_LEVELS`` or more
    (its dummies are then handled by blocks, ``rctkit.adjusted.blocked``)."""
    widest = max(factor_columns, key=lambda c: c[1] - c[0], default=None)
    return widest if widest is not None and widest[1] - widest[0] >= BLOCK_LEVELS else None


def _check_size(
    n: int, p: int, factor_columns: list[tuple[int, int]], by_blocks: bool = True
) -> None:
    """Refuse, before the model matrix is built, a model whose fit would cost too much
    (``by_blocks=False``: the random-intercept model, whose fits are dense)."""
    block = wide_block(tuple(factor_columns)) if by_blocks else None
    d = p if block is None else p - (block[1] - block[0])
    alternative = (
        "fit a many-level factor (site) as a random intercept (`random_intercept=`), merge "
        "rare levels, or analyse fewer covariates"
    )
    if p > MAX_COEFFICIENTS:
        raise CostLimitError(
            f"the model would have {p:,} coefficients, more than the limit of "
            f"{MAX_COEFFICIENTS:,} (its covariance matrix costs p^3): {alternative}"
        )
    if n * p > MAX_DESIGN_FLOATS:
        raise CostLimitError(
            f"the model matrix would hold {n:,} participants x {p:,} coefficients = "
            f"{n * p:,} numbers, more than the limit of {MAX_DESIGN_FLOATS:,} (1 GiB): "
            f"{alternative}"
        )
    if n * d * d > MAX_FIT_COST:
        raise CostLimitError(
            f"each Newton iteration would cost {n:,} participants x {d}^2 coefficients "
            f"(outside the widest factor) = {n * d * d:.3g}, more than the limit of "
            f"{MAX_FIT_COST:.3g}: {alternative}"
        )


def _check_rank(X: FloatArray, names: list[str], block: tuple[int, int] | None) -> None:
    n, p = X.shape
    if n < p:
        raise InvalidInputError(
            f"the model has {p} coefficients but only {n} participants to estimate them"
        )
    if block is None:
        _dependent_columns(X, names)
        return
    # With a wide factor, X'X is singular exactly when the Schur complement of the factor's
    # diagonal block is: the other columns with their mean within each level taken out (the
    # level counts are positive, since every level occurs in the data).
    layout = FactorLayout(X, block)
    _, C, D = layout.blocks(np.ones((1, n)))
    means = np.concatenate([C[0] / D[0], np.zeros((C.shape[1], 1))], axis=1)
    within = layout.XD - means[:, layout.level].T
    _dependent_columns(within, [names[i] for i in layout.dense], p)


def _dependent_columns(X: FloatArray, names: list[str], p: int | None = None) -> None:
    """Raise naming the columns of ``X`` that are (nearly) linear combinations of the others."""
    k = X.shape[1]
    # cheap screen on the scaled cross-product matrix; a QR with pivoting names the culprits
    gram = X.T @ X
    scale = np.sqrt(np.diag(gram))
    scale = np.where(scale > 0.0, scale, 1.0)  # a zero column is caught below
    eig = np.linalg.eigvalsh(gram / np.outer(scale, scale))
    if eig[0] > 1e-10 * eig[-1]:
        return
    from scipy import linalg  # only for a (nearly) rank-deficient model

    _, r, piv = linalg.qr(X / scale, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int(np.sum(diag > diag[0] * 1e-7))
    rank = min(rank, k - 1)
    total = k if p is None else p
    dependent = ", ".join(repr(names[i]) for i in sorted(piv[rank:].tolist()))
    raise InvalidInputError(
        f"the model matrix is rank deficient or nearly so ({k - rank} of {total} columns are "
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
