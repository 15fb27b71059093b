"""Multiplicity: p-values adjusted for a family of hypotheses, and hierarchies of outcomes.

:func:`rctkit.adjust_pvalues` gives the adjusted p-values of the single-step and step-wise
procedures of R's ``p.adjust`` (Bonferroni, Holm, Hochberg, Hommel, Benjamini-Hochberg and
Benjamini-Yekutieli), computed as R computes them. :func:`rctkit.fixed_sequence` and
:func:`rctkit.fallback` test a declared order of outcomes (a primary outcome first, then
the secondary ones): the fixed-sequence procedure spends all of alpha on each hypothesis in
turn and stops at the first that is not rejected; the fallback procedure (Wiens 2003) splits
alpha by weights and carries the level of a rejected hypothesis forward to the next.

Every function returns a :class:`~rctkit.results.MultiplicityResult`: the raw and adjusted
p-values in input order, and the decisions at ``alpha`` (a hypothesis is rejected when its
adjusted p-value is at most ``alpha``).

References
----------
.. [1] Holm S. A simple sequentially rejective multiple test procedure. Scand J Stat
   1979;6:65-70.
.. [2] Hochberg Y. A sharper Bonferroni procedure for multiple tests of significance.
   Biometrika 1988;75:800-2.
.. [3] Hommel G. A stagewise rejective multiple test procedure based on a modified Bonferroni
   test. Biometrika 1988;75:383-6.
.. [4] Wright SP. Adjusted p-values for simultaneous inference. Biometrics 1992;48:1005-13.
.. [5] Benjamini Y, Hochberg Y. Controlling the false discovery rate: a practical and
   powerful approach to multiple testing. J R Stat Soc B 1995;57:289-300.
.. [6] Benjamini Y, Yekutieli D. The control of the false discovery rate in multiple testing
   under dependency. Ann Stat 2001;29:1165-88.
.. [7] Maurer W, Hothorn LA, Lehmacher W. Multiple comparisons in drug clinical trials and
   preclinical assays: a-priori ordered hypotheses. In: Vollmar J, ed. Biometrie in der
   chemisch-pharmazeutischen Industrie 6. Stuttgart: Fischer; 1995:3-18.
.. [8] Wiens BL. A fixed sequence Bonferroni procedure for testing multiple endpoints.
   Pharm Stat 2003;2:211-5.
.. [9] Wiens BL, Dmitrienko A. The fallback procedure for evaluating a single family of
   hypotheses. J Biopharm Stat 2005;15:929-42.
.. [10] Bretz F, Maurer W, Brannath W, Posch M. A graphical approach to sequentially
   rejective multiple test procedures. Stat Med 2009;28:586-604.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from rctkit._validation import check_choice, check_real
from rctkit.errors import InvalidInputError
from rctkit.formatting import format_number, format_p
from rctkit.model.multiplicity import PROCEDURES, Multiplicity
from rctkit.results._core import FloatArray
from rctkit.results.multiplicity import MultiplicityResult

__all__ = [
    "METHODS",
    "adjust_pvalues",
    "fallback",
    "fixed_sequence",
    "multiplicity_note",
    "trial_adjustment",
]

#: The methods of :func:`rctkit.adjust_pvalues` (``"fdr"`` is another name for ``"bh"``).
METHODS: tuple[str, ...] = PROCEDURES[:6]
_ALIASES: dict[str, str] = {"fdr": "bh"}


# -- validation --------------------------------------------------------------------------------


def _check_alpha(alpha: Any) -> float:
    value = check_real(alpha, "alpha")
    if not 0 < value < 1:
        raise InvalidInputError(f"`alpha` must lie strictly between 0 and 1 (got alpha={alpha!r})")
    return value


def _pvalues_and_names(
    pvalues: Any, names: Sequence[str] | None, *, allow_nan: bool
) -> tuple[FloatArray, tuple[str, ...]]:
    if isinstance(pvalues, Mapping):
        if names is not None:
            raise InvalidInputError(
                "`names` must be None when `pvalues` is a mapping (the keys are the names)"
            )
        names = [str(k) for k in pvalues]
        pvalues = list(pvalues.values())
    if isinstance(pvalues, str | bytes):
        raise InvalidInputError(f"`pvalues` must be a sequence of numbers (got {pvalues!r})")
    values = list(np.asarray(pvalues, dtype=object).reshape(-1)) if np.ndim(pvalues) else None
    if values is None or np.ndim(pvalues) != 1:
        raise InvalidInputError(
            f"`pvalues` must be one-dimensional (got an array of shape {np.shape(pvalues)})"
        )
    for v in values:
        if isinstance(v, bool | np.bool_) or not isinstance(
            v, int | float | np.integer | np.floating
        ):
            raise InvalidInputError(f"`pvalues` must hold real numbers (got {v!r})")
    p = np.asarray(values, dtype=np.float64)
    missing = np.isnan(p)
    if missing.any() and not allow_nan:
        raise InvalidInputError(
            "`pvalues` must not hold NaN in a hierarchy (got NaN at position "
            f"{int(np.flatnonzero(missing)[0])})"
        )
    bad = ~missing & ~((p >= 0) & (p <= 1))
    if bad.any():
        raise InvalidInputError(
            f"`pvalues` must lie between 0 and 1 (got {values[int(np.flatnonzero(bad)[0])]!r})"
        )
    if names is None:
        labels = tuple(f"H{i + 1}" for i in range(p.size))
    else:
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise InvalidInputError(f"`names` must be a sequence of strings (got {names!r})")
        labels = tuple(names)
        if len(labels) != p.size:
            raise InvalidInputError(
                f"`names` must have one name per p-value (got {len(labels)} names for "
                f"{p.size} p-values)"
            )
    if len(set(labels)) != len(labels):
        raise InvalidInputError(f"`names` must be distinct (got {list(labels)!r})")
    return p, labels


# -- the kernels (sorted, NaN-free p-values) ---------------------------------------------------


def _hommel_sorted(p: FloatArray) -> FloatArray:
    """Hommel's adjusted p-values of increasing ``p``, as R's ``p.adjust`` (Wright 1992)."""
    n = p.size
    i = np.arange(1, n + 1)
    q = np.full(n, np.min(n * p / i))
    pa = q.copy()
    for m in range(n - 1, 1, -1):
        i1 = slice(0, n - m + 1)
        i2 = slice(n - m + 1, n)
        q1 = np.min(m * p[i2] / np.arange(2, m + 1))
        q[i1] = np.minimum(m * p[i1], q1)
        q[i2] = q[n - m]
        pa = np.maximum(pa, q)
    out: FloatArray = np.maximum(pa, p)
    return out


def _adjust(p: FloatArray, method: str) -> FloatArray:
    """Adjusted p-values of NaN-free ``p`` (any order): R's ``p.adjust`` with ``n = p.size``."""
    n = p.size
    if n <= 1:
        same: FloatArray = p.copy()
        return same
    if method == "bonferroni":
        bonferroni: FloatArray = np.minimum(1.0, n * p)
        return bonferroni
    if method == "hommel" and n == 2:
        method = "hochberg"  # as R: Hommel's procedure is Hochberg's for two hypotheses
    out = np.empty(n)
    if method in ("holm", "hommel"):
        order = np.argsort(p, kind="stable")
        ps = p[order]
        if method == "holm":
            out[order] = np.minimum(1.0, np.maximum.accumulate((n + 1 - np.arange(1, n + 1)) * ps))
        else:
            out[order] = _hommel_sorted(ps)
        return out
    # Step-up procedures: from the largest p-value down (a stable decreasing order, as R's).
    order = np.argsort(-p, kind="stable")
    ps = p[order]
    i = np.arange(n, 0, -1)
    if method == "hochberg":
        scaled = (n + 1 - i) * ps
    elif method == "bh":
        scaled = n / i * ps
    else:  # "by"
        harmonic = math.fsum(1.0 / k for k in range(1, n + 1))
        scaled = harmonic * n / i * ps
    out[order] = np.minimum(1.0, np.minimum.accumulate(scaled))
    return out


