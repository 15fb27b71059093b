"""The CONSORT flow as plain text and as Markdown."""

from __future__ import annotations

import textwrap

from rctkit.consort.boxes import (
    _ASSESSED,
    _ENROLLMENT,
    _EXCLUDED,
    _NO_REASONS,
    _RANDOMIZED,
    _STAGES,
    NOT_REPORTED,
    _Entry,
    _flow,
)
from rctkit.formatting import escape_markdown
from rctkit.model import Trial

_WIDTH = 88


def _text_lines(entry: _Entry, indent: int) -> list[str]:
    lines = [(indent, entry.heading())]
    lines += [(indent + 2, f"- {r.reason} (n\u00a0=\u00a0{r.count})") for r in entry.reasons]
    if entry.reasons_missing:
        lines.append((indent + 2, f"- {_NO_REASONS}"))
    out = []
    for level, text in lines:
        hang = level + 2 if text.startswith("- ") else level + 4
        wrapped = textwrap.wrap(
            text,
            _WIDTH,
            initial_indent=" " * level,
            subsequent_indent=" " * hang,
            break_on_hyphens=False,
        )
        out += [w.replace("\u00a0", " ") for w in wrapped]
    return out


def consort_text(trial: Trial) -> str:
    """The participant flow as plain text, stage by stage and arm by arm.

    Counts that the trial does not give are printed as "not reported". A count that the
    arithmetic of the flow fixes is filled in (see Notes). Each arm's analysis lists the
    trial's populations (``Trial.populations``) with their counts in that arm, in the
    trial's order, after "Analysed" and the exclusions.

    Parameters
    ----------
    trial : Trial
        The trial.

    Returns
    -------
    str
        The flow, lines of at most 88 characters, ending with a newline.

    Notes
    -----
    Filled-in counts: excluded = assessed - randomized when the reasons are not given; did
    not receive = allocated - received, and the reverse; excluded from analysis = allocated -
    analysed, and the reverse (the intention-to-treat convention of :func:`flow_problems`).
    Reasons that were not given for a positive count are shown as "reasons not reported".

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> print(consort_text(example_trial()))  # doctest: +ELLIPSIS
    Participant flow (CONSORT): CORE: peer-supported self-management after crisis care
    <BLANKLINE>
    Enrollment
      Assessed for eligibility: not reported
      Excluded: not reported
      Randomized (n = 441)
    <BLANKLINE>
    Allocation
      Peer-supported self-management
        Allocated (n = 221)
        Received allocated intervention: not reported
    ...
    Analysis
      Peer-supported self-management
        Analysed (n = 218)
        Excluded from analysis (n = 3)
          - reasons not reported
    ...
    """
    flow = _flow(trial)
    lines = [f"Participant flow (CONSORT): {flow.title}", "", _ENROLLMENT]
    for entry in (flow.assessed, flow.excluded, flow.randomized):
        lines += _text_lines(entry, 2)
    for stage, attr in _STAGES:
        lines += ["", stage]
        for arm in flow.arms:
            lines.append(f"  {arm.label}")
            entries: tuple[_Entry, ...] = getattr(arm, attr)
            if attr == "analysis":
                entries += arm.populations
            for entry in entries:
                lines += _text_lines(entry, 4)
    return "\n".join(lines) + "\n"


def _md_cell(entry: _Entry) -> str:
    if entry.count is None:
        return NOT_REPORTED
    cell = str(entry.count)
    if entry.reasons:
        cell += (
            " ("
            + "; ".join(f"{escape_markdown(r.reason)}: {r.count}" for r in entry.reasons)
            + ")"
        )
    elif entry.reasons_missing:
        cell += f" ({_NO_REASONS})"
    return cell


def consort_markdown(trial: Trial) -> str:
    """The participant flow in Markdown: the enrolment as a list, then a table of the arms.

    Parameters
    ----------
    trial : Trial
        The trial.

    Returns
    -------
    str
        Markdown (a bulleted list and a pipe table), ending with a newline. Reasons follow
        their count in parentheses; missing counts read "not reported". Counts are filled in
        as in :func:`consort_text`. The trial's populations follow the analysis rows, one row
        each.

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> print(consort_markdown(example_trial()))  # doctest: +ELLIPSIS
    **Enrollment**
    <BLANKLINE>
    - Assessed for eligibility: not reported
    - Excluded: not reported
    - Randomized: 441
    <BLANKLINE>
    | | Peer-supported self-management | Workbook by post (control) |
    |---|---|---|
    | **Allocation** | | |
    | Allocated | 221 | 220 |
    ...
    | Excluded from analysis | 3 (reasons not reported) | 4 (reasons not reported) |
    """
    flow = _flow(trial)
    lines = [f"**{_ENROLLMENT}**", ""]
    lines.append(f"- {_ASSESSED}: {_md_cell(flow.assessed)}")
    lines.append(f"- {_EXCLUDED}: {_md_cell(flow.excluded)}")
    lines.append(f"- {_RANDOMIZED}: {_md_cell(flow.randomized)}")
    lines.append("")
    treatment, control = flow.arms
    lines.append(f"| | {escape_markdown(treatment.label)} | {escape_markdown(control.label)} |")
    lines.append("|---|---|---|")
    for stage, attr in _STAGES:
        lines.append(f"| **{stage}** | | |")
        for t, c in zip(getattr(treatment, attr), getattr(control, attr), strict=True):
            lines.append(f"| {t.label} | {_md_cell(t)} | {_md_cell(c)} |")
    for t, c in zip(treatment.populations, control.populations, strict=True):
        lines.append(f"| {escape_markdown(t.label)} | {_md_cell(t)} | {_md_cell(c)} |")
    return "\n".join(lines) + "\n"
