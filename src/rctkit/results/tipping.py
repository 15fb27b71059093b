"""The result of a tipping-point analysis of missing outcomes: :class:`TippingPointResult`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from rctkit._validation import check_choice
from rctkit.errors import InvalidInputError
from rctkit.formatting import format_p
from rctkit.results._core import (
    MEASURE_LABELS,
    ConfidenceInterval,
    Displayed,
    FloatArray,
    Row,
    _level_percent,
    _pandas,
    short_number,
    short_p,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TIPPING_COLUMNS", "TippingCell", "TippingPointResult", "p_at_alpha"]

#: The columns of :meth:`TippingPointResult.to_frame`, in order.
TIPPING_COLUMNS: tuple[str, ...] = (
    "imputed_treatment",
    "imputed_control",
    "treatment_events",
    "treatment_total",
    "control_events",
    "control_total",
    "measure",
    "method",
    "test",
    "estimate",
    "conf_low",
    "conf_high",
    "pvalue",
    "significant",
    "holds",
)

BoolArray = npt.NDArray[np.bool_]


def p_at_alpha(pvalue: float, alpha: float, *, prefix: bool = True) -> str:
    """A p-value as :func:`rctkit.formatting.format_p` prints it, with more significant
    figures where that text would read on the other side of ``alpha`` (format_p already
    keeps 0.05; this keeps any ``alpha``)."""
    text = format_p(pvalue, prefix=prefix)
    bare = text.removeprefix("p = ")
    try:
        shown = float(bare)
    except ValueError:  # "<0.001" and the like: below any alpha we print
        return text
    digits = 2
    while (shown < alpha) != (pvalue < alpha) and digits < 17:
        digits += 1
        bare = f"{pvalue:.{digits}g}"
        shown = float(bare)
    return f"p = {bare}" if prefix else bare


@attrs.frozen(repr=False)
class TippingCell(Displayed):
    """One completed (or the observed-case) table of a tipping-point analysis.

    Attributes
    ----------
    label : str
        What the table is: ``"observed case"``, ``"best case"``, ``"worst case"`` or
        ``"completion"``.
    imputed_treatment, imputed_control : int or None
        How many of the missing participants of each arm were given the event (``i`` and
        ``j``); None for the observed-case (complete-case) table.
    treatment_events, treatment_total, control_events, control_total : int
        The table analysed.
    estimate : float
        The effect, treatment against control.
    ci : ConfidenceInterval
        Its interval at ``1 - alpha``.
    pvalue : float
        The p-value of the test.
    holds : bool
        Whether the observed-case conclusion holds for this table (always True for the
        observed case itself).
    """

    label: str
    imputed_treatment: int | None
    imputed_control: int | None
    treatment_events: int
    treatment_total: int
    control_events: int
    control_total: int
    estimate: float
    ci: ConfidenceInterval
    pvalue: float
    holds: bool

    def _title(self) -> str:
        return f"Tipping-point table, {self.label}"

    def _rows(self) -> list[Row]:
        t = f"{self.treatment_events}/{self.treatment_total}"
        c = f"{self.control_events}/{self.control_total}"
        est, low, high = (short_number(v) for v in (self.estimate, *self.ci))
        p = short_p(self.pvalue)
        return [
            Row("Table", self.label, f"{self.label!r}"),
            Row("Treatment", t, f"treatment={t}"),
            Row("Control", c, f"control={c}"),
            Row("Estimate", est, f"estimate={est}"),
            Row("CI", f"{low} to {high}", f"CI {low} to {high}"),
            Row("p-value", p, f"pvalue={p}"),
            Row("Conclusion holds", str(self.holds), f"holds={self.holds}"),
        ]


@attrs.frozen(eq=False, repr=False)
class TippingPointResult(Displayed):
    """Every way the missing outcomes could have turned out, and where the conclusion tips.

    The grids are indexed ``[i, j]``: ``i`` of the ``missing[0]`` missing treatment
    participants and ``j`` of the ``missing[1]`` missing control participants are given the
    event, so that cell ``[i, j]`` analyses ``treatment_events + i`` of
    ``treatment_total + missing[0]`` against ``control_events + j`` of
    ``control_total + missing[1]``. With nothing missing the grids are 1 x 1 (the observed
    table).

    Attributes
    ----------
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}
    method : str
        The interval method of ``measure``.
    test : str
        The hypothesis test of the p-values.
    alpha : float
        The significance level; the intervals are at ``1 - alpha``.
    higher_is_better : bool
        False (default): the event is harmful, so the best case for the treatment gives no
        missing treatment participant the event and every missing control participant the
        event. True: the event is a benefit, and the corners swap.
    treatment_events, treatment_total, control_events, control_total : int
        The observed (complete-case) table.
    missing : tuple of int
        The missing participants in the treatment and control arms.
    estimate, low, high, pvalue : numpy.ndarray
        Grids of shape ``(missing[0] + 1, missing[1] + 1)``.
    significant : numpy.ndarray of bool
        ``pvalue < alpha``.
    holds : numpy.ndarray of bool
        Where the observed-case conclusion holds: significant with the same direction of
        effect (the sign of the risk difference) when the observed case is significant,
        not significant when it is not.
    observed : TippingCell
        The observed-case (complete-case) analysis.
    best_case, worst_case : TippingCell
        The corners of the grid that favour the treatment most and least.
    conclusion : str
        The observed-case conclusion in words.
    sentence : str
        Where the conclusion tips, in words.
    outcome : str
        The outcome's name (a label).
    """

    measure: str
    method: str
    test: str
    alpha: float
    higher_is_better: bool
    treatment_events: int
    treatment_total: int
    control_events: int
    control_total: int
    missing: tuple[int, int]
    estimate: FloatArray
    low: FloatArray
    high: FloatArray
    pvalue: FloatArray
    significant: BoolArray
    holds: BoolArray
    observed: TippingCell
    best_case: TippingCell
    worst_case: TippingCell
    conclusion: str
    sentence: str
    outcome: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        """The grid's shape, ``(missing[0] + 1, missing[1] + 1)``."""
        return (self.missing[0] + 1, self.missing[1] + 1)

    @property
    def robust(self) -> bool:
        """Whether the conclusion holds in every completion."""
        return bool(self.holds.all())

    @property
    def tipping_points(self) -> tuple[tuple[int, int], ...]:
        """The cells ``(i, j)`` where the conclusion fails next to a cell (one step in ``i``
        or ``j``) where it holds: the first completions at which it tips, in C order."""
        h = self.holds
        fails = ~h
        near = np.zeros_like(h)
        near[1:, :] |= h[:-1, :]
        near[:-1, :] |= h[1:, :]
        near[:, 1:] |= h[:, :-1]
        near[:, :-1] |= h[:, 1:]
        return tuple((int(i), int(j)) for i, j in zip(*np.nonzero(fails & near), strict=True))

    @property
    def boundary(self) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
        """The pairs of neighbouring cells (one step in ``i`` or in ``j``) whose conclusions
        differ: the edges the tipping boundary runs along."""
        h = self.holds
        edges: list[tuple[tuple[int, int], tuple[int, int]]] = []
        for i, j in zip(*np.nonzero(h[1:, :] != h[:-1, :]), strict=True):
            edges.append(((int(i), int(j)), (int(i) + 1, int(j))))
        for i, j in zip(*np.nonzero(h[:, 1:] != h[:, :-1]), strict=True):
            edges.append(((int(i), int(j)), (int(i), int(j) + 1)))
        return tuple(sorted(edges))

    def cell(self, i: int, j: int) -> TippingCell:
        """The completion with ``i`` treatment and ``j`` control events imputed."""
        if not (0 <= i <= self.missing[0] and 0 <= j <= self.missing[1]):
            raise InvalidInputError(
                f"`(i, j)` must lie in the grid 0..{self.missing[0]} x 0..{self.missing[1]} "
                f"(got ({i}, {j}))"
            )
        return TippingCell(
            label="completion",
            imputed_treatment=i,
            imputed_control=j,
            treatment_events=self.treatment_events + i,
            treatment_total=self.treatment_total + self.missing[0],
            control_events=self.control_events + j,
            control_total=self.control_total + self.missing[1],
            estimate=float(self.estimate[i, j]),
            ci=ConfidenceInterval(float(self.low[i, j]), float(self.high[i, j])),
            pvalue=float(self.pvalue[i, j]),
            holds=bool(self.holds[i, j]),
        )

    def grid_text(self, quantity: str = "pvalue") -> str:
        """The grid as plain text: rows ``i`` (treatment events imputed), columns ``j``
        (control events imputed), a ``*`` beside each cell where the conclusion tips.

        ``quantity`` is ``"pvalue"`` (printed by :func:`rctkit.formatting.format_p`, with
        more figures where it would round across ``alpha``) or ``"estimate"``.
        """
        check_choice(quantity, "quantity", ("pvalue", "estimate"))
        m1, m0 = self.missing
        cells = [
            [
                (
                    p_at_alpha(float(self.pvalue[i, j]), self.alpha, prefix=False)
                    if quantity == "pvalue"
                    else short_number(float(self.estimate[i, j]))
                )
                + ("" if self.holds[i, j] else "*")
                for j in range(m0 + 1)
            ]
            for i in range(m1 + 1)
        ]
        width = max(len(c) for row in cells for c in row) + 2
        head = "i \\ j".ljust(6) + "".join(str(j).rjust(width) for j in range(m0 + 1))
        lines = [head] + [
            str(i).ljust(6) + "".join(c.rjust(width) for c in row) for i, row in enumerate(cells)
        ]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The grid in long form: a pandas DataFrame of one row per completed table.

        Returns
        -------
        pandas.DataFrame
            The columns ``rctkit.results.TIPPING_COLUMNS``, rows in C order of ``(i, j)``.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "rctkit[pandas]"``).
        """
        pandas = _pandas("to_frame")
        ii, jj = np.indices(self.shape)
        size = ii.size
        data: dict[str, object] = {
            "imputed_treatment": ii.reshape(-1).astype(np.int64),
            "imputed_control": jj.reshape(-1).astype(np.int64),
            "treatment_events": (self.treatment_events + ii).reshape(-1).astype(np.int64),
            "treatment_total": np.full(size, self.treatment_total + self.missing[0]),
            "control_events": (self.control_events + jj).reshape(-1).astype(np.int64),
            "control_total": np.full(size, self.control_total + self.missing[1]),
            "measure": np.full(size, self.measure, dtype=object),
            "method": np.full(size, self.method, dtype=object),
            "test": np.full(size, self.test, dtype=object),
            "estimate": self.estimate.reshape(-1),
            "conf_low": self.low.reshape(-1),
            "conf_high": self.high.reshape(-1),
            "pvalue": self.pvalue.reshape(-1),
            "significant": self.significant.reshape(-1).astype(bool),
            "holds": self.holds.reshape(-1).astype(bool),
        }
        frame: pd.DataFrame = pandas.DataFrame(data, columns=list(TIPPING_COLUMNS))
        return frame

    def _title(self) -> str:
        name = MEASURE_LABELS.get(self.measure, self.measure).lower()
        return f"Tipping-point analysis of missing outcomes, {name}"

    def _rows(self) -> list[Row]:
        m = f"{self.missing[0]} treatment, {self.missing[1]} control"
        n_hold = int(self.holds.sum())
        rows = [
            Row("Measure", self.measure, f"measure={self.measure!r}"),
            Row("Method", self.method, f"method={self.method!r}"),
            Row("Test", self.test, f"test={self.test!r}"),
            Row("Alpha", f"{self.alpha:g}", f"alpha={self.alpha:g}"),
            Row("Interval level", _level_percent(1 - self.alpha)),
            Row("Missing", m, f"missing={self.missing}"),
            Row("Conclusion", self.conclusion),
            Row(
                "Holds in",
                f"{n_hold} of {self.holds.size} completions",
                f"holds={n_hold}/{self.holds.size}",
            ),
            Row("Tipping", self.sentence),
        ]
        if self.outcome:
            rows.insert(0, Row("Outcome", self.outcome))
        return rows