# -- public functions --------------------------------------------------------------------------


def adjust_pvalues(
    pvalues: Mapping[str, float] | Sequence[float] | FloatArray,
    *,
    method: str = "holm",
    alpha: float = 0.05,
    names: Sequence[str] | None = None,
) -> MultiplicityResult:
    """Adjust p-values for multiple testing, as R's ``p.adjust``.

    Parameters
    ----------
    pvalues : mapping of str to float, or sequence of float
        The raw p-values of the family, each from 0 to 1; NaN marks a missing p-value. A
        mapping ``{name: p}`` names the hypotheses.
    method : {"holm", "bonferroni", "hochberg", "hommel", "bh", "by"}, optional
        The procedure: Holm's step-down (default), Bonferroni, Hochberg's step-up, Hommel's,
        Benjamini-Hochberg's false discovery rate (also ``"fdr"``) or
        Benjamini-Yekutieli's (valid under any dependence).
    alpha : float, optional
        The level at which ``rejected`` is decided:
        the family-wise error rate, the false discovery rate for ``"bh"`` and ``"by"``.
    names : sequence of str, optional
        The hypotheses' names when ``pvalues`` is a sequence (default ``"H1"``, ``"H2"``...).

    Returns
    -------
    MultiplicityResult
        ``pvalues``, ``adjusted`` (numpy arrays in input order) and ``rejected``
        (``adjusted <= alpha``).

    Raises
    ------
    InvalidInputError
        If a p-value is not a real number from 0 to 1 (or NaN), if ``pvalues`` is not
        one-dimensional, if ``names`` do not match, or if ``method`` or ``alpha`` is invalid.

    Notes
    -----
    With ``n`` the number of p-values that are not NaN and ``p_(1) <= ... <= p_(n)``:
    Bonferroni ``min(1, n p)``; Holm ``max_{j<=i} min(1, (n-j+1) p_(j))``; Hochberg
    ``min_{j>=i} min(1, (n-j+1) p_(j))``; Benjamini-Hochberg ``min_{j>=i} min(1, n p_(j)/j)``;
    Benjamini-Yekutieli the same times ``sum_{k<=n} 1/k``; Hommel the closed test of Simes
    tests, by Wright's algorithm (1992). The arithmetic is R's, in R's order, so that the
    values agree with ``p.adjust`` to the last bits. A NaN p-value stays NaN, is never rejected,
    and does not count in ``n`` (R's ``p.adjust`` with its default ``n``). One p-value (or
    none) is returned unchanged. Ties get equal adjusted p-values. Time ``O(n log n)``, and
    ``O(n^2)`` for Hommel.

    References
    ----------
    Holm (1979); Hochberg (1988); Hommel (1988); Wright (1992); Benjamini and Hochberg
    (1995); Benjamini and Yekutieli (2001): see the module's references.

    Examples
    --------
    >>> import rctkit as rk
    >>> result = rk.adjust_pvalues({"readmission": 0.012, "death": 0.0465, "falls": 0.30})
    >>> result.adjusted.round(4).tolist()
    [0.036, 0.093, 0.3]
    >>> result.rejected.tolist()
    [True, False, False]
    >>> rk.adjust_pvalues([0.012, 0.0465, 0.30], method="bh").adjusted.round(4).tolist()
    [0.036, 0.0698, 0.3]
    """
    method = _ALIASES.get(method, method) if isinstance(method, str) else method
    method = check_choice(method, "method", METHODS)
    level = _check_alpha(alpha)
    p, labels = _pvalues_and_names(pvalues, names, allow_nan=True)
    present = ~np.isnan(p)
    adjusted = np.full(p.size, np.nan)
    adjusted[present] = _adjust(p[present], method)
    return MultiplicityResult(
        method=method,
        alpha=level,
        names=labels,
        pvalues=p,
        adjusted=adjusted,
        rejected=present & (adjusted <= level),
    )


