"""The tipping-point analysis of missing binary outcomes.

When some randomised participants have no outcome, the complete-case analysis rests on an
assumption about them. The tipping-point analysis drops the assumption: it analyses every
way their outcomes could have turned out, and reports where the conclusion of the
complete-case analysis changes. See :func:`tipping_point`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rctkit import batch
from rctkit._engine import DEFAULT_METHODS, TEST_METHODS
from rctkit._validation import as_count, check_bool, check_choice, check_real
from rctkit.errors import InvalidInputError
from rctkit.formatting import format_number, null_value
from rctkit.model import BinaryOutcome, Trial
from rctkit.results import ConfidenceInterval
from rctkit.results.tipping import TippingCell, TippingPointResult, p_at_alpha

__all__ = ["tipping_point"]

_MEASURES = ("risk_difference", "risk_ratio", "odds_ratio")
_ESTIMATORS = {
    "risk_difference": batch.risk_difference,
    "risk_ratio": batch.risk_ratio,
    "odds_ratio": batch.odds_ratio,
}


def _missing(outcome_or_trial: Any, missing: Any) -> tuple[BinaryOutcome, tuple[int, int]]:
    if isinstance(outcome_or_trial, Trial):
        trial = outcome_or_trial
        outcome = trial.primary_outcome
        if outcome is None:
            raise InvalidInputError(
                "`outcome_or_trial` must have an outcome: the trial has no outcomes"
            )
        if missing is None:
            return outcome, trial.missing()
    elif isinstance(outcome_or_trial, BinaryOutcome):
        outcome = outcome_or_trial
        if missing is None:
            raise InvalidInputError(
                "`missing` must be given for a BinaryOutcome, which does not know how many "
                "were randomised: pass missing=(treatment, control), or a Trial whose arms "
                "give `allocated` (got missing=None)"
            )
    else:
        raise InvalidInputError(
            f"`outcome_or_trial` must be a BinaryOutcome or a Trial "
            f"(got {type(outcome_or_trial).__name__})"
        )
    if isinstance(missing, str) or not hasattr(missing, "__len__") or len(missing) != 2:
        raise InvalidInputError(
            f"`missing` must be a pair (treatment, control) of non-negative integers "
            f"(got {missing!r})"
        )
    m1 = as_count(missing[0], "missing[0]")
    m0 = as_count(missing[1], "missing[1]")
    return outcome, (m1, m0)


def _count_words(idx: list[int], m: int) -> str:
    """``idx`` (sorted, non-empty, not every count) of ``m`` in words: "at least 2 of the
    3", "none of the 4", "all 3", "1 to 2 of the 4", "0 or 2 of the 3"."""
    if idx == [0]:
        return f"none of the {m}"
    if idx == [m]:
        return f"all {m}"
    if idx == list(range(idx[0], m + 1)):
        return f"at least {idx[0]} of the {m}"
    if idx == list(range(0, idx[-1] + 1)):
        return f"at most {idx[-1]} of the {m}"
    if len(idx) == 1:
        return f"{idx[0]} of the {m}"
    if idx == list(range(idx[0], idx[-1] + 1)):
        return f"{idx[0]} to {idx[-1]} of the {m}"
    return ", ".join(str(i) for i in idx[:-1]) + f" or {idx[-1]} of the {m}"


def _sentence(holds: np.ndarray[Any, Any], missing: tuple[int, int], conclusion: str) -> str:
    """Where the conclusion tips: for each run of control counts ``j`` that share the same
    failing treatment counts ``i``, one clause."""
    m1, m0 = missing
    total = holds.size
    n_hold = int(holds.sum())
    if m1 == 0 and m0 == 0:
        return f"No outcome is missing; the observed-case conclusion stands: {conclusion}."
    if n_hold == total:
        return (
            f"The conclusion holds whatever the outcomes of the {m1} missing treatment and "
            f"{m0} missing control participants (all {total} completions)."
        )
    if n_hold == 0:
        return f"The conclusion holds in none of the {total} completions."
    groups: dict[tuple[int, ...], list[int]] = {}
    for j in range(m0 + 1):
        fails = tuple(int(i) for i in np.nonzero(~holds[:, j])[0])
        if fails:
            groups.setdefault(fails, []).append(j)
    clauses: list[str] = []
    for fails, js in groups.items():
        control = (
            f"{_count_words(js, m0)} missing control participants had the event"
            if len(js) < m0 + 1
            else ""
        )
        if len(fails) == m1 + 1:
            treatment = ""
        else:
            verb = "did" if control else "had the event"
            treatment = f"{_count_words(list(fails), m1)} missing treatment participants {verb}"
        clauses.append(" and ".join(c for c in (control, treatment) if c))
    return (
        f"The conclusion holds in {n_hold} of the {total} completions; it tips if "
        + "; or if ".join(clauses)
        + "."
    )


