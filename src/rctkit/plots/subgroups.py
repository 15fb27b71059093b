"""The subgroup forest plot of NEJM and the Lancet: effects by subgroup, p for interaction.

The figure is built by the layout of :func:`rctkit.plots.forest_plot` (a
``matplotlib.figure.Figure`` made without pyplot).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rctkit._validation import check_choice, check_instance
from rctkit.errors import CostLimitError
from rctkit.formatting import format_count
from rctkit.plots.forest import (
    MAX_ROWS,
    _check_path,
    _check_xlim,
    _draw,
    _no_tex,
    _Row,
    check_favours,
)
from rctkit.results.subgroups import SubgroupLevel
from rctkit.subgroups import SubgroupAnalysis

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["subgroup_forest_plot"]

_STYLES = ("plain", "lancet", "nejm", "bmj", "jama")


def _level_row(lv: SubgroupLevel, style: str, indent: bool) -> _Row:
    counts = (
        f"{format_count(lv.treatment_events, style=style)}/"
        f"{format_count(lv.treatment_total, style=style)}",
        f"{format_count(lv.control_events, style=style)}/"
        f"{format_count(lv.control_total, style=style)}",
    )
    return _Row(lv.level, counts, lv.estimate, None, indent=indent)


def subgroup_forest_plot(
    result: SubgroupAnalysis,
    *,
    style: str = "plain",
    favours: tuple[str, str] | None = None,
    xlim: tuple[float, float] | None = None,
    path: str | Path | None = None,
) -> Figure:
    """The subgroup forest plot: a row per level under its factor, with p for interaction.

    The first row is all participants; then each factor is a heading, with its p for
    interaction (the headline test,
    ``.interactions``; blank where the factor has no
    test) in the last column, and its levels indented under it. Each row shows
    events/participants in each arm, the effect and its confidence interval as text (no
    limit rounded onto the null) and as a square and line on the axis (the square's area
    grows with the estimate's precision). No p-value is shown within a subgroup.

    Parameters
    ----------
    result : SubgroupAnalysis
        From :func:`~rctkit.subgroups.subgroup_analysis`.
    style : {"plain", "lancet", "nejm", "bmj", "jama"}, optional
        The journal's typography of the numbers.
    favours : (str, str), optional
        The labels under the axis, left of the null line then right; default "Favours" and
        each arm's label.
    xlim : (float, float), optional
        The axis limits (``0 < low < 1 < high`` for a ratio); default from the intervals.
    path : str or Path, optional
        Also save the figure there, at 300 dpi (the format from the suffix).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InvalidInputError
        For a result that is not a SubgroupAnalysis, or a bad ``style``, ``favours``,
        ``xlim`` or ``path``.
    CostLimitError
        For more than ``MAX_ROWS`` (200) rows.

    Notes
    -----
    Labels (factors, levels, arms) are drawn as literal text, on one line, never as
    mathtext or TeX, as in :func:`rctkit.plots.forest_plot`.

    References
    ----------
    Wang R, Lagakos SW, Ware JH, Hunter DJ, Drazen JM. Statistics in medicine: reporting of
    subgroup analyses in clinical trials. N Engl J Med 2007;357:2189-94.

    Examples
    --------
    >>> import rctkit as rk
    >>> young = rk.BinaryOutcome.from_counts(treatment=(20, 100), control=(30, 100))
    >>> old = rk.BinaryOutcome.from_counts(treatment=(44, 118), control=(53, 116))
    >>> fig = subgroup_forest_plot(rk.subgroup_analysis({"Age": {"<65": young, ">=65": old}}))
    >>> "p for interaction" in [t.get_text() for t in fig.texts]
    True
    """
    result = check_instance(result, "result", SubgroupAnalysis)
    style = check_choice(style, "style", _STYLES)
    out = _check_path(path)
    left_right = check_favours(favours, result.arm_labels)
    limits = _check_xlim(xlim, result.measure != "risk_difference")
    rows = [_level_row(result.overall, style, False)]
    for test in result.interactions:
        rows.append(_Row(test.factor, pvalue=test.pvalue, heading=True))
        rows.extend(_level_row(lv, style, True) for lv in result.levels_of(test.factor))
    if len(rows) > MAX_ROWS:
        raise CostLimitError(
            f"a subgroup forest plot of {len(rows)} rows is over the limit of {MAX_ROWS} "
            f"rows: analyse fewer factors per figure"
        )
    with _no_tex():
        figure = _draw(
            rows,
            arm_names=result.arm_labels,
            measure=result.measure,
            style=style,
            level=result.confidence_level,
            favours=left_right,
            limits=limits,
            label_head="Subgroup",
            p_head="p for interaction",
            blank_p=True,
        )
        if out is not None:
            figure.savefig(out, dpi=300)
    return figure
