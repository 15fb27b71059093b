"""rctkit: reporting randomised controlled trials with binary outcomes.

>>> import rctkit as rk
>>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
>>> rk.odds_ratio(core)
Estimate(odds_ratio=0.6659, 95% CI 0.4463 to 0.9936, method='wald', pvalue=0.04645)
"""

from __future__ import annotations

from rctkit._validation import MAX_COUNT
from rctkit._version import __version__
from rctkit.adjusted import (
    AdjustedEstimate,
    MarginalEstimate,
    SeparationError,
    adjusted_odds_ratio,
    marginal_effect,
)
from rctkit.ae_severity import AESeverityTable, ae_severity_table
from rctkit.ae_tables import AERow, AETable, ae_table
from rctkit.bootstrap import BootstrapEstimate, bootstrap, stratified_bootstrap
from rctkit.consort import ConsortFlow, flow_problems
from rctkit.coverage import coverage
from rctkit.effects import odds_ratio, risk_difference, risk_ratio
from rctkit.errors import (
    CostLimitError,
    InconsistentInputError,
    InvalidInputError,
    RctkitError,
    RctkitWarning,
)
from rctkit.fragility import fragility_index
from rctkit.hypothesis_tests import hypothesis_test
from rctkit.mantel_fleiss import mantel_fleiss
from rctkit.margins import equivalence, noninferiority
from rctkit.model import (
    AdverseEvent,
    AdverseEventRecords,
    Arm,
    BinaryOutcome,
    Counts,
    Design,
    Enrolment,
    Multiplicity,
    Population,
    PublishedEstimate,
    Reason,
    Trial,
)
from rctkit.multiplicity import adjust_pvalues, fallback, fixed_sequence
from rctkit.nnt import NNTConfidenceInterval, NNTEstimate, number_needed_to_treat
from rctkit.power import SampleSizeInterrupted, power, sample_size, type_one_error
from rctkit.report import TrialReport, report
from rctkit.results import (
    BatchEstimate,
    BatchMarginTest,
    BatchTestResult,
    ConfidenceInterval,
    CoverageResult,
    Estimate,
    FragilityResult,
    InteractionTest,
    MantelFleissResult,
    MarginTest,
    MultiplicityResult,
    PowerResult,
    SampleSizeResult,
    SubgroupLevel,
    TestResult,
    TippingCell,
    TippingPointResult,
    TypeOneErrorResult,
)
from rctkit.strata import cmh_test, homogeneity_test, mantel_haenszel, strata_from_arrays
from rctkit.subgroups import SubgroupAnalysis, subgroup_analysis
from rctkit.summary import DEFAULT_METHODS, ZERO_CELL_METHODS
from rctkit.tidy import compare_methods
from rctkit.tipping import tipping_point

__all__ = [
    "DEFAULT_METHODS",
    "MAX_COUNT",
    "ZERO_CELL_METHODS",
    "AERow",
    "AESeverityTable",
    "AETable",
    "AdjustedEstimate",
    "AdverseEvent",
    "AdverseEventRecords",
    "Arm",
    "BatchEstimate",
    "BatchMarginTest",
    "BatchTestResult",
    "BinaryOutcome",
    "BootstrapEstimate",
    "ConfidenceInterval",
    "ConsortFlow",
    "CostLimitError",
    "Counts",
    "CoverageResult",
    "Design",
    "Enrolment",
    "Estimate",
    "FragilityResult",
    "InconsistentInputError",
    "InteractionTest",
    "InvalidInputError",
    "MantelFleissResult",
    "MarginTest",
    "MarginalEstimate",
    "Multiplicity",
    "MultiplicityResult",
    "NNTConfidenceInterval",
    "NNTEstimate",
    "Population",
    "PowerResult",
    "PublishedEstimate",
    "RctkitError",
    "RctkitWarning",
    "Reason",
    "SampleSizeInterrupted",
    "SampleSizeResult",
    "SeparationError",
    "SubgroupAnalysis",
    "SubgroupLevel",
    "TestResult",
    "TippingCell",
    "TippingPointResult",
    "Trial",
    "TrialReport",
    "TypeOneErrorResult",
    "__version__",
    "adjust_pvalues",
    "adjusted_odds_ratio",
    "ae_severity_table",
    "ae_table",
    "bootstrap",
    "cmh_test",
    "compare_methods",
    "coverage",
    "equivalence",
    "fallback",
    "fixed_sequence",
    "flow_problems",
    "fragility_index",
    "homogeneity_test",
    "hypothesis_test",
    "mantel_fleiss",
    "mantel_haenszel",
    "marginal_effect",
    "noninferiority",
    "number_needed_to_treat",
    "odds_ratio",
    "power",
    "report",
    "risk_difference",
    "risk_ratio",
    "sample_size",
    "strata_from_arrays",
    "stratified_bootstrap",
    "subgroup_analysis",
    "tipping_point",
    "type_one_error",
]