def _check_weights(weights: Any, size: int) -> FloatArray:
    if isinstance(weights, str | bytes | Mapping) or np.ndim(weights) != 1:
        raise InvalidInputError(f"`weights` must be a sequence of numbers (got {weights!r})")
    values = [check_real(w, "weights") for w in np.asarray(weights, dtype=object)]
    w = np.asarray(values, dtype=np.float64)
    if w.size != size:
        raise InvalidInputError(
            f"`weights` must have one weight per p-value (got {w.size} weights for {size} "
            "p-values)"
        )
    if (w < 0).any():
        raise InvalidInputError(f"`weights` must not be negative (got {values!r})")
    total = math.fsum(values)
    if size and not 0 < total <= 1 + 1e-12:
        raise InvalidInputError(
            f"`weights` must add up to more than 0 and at most 1 (got a sum of {total:g})"
        )
    return w


def _fallback_adjusted(p: FloatArray, weights: FloatArray) -> FloatArray:
    """Adjusted p-values of the fallback procedure: the sequentially rejective graphical
    procedure (Bretz et al. 2009, algorithm 2) on the graph that passes each hypothesis's
    weight to the next one (Wiens and Dmitrienko 2005)."""
    n = p.size
    w = weights.copy()
    graph = np.eye(n, k=1)
    remaining = np.ones(n, dtype=bool)
    adjusted = np.empty(n)
    floor = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(n):
            ratio = np.where(w > 0, p / w, np.inf)  # weight 0: not testable yet
            candidates = np.flatnonzero(remaining)
            j = int(candidates[np.argmin(ratio[candidates])])
            floor = max(floor, min(1.0, float(ratio[j])))
            adjusted[j] = floor
            remaining[j] = False
            # Pass j's weight on along its edges, and join the paths through j.
            w = np.where(remaining, w + w[j] * graph[j], 0.0)
            through = np.outer(graph[:, j], graph[j])
            denominator = 1.0 - graph[:, j] * graph[j]
            new = np.where(denominator[:, None] > 0, (graph + through) / denominator[:, None], 0.0)
            np.fill_diagonal(new, 0.0)
            new[:, j] = new[j, :] = 0.0
            new[~remaining] = 0.0
            graph = new
    return adjusted


