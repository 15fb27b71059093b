"""The fragility index of a two-arm trial with a binary outcome, and its reverse.

:func:`fragility_index` counts the fewest participants whose outcome would have to be
different for the test's decision at ``alpha`` to reverse: for a significant result the
fragility index of Walsh et al. (2014), for a non-significant one the reverse fragility index
of Khan et al. (2020). Both depend on which arm is changed, in which direction, on the test
and on alpha (Lin 2021; Potter 2020; Baer et al. 2021), so the function takes each of those
as an option and the result reports them. See :doc:`/fragility`.

The search is exact: the candidate tables, ordered by the number of outcomes changed, are
built as arrays and tested in a few calls of :func:`rctkit.batch.hypothesis_test`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from rctkit import _validation
from rctkit.batch import TEST_METHODS, hypothesis_test
from rctkit.errors import InvalidInputError, RctkitWarning
from rctkit.model import BinaryOutcome
from rctkit.results.fragility import FragilityResult

__all__ = ["ARMS", "VARIANTS", "fragility_index"]

#: The rules for which outcomes may change (see :func:`rctkit.fragility_index`).
ARMS: tuple[str, ...] = ("both", "walsh", "treatment", "control")

#: ``"walsh"`` (every change permitted) or ``"incidence"`` (only sufficiently likely ones).
VARIANTS: tuple[str, ...] = ("walsh", "incidence")

IntArray = npt.NDArray[np.int64]


def _check(
    outcome: Any, method: Any, alpha: Any, arm: Any, variant: Any, likelihood: Any
) -> tuple[str, float, str, str, float | None]:
    _validation.check_instance(outcome, "outcome", BinaryOutcome)
    method = _validation.check_choice(method, "method", tuple(TEST_METHODS))
    alpha = _validation.check_real(alpha, "alpha")
    if not 0 < alpha < 1:
        raise InvalidInputError(f"`alpha` must lie strictly between 0 and 1 (got alpha={alpha})")
    arm = _validation.check_choice(arm, "arm", ARMS)
    variant = _validation.check_choice(variant, "variant", VARIANTS)
    if variant == "walsh":
        if likelihood is not None:
            raise InvalidInputError(
                '`likelihood` applies only to variant="incidence" '
                f"(got likelihood={likelihood!r} with variant='walsh')"
            )
        return method, alpha, arm, variant, None
    if likelihood is None:
        raise InvalidInputError(
            '`likelihood` (the threshold q) is required with variant="incidence" (got None)'
        )
    q = _validation.check_real(likelihood, "likelihood")
    if not 0 <= q <= 1:
        raise InvalidInputError(f"`likelihood` must lie between 0 and 1 (got likelihood={q})")
    return method, alpha, arm, variant, q


def walsh_arm(events: tuple[int, int], totals: tuple[int, int]) -> int:
    """Walsh's arm: 0 (treatment) or 1 (control), the one with fewer events; a tie goes to
    the arm with the lower risk, then to the treatment arm."""
    (a, c), (n1, n2) = events, totals
    if a != c:
        return 0 if a < c else 1
    return 1 if c * n1 < a * n2 else 0


def _bounds(
    events: tuple[int, int],
    totals: tuple[int, int],
    significant: bool,
    arm: str,
    likelihood: float | None,
) -> list[tuple[int, int]]:
    """The permitted range ``(low, high)`` of the signed change in each arm."""
    bounds = [(-e, n - e) for e, n in zip(events, totals, strict=True)]
    if arm == "treatment":
        bounds[1] = (0, 0)
    elif arm == "control":
        bounds[0] = (0, 0)
    elif arm == "walsh":
        w = walsh_arm(events, totals)
        low, high = bounds[w]
        # Walsh (2014): non-events become events; reverse (Khan 2020): events become
        # non-events, in the arm with fewer events.
        bounds[w] = (max(low, 1), high) if significant else (low, min(high, -1))
        bounds[1 - w] = (0, 0)
    if likelihood is not None:
        for j, (e, n) in enumerate(zip(events, totals, strict=True)):
            low, high = bounds[j]
            # Baer et al. (2021): a change is sufficiently likely when the changed outcome
            # has probability >= q under the arm's observed incidence e / n.
            if e / n < likelihood:  # non-event -> event unlikely
                high = min(high, 0)
            if (n - e) / n < likelihood:  # event -> non-event unlikely
                low = max(low, 0)
            bounds[j] = (low, high)
    return bounds


def _candidates(
    bounds: list[tuple[int, int]], low_k: int, high_k: int
) -> tuple[IntArray, IntArray]:
    """Every permitted ``(x1, x2)`` with ``low_k <= |x1| + |x2| <= high_k``."""
    (l1, h1), (l2, h2) = bounds
    x1 = np.arange(max(l1, -high_k), min(h1, high_k) + 1, dtype=np.int64)
    x2 = np.arange(max(l2, -high_k), min(h2, high_k) + 1, dtype=np.int64)
    g1, g2 = np.meshgrid(x1, x2, indexing="ij")
    k = np.abs(g1) + np.abs(g2)
    keep = (k >= low_k) & (k <= high_k)
    return g1[keep], g2[keep]


def fragility_index(
    outcome: BinaryOutcome,
    *,
    method: str = "fisher",
    alpha: float = 0.05,
    arm: str = "both",
    variant: str = "walsh",
    likelihood: float | None = None,
) -> FragilityResult:
    """The fragility index (significant result) or reverse fragility index (non-significant).

    Parameters
    ----------
    outcome : BinaryOutcome
        The two arms' counts.
    method : str, optional
        The two-sided test, any method of :func:`rctkit.hypothesis_test`; default
        ``"fisher"`` (as Walsh et al.).
    alpha : float, optional
        The significance level, strictly between 0 and 1; a result is significant when
        p < alpha, non-significant when p >= alpha. Default 0.05.
    arm : {"both", "walsh", "treatment", "control"}, optional
        Which outcomes may change. ``"both"`` (default): any participant in either arm, in
        either direction; the index is the fewest changes over the whole grid of tables
        (Lin 2021's "both"/"both"). ``"walsh"``: Walsh's rule, in the arm with fewer events
        (a tie goes to the arm with the lower risk, then to the treatment arm) and only from
        non-event to event for a significant result; for a non-significant one only from event
        to non-event in that arm (our reading of Khan et al. 2020, who make the arm with fewer
        events fewer still). ``"treatment"`` or ``"control"``: that arm only, in either
        direction.
    variant : {"walsh", "incidence"}, optional
        ``"walsh"`` (default): every change the ``arm`` rule allows is permitted.
        ``"incidence"``: the incidence fragility index of Baer et al. (2021), which permits
        only sufficiently likely changes: in an arm with observed incidence
        ``p = events / total``, a change from non-event to event only when ``p >= q`` and
        from event to non-event only when ``1 - p >= q``, where q is ``likelihood``.
    likelihood : float, optional
        The threshold q in [0, 1] of ``variant="incidence"`` (required there; q = 0 gives
        the unconstrained index); must be None with ``variant="walsh"``.

    Returns
    -------
    FragilityResult
        The index, the quotient (index / total participants), the direction, the arm(s)
        changed and the signed changes, the modified table, the p-values before and after,
        the method, alpha and a sentence (``conclusion``). When no permitted change reverses
        the decision, ``index`` and ``quotient`` are None and ``reason`` says why (for
        example, a non-significant result whose arms cannot be moved far enough apart).

    Raises
    ------
    InvalidInputError
        For an ``outcome`` that is not a BinaryOutcome, an unknown ``method``, ``arm`` or
        ``variant``, ``alpha`` outside (0, 1), or a missing or misplaced ``likelihood``.

    Notes
    -----
    A change is counted per participant: ``+k`` in an arm is k participants changed from
    non-event to event, ``-k`` from event to non-event, totals fixed. The index is the
    minimum of ``|x_treatment| + |x_control|`` over the permitted changes whose table's
    decision differs from the original one. A table whose test is undefined (p is nan, as for
    the chi-squared test of a table in which no one or everyone has the event, which rctkit
    gives p = 1) counts as non-significant; rctkit's warnings about such candidate tables are
    not passed on (a warning about the original table is).
    When several changes of the minimal size reverse the decision, the result reports the one
    that reverses it most clearly (the largest p for a fragility index, the smallest for a
    reverse one).

    The search is exact: candidate tables are generated in blocks of increasing size
    (1, 2-3, 4-7, ... changes) and each block is tested in one vectorised call, stopping at
    the first block with a reversal. For ``arm="both"`` a block up to k changes holds about
    2k**2 tables, so an index in the hundreds costs a few hundred thousand tests.

    The index depends on alpha (CORE, Fisher p = 0.054: reverse index 7 at alpha 0.01, 3 at
    0.03, 1 at 0.05; at 0.1 the result is significant, with fragility index 3) and differs
    between arms, directions and tests (Lin 2021).

    References
    ----------
    Walsh M, Srinathan SK, McAuley DF, et al. The statistical significance of randomized
    controlled trial results is frequently fragile: a case for a Fragility Index. J Clin
    Epidemiol 2014;67:622-8.

    Khan MS, Fonarow GC, Friede T, et al. Application of the reverse fragility index to
    statistically nonsignificant randomized clinical trial results. JAMA Netw Open
    2020;3:e2012469.

    Lin L. Factors that impact fragility index and their visualizations. J Eval Clin Pract
    2021;27:356-64.

    Baer BR, Gaudino M, Charlson M, Fremes SE, Wells MT. Fragility indices for only
    sufficiently likely modifications. Proc Natl Acad Sci USA 2021;118:e2105254118.

    Examples
    --------
    >>> import rctkit as rk
    >>> outcome = rk.BinaryOutcome.from_counts(treatment=(3, 50), control=(12, 50))
    >>> res = rk.fragility_index(outcome, arm="walsh")
    >>> res.index, res.changed_arms, res.modified_table
    (1, ('treatment',), (4, 50, 12, 50))
    >>> print(res.conclusion)  # doctest: +NORMALIZE_WHITESPACE
    The result is significant at 0.05 (Fisher's exact test, p = 0.023); changing 1 treatment
    participant from non-event to event (4/50 vs 12/50) makes it non-significant (p = 0.054):
    fragility index 1, fragility quotient 0.01.
    """
    method, alpha, arm, variant, q = _check(outcome, method, alpha, arm, variant, likelihood)
    events = (outcome.treatment.events, outcome.control.events)
    totals = (outcome.treatment.total, outcome.control.total)
    table = (events[0], totals[0], events[1], totals[1])
    p0 = float(hypothesis_test(*([v] for v in table), method=method).pvalue[0])
    significant = bool(p0 < alpha)  # nan: not significant
    direction = "to-nonsignificant" if significant else "to-significant"
    bounds = _bounds(events, totals, significant, arm, q)
    max_k = sum(max(-low, high) for low, high in bounds)

    found: tuple[int, int, float] | None = None
    low_k = 1
    while low_k <= max_k and found is None:
        high_k = min(2 * low_k - 1, max_k)
        x1, x2 = _candidates(bounds, low_k, high_k)
        if x1.size:
            with warnings.catch_warnings():
                # the candidates are not the user's data: their zero margins are no news
                warnings.simplefilter("ignore", RctkitWarning)
                p = hypothesis_test(
                    events[0] + x1, totals[0], events[1] + x2, totals[1], method=method
                ).pvalue
            flips = ~(p < alpha) if significant else p < alpha
            if flips.any():
                k = (np.abs(x1) + np.abs(x2))[flips]
                pf, x1f, x2f = p[flips], x1[flips], x2[flips]
                best = k == k.min()
                # the clearest reversal among the smallest: nan (undefined) counts as p = 1
                clear = np.where(np.isnan(pf), 1.0, pf)[best]
                pick = int(np.argmax(clear) if significant else np.argmin(clear))
                found = (int(x1f[best][pick]), int(x2f[best][pick]), float(pf[best][pick]))
        low_k = high_k + 1

    common: dict[str, Any] = {
        "direction": direction,
        "arm": arm,
        "table": table,
        "pvalue": p0,
        "method": method,
        "alpha": alpha,
        "variant": variant,
        "likelihood": q,
    }
    if found is None:
        target = "non-significant" if significant else "significant"
        reason = (
            f"no table within the permitted changes (treatment {bounds[0][0]} to "
            f"{bounds[0][1]}, control {bounds[1][0]} to {bounds[1][1]}) is {target}"
        )
        return FragilityResult(
            index=None,
            quotient=None,
            changed_arms=(),
            treatment_change=0,
            control_change=0,
            modified_table=None,
            modified_pvalue=float("nan"),
            reason=reason,
            **common,
        )
    d1, d2, p1 = found
    index = abs(d1) + abs(d2)
    changed = tuple(name for name, d in (("treatment", d1), ("control", d2)) if d != 0)
    return FragilityResult(
        index=index,
        quotient=index / (totals[0] + totals[1]),
        changed_arms=changed,
        treatment_change=d1,
        control_change=d2,
        modified_table=(events[0] + d1, totals[0], events[1] + d2, totals[1]),
        modified_pvalue=p1,
        **common,
    )
