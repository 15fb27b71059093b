"""The CONSORT participant flow: its consistency rules, and the flow as text, table and diagram.

A :class:`~rctkit.Trial` holds the flow: the enrolment box (assessed for eligibility, excluded
with reasons) and, per arm, allocated, received, did not receive, lost to follow-up,
discontinued, analysed and excluded from analysis, each list of reasons with counts; its
analysis populations (full analysis set, per-protocol, safety...) are listed with each arm's
count in the analysis boxes.
:func:`flow_problems` states the arithmetic every flow obeys; :func:`consort` wraps a trial
for display: plain text, Markdown, an SVG diagram in the two-arm layout of the CONSORT 2010
flow diagram template, and a matplotlib figure with the same layout.

The boxes are worded as in the CONSORT 2010 template ("Enrollment", "Randomized",
"Follow-Up", "Analysed"), so that the diagram reads as the one journals ask for.

References
----------
.. [1] Schulz KF, Altman DG, Moher D, for the CONSORT Group. CONSORT 2010 Statement: updated
   guidelines for reporting parallel group randomised trials. BMJ 2010;340:c332.
.. [2] Hopewell S, Chan AW, Collins GS, et al. CONSORT 2025 statement: updated guideline for
   reporting randomised trials. BMJ 2025;388:e081123.
"""

from __future__ import annotations

from typing import Any

import attrs

from rctkit.consort.boxes import _trial
from rctkit.consort.figure import consort_figure
from rctkit.consort.svg import consort_svg
from rctkit.consort.text import consort_markdown, consort_text
from rctkit.model import Trial, flow_problems

__all__ = [
    "ConsortFlow",
    "consort",
    "consort_figure",
    "consort_markdown",
    "consort_svg",
    "consort_text",
    "flow_problems",
]


@attrs.frozen(repr=False)
class ConsortFlow:
    """A trial's CONSORT participant flow, for display.

    In a notebook it shows as the flow diagram (SVG). Build it with :func:`consort`.

    Parameters
    ----------
    trial : Trial
        The trial.

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> flow = consort(example_trial())
    >>> flow
    ConsortFlow('CORE: peer-supported self-management after crisis care', randomized=441)
    >>> flow.to_svg().startswith("<svg")
    True
    """

    trial: Trial = attrs.field(converter=_trial)

    def __repr__(self) -> str:
        randomized = sum(arm.allocated for arm in self.trial.arms)
        return f"ConsortFlow({self.trial.title!r}, randomized={randomized})"

    def _repr_html_(self) -> str:
        return self.to_svg()

    def to_svg(self) -> str:
        """The flow diagram as SVG text; see :func:`consort_svg`."""
        return consort_svg(self.trial)

    def to_text(self) -> str:
        """The flow as plain text; see :func:`consort_text`."""
        return consort_text(self.trial)

    def to_markdown(self) -> str:
        """The flow in Markdown; see :func:`consort_markdown`."""
        return consort_markdown(self.trial)

    def figure(self, *, dpi: float = 100.0) -> Any:
        """The flow diagram as a matplotlib figure; see :func:`consort_figure`."""
        return consort_figure(self.trial, dpi=dpi)

    def __str__(self) -> str:
        return self.to_text()


def consort(trial: Trial) -> ConsortFlow:
    """Wrap a trial's participant flow for display (text, Markdown, SVG, matplotlib).

    Parameters
    ----------
    trial : Trial
        The trial.

    Returns
    -------
    ConsortFlow
        Shows as the flow diagram in a notebook.

    Raises
    ------
    InvalidInputError
        If ``trial`` is not a :class:`~rctkit.Trial`.

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> print(consort(example_trial()).to_text().splitlines()[5])
      Randomized (n = 441)
    """
    return ConsortFlow(trial)