def tipping_point(
    outcome_or_trial: BinaryOutcome | Trial,
    *,
    missing: tuple[int, int] | None = None,
    measure: str = "risk_difference",
    method: str | None = None,
    alpha: float = 0.05,
    test: str | None = None,
    higher_is_better: bool = False,
) -> TippingPointResult:
    """Analyse every way the missing outcomes could have turned out.

    With ``m1`` participants missing in the treatment arm and ``m0`` in the control arm,
    there are ``(m1 + 1) (m0 + 1)`` completed tables: ``i`` of the ``m1`` and ``j`` of the
    ``m0`` had the event, ``i = 0..m1``, ``j = 0..m0``. Each is analysed with the effect
    measure's interval method and a hypothesis test, all in one vectorised call, and
    compared with the observed-case (complete-case) conclusion.

    Parameters
    ----------
    outcome_or_trial : BinaryOutcome or Trial
        The observed counts. A :class:`~rctkit.Trial` gives its primary outcome and, unless
        ``missing`` is passed, the missing counts :meth:`Trial.missing` (randomised minus
        the outcome's denominator, per arm).
    missing : tuple of two int, optional
        ``(m1, m0)``, the missing participants of the treatment and control arms. Needed
        for a BinaryOutcome; overrides the trial's counts for a Trial.
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}, optional
        The effect measure, treatment against control (default the risk difference).
    method : str, optional
        Its interval method (default ``rctkit.DEFAULT_METHODS[measure]``).
    alpha : float, optional
        The significance level (default 0.05); the intervals are at ``1 - alpha``.
    test : str, optional
        The hypothesis test of the p-values (default ``rctkit.DEFAULT_METHODS["test"]``,
        Pearson's chi-squared without continuity correction).
    higher_is_better : bool, optional
        False (default): the event is harmful (a readmission, a death), so the best case
        for the treatment is that no missing treatment participant and every missing
        control participant had it. True: the event is a benefit, and the corners swap.

    Returns
    -------
    TippingPointResult
        The grids ``estimate``, ``low``, ``high``, ``pvalue``, ``significant`` and
        ``holds`` indexed ``[i, j]``, the ``observed``, ``best_case`` and ``worst_case``
        tables, ``tipping_points``, ``boundary`` and a ``sentence``.

    Raises
    ------
    InvalidInputError
        If ``outcome_or_trial`` is neither a BinaryOutcome nor a Trial (or a Trial without
        outcomes), ``missing`` is missing for a BinaryOutcome or is not a pair of
        non-negative integers, or the measure, method, test, ``alpha`` or
        ``higher_is_better`` is not one allowed.

    Notes
    -----
    The observed-case conclusion is "significant" (``p < alpha``) in the direction of the
    observed risk difference, or "not significant". It *holds* in a completed table that is
    significant in the same direction (the sign of the completed table's risk difference),
    or, for a non-significant observed case, that is not significant. Significance is read
    from the test's p-value, not from the interval (Newcombe's interval, the default for
    the risk difference, may disagree with the chi-squared test at the edge). With nothing
    missing the grid is the 1 x 1 observed table. The direction of a table is that of its
    risks, which is the same for the three measures. Degenerate completed tables get the
    methods' documented answers (an empty margin: p = 1 for chi-squared; a zero cell: Woolf's
    and Katz's intervals [0, inf], the default method being kept in every cell, unlike the
    report's switch to ``rctkit.ZERO_CELL_METHODS``), with the batch API's warning, which
    counts the completed tables and the observed one. The sentence has one clause per run of
    control counts ``j``, so it grows with ``missing[1]``; the grid is the full answer.

    References
    ----------
    .. [1] Yan X, Lee S, Li N. Missing data handling methods in medical device clinical
       trials. J Biopharm Stat 2009;19:1085-1098.
    .. [2] Liublinska V, Rubin DB. Sensitivity analysis for a partially missing binary
       outcome in a two-arm randomized clinical trial. Stat Med 2014;33:4170-4185.

    Examples
    --------
    The CORE trial randomised 221 and 220 and analysed 218 and 216:

    >>> import rctkit as rk
    >>> from rctkit.io import example_trial
    >>> res = rk.tipping_point(example_trial())
    >>> res.missing, res.pvalue.shape
    ((3, 4), (4, 5))
    >>> print(res.conclusion)
    significant at alpha = 0.05, lower risk with treatment (risk difference -0.0907, p = 0.046)
    >>> res.robust
    False
    """
    outcome, (m1, m0) = _missing(outcome_or_trial, missing)
    measure = check_choice(measure, "measure", _MEASURES)
    if method is None:
        method = DEFAULT_METHODS[measure]
    if test is None:
        test = DEFAULT_METHODS["test"]
    test = check_choice(test, "test", tuple(TEST_METHODS))
    alpha = check_real(alpha, "alpha")
    if not 0.0 < alpha < 1.0:
        raise InvalidInputError(f"`alpha` must lie strictly between 0 and 1 (got alpha={alpha})")
    higher_is_better = check_bool(higher_is_better, "higher_is_better")

    e1, n1 = outcome.treatment.events, outcome.treatment.total
    e0, n0 = outcome.control.events, outcome.control.total
    ii, jj = np.indices((m1 + 1, m0 + 1))
    # The completed tables, flattened, and the observed table last: one batch call each.
    te = np.append((e1 + ii).reshape(-1), e1)
    tn = np.append(np.full(ii.size, n1 + m1), n1)
    ce = np.append((e0 + jj).reshape(-1), e0)
    cn = np.append(np.full(ii.size, n0 + m0), n0)
    est = _ESTIMATORS[measure](te, tn, ce, cn, method=method, confidence_level=1.0 - alpha)
    pvalue = np.asarray(batch.hypothesis_test(te, tn, ce, cn, method=test).pvalue, dtype=float)
    estimate = np.asarray(est.estimate, dtype=float)
    low, high = np.asarray(est.low, dtype=float), np.asarray(est.high, dtype=float)

    # The direction of each table, from its risks (exact: cross-multiplied integers).
    direction = np.sign(te * cn - ce * tn)
    significant = pvalue < alpha
    obs_sig, obs_dir = bool(significant[-1]), int(direction[-1])
    holds = (significant & (direction == obs_dir)) if obs_sig else ~significant

    shape = (m1 + 1, m0 + 1)

    def cell(k: int, label: str, i: int | None, j: int | None) -> TippingCell:
        return TippingCell(
            label=label,
            imputed_treatment=i,
            imputed_control=j,
            treatment_events=int(te[k]),
            treatment_total=int(tn[k]),
            control_events=int(ce[k]),
            control_total=int(cn[k]),
            estimate=float(estimate[k]),
            ci=ConfidenceInterval(float(low[k]), float(high[k])),
            pvalue=float(pvalue[k]),
            holds=bool(holds[k]),
        )

    best = (m1, 0) if higher_is_better else (0, m0)
    worst = (0, m0) if higher_is_better else (m1, 0)
    words = measure.replace("_", " ")
    p_obs = float(pvalue[-1])
    digits = 4 if measure == "risk_difference" else 2
    shown = format_number(float(estimate[-1]), digits, null=null_value(measure))
    effect = f"{words} {shown}"
    if obs_sig:
        side = {1: "higher", -1: "lower"}[obs_dir]
        conclusion = (
            f"significant at alpha = {alpha:g}, {side} risk with treatment "
            f"({effect}, {p_at_alpha(p_obs, alpha)})"
        )
    else:
        conclusion = f"not significant at alpha = {alpha:g} ({effect}, {p_at_alpha(p_obs, alpha)})"
    grid_holds = holds[:-1].reshape(shape)
    return TippingPointResult(
        measure=measure,
        method=method,
        test=test,
        alpha=alpha,
        higher_is_better=higher_is_better,
        treatment_events=e1,
        treatment_total=n1,
        control_events=e0,
        control_total=n0,
        missing=(m1, m0),
        estimate=estimate[:-1].reshape(shape),
        low=low[:-1].reshape(shape),
        high=high[:-1].reshape(shape),
        pvalue=pvalue[:-1].reshape(shape),
        significant=significant[:-1].reshape(shape),
        holds=grid_holds,
        observed=cell(ii.size, "observed case", None, None),
        best_case=cell(int(np.ravel_multi_index(best, shape)), "best case", *best),
        worst_case=cell(int(np.ravel_multi_index(worst, shape)), "worst case", *worst),
        conclusion=conclusion,
        sentence=_sentence(grid_holds, (m1, m0), conclusion),
        outcome=outcome.name,
    )