def fixed_sequence(
    pvalues: Mapping[str, float] | Sequence[float] | FloatArray,
    *,
    alpha: float = 0.05,
    names: Sequence[str] | None = None,
) -> MultiplicityResult:
    """Test hypotheses in a declared order, each at the full ``alpha``, stopping at the first
    that is not rejected.

    Parameters
    ----------
    pvalues : mapping of str to float, or sequence of float
        The raw p-values in the declared order of testing (a mapping keeps its order), each
        from 0 to 1; NaN is refused (a hierarchy cannot skip a hypothesis).
    alpha : float, optional
        The family-wise error rate.
    names : sequence of str, optional
        The hypotheses' names when ``pvalues`` is a sequence.

    Returns
    -------
    MultiplicityResult
        ``adjusted`` is the running maximum of the raw p-values; ``rejected`` is
        ``adjusted <= alpha``: the hypotheses before the first p-value above ``alpha``.
        ``weights`` are ``(1, 0, ..., 0)``.

    Raises
    ------
    InvalidInputError
        If a p-value is not a real number from 0 to 1, or ``names`` or ``alpha`` is invalid.

    Notes
    -----
    The fixed-sequence (hierarchical) procedure of Maurer et al. (1995) controls the
    family-wise error rate strongly: it is the closed test whose intersection hypotheses
    are tested by their first member in the order. Its adjusted p-value of the ``i``-th
    hypothesis is ``max(p_1, ..., p_i)`` (Westfall and Krishen 2001). It is the fallback
    procedure with all the weight on the first hypothesis.

    References
    ----------
    Maurer, Hothorn and Lehmacher (1995); Westfall PH, Krishen A. Optimally weighted,
    fixed sequence and gatekeeper multiple testing procedures. J Stat Plan Inference
    2001;99:25-40.

    Examples
    --------
    >>> import rctkit as rk
    >>> result = rk.fixed_sequence({"readmission": 0.012, "death": 0.0465, "falls": 0.03})
    >>> result.adjusted.tolist(), result.rejected.tolist()
    ([0.012, 0.0465, 0.0465], [True, True, True])
    """
    level = _check_alpha(alpha)
    p, labels = _pvalues_and_names(pvalues, names, allow_nan=False)
    adjusted = np.maximum.accumulate(p) if p.size else p.copy()
    weights = np.zeros(p.size)
    weights[:1] = 1.0
    return _hierarchy("fixed-sequence", level, labels, p, adjusted, weights)


