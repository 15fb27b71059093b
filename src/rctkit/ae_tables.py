"""The standard harms tables from participant-level adverse events: SOC/PT, n (%), RD, RR, p.

:func:`ae_table` counts, over the safety population, the participants with at least one
treatment-emergent event overall, in each system organ class (SOC) and in each preferred term
(PT), per arm, with the events beside them; compares the arms in every row (the risk
difference, the risk ratio and Fisher's exact p, each computed once for all rows, as
:func:`rctkit.harms.harms_rows` does) and, where every participant's exposure is known, adds
exposure-adjusted incidence rates and their exact rate ratio.
:func:`rctkit.ae_severity.ae_severity_table` counts each participant once at their worst
grade (or severity). Counting is vectorised: ``numpy.unique`` on participant x row keys and
``numpy.bincount``, no loop over events or participants.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs
import numpy as np
import numpy.typing as npt

from rctkit import _engine, _validation, multiplicity
from rctkit.ae_counts import layout
from rctkit.ae_rates import EXPOSURES, rates
from rctkit.errors import InvalidInputError
from rctkit.formatting import format_ci, format_count, format_number, format_p, format_percent
from rctkit.harms import risk_comparisons
from rctkit.model import AdverseEventRecords, Trial
from rctkit.results import (
    ConfidenceInterval,
    Displayed,
    Estimate,
    Measure,
    Row,
    _pandas,
    short_limit,
    short_number,
    short_p,
)
from rctkit.tables import ReportTable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "AE_TABLE_COLUMNS",
    "AERow",
    "AETable",
    "ae_table",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

SUBSETS = ("serious", "related", "grade3")
SORTS = ("alphabetical", "frequency")

_SUBSET_WORDS = {
    None: "adverse events",
    "serious": "serious adverse events",
    "related": "adverse events related to treatment",
    "grade3": "adverse events of grade 3 or higher",
}
_ANY_LABEL = {
    None: "Any adverse event",
    "serious": "Any serious adverse event",
    "related": "Any related adverse event",
    "grade3": "Any adverse event of grade >= 3",
}

#: The columns of :meth:`AETable.to_frame`, in order (the adjusted p and the rate columns
#: are nan where the table has none).
AE_TABLE_COLUMNS: tuple[str, ...] = (
    "kind",
    "soc",
    "term",
    "treatment_participants",
    "treatment_total",
    "treatment_events",
    "control_participants",
    "control_total",
    "control_events",
    "risk_difference",
    "risk_difference_low",
    "risk_difference_high",
    "risk_difference_method",
    "risk_ratio",
    "risk_ratio_low",
    "risk_ratio_high",
    "risk_ratio_method",
    "pvalue",
    "adjusted_pvalue",
    "treatment_rate",
    "control_rate",
    "treatment_person_years",
    "control_person_years",
    "rate_ratio",
    "rate_ratio_low",
    "rate_ratio_high",
    "confidence_level",
)

_DASH = "\u2013"


# -- the checks --------------------------------------------------------------------------------


def _records(source: Any) -> AdverseEventRecords:
    if isinstance(source, Trial):
        if source.adverse_event_records is None:
            raise InvalidInputError(
                "`source` must be a Trial with `adverse_event_records` (participant-level "
                "adverse events, as rctkit.io.read_adam gives) or AdverseEventRecords (got a "
                "Trial without them)"
            )
        return source.adverse_event_records
    if not isinstance(source, AdverseEventRecords):
        raise InvalidInputError(
            f"`source` must be a Trial or AdverseEventRecords (got {type(source).__name__})"
        )
    return source


def _arm_labels(source: Any, arm_labels: Any) -> tuple[str, str]:
    if arm_labels is None:
        if isinstance(source, Trial):
            return source.arms[0].name, source.arms[1].name
        return "Treatment", "Control"
    if (
        isinstance(arm_labels, str)
        or not isinstance(arm_labels, tuple | list)
        or len(arm_labels) != 2
        or not all(isinstance(x, str) and x.strip() for x in arm_labels)
    ):
        raise InvalidInputError(
            "`arm_labels` must be a pair of non-empty str (treatment, control) "
            f"(got {arm_labels!r})"
        )
    return arm_labels[0], arm_labels[1]


def _subset_mask(
    records: AdverseEventRecords, subset: Any
) -> tuple[str | None, npt.NDArray[np.bool_] | None]:
    if subset is None:
        return None, None
    chosen = _validation.check_choice(subset, "subset", SUBSETS)
    if chosen == "grade3":
        if records.grade is None:
            raise InvalidInputError(
                "`subset`='grade3' needs the records' `grade` column (got records without grades)"
            )
        return chosen, np.asarray(records.grade >= 3)
    column = getattr(records, chosen)
    if column is None:
        raise InvalidInputError(
            f"`subset`={chosen!r} needs the records' `{chosen}` column (got records without it)"
        )
    return chosen, np.asarray(column, dtype=bool)


def _threshold(value: Any) -> float | None:
    if value is None:
        return None
    number = _validation.check_real(value, "threshold")
    if not 0.0 <= number <= 1.0:
        raise InvalidInputError(f"`threshold` must be a proportion from 0 to 1 (got {value!r})")
    return number


class Selection(NamedTuple):
    """The checked choices every adverse-event table starts from."""

    records: AdverseEventRecords
    labels: tuple[str, str]
    subset: str | None
    mask: npt.NDArray[np.bool_] | None
    sort: str
    threshold: float | None

    @property
    def totals(self) -> npt.NDArray[np.int64]:
        """Participants at risk per arm (treatment, control)."""
        return np.bincount(self.records.participant_arm.astype(np.int64), minlength=2)


def select(source: Any, arm_labels: Any, subset: Any, sort: Any, threshold: Any) -> Selection:
    """The records of ``source`` and the checked arm labels, subset, order and threshold."""
    records = _records(source)
    labels = _arm_labels(source, arm_labels)
    chosen, mask = _subset_mask(records, subset)
    order = _validation.check_choice(sort, "sort", SORTS)
    return Selection(records, labels, chosen, mask, order, _threshold(threshold))


# -- the tables --------------------------------------------------------------------------------


@attrs.frozen(repr=False)
class AERow(Displayed):
    """One row of an :class:`AETable`: all events, a system organ class, or a preferred term.

    Attributes
    ----------
    kind : {"any", "soc", "term"}
    soc, term : str
        The system organ class ("" in the row of all events) and the preferred term ("" but
        in term rows).
    participants, events, totals : (int, int)
        Participants with at least one event, events, and participants at risk, per arm.
    risk_difference, risk_ratio : Estimate or None
        Treatment against control; None where an arm has no one at risk.
    pvalue, adjusted_pvalue : float or None
        Fisher's exact p; the adjusted p (term rows of a table with ``adjust``).
    rates : (float, float) or None
        Participants with the event per 100 participant-years (of exposure up to the first
        event in the row, or of total exposure: the table's ``exposure``).
    rate_ratio : Estimate or None
        The exact conditional rate ratio of those rates.
    """

    kind: str
    soc: str
    term: str
    participants: tuple[int, int]
    events: tuple[int, int]
    totals: tuple[int, int]
    risk_difference: Estimate | None
    risk_ratio: Estimate | None
    pvalue: float | None
    adjusted_pvalue: float | None
    rates: tuple[float, float] | None
    rate_ratio: Estimate | None

    @property
    def label(self) -> str:
        """The row's name: the term, the class, or "Any adverse event"."""
        return self.term or self.soc or "Any adverse event"

    def _title(self) -> str:
        return self.label

    def _rows(self) -> list[Row]:
        t, c = self.participants
        rows = [
            Row("Row", self.label, f"{self.kind}={self.label!r}"),
            Row("Participants", f"{t}/{self.totals[0]} vs {c}/{self.totals[1]}", f"n=({t}, {c})"),
            Row("Events", f"{self.events[0]} vs {self.events[1]}", None),
        ]
        for est in (self.risk_difference, self.risk_ratio, self.rate_ratio):
            if est is not None:
                low, high = (short_limit(v, est.measure) for v in est.ci)
                estimate = short_number(est.estimate)
                rows.append(
                    Row(est.measure, f"{estimate} ({low} to {high})", f"{est.measure}={estimate}")
                )
        if self.pvalue is not None:
            p = short_p(self.pvalue)
            rows.append(Row("p (Fisher)", p, f"pvalue={p}"))
        return rows


def _none(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


@attrs.frozen(eq=False, repr=False)
class AETable(Displayed):
    """Participants with adverse events by system organ class and preferred term, per arm.

    The arrays have one entry per row, in display order: the row of all events, then each
    system organ class followed by its preferred terms. Estimates and p-values are nan where
    an arm has no one at risk; the rate columns are None when the table has no rates.

    Attributes
    ----------
    subset : {None, "serious", "related", "grade3"}
    sort : {"alphabetical", "frequency"}
    threshold : float or None
    arm_labels : (str, str)
    totals : (int, int)
        Participants at risk (the safety population) per arm: every denominator.
    kind, soc, term : tuple of str
        Each row's kind ("any", "soc", "term"), class and term.
    participants, events : array of int, shape (rows, 2)
    risk_difference, risk_ratio : array of float, shape (rows, 3)
        Estimate, lower and upper limit.
    rd_method : str
    rr_method : tuple of str
        Each row's risk-ratio interval method.
    pvalue : array of float
        Fisher's exact two-sided p.
    adjust : str or None
    adjusted_pvalue : array of float or None
        Term rows: adjusted across the terms shown; nan in the other rows.
    exposure_years : (float, float) or None
        Each arm's total exposure in years.
    rates : array of float, shape (rows, 2), or None
        Participants with the event per 100 participant-years (``person_years``).
    rate_ratio : array of float, shape (rows, 4), or None
        Estimate, lower and upper limit, p (exact conditional Poisson), on each row's own
        person-years.
    confidence_level : float
    exposure : {"first-event", "total"} or None
        The person-time of the rates: up to each participant's first event in the row (the
        exposure-adjusted incidence rate, EAIR), or each arm's total exposure; None without
        rates.
    person_years : array of float, shape (rows, 2), or None
        Each row's person-years per arm under ``exposure``.
    """

    subset: str | None
    sort: str
    threshold: float | None
    arm_labels: tuple[str, str]
    totals: tuple[int, int]
    kind: tuple[str, ...]
    soc: tuple[str, ...]
    term: tuple[str, ...]
    participants: IntArray
    events: IntArray
    risk_difference: FloatArray
    rd_method: str
    risk_ratio: FloatArray
    rr_method: tuple[str, ...]
    pvalue: FloatArray
    adjust: str | None
    adjusted_pvalue: FloatArray | None
    exposure_years: tuple[float, float] | None
    rates: FloatArray | None
    rate_ratio: FloatArray | None
    confidence_level: float
    exposure: str | None = None
    person_years: FloatArray | None = None

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def caption(self) -> str:
        """The table's title."""
        what = _SUBSET_WORDS[self.subset]
        most = (
            f" (preferred terms in at least {100 * self.threshold:.4g}% of an arm)"
            if self.threshold
            else ""
        )
        return (
            f"Participants with treatment-emergent {what} by system organ class and "
            f"preferred term{most}"
        )

    def _estimate(self, measure: Measure, values: FloatArray, method: str) -> Estimate:
        return Estimate(
            measure,
            float(values[0]),
            ConfidenceInterval(float(values[1]), float(values[2])),
            self.confidence_level,
            method,
            _none(float(values[3])) if values.size > 3 else None,
        )

    @property
    def rows(self) -> tuple[AERow, ...]:
        """The rows as records."""
        out = []
        for i in range(len(self)):
            compared = not math.isnan(self.pvalue[i])
            out.append(
                AERow(
                    self.kind[i],
                    self.soc[i],
                    self.term[i],
                    (int(self.participants[i, 0]), int(self.participants[i, 1])),
                    (int(self.events[i, 0]), int(self.events[i, 1])),
                    self.totals,
                    self._estimate("risk_difference", self.risk_difference[i], self.rd_method)
                    if compared
                    else None,
                    self._estimate("risk_ratio", self.risk_ratio[i], self.rr_method[i])
                    if compared
                    else None,
                    float(self.pvalue[i]) if compared else None,
                    None
                    if self.adjusted_pvalue is None
                    else _none(float(self.adjusted_pvalue[i])),
                    None
                    if self.rates is None
                    else (float(self.rates[i, 0]), float(self.rates[i, 1])),
                    None
                    if self.rate_ratio is None or math.isnan(self.rate_ratio[i, 1])
                    else self._estimate("rate_ratio", self.rate_ratio[i], "exact-poisson"),
                )
            )
        return tuple(out)

    def _label(self, i: int) -> str:
        if self.kind[i] == "any":
            return _ANY_LABEL[self.subset]
        return self.soc[i] if self.kind[i] == "soc" else "\u2003" + self.term[i]

    def _interval(self, values: FloatArray, style: str, *, ratio: bool) -> str:
        scale, digits, null = (1.0, 2, 1.0) if ratio else (100.0, 1, 0.0)
        if math.isnan(values[0]) or math.isnan(values[1]) or math.isnan(values[2]):
            return _DASH
        point = format_number(scale * float(values[0]), digits, style=style)
        ci = format_ci(
            scale * float(values[1]),
            scale * float(values[2]),
            digits,
            level=self.confidence_level,
            style=style,
            label=False,
            null=null,
        )
        return f"{point} ({ci})"

    @property
    def notes(self) -> tuple[str, ...]:
        """The footnotes: denominators, methods, adjustment, rates."""
        t, c = self.totals
        out = [
            f"n (%): participants with at least one treatment-emergent event, counted once "
            f"per row, of the safety population ({self.arm_labels[0]} N={t}, "
            f"{self.arm_labels[1]} N={c}); events: all events, a participant's repeats "
            f"included.",
            f"Risk difference: {_engine.method_label('risk_difference', self.rd_method)}; "
            f"risk ratio: "
            + ", ".join(
                _engine.method_label("risk_ratio", m) for m in dict.fromkeys(self.rr_method)
            )
            + "; p: Fisher's exact test (two-sided).",
        ]
        default = _engine.DEFAULT_METHODS["risk_ratio"]
        switched = [
            self.term[i] or self.soc[i] or "all events"
            for i, m in enumerate(self.rr_method)
            if m != default
        ]
        if switched and len(set(self.rr_method)) > 1:
            instead = _engine.method_label("risk_ratio", _engine.ZERO_CELL_METHODS["risk_ratio"])
            out.append(
                "With no participants with the event in an arm Wald's risk ratio interval is "
                f"undefined; {instead} is used instead for " + "; ".join(switched) + "."
            )
        if self.adjust is not None:
            out.append(
                f"Adjusted p: {self.adjust} adjustment across the {self.kind.count('term')} "
                f"preferred terms shown."
            )
        if self.rates is not None and self.exposure == "first-event":
            out.append(
                "Exposure-adjusted incidence rate (EAIR, exposure to the first event): "
                "participants with the event per 100 participant-years, each participant "
                "contributing their exposure up to their first event in the row (all of it "
                "without one); rate ratio: exact interval conditional on the total "
                "participants with the event, on each row's participant-years."
            )
        elif self.rates is not None:
            out.append(
                "Exposure-adjusted incidence rate (total exposure): participants with the "
                "event per 100 participant-years of each arm's total exposure (the days of "
                "the events are not known); rate ratio: exact interval conditional on the "
                "total participants with the event."
            )
        if self.threshold:
            out.append(
                f"Preferred terms with an incidence of at least {100 * self.threshold:.4g}% in "
                f"either arm; a class's row counts all its terms."
            )
        out.append(f"{_DASH} : not estimable.")
        return tuple(out)

    def table(self, *, style: str = "plain") -> ReportTable:
        """The table as a :class:`~rctkit.tables.ReportTable` (text, Markdown, HTML, ...).

        Parameters
        ----------
        style : {"plain", "lancet", "nejm", "bmj", "jama"}, optional
            The journal style of the numbers.
        """
        pct = f"{100 * self.confidence_level:g}% CI"
        a, b = self.arm_labels
        t, c = self.totals
        columns = [
            "System organ class / Preferred term",
            f"{a} (N={format_count(t, style=style)}) n (%)",
            f"{a} events",
            f"{b} (N={format_count(c, style=style)}) n (%)",
            f"{b} events",
            f"Risk difference, % points ({pct})",
            f"Risk ratio ({pct})",
            "p (Fisher's exact)",
        ]
        if self.adjusted_pvalue is not None:
            columns.append(f"p ({self.adjust}-adjusted)")
        if self.rates is not None:
            columns += [f"{a} per 100 PY", f"{b} per 100 PY", f"Rate ratio ({pct})"]
        rows = []
        for i in range(len(self)):
            cells = [self._label(i)]
            for arm, total in ((0, t), (1, c)):
                cells.append(
                    format_percent(
                        int(self.participants[i, arm]), total, style=style, show_total=False
                    )
                )
                cells.append(format_count(int(self.events[i, arm]), style=style))
            cells.append(self._interval(self.risk_difference[i], style, ratio=False))
            cells.append(self._interval(self.risk_ratio[i], style, ratio=True))
            for p in (self.pvalue, self.adjusted_pvalue):
                if p is not None:
                    shown = math.isnan(p[i])
                    cells.append(
                        _DASH if shown else format_p(float(p[i]), style=style, prefix=False)
                    )
            if self.rates is not None and self.rate_ratio is not None:
                for arm in (0, 1):
                    rate = float(self.rates[i, arm])
                    cells.append(
                        _DASH if math.isnan(rate) else format_number(rate, 1, style=style)
                    )
                cells.append(self._interval(self.rate_ratio[i], style, ratio=True))
            rows.append(tuple(cells))
        return ReportTable(self.caption, columns, rows, self.notes)

    def to_frame(self) -> pd.DataFrame:
        """The numbers, one row per table row, columns :data:`AE_TABLE_COLUMNS`."""
        nan = np.full(len(self), np.nan)
        rr, py = self.rate_ratio, self.person_years
        data: dict[str, Any] = {
            "kind": list(self.kind),
            "soc": list(self.soc),
            "term": list(self.term),
            "treatment_participants": self.participants[:, 0],
            "treatment_total": np.full(len(self), self.totals[0]),
            "treatment_events": self.events[:, 0],
            "control_participants": self.participants[:, 1],
            "control_total": np.full(len(self), self.totals[1]),
            "control_events": self.events[:, 1],
            "risk_difference": self.risk_difference[:, 0],
            "risk_difference_low": self.risk_difference[:, 1],
            "risk_difference_high": self.risk_difference[:, 2],
            "risk_difference_method": [self.rd_method] * len(self),
            "risk_ratio": self.risk_ratio[:, 0],
            "risk_ratio_low": self.risk_ratio[:, 1],
            "risk_ratio_high": self.risk_ratio[:, 2],
            "risk_ratio_method": list(self.rr_method),
            "pvalue": self.pvalue,
            "adjusted_pvalue": nan if self.adjusted_pvalue is None else self.adjusted_pvalue,
            "treatment_rate": nan if self.rates is None else self.rates[:, 0],
            "control_rate": nan if self.rates is None else self.rates[:, 1],
            "treatment_person_years": nan if py is None else py[:, 0],
            "control_person_years": nan if py is None else py[:, 1],
            "rate_ratio": nan if rr is None else rr[:, 0],
            "rate_ratio_low": nan if rr is None else rr[:, 1],
            "rate_ratio_high": nan if rr is None else rr[:, 2],
            "confidence_level": np.full(len(self), self.confidence_level),
        }
        pandas = _pandas("to_frame")
        frame: pd.DataFrame = pandas.DataFrame(data, columns=list(AE_TABLE_COLUMNS))
        return frame

    def _title(self) -> str:
        return self.caption

    def _rows(self) -> list[Row]:
        t, c = self.totals
        p0, p1 = (int(x) for x in self.participants[0]) if len(self) else (0, 0)
        return [
            Row("Subset", str(self.subset or "all"), f"subset={self.subset!r}"),
            Row("Participants at risk", f"{t} vs {c}", f"totals=({t}, {c})"),
            Row("Rows", str(len(self)), f"rows={len(self)}"),
            Row(_ANY_LABEL[self.subset], f"{p0}/{t} vs {p1}/{c}", f"any=({p0}, {p1})"),
        ]


def _comparisons(
    people: IntArray, totals: IntArray, level: float, rd_method: str, rr_method: str | None
) -> tuple[FloatArray, FloatArray, tuple[str, ...], FloatArray]:
    rows = people.shape[0]
    rd, rr = np.full((rows, 3), np.nan), np.full((rows, 3), np.nan)
    default = rr_method or _engine.DEFAULT_METHODS["risk_ratio"]
    if rows == 0 or (totals == 0).any():  # an arm with no one at risk: nothing to compare
        return rd, rr, (default,) * rows, np.full(rows, np.nan)
    a, c = people[:, 0], people[:, 1]
    n1, n2 = np.full_like(a, totals[0]), np.full_like(c, totals[1])
    found = risk_comparisons(a, n1, c, n2, level, rd_method, rr_method)
    d = found.risk_difference
    rd[:] = np.column_stack([d.estimate, d.low, d.high])
    rr[:] = np.column_stack([found.rr_estimate, found.rr_low, found.rr_high])
    return rd, rr, found.rr_method, found.pvalue


def ae_table(
    source: Trial | AdverseEventRecords,
    *,
    subset: str | None = None,
    sort: str = "alphabetical",
    threshold: float | None = None,
    rd_method: str | None = None,
    rr_method: str | None = None,
    test: str = "fisher",
    adjust: str | None = None,
    exposure: str = "auto",
    confidence_level: float = 0.95,
    arm_labels: tuple[str, str] | None = None,
) -> AETable:
    """Participants with treatment-emergent adverse events by system organ class and term.

    Parameters
    ----------
    source : Trial or AdverseEventRecords
        A trial with ``adverse_event_records`` (as ``rctkit.io.read_adam`` builds), or
        the records themselves.
    subset : {None, "serious", "related", "grade3"}, optional
        All events (default), or only the serious, the related, or those of grade 3 or
        higher (on the mild/moderate/severe scale, severe); the records must have the
        column.
    sort : {"alphabetical", "frequency"}, optional
        Classes, and terms within each class, alphabetically (case-insensitive), or by
        descending participants in both arms together, ties alphabetically.
    threshold : float, optional
        Show only the terms with an incidence of at least ``threshold`` (a proportion, 0.05
        for 5%) in either arm, and the classes that hold one; a class's counts stay over all
        its terms.
    rd_method : str, optional
        The risk-difference interval; default :data:`rctkit.DEFAULT_METHODS` (Newcombe).
    rr_method : str, optional
        The risk-ratio interval; default Katz's log (``"wald"``), with Koopman's score
        interval (:data:`rctkit.ZERO_CELL_METHODS`) in rows where an arm has no participant
        with the event, as :func:`rctkit.harms.harms_rows`. A named method is used in every
        row.
    test : {"fisher"}, optional
        The test of every row: Fisher's exact test, two-sided as R's ``fisher.test``.
    adjust : {None, "holm", "bonferroni", "hochberg", "hommel", "bh", "by", "fdr"}, optional
        Adjust the p-values of the preferred terms shown (after ``threshold``) for
        multiplicity, with :func:`rctkit.adjust_pvalues`; the class rows and the row of all
        events are not in the family (their adjusted p is nan). Default: no adjustment.
    exposure : {"auto", "first-event", "total", "none"}, optional
        The person-time of the exposure-adjusted incidence rates. ``"first-event"``: the
        EAIR, each participant's exposure up to their first event in the row (the records
        need every participant's ``exposure_days`` and every event's ``event_day``);
        ``"total"``: each arm's total exposure in every row (needs ``exposure_days``);
        ``"auto"`` (default): ``"first-event"`` when every exposure and event day is known,
        else ``"total"`` when every exposure is, else no rates; ``"none"``: no rates.
    confidence_level : float, optional
        The level of every interval (default 0.95).
    arm_labels : (str, str), optional
        The arms' names in the table; default the trial's arm names, or "Treatment" and
        "Control".

    Returns
    -------
    AETable

    Raises
    ------
    InvalidInputError
        If ``source`` is neither, an option is not one of its choices, ``threshold`` is
        not from 0 to 1, or a subset or ``exposure="total"`` or ``"first-event"`` needs a
        column the records lack (or hold unknown values in).

    Notes
    -----
    A participant counts once in a row however many events they had in it; the events are
    counted beside. The denominators are the participants of each arm in the records (the
    safety population), with or without events. Every comparison runs once over all rows
    (the kernels of the scalar functions, so each row equals :func:`rctkit.risk_difference`,
    :func:`rctkit.risk_ratio` and :func:`rctkit.hypothesis_test` on its counts). With no one
    at risk in an arm no row is compared (nan, shown as a dash).

    The exposure-adjusted incidence rate (EAIR) of a row, as the FDA and ICH define it, is
    the participants with the event per 100 participant-years, each participant contributing
    their exposure up to their first event in that row and those without the event their
    whole exposure (years of 365.25 days): an event on study day ``d`` counts ``d`` days,
    clamped into ``[0, exposure_days]``. With ``exposure="total"`` every row uses each arm's
    total exposure instead. The rate ratio is the exact interval conditional on the
    participants with the event in both arms, on the row's own person-time
    (:func:`rctkit.harms.rate_ratio`, as R's ``poisson.test``); the table's notes name the
    definition used.

    Cost: ``numpy.unique`` on the events three times (overall, class, term) and one
    ``bincount`` each, and for the EAIR one more sort of the (term, participant) keys with
    ``numpy.minimum.reduceat``; 2 million events of 100,000 participants take about a second.

    References
    ----------
    Junqueira DR, Zorzela L, Golder S, et al. CONSORT Harms 2022 statement, explanation, and
    elaboration. BMJ 2023;381:e073725.

    Examples
    --------
    >>> import rctkit as rk
    >>> records = rk.AdverseEventRecords(
    ...     participants=["P1", "P2", "P3", "P4"], participant_arm=[0, 0, 1, 1],
    ...     event_participant=[0, 0, 1, 2], socs=["Gastrointestinal disorders"],
    ...     terms=["Nausea", "Vomiting"], event_soc=[0, 0, 0, 0], event_term=[0, 0, 1, 0])
    >>> t = rk.ae_table(records)
    >>> t.term, t.participants[:, 0].tolist(), t.events[:, 0].tolist()
    (('', '', 'Nausea', 'Vomiting'), [2, 2, 1, 1], [3, 3, 2, 1])
    """
    chosen = select(source, arm_labels, subset, sort, threshold)
    records = chosen.records
    level = _validation.check_confidence_level(confidence_level)
    rd = _validation.check_choice(
        _engine.DEFAULT_METHODS["risk_difference"] if rd_method is None else rd_method,
        "rd_method",
        _engine.EFFECT_METHODS["risk_difference"],
    )
    rr = (
        None
        if rr_method is None
        else _validation.check_choice(rr_method, "rr_method", _engine.EFFECT_METHODS["risk_ratio"])
    )
    _validation.check_choice(test, "test", ("fisher",))
    rates_wanted = _validation.check_choice(exposure, "exposure", EXPOSURES)
    method = (
        None
        if adjust is None
        else _validation.check_choice(adjust, "adjust", (*multiplicity.METHODS, "fdr"))
    )
    rows = layout(records, chosen.mask, chosen.sort, chosen.threshold, grades=False)
    totals = chosen.totals
    rd_values, rr_values, rr_methods, pvalue = _comparisons(
        rows.participants, totals, level, rd, rr
    )
    found = rates(records, chosen.mask, rows, rates_wanted, level)
    adjusted = None
    if method is not None:
        terms = np.array([k == "term" for k in rows.kind], dtype=bool)
        adjusted = np.full(pvalue.shape, np.nan)
        if terms.any():
            adjusted[terms] = multiplicity.adjust_pvalues(pvalue[terms], method=method).adjusted
    return AETable(
        subset=chosen.subset,
        sort=chosen.sort,
        threshold=chosen.threshold,
        arm_labels=chosen.labels,
        totals=(int(totals[0]), int(totals[1])),
        kind=rows.kind,
        soc=rows.soc,
        term=rows.term,
        participants=rows.participants,
        events=rows.events,
        risk_difference=rd_values,
        rd_method=rd,
        risk_ratio=rr_values,
        rr_method=rr_methods,
        pvalue=pvalue,
        adjust=method,
        adjusted_pvalue=adjusted,
        exposure_years=None if found is None else found.exposure_years,
        rates=None if found is None else found.rates,
        rate_ratio=None if found is None else found.ratio,
        confidence_level=level,
        exposure=None if found is None else found.definition,
        person_years=None if found is None else found.person_years,
    )
