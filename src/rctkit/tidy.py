"""Every method on one outcome, side by side: :func:`~rctkit.compare_methods`, a tidy DataFrame.

The rows are the :meth:`~rctkit.Estimate.to_dict` and :meth:`~rctkit.TestResult.to_dict`
records of the scalar functions, so each number is exactly what ``rk.odds_ratio(outcome,
method=m)`` (and so on) returns.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rctkit import _engine, _validation
from rctkit.effects import odds_ratio, risk_difference, risk_ratio
from rctkit.errors import CostLimitError
from rctkit.hypothesis_tests import hypothesis_test
from rctkit.model import BinaryOutcome
from rctkit.nnt import number_needed_to_treat
from rctkit.results import Estimate, TestResult, records_frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COMPARE_COLUMNS", "COMPARE_MEASURES", "compare_methods"]

#: The measures :func:`~rctkit.compare_methods` knows, in the order of its rows; ``"test"``
#: stands for the hypothesis tests of no difference.
COMPARE_MEASURES: tuple[str, ...] = (
    "odds_ratio",
    "risk_ratio",
    "risk_difference",
    "nnt",
    "test",
)

#: The columns of :func:`~rctkit.compare_methods`, in order.
COMPARE_COLUMNS: tuple[str, ...] = (
    "outcome",
    "measure",
    "method",
    "label",
    "estimate",
    "conf_low",
    "conf_high",
    "confidence_level",
    "std_error",
    "statistic",
    "pvalue",
    "note",
)


def compare_methods(
    outcome: BinaryOutcome, *, measure: str | None = None, confidence_level: float = 0.95
) -> pd.DataFrame:
    """Every registered method of each measure on one outcome, side by side, as a DataFrame.

    Parameters
    ----------
    outcome : BinaryOutcome
        The two arms' counts.
    measure : {None, "odds_ratio", "risk_ratio", "risk_difference", "nnt", "test"}, optional
        One measure, or None (default) for all of them; ``"test"`` is the hypothesis tests of
        no difference (two-sided), ``"nnt"`` the number needed to treat (harmful event) from
        each risk-difference method.
    confidence_level : float, optional
        Strictly between 0 and 1; default 0.95. Tests have no interval.

    Returns
    -------
    pandas.DataFrame
        One row per measure x method, in the registry's order (the order of the docs and of
        errors), with the columns of ``rctkit.tidy.COMPARE_COLUMNS``: ``outcome`` (the outcome's
        name), ``measure``, ``method`` (the ``method=`` string), ``label`` (how reports name
        it), ``estimate``, ``conf_low``, ``conf_high``, ``confidence_level``, ``std_error``
        (see ``Estimate.std_error``), ``statistic`` (tests), ``pvalue`` and ``note``.
        Numbers a row does not have are ``nan``. ``note`` is ``""``, or the warnings the
        method raised on this table (each once, joined by ``"; "``), or why the method was
        refused.

    Raises
    ------
    InvalidInputError
        If ``outcome`` is not a BinaryOutcome, or ``measure`` or ``confidence_level`` is
        invalid.
    ImportError
        If pandas is not installed (``pip install "rctkit[pandas]"``).

    Notes
    -----
    Each row is computed by the public function of its measure (:func:`~rctkit.odds_ratio`,
    ..., :func:`~rctkit.hypothesis_test`), so the numbers are those functions' numbers. A
    method refused for its cost (:class:`~rctkit.CostLimitError`: Barnard's and Boschloo's
    tests above 10,000 participants) does not stop the comparison: its row has ``nan`` and the
    refusal in ``note``. The warnings of the methods (a zero cell for the Wald intervals, for
    example) are not issued but gathered into ``note``.

    The cost is the sum of the methods' costs: a few milliseconds for most tables, dominated by
    Barnard's and Boschloo's tests (about a second for a trial of 1,000 participants, and
    refused in their rows above 10,000).

    Examples
    --------
    >>> import rctkit as rk
    >>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216),
    ...                                     name="Readmission")
    >>> frame = rk.compare_methods(core, measure="risk_ratio")
    >>> list(frame["method"])
    ['wald', 'haldane', 'koopman', 'mn', 'chan-zhang', 'agresti-min']
    >>> print(f"{frame['conf_high'][0]:.4f}")
    0.9971
    """
    outcome = _engine.check_outcome(outcome)
    measures = (
        COMPARE_MEASURES
        if measure is None
        else (_validation.check_choice(measure, "measure", COMPARE_MEASURES),)
    )
    level = _validation.check_confidence_level(confidence_level)
    records: list[dict[str, object]] = []
    for name in measures:
        for method in _methods(name):
            records.append(_row(outcome, name, method, level))
    return records_frame(records, COMPARE_COLUMNS)


_EFFECTS: dict[str, Callable[..., Estimate]] = {
    "odds_ratio": odds_ratio,
    "risk_ratio": risk_ratio,
    "risk_difference": risk_difference,
}


def _methods(measure: str) -> tuple[str, ...]:
    if measure == "test":
        return tuple(_engine.TEST_METHODS)
    return tuple(_engine.EFFECT_METHODS["risk_difference" if measure == "nnt" else measure])


def _call(outcome: BinaryOutcome, measure: str, method: str, level: float) -> Callable[[], Any]:
    if measure == "test":
        return lambda: hypothesis_test(outcome, method=method)
    if measure == "nnt":
        return lambda: number_needed_to_treat(outcome, method=method, confidence_level=level)
    function = _EFFECTS[measure]
    return lambda: function(outcome, method=method, confidence_level=level)


def _row(outcome: BinaryOutcome, measure: str, method: str, level: float) -> dict[str, object]:
    """One row: the method's result as a record, its warnings or its refusal as the note."""
    label = _engine.method_label(
        "test" if measure == "test" else "risk_difference" if measure == "nnt" else measure,
        method,
    )
    row: dict[str, object] = {
        "outcome": outcome.name,
        "measure": measure,
        "method": method,
        "label": label,
        "confidence_level": math.nan if measure == "test" else level,
        "note": "",
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = _call(outcome, measure, method, level)()
        except CostLimitError as exc:
            row["note"] = f"refused: {exc}"
            return row
    messages = list(dict.fromkeys(str(w.message) for w in caught))
    row["note"] = "; ".join(messages)
    if isinstance(result, Estimate):
        row.update(result.to_dict())
    elif isinstance(result, TestResult):
        record = result.to_dict()
        row["statistic"] = record["statistic"]
        row["pvalue"] = record["pvalue"]
    return row