def fallback(
    pvalues: Mapping[str, float] | Sequence[float] | FloatArray,
    *,
    weights: Sequence[float] | FloatArray,
    alpha: float = 0.05,
    names: Sequence[str] | None = None,
) -> MultiplicityResult:
    """Wiens's fallback procedure: alpha split by weights, a rejected hypothesis's level
    carried forward to the next.

    Parameters
    ----------
    pvalues : mapping of str to float, or sequence of float
        The raw p-values in the declared order (a mapping keeps its order), each from 0 to 1;
        NaN is refused.
    weights : sequence of float
        The share of ``alpha`` of each hypothesis, in the same order: non-negative, adding up
        to at most 1.
    alpha : float, optional
        The family-wise error rate.
    names : sequence of str, optional
        The hypotheses' names when ``pvalues`` is a sequence.

    Returns
    -------
    MultiplicityResult
        ``adjusted`` p-values (Bretz et al. 2009) and ``rejected`` (``adjusted <= alpha``).

    Raises
    ------
    InvalidInputError
        If a p-value or a weight is invalid, or ``names`` or ``alpha`` is.

    Notes
    -----
    Hypothesis ``i`` is tested at ``alpha_i = w_i alpha``, plus ``alpha_{i-1}`` when
    hypothesis ``i - 1`` was rejected (Wiens 2003); a hypothesis that is not rejected keeps
    its level, and the procedure goes on to the next. The procedure is a closed test of
    weighted Bonferroni tests (Wiens and Dmitrienko 2005): the graphical procedure of Bretz et
    al. (2009) on the graph that passes all of each hypothesis's weight to the next one. The
    adjusted p-values are that graph's: the smallest ``alpha`` at which each hypothesis is
    rejected. Weights ``(1, 0, ..., 0)`` give the fixed sequence. The level of the last
    hypothesis, and the part of alpha left by weights adding up to less than 1, is not used.
    A hypothesis whose level is 0 (weight 0, nothing carried to it) is not rejected, even
    with ``p = 0``; its adjusted p-value is then that of the procedure's next step, or 1.
    Time ``O(n^3)`` for ``n`` hypotheses.

    References
    ----------
    Wiens (2003); Wiens and Dmitrienko (2005); Bretz, Maurer, Brannath and Posch (2009): see
    the module's references.

    Examples
    --------
    >>> import rctkit as rk
    >>> result = rk.fallback([0.01, 0.03, 0.02], weights=[0.5, 0.25, 0.25])
    >>> result.adjusted.round(4).tolist(), result.rejected.tolist()
    ([0.02, 0.04, 0.04], [True, True, True])
    """
    level = _check_alpha(alpha)
    p, labels = _pvalues_and_names(pvalues, names, allow_nan=False)
    w = _check_weights(weights, p.size)
    adjusted = _fallback_adjusted(p, w)
    return _hierarchy("fallback", level, labels, p, adjusted, w)


def _hierarchy(
    method: str,
    level: float,
    labels: tuple[str, ...],
    p: FloatArray,
    adjusted: FloatArray,
    weights: FloatArray,
) -> MultiplicityResult:
    """The result of a procedure over a declared hierarchy (no p-value is missing there)."""
    return MultiplicityResult(
        method=method,
        alpha=level,
        names=labels,
        pvalues=p,
        adjusted=adjusted,
        rejected=adjusted <= level,
        weights=weights,
    )


# -- a trial's declared family -----------------------------------------------------------------


