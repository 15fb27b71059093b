"""The trial data model: counts, outcomes, arms, the CONSORT flow and adverse events.

Every class is a frozen attrs class, validated when it is built. Bad input raises
:class:`~rctkit.InvalidInputError` naming the field, the rule and the value. The model imports
nothing that computes statistics or renders reports.
"""

from __future__ import annotations

from rctkit.model.adverse_records import GRADE_UNKNOWN, AdverseEventRecords
from rctkit.model.design import FRAMEWORKS, Design
from rctkit.model.flow import Arm, Enrolment, Reason, ReasonsLike, flow_problems, total_of
from rctkit.model.multiplicity import PROCEDURES, Multiplicity
from rctkit.model.outcome import BinaryOutcome, Counts
from rctkit.model.populations import Population
from rctkit.model.trial import AdverseEvent, PublishedEstimate, Trial

__all__ = [
    "FRAMEWORKS",
    "GRADE_UNKNOWN",
    "PROCEDURES",
    "AdverseEvent",
    "AdverseEventRecords",
    "Arm",
    "BinaryOutcome",
    "Counts",
    "Design",
    "Enrolment",
    "Multiplicity",
    "Population",
    "PublishedEstimate",
    "Reason",
    "ReasonsLike",
    "Trial",
    "flow_problems",
    "total_of",
]
