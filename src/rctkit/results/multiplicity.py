"""Results of the multiplicity adjustments: :class:`MultiplicityResult`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt

from rctkit.formatting import format_p
from rctkit.results._core import Displayed, FloatArray, Row, records_frame, short_number

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MULTIPLICITY_COLUMNS", "PROCEDURE_WORDS", "MultiplicityResult"]

#: The columns of :meth:`MultiplicityResult.to_frame`, in order.
MULTIPLICITY_COLUMNS: tuple[str, ...] = (
    "hypothesis",
    "pvalue",
    "adjusted_pvalue",
    "weight",
    "rejected",
    "method",
    "alpha",
)

#: How a sentence or a table note names each procedure.
PROCEDURE_WORDS: dict[str, str] = {
    "bonferroni": "Bonferroni",
    "holm": "Holm",
    "hochberg": "Hochberg",
    "hommel": "Hommel",
    "bh": "Benjamini-Hochberg (false discovery rate)",
    "by": "Benjamini-Yekutieli (false discovery rate)",
    "fixed-sequence": "fixed sequence",
    "fallback": "fallback (Wiens)",
}


@attrs.frozen(eq=False, repr=False)
class MultiplicityResult(Displayed):
    """P-values adjusted for multiplicity, and the decisions at ``alpha``.

    Attributes
    ----------
    method : str
        The procedure: ``"bonferroni"``, ``"holm"``, ``"hochberg"``, ``"hommel"``, ``"bh"``,
        ``"by"``, ``"fixed-sequence"`` or ``"fallback"``.
    alpha : float
        The family-wise error rate (the false discovery rate for ``"bh"`` and ``"by"``).
    names : tuple of str
        The hypotheses' names, in input order (``"H1"``, ``"H2"``, ... when none were given).
    pvalues : numpy.ndarray
        The raw p-values, in input order (NaN where a p-value was missing).
    adjusted : numpy.ndarray
        The adjusted p-values, in input order (NaN where the raw p-value is NaN).
    rejected : numpy.ndarray of bool
        ``adjusted <= alpha``: the hypotheses rejected by the procedure at ``alpha``.
    weights : numpy.ndarray or None
        The split of ``alpha`` of a weighted procedure (``"fallback"``, ``"fixed-sequence"``),
        else None.
    """

    method: str
    alpha: float
    names: tuple[str, ...]
    pvalues: FloatArray
    adjusted: FloatArray
    rejected: npt.NDArray[np.bool_]
    weights: FloatArray | None = None

    def __len__(self) -> int:
        return int(self.pvalues.size)

    @property
    def procedure(self) -> str:
        """The procedure's name in words, e.g. ``"Holm"``."""
        return PROCEDURE_WORDS.get(self.method, self.method)

    def to_dict(self) -> dict[str, float | bool | str]:
        """The adjusted p-values by name: ``{name: adjusted p-value}``."""
        return dict(zip(self.names, (float(a) for a in self.adjusted), strict=True))

    def to_frame(self) -> pd.DataFrame:
        """One row per hypothesis, in input order.

        Returns
        -------
        pandas.DataFrame
            Columns ``hypothesis``, ``pvalue``, ``adjusted_pvalue``, ``weight`` (NaN for an
            unweighted procedure), ``rejected``, ``method`` and ``alpha``.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "rctkit[pandas]"``).
        """
        weights = (
            [float("nan")] * len(self)
            if self.weights is None
            else [float(w) for w in self.weights]
        )
        records = [
            {
                "hypothesis": name,
                "pvalue": float(p),
                "adjusted_pvalue": float(a),
                "weight": w,
                "rejected": bool(r),
                "method": self.method,
                "alpha": float(self.alpha),
            }
            for name, p, a, w, r in zip(
                self.names, self.pvalues, self.adjusted, weights, self.rejected, strict=True
            )
        ]
        return records_frame(records, MULTIPLICITY_COLUMNS)

    def _title(self) -> str:
        return f"P-values adjusted by the {self.procedure} procedure, alpha {self.alpha:g}"

    def _rows(self) -> list[Row]:
        rows = [
            Row("Method", self.method, f"method={self.method!r}"),
            Row("Alpha", f"{self.alpha:g}", f"alpha={self.alpha:g}"),
        ]
        adjusted = ", ".join(
            f"{name!r}: {short_number(float(a))}"
            for name, a in zip(self.names, self.adjusted, strict=True)
        )
        rows.append(Row("Hypotheses", str(len(self)), f"adjusted={{{adjusted}}}"))
        for name, p, a, r in zip(
            self.names, self.pvalues, self.adjusted, self.rejected, strict=True
        ):
            decision = "rejected" if r else "not rejected"
            rows.append(
                Row(
                    name,
                    f"p {format_p(float(p), prefix=False)}, adjusted "
                    f"{format_p(float(a), prefix=False)}, {decision}",
                )
            )
        return rows