def trial_adjustment(
    multiplicity: Multiplicity, pvalues: Mapping[str, float]
) -> MultiplicityResult:
    """Adjust the p-values of a trial's declared family by its declared procedure.

    Parameters
    ----------
    multiplicity : Multiplicity
        The family and the procedure (``Trial.multiplicity``).
    pvalues : mapping of str to float
        The raw p-value of each outcome, by name; it must hold every outcome of the family.

    Returns
    -------
    MultiplicityResult
        The family's p-values, in the declared order, adjusted.

    Raises
    ------
    InvalidInputError
        If an outcome of the family has no p-value, or a p-value is invalid.

    Notes
    -----
    A p-value that could not be computed (NaN) stays NaN and is not rejected by the
    procedures of :func:`rctkit.adjust_pvalues`; in a hierarchy (``"fixed-sequence"``,
    ``"fallback"``) it counts as 1: that outcome is not rejected, and the hypotheses after it
    are tested as the procedure goes on without it.

    References
    ----------
    See :func:`rctkit.adjust_pvalues`, :func:`rctkit.fixed_sequence` and :func:`rctkit.fallback`.

    Examples
    --------
    >>> import rctkit as rk
    >>> family = rk.Multiplicity(["death", "falls"], method="holm")
    >>> trial_adjustment(family, {"readmission": 0.012, "death": 0.0465, "falls": 0.30}).adjusted
    array([0.093, 0.3  ])
    """
    if not isinstance(multiplicity, Multiplicity):
        raise InvalidInputError(f"`multiplicity` must be a Multiplicity (got {multiplicity!r})")
    missing = [name for name in multiplicity.family if name not in pvalues]
    if missing:
        raise InvalidInputError(
            f"`pvalues` must hold every outcome of the family (missing {missing!r})"
        )
    raw = {name: pvalues[name] for name in multiplicity.family}
    method, alpha = multiplicity.method, multiplicity.alpha
    if method in METHODS:
        return adjust_pvalues(raw, method=method, alpha=alpha)
    known = {name: 1.0 if math.isnan(p) else p for name, p in raw.items()}
    if method == "fixed-sequence":
        return fixed_sequence(known, alpha=alpha)
    assert multiplicity.weights is not None  # Multiplicity requires weights with "fallback"
    return fallback(known, weights=multiplicity.weights, alpha=alpha)


def multiplicity_note(
    multiplicity: Multiplicity | None, pvalues: Mapping[str, float], *, style: str = "plain"
) -> str | None:
    """The report's note on a trial's declared family: the procedure and the adjusted p-values.

    Parameters
    ----------
    multiplicity : Multiplicity or None
        The family and the procedure (``Trial.multiplicity``); None gives None.
    pvalues : mapping of str to float
        The raw p-value of each outcome, by name.
    style : str, optional
        The journal style of the p-values (see :func:`rctkit.formatting.format_p`).

    Returns
    -------
    str or None
        One sentence naming the procedure, alpha and each outcome's adjusted p-value, printed
        by the journal rules (never rounded across 0.05).

    References
    ----------
    See :func:`trial_adjustment`.

    Examples
    --------
    >>> import rctkit as rk
    >>> family = rk.Multiplicity(["death", "falls"], method="holm")
    >>> print(multiplicity_note(family, {"death": 0.0465, "falls": 0.30}))
    P adjusted for multiplicity (Holm procedure, family-wise alpha 0.05): death 0.093; falls 0.30.
    """
    if multiplicity is None:
        return None
    result = trial_adjustment(multiplicity, pvalues)
    rate = "false discovery rate" if result.method in ("bh", "by") else "family-wise alpha"
    listed = "; ".join(
        f"{name} {format_p(float(a), style=style, prefix=False)}"
        for name, a in zip(result.names, result.adjusted, strict=True)
    )
    decimals = len(f"{result.alpha:.12f}".rstrip("0").split(".")[1])
    alpha = format_number(result.alpha, decimals, style=style)
    return f"P adjusted for multiplicity ({result.procedure} procedure, {rate} {alpha}): {listed}."
