"""Participants with adverse events by worst grade (or severity), per class and term.

:func:`ae_severity_table` counts each participant once per row, at the worst grade of their
events in it; a participant none of whose events in the row has a recorded grade counts as
"unknown". The rows, subsets, sorting and threshold are those of
:func:`rctkit.ae_tables.ae_table`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from rctkit.ae_counts import layout
from rctkit.ae_tables import _ANY_LABEL, select
from rctkit.formatting import format_count, format_percent
from rctkit.model import AdverseEventRecords, Trial
from rctkit.results import Displayed, Row, _pandas
from rctkit.tables import ReportTable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["AESeverityTable", "ae_severity_table"]

IntArray = npt.NDArray[np.int64]

#: The labels of the codes 1 to 5 of each scale (code 0 is "Unknown").
GRADE_LABELS: dict[str, tuple[str, ...]] = {
    "grade": ("Grade 1", "Grade 2", "Grade 3", "Grade 4", "Grade 5"),
    "severity": ("Mild", "Moderate", "Severe"),
}


@attrs.frozen(eq=False, repr=False)
class AESeverityTable(Displayed):
    """Participants by their worst grade per row, per arm.

    Attributes
    ----------
    subset : {None, "serious", "related", "grade3"}
    sort : {"alphabetical", "frequency"}
    threshold : float or None
    arm_labels : (str, str)
    totals : (int, int)
        Participants at risk per arm: every denominator.
    kind, soc, term : tuple of str
        Each row's kind ("any", "soc", "term"), class and term, as in
        :class:`~rctkit.ae_tables.AETable`.
    grades : tuple of str
        The column groups: the scale's grades (or severities), then "Unknown".
    counts : array of int, shape (rows, 2, len(grades))
        Participants per row, arm and worst grade; summed over the grades, the participants
        with at least one event in the row.
    """

    subset: str | None
    sort: str
    threshold: float | None
    arm_labels: tuple[str, str]
    totals: tuple[int, int]
    kind: tuple[str, ...]
    soc: tuple[str, ...]
    term: tuple[str, ...]
    grades: tuple[str, ...]
    counts: IntArray

    def __len__(self) -> int:
        return len(self.kind)

    @property
    def caption(self) -> str:
        """The table's title."""
        scale = "severity" if self.grades[0] == "Mild" else "grade"
        return (
            f"Participants with treatment-emergent adverse events by worst {scale}, system "
            "organ class and preferred term"
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The footnotes: who is counted where, the denominators."""
        t, c = self.totals
        return (
            "n (%): participants counted once per row, at the worst grade of their events in "
            f"it, of the safety population ({self.arm_labels[0]} N={t}, "
            f"{self.arm_labels[1]} N={c}); Unknown: no event in the row has a recorded grade.",
        )

    def table(self, *, style: str = "plain") -> ReportTable:
        """The table as a :class:`~rctkit.tables.ReportTable`: per arm, a column per grade.

        Parameters
        ----------
        style : {"plain", "lancet", "nejm", "bmj", "jama"}, optional
            The journal style of the numbers.
        """
        columns = ["System organ class / Preferred term"]
        for arm, total in zip(self.arm_labels, self.totals, strict=True):
            n = format_count(total, style=style)
            columns += [f"{arm} (N={n}): {g}" for g in self.grades]
        rows = []
        for i in range(len(self)):
            label = (
                _ANY_LABEL[self.subset]
                if self.kind[i] == "any"
                else self.soc[i]
                if self.kind[i] == "soc"
                else "\u2003" + self.term[i]
            )
            cells = [label]
            for side, total in enumerate(self.totals):
                cells += [
                    format_percent(int(n), total, style=style, show_total=False)
                    for n in self.counts[i, side]
                ]
            rows.append(tuple(cells))
        return ReportTable(self.caption, columns, rows, self.notes)

    def to_frame(self) -> pd.DataFrame:
        """One row per table row: kind, soc, term, each arm's total, and one column of
        participants per arm and grade (``treatment_grade_1``, ..., ``control_unknown``)."""
        keys = [g.lower().replace(" ", "_") for g in self.grades]
        data: dict[str, Any] = {
            "kind": list(self.kind),
            "soc": list(self.soc),
            "term": list(self.term),
            "treatment_total": np.full(len(self), self.totals[0]),
            "control_total": np.full(len(self), self.totals[1]),
        }
        for arm, name in enumerate(("treatment", "control")):
            for j, key in enumerate(keys):
                data[f"{name}_{key}"] = self.counts[:, arm, j]
        pandas = _pandas("to_frame")
        frame: pd.DataFrame = pandas.DataFrame(data)
        return frame

    def _title(self) -> str:
        return self.caption

    def _rows(self) -> list[Row]:
        t, c = self.totals
        return [
            Row("Subset", str(self.subset or "all"), f"subset={self.subset!r}"),
            Row("Participants at risk", f"{t} vs {c}", f"totals=({t}, {c})"),
            Row("Grades", ", ".join(self.grades), f"grades={len(self.grades)}"),
            Row("Rows", str(len(self)), f"rows={len(self)}"),
        ]


def ae_severity_table(
    source: Trial | AdverseEventRecords,
    *,
    subset: str | None = None,
    sort: str = "alphabetical",
    threshold: float | None = None,
    arm_labels: tuple[str, str] | None = None,
) -> AESeverityTable:
    """Participants with adverse events by worst grade, system organ class and term.

    Parameters
    ----------
    source : Trial or AdverseEventRecords
        As :func:`rctkit.ae_tables.ae_table`.
    subset, sort, threshold, arm_labels
        As :func:`rctkit.ae_tables.ae_table`.

    Returns
    -------
    AESeverityTable
        Column groups per arm: the grades 1 to 5 of the records' scale (or mild, moderate,
        severe when ``severity_scale="severity"``), then "Unknown".

    Raises
    ------
    InvalidInputError
        As :func:`rctkit.ae_tables.ae_table`.

    Notes
    -----
    A participant is counted once per row, at the worst *recorded* grade of their events in
    it: an event with no grade does not lower or raise it, and a participant is "Unknown"
    only when none of their events in the row has a grade. Records with no ``grade`` column
    count everyone as "Unknown". No between-arm statistics are given (compare the arms with
    ``ae_table(..., subset="grade3")``). Cost: as ``ae_table``'s counting, plus one
    ``numpy.maximum.at`` over the events.

    References
    ----------
    ICH E3. Structure and content of clinical study reports, section 12.2 (1995).

    Examples
    --------
    >>> import rctkit as rk
    >>> records = rk.AdverseEventRecords(
    ...     participants=["P1", "P2", "P3"], participant_arm=[0, 0, 1],
    ...     event_participant=[0, 0, 1], socs=["Nervous system disorders"],
    ...     terms=["Headache"], event_soc=[0, 0, 0], event_term=[0, 0, 0], grade=[1, 3, 0])
    >>> t = rk.ae_severity_table(records)
    >>> t.grades[-1], t.counts[2, 0].tolist()
    ('Unknown', [0, 0, 1, 0, 0, 1])
    """
    chosen = select(source, arm_labels, subset, sort, threshold)
    records = chosen.records
    rows = layout(records, chosen.mask, chosen.sort, chosen.threshold, grades=True)
    assert rows.worst is not None  # asked for
    grades = GRADE_LABELS[records.severity_scale]
    # codes 1..k then 0 (unknown)
    counts = np.concatenate([rows.worst[:, :, 1 : len(grades) + 1], rows.worst[:, :, :1]], axis=2)
    totals = chosen.totals
    return AESeverityTable(
        subset=chosen.subset,
        sort=chosen.sort,
        threshold=chosen.threshold,
        arm_labels=chosen.labels,
        totals=(int(totals[0]), int(totals[1])),
        kind=rows.kind,
        soc=rows.soc,
        term=rows.term,
        grades=(*grades, "Unknown"),
        counts=counts.astype(np.int64),
    )
