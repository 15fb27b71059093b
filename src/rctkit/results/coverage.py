"""The exact coverage of an interval method over a grid of true risks: :class:`CoverageResult`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np

from rctkit.results._core import (
    MEASURE_LABELS,
    Displayed,
    FloatArray,
    Row,
    _level_percent,
    _pandas,
    short_number,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COVERAGE_COLUMNS", "CoverageResult"]

#: The columns of :meth:`CoverageResult.to_frame`, in order.
COVERAGE_COLUMNS: tuple[str, ...] = (
    "measure",
    "method",
    "n_treatment",
    "n_control",
    "confidence_level",
    "p_treatment",
    "p_control",
    "true_value",
    "coverage",
    "below",
    "above",
    "mesial",
    "distal",
    "undefined",
)


@attrs.frozen(eq=False, repr=False)
class CoverageResult(Displayed):
    """The exact coverage of one interval method at each point of a grid of true risks.

    Every array has one element per grid point, in the order of the grid. The probabilities
    of one grid point add up: ``coverage + below + above + undefined == 1``.

    Attributes
    ----------
    measure : {"risk_difference", "risk_ratio", "odds_ratio"}
    method : str
        The interval method, as named in :data:`rctkit.batch.EFFECT_METHODS`.
    n_treatment, n_control : int
        The arms' sizes.
    confidence_level : float
        The nominal level of the intervals.
    p_treatment, p_control : numpy.ndarray
        The true risks of each grid point.
    true_value : numpy.ndarray
        The true effect, treatment against control, on the measure's scale.
    coverage : numpy.ndarray
        The probability that the interval contains the true value (limits included).
    below : numpy.ndarray
        The probability that the interval lies entirely below the true value (its upper
        limit under it): the lower tail of non-coverage.
    above : numpy.ndarray
        The probability that the interval lies entirely above the true value (its lower limit
        over it): the upper tail of non-coverage.
    mesial : numpy.ndarray
        Newcombe's (1998) mesial non-coverage: the probability that the interval lies
        entirely on the null's side of the true value (``below`` where the true value exceeds
        the null, ``above`` where it is under it); nan where the true value is the null.
    distal : numpy.ndarray
        Newcombe's distal non-coverage: the interval lies entirely on the side of the true
        value away from the null; nan where the true value is the null.
    undefined : numpy.ndarray
        The probability of an interval that is undefined (a nan limit), or of zero width at
        the true value itself: counted as not covering, and in neither tail.
    """

    measure: str
    method: str
    n_treatment: int
    n_control: int
    confidence_level: float
    p_treatment: FloatArray
    p_control: FloatArray
    true_value: FloatArray
    coverage: FloatArray
    below: FloatArray
    above: FloatArray
    mesial: FloatArray
    distal: FloatArray
    undefined: FloatArray

    def __len__(self) -> int:
        return int(self.coverage.size)

    @property
    def minimum(self) -> float:
        """The smallest coverage over the grid."""
        return float(np.min(self.coverage))

    @property
    def mean(self) -> float:
        """The mean coverage over the grid points (each point weighted equally)."""
        return float(np.mean(self.coverage))

    @property
    def proportion_below_nominal(self) -> float:
        """The proportion of grid points whose coverage is under ``confidence_level``."""
        return float(np.mean(self.coverage < self.confidence_level))

    def to_frame(self) -> pd.DataFrame:
        """The coverage as a pandas DataFrame, one row per grid point.

        Returns
        -------
        pandas.DataFrame
            The columns ``rctkit.results.COVERAGE_COLUMNS``: ``measure``, ``method``,
            ``n_treatment``, ``n_control``, ``confidence_level``, then the arrays of this
            result.

        Raises
        ------
        ImportError
            If pandas is not installed (``pip install "rctkit[pandas]"``).
        """
        pandas = _pandas("to_frame")
        size = self.coverage.size
        data: dict[str, object] = {
            "measure": np.full(size, self.measure, dtype=object),
            "method": np.full(size, self.method, dtype=object),
            "n_treatment": np.full(size, self.n_treatment, dtype=np.int64),
            "n_control": np.full(size, self.n_control, dtype=np.int64),
            "confidence_level": np.full(size, float(self.confidence_level)),
        }
        for name in COVERAGE_COLUMNS[5:]:
            data[name] = np.asarray(getattr(self, name), dtype=float)
        frame: pd.DataFrame = pandas.DataFrame(data, columns=list(COVERAGE_COLUMNS))
        return frame

    def _title(self) -> str:
        name = MEASURE_LABELS.get(self.measure, self.measure).lower()
        return f"Exact coverage, {name}, method {self.method}"

    def _rows(self) -> list[Row]:
        level = _level_percent(self.confidence_level)
        minimum, mean = short_number(self.minimum), short_number(self.mean)
        below = short_number(self.proportion_below_nominal)
        n = f"{self.n_treatment} vs {self.n_control}"
        return [
            Row("Measure", self.measure, f"measure={self.measure!r}"),
            Row("Method", self.method, f"method={self.method!r}"),
            Row("Arms", n, f"n={self.n_treatment}/{self.n_control}"),
            Row("Nominal level", level, f"nominal={level}"),
            Row("Grid points", str(len(self)), f"points={len(self)}"),
            Row("Minimum coverage", minimum, f"minimum={minimum}"),
            Row("Mean coverage", mean, f"mean={mean}"),
            Row("Proportion below nominal", below, f"below_nominal={below}"),
        ]
