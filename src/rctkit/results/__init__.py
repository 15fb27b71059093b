"""Result classes: small, frozen, and good to print, on one display protocol.

Scalar functions return :class:`Estimate` and :class:`TestResult`; the vectorised functions in
:mod:`rctkit.batch` return :class:`BatchEstimate` and :class:`BatchTestResult`, whose fields are
arrays of the broadcast shape of the inputs. The tests against a margin return
:class:`MarginTest` and :class:`BatchMarginTest`.

Every result class derives from :class:`Displayed` and declares its rows once
(:meth:`Displayed._rows`, a list of :class:`Row`) and its title (:meth:`Displayed._title`);
``repr`` (the class's own name and each row's ``text``) and ``_repr_html_`` (a notebook table
of each row's ``label`` and ``value``) are generated from them. Decorate result classes with
``@attrs.frozen(repr=False)`` so that attrs leaves the generated ``repr`` in place.

The classes live in ``_core`` (the protocol and the effect and test results), ``margins``,
``coverage`` (:class:`CoverageResult`, the exact coverage of an interval method),
``power`` (the design calculations), ``fragility`` (:class:`FragilityResult`, the fragility
index), ``mantel_fleiss`` (:class:`MantelFleissResult`), ``multiplicity``
(:class:`MultiplicityResult`, p-values adjusted for multiplicity), ``subgroups``
(:class:`SubgroupLevel`, :class:`InteractionTest`) and ``tipping``
(:class:`TippingPointResult`, the tipping-point analysis of missing outcomes);
this package re-exports them.
"""

from __future__ import annotations

from rctkit.results._core import (
    ESTIMATE_COLUMNS,
    TEST_COLUMNS,
    BatchEstimate,
    BatchTestResult,
    ConfidenceInterval,
    Displayed,
    Estimate,
    Measure,
    Row,
    TestResult,
)

# Names other modules import from here without their being public (explicit re-exports).
from rctkit.results._core import MEASURE_LABELS as MEASURE_LABELS
from rctkit.results._core import FloatArray as FloatArray
from rctkit.results._core import _level_percent as _level_percent
from rctkit.results._core import _pandas as _pandas
from rctkit.results._core import html_table as html_table
from rctkit.results._core import records_csv as records_csv
from rctkit.results._core import records_frame as records_frame
from rctkit.results._core import records_json as records_json
from rctkit.results._core import short_limit as short_limit
from rctkit.results._core import short_number as short_number
from rctkit.results._core import short_p as short_p
from rctkit.results.coverage import COVERAGE_COLUMNS, CoverageResult
from rctkit.results.fragility import FragilityResult
from rctkit.results.mantel_fleiss import MantelFleissResult
from rctkit.results.margins import MARGIN_COLUMNS, BatchMarginTest, MarginTest
from rctkit.results.margins import Framework as Framework
from rctkit.results.margins import margin_conclusion as margin_conclusion
from rctkit.results.margins import margin_hypothesis as margin_hypothesis
from rctkit.results.multiplicity import MULTIPLICITY_COLUMNS, MultiplicityResult
from rctkit.results.multiplicity import PROCEDURE_WORDS as PROCEDURE_WORDS
from rctkit.results.power import PowerResult, SampleSizeResult, TypeOneErrorResult
from rctkit.results.subgroups import InteractionTest, SubgroupLevel
from rctkit.results.tipping import TIPPING_COLUMNS, TippingCell, TippingPointResult

__all__ = [
    "COVERAGE_COLUMNS",
    "ESTIMATE_COLUMNS",
    "MARGIN_COLUMNS",
    "MULTIPLICITY_COLUMNS",
    "TEST_COLUMNS",
    "TIPPING_COLUMNS",
    "BatchEstimate",
    "BatchMarginTest",
    "BatchTestResult",
    "ConfidenceInterval",
    "CoverageResult",
    "Displayed",
    "Estimate",
    "FragilityResult",
    "InteractionTest",
    "MantelFleissResult",
    "MarginTest",
    "Measure",
    "MultiplicityResult",
    "PowerResult",
    "Row",
    "SampleSizeResult",
    "SubgroupLevel",
    "TestResult",
    "TippingCell",
    "TippingPointResult",
    "TypeOneErrorResult",
]
