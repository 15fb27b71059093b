"""The forest plot of a journal: the outcomes' counts, effects and p-values, with the axis.

The figure is a ``matplotlib.figure.Figure`` built directly, never through
``matplotlib.pyplot``: drawing one does not import pyplot, choose or change a backend, or
leave a figure open in pyplot's registry. It shows in a notebook, and
``fig.savefig("forest.png")`` (or ``.svg``, ``.pdf``) writes it.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from statistics import NormalDist
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from rctkit._engine import method_label
from rctkit._validation import check_choice, check_instance, check_margin, check_margins
from rctkit.errors import CostLimitError, InvalidInputError
from rctkit.formatting import escape_text, format_ci, format_count, format_number, format_p
from rctkit.model import BinaryOutcome, Trial
from rctkit.plots._axis import axis_limits, null_fraction, tick_label
from rctkit.report import DEFAULT_METHODS, TrialReport, summarise_outcome
from rctkit.results import MEASURE_LABELS, ConfidenceInterval, Estimate

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["MAX_ROWS", "forest_plot"]

#: The most rows (outcomes, subgroup headings and subgroups) one forest plot draws: a 300 dpi
#: PNG of 200 rows takes about 2.3 s and 220 MB.
MAX_ROWS = 200

_MEASURES = ("odds_ratio", "risk_ratio", "risk_difference")

# Labels are text: not mathtext ("$x$" keeps its dollar signs) and never TeX, whatever
# rcParams say; a label such as "$\undefinedmacro$" cannot stop the drawing.
_LITERAL: dict[str, Any] = {"parse_math": False, "usetex": False}

# Geometry, in inches and points.
_FONT = 9.0  # points
_SMALL = 8.5  # tick labels and "favours"
_ROW = 0.26  # height of a row
_LINE = 0.18  # a header line
_FOOT = 0.55  # tick labels and the "favours" labels under the axis
_PAD = 0.12  # around the figure
_GAP = 0.22  # between columns
_INDENT = 0.16  # subgroups under their heading
_AXIS = 2.4  # width of the plotting region
_SQUARE = (3.0, 10.5)  # side of the smallest and the largest square
_DEFAULT_SIDE = 5.0  # side where no weight is known (an interval with an infinite limit)
_NOT_ESTIMABLE = "not estimable"
_NONE = "\u2013"  # an en dash for a count or p-value not given


_Entry = BinaryOutcome | Estimate


@attrs.frozen
class _Row:
    """One line of the plot: an outcome, a subgroup, or a heading (no estimate)."""

    label: str
    counts: tuple[str, str] = ("", "")
    estimate: Estimate | None = None
    pvalue: float | None = None
    heading: bool = False
    indent: bool = False
    switched: bool = False  # a zero cell made the report use another interval


def _matplotlib() -> tuple[Any, Any, Any, Any, Any]:
    """The figure class, the modules used and the text measurer: never pyplot."""
    try:
        from matplotlib import lines, ticker, transforms
        from matplotlib.figure import Figure
        from matplotlib.font_manager import FontProperties
        from matplotlib.textpath import TextToPath
    except ImportError as exc:  # pragma: no cover - matplotlib is installed in tests
        raise ImportError("plots need matplotlib: pip install 'rctkit[plot]'") from exc
    measurer = TextToPath()

    def width(text: str, bold: bool = False, size: float = _FONT) -> float:
        prop = FontProperties(size=size, weight="bold" if bold else "normal")
        w, _, _ = measurer.get_text_width_height_descent(text, prop, ismath=False)
        return float(w) / 72.0  # points to inches

    return Figure, lines, ticker, transforms, width


# -- arguments -----------------------------------------------------------------------------


def _check_path(path: Any) -> Path | None:
    if path is not None and not isinstance(path, str | Path):
        raise InvalidInputError(
            f"`path` must be a str, a Path or None (got {type(path).__name__})"
        )
    return None if path is None else Path(path)


def _check_label(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be a str (got {type(value).__name__})")
    return value


def check_favours(favours: Any, arms: tuple[str, str]) -> tuple[str, str]:
    """The two "Favours ..." labels: given, or from the arms' names (treatment, control)."""
    if favours is None:
        return (f"Favours {arms[0]}", f"Favours {arms[1]}")
    if (
        isinstance(favours, str)
        or not isinstance(favours, Sequence)
        or len(favours) != 2
        or not all(isinstance(f, str) for f in favours)
    ):
        raise InvalidInputError(
            f"`favours` must be two strings, left of the null line then right (got {favours!r})"
        )
    return (favours[0], favours[1])


def _check_xlim(xlim: Any, ratio: bool) -> tuple[float, float] | None:
    if xlim is None:
        return None
    ok = (
        isinstance(xlim, Sequence)
        and not isinstance(xlim, str)
        and len(xlim) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in xlim)
    )
    if ok:
        low, high = float(xlim[0]), float(xlim[1])
        null = 1.0 if ratio else 0.0
        ok = math.isfinite(low) and math.isfinite(high) and low < null < high
    if not ok:
        rule = "0 < low < 1 < high" if ratio else "low < 0 < high"
        raise InvalidInputError(f"`xlim` must be two finite numbers with {rule} (got {xlim!r})")
    return (low, high)


def _check_outcomes(outcomes: Any, trial: Trial) -> tuple[BinaryOutcome, ...]:
    if outcomes is None:
        return trial.outcomes
    names = [o.name for o in trial.outcomes]
    if isinstance(outcomes, str) or not isinstance(outcomes, Sequence):
        raise InvalidInputError(
            f"`outcomes` must be a sequence of outcome names or None (got {outcomes!r})"
        )
    chosen = []
    for name in outcomes:
        if name not in names:
            listed = ", ".join(repr(n) for n in names)
            raise InvalidInputError(
                f"`outcomes` must name outcomes of the trial ({listed}) (got {name!r})"
            )
        chosen.append(trial.outcomes[names.index(name)])
    return tuple(chosen)


def _check_entry(value: Any, name: str, measure: str, level: float) -> _Entry:
    if isinstance(value, BinaryOutcome):
        return value
    if not isinstance(value, Estimate):
        raise InvalidInputError(
            f"{name} must be a BinaryOutcome, an Estimate or a mapping of them "
            f"(got {type(value).__name__})"
        )
    if value.measure != measure:
        raise InvalidInputError(
            f"{name} must be an Estimate of the plotted measure {measure!r} "
            f"(got {value.measure!r})"
        )
    if not math.isclose(value.confidence_level, level, rel_tol=1e-12):
        raise InvalidInputError(
            f"{name} must have the plot's `confidence_level` {level:g} "
            f"(got {value.confidence_level:g})"
        )
    return value


def _check_subgroups(
    subgroups: Any, measure: str, level: float
) -> list[tuple[str, _Entry | dict[str, _Entry]]]:
    if subgroups is None:
        return []
    if not isinstance(subgroups, Mapping):
        raise InvalidInputError(
            f"`subgroups` must be a mapping of label to BinaryOutcome, Estimate or a mapping "
            f"of them, or None (got {type(subgroups).__name__})"
        )
    checked: list[tuple[str, _Entry | dict[str, _Entry]]] = []
    for key, value in subgroups.items():
        label = _check_label(key, f"each key of `subgroups` ({key!r})")
        where = f"`subgroups[{key!r}]`"
        if isinstance(value, Mapping):
            inner = {
                _check_label(k, f"each key of {where} ({k!r})"): _check_entry(
                    v, f"`subgroups[{key!r}][{k!r}]`", measure, level
                )
                for k, v in value.items()
            }
            checked.append((label, inner))
        else:
            checked.append((label, _check_entry(value, where, measure, level)))
    return checked


def _row_count(outcomes: Sequence[BinaryOutcome], groups: Sequence[tuple[str, Any]]) -> int:
    return len(outcomes) + sum(1 + len(v) if isinstance(v, dict) else 1 for _, v in groups)


# -- rows ----------------------------------------------------------------------------------


def _outcome_row(
    label: str,
    outcome: BinaryOutcome,
    *,
    measure: str,
    report: TrialReport,
    indent: bool,
) -> _Row:
    # The report's own summary: the same methods, including the score interval that it uses
    # where a zero cell leaves Wald's undefined (unless the caller named the method).
    summary = summarise_outcome(
        outcome, confidence_level=report.confidence_level, methods=report.methods
    )
    est: Estimate = getattr(summary, measure)
    asked = {**DEFAULT_METHODS, **report.methods}[measure]
    counts = tuple(
        f"{format_count(c.events, style=report.style)}/{format_count(c.total, style=report.style)}"
        for c in (outcome.treatment, outcome.control)
    )
    return _Row(
        label,
        (counts[0], counts[1]),
        est,
        summary.test.pvalue,
        indent=indent,
        switched=est.method != asked,
    )


def _rows(
    outcomes: Sequence[BinaryOutcome],
    groups: Sequence[tuple[str, Any]],
    *,
    measure: str,
    report: TrialReport,
) -> list[_Row]:
    def one(label: str, value: BinaryOutcome | Estimate, indent: bool) -> _Row:
        if isinstance(value, BinaryOutcome):
            return _outcome_row(label, value, measure=measure, report=report, indent=indent)
        return _Row(label, (_NONE, _NONE), value, value.pvalue, indent=indent)

    rows = [one(o.name, o, False) for o in outcomes]
    for label, value in groups:
        if isinstance(value, dict):
            rows.append(_Row(label, heading=True))
            rows.extend(one(k, v, True) for k, v in value.items())
        else:
            rows.append(one(label, value, False))
    return rows


def _p_cell(pvalue: float | None, style: str) -> str:
    """The p-value as the report prints it, without its "p =": the column is headed."""
    return _NONE if pvalue is None else format_p(pvalue, style=style, prefix=False)


def _estimate_cell(
    est: Estimate | None, scale: float, digits: int, style: str, null: float
) -> str:
    """The estimate and interval as the report prints them: no limit rounds onto the null."""
    if est is None:
        return ""
    if math.isnan(est.estimate):
        return _NOT_ESTIMABLE
    low, high = est.ci
    point = format_number(scale * est.estimate, digits, style=style)
    ci = format_ci(
        scale * low,
        scale * high,
        digits,
        level=est.confidence_level,
        style=style,
        label=False,
        null=null,
    )
    return f"{point} ({ci})"


def _information(est: Estimate | None, ratio: bool, level: float) -> float | None:
    """Inverse variance of the log ratio (or the difference) implied by the interval."""
    if est is None or math.isnan(est.estimate):
        return None
    low, high = est.ci
    if ratio:
        if not (0 < low <= high < math.inf):
            return None
        width = math.log(high) - math.log(low)
    else:
        if not (math.isfinite(low) and math.isfinite(high)):
            return None
        width = high - low
    if width <= 0:
        return None
    se = width / (2 * NormalDist().inv_cdf(0.5 + level / 2))
    return 1.0 / (se * se)


def _square_sides(information: Sequence[float | None]) -> list[float]:
    """Square sides in points: area proportional to information, the largest at the maximum."""
    known = [w for w in information if w is not None]
    top = max(known, default=0.0)
    small, large = _SQUARE
    sides = []
    for w in information:
        if w is None or top <= 0:
            sides.append(_DEFAULT_SIDE)
        else:
            sides.append(max(small, large * math.sqrt(w / top)))
    return sides


# -- the figure ----------------------------------------------------------------------------


def forest_plot(
    trial: Trial,
    *,
    measure: str = "odds_ratio",
    confidence_level: float = 0.95,
    methods: Mapping[str, str] = MappingProxyType({}),
    style: str = "plain",
    outcomes: Sequence[str] | None = None,
    subgroups: Mapping[str, Any] | None = None,
    favours: tuple[str, str] | None = None,
    xlim: tuple[float, float] | None = None,
    margin: float | tuple[float, float] | None = None,
    path: str | Path | None = None,
) -> Figure:
    """A journal's forest plot: the outcomes' counts, effects and p-values, with the interval.

    One row per outcome (and per subgroup), with the columns: the outcome, events/participants
    in each arm, the estimate and its confidence interval drawn on the axis and written as
    text, and the p-value. "Favours ..." labels sit under the axis on either side of the null
    line.

    Parameters
    ----------
    trial : Trial
        The trial whose outcomes are plotted, one row each.
    measure : {"odds_ratio", "risk_ratio", "risk_difference"}, optional
        Ratios are drawn on a log axis, with a line at 1 and ticks such as 0.25 0.5 1 2 4
        chosen from the data; the risk difference (in percentage points) on a linear axis,
        with a line at 0.
    confidence_level, methods, style : optional
        As in :class:`rctkit.report.TrialReport`: the same interval methods, the same test for
        the p-value column, and the report's typography (numbers, tick labels and p-values of
        ``style="lancet"`` with mid-dots, "<0·0001").
    outcomes : sequence of str, optional
        The names of the trial's outcomes to draw, in that order; default all of them.
    subgroups : mapping, optional
        Extra rows under the outcomes. Each key is a row's label and each value a
        :class:`~rctkit.BinaryOutcome` (its counts are analysed as the outcomes are) or an
        :class:`~rctkit.Estimate` of ``measure`` at ``confidence_level`` (drawn as given; its
        counts show as "–", its p-value is its own; a risk difference is drawn in percentage
        points, as the outcomes' are). A value may also be a mapping of such
        rows: the key is then a heading and its rows are indented under it, e.g.
        ``{"Age": {"<65 years": young, "65 years or older": old}}``.
    favours : (str, str), optional
        The labels under the axis, left of the null line then right; default
        ``("Favours <treatment>", "Favours <control>")``, right when the outcome is an event to
        avoid. Pass them reversed when the outcome is a good one.
    xlim : (float, float), optional
        The axis limits (for ratios ``0 < low < 1 < high``); intervals beyond them end in an
        arrow. Default: from the data, as far either side of the null as the widest interval
        needs.
    margin : float or (float, float), optional
        A non-inferiority margin (or equivalence margins) on ``measure``'s scale (a risk
        difference as a proportion, -0.125), drawn as a dashed second reference line labelled
        "Margin". Default: the trial's own (``Trial.design``) when it is on ``measure``.
    path : str or Path, optional
        Save the figure there; the suffix (``.png``, ``.svg``, ``.pdf``) chooses the format.
        Raster formats are written at 300 dpi, as journals ask.

    Returns
    -------
    matplotlib.figure.Figure
        A figure outside pyplot (see below); ``fig.axes[0]`` is the plotting axis.

    Raises
    ------
    InvalidInputError
        If ``trial`` is not a :class:`~rctkit.Trial`, ``path`` is not a str or Path, or an
        option is not one of its values (an Estimate in ``subgroups`` of another measure or
        confidence level, an unknown outcome name, limits that do not hold the null value).
    CostLimitError
        If the plot would have more than ``MAX_ROWS`` (200) rows, before anything is computed.

    Notes
    -----
    *Squares.* The area of each square is proportional to the row's information, the inverse
    variance of the log estimate (of the difference) that its interval implies:
    :math:`w = (2 z_{1-\\alpha/2} / (\\log U - \\log L))^2`, which is exactly the inverse
    Wald variance for the Wald interval. The largest information gets the largest square. A
    row with an infinite limit (a zero cell) gets a small square of fixed size, a row with no
    estimate ("not estimable") none; an interval beyond the axis ends in an arrow.

    *Methods.* Each outcome (and subgroup given as a BinaryOutcome) is summarised as the
    report summarises it (``rctkit.report.summarise_outcome``): where a zero cell leaves
    the default Wald interval undefined, a score interval is used instead (Koopman for the
    risk ratio, Miettinen-Nurminen for the odds ratio), its estimate is marked "*", and a
    footnote under the axis names the method. A method named in ``methods`` is kept as asked.

    *pyplot.* The figure is a ``matplotlib.figure.Figure`` made directly: pyplot is not
    imported, ``matplotlib.use()`` is never called, the backend of a notebook or a script is
    unchanged, and nothing is left in pyplot's registry (``plt.get_fignums()``). Close it with
    ``del fig``, not ``plt.close``.

    *Labels.* Every label (outcome names, arm names, subgroups, ``favours``) is drawn as literal
    text, with ``parse_math=False`` and ``usetex=False``: "$x$" shows its dollar signs and
    ``$\\undefinedmacro$`` cannot stop the drawing, whatever ``rcParams["text.usetex"]``
    says. Labels are on one line, control characters shown as U+FFFD
    (:func:`~rctkit.formatting.escape_text`).

    *Cost.* Each row costs the report's summary of it (its intervals and tests). Building
    the figure takes about 1.5 ms a row; saving it about 5 ms a row as a PNG at 100 dpi, and
    at 300 dpi (``path``) about 12 ms and 1.1 MB of memory a row (200 rows: 2.3 s, 220 MB).
    At most ``MAX_ROWS`` rows: split a longer plot, or tabulate the numbers with
    :mod:`rctkit.batch`.

    Examples
    --------
    >>> from rctkit.trialfile import example_trial
    >>> fig = forest_plot(example_trial(), measure="risk_ratio", style="lancet")
    >>> fig.axes[0].get_xscale()
    'log'
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['0·5', '1', '2']
    """
    trial = check_instance(trial, "trial", Trial)
    measure = check_choice(measure, "measure", _MEASURES)
    out = _check_path(path)
    report = TrialReport(trial, style=style, confidence_level=confidence_level, methods=methods)
    level, style = report.confidence_level, report.style
    ratio = measure != "risk_difference"
    chosen = _check_outcomes(outcomes, trial)
    groups = _check_subgroups(subgroups, measure, level)
    left_right = check_favours(favours, (trial.arms[0].name, trial.arms[1].name))
    limits = _check_xlim(xlim, ratio)
    margins = _check_margin(margin, trial, measure)
    n = _row_count(chosen, groups)
    if n > MAX_ROWS:
        raise CostLimitError(
            f"a forest plot of {n} rows is over the limit of {MAX_ROWS} rows "
            f"(`outcomes` and `subgroups`): draw fewer rows per figure, or tabulate the "
            f"estimates with rctkit.batch"
        )
    rows = _rows(chosen, groups, measure=measure, report=report)
    # Built with usetex off, so that the axis' own texts (tick labels) never go to TeX either.
    with _no_tex():
        figure = _draw(
            rows,
            arm_names=(trial.arms[0].name, trial.arms[1].name),
            measure=measure,
            style=style,
            level=level,
            favours=left_right,
            limits=limits,
            margins=margins,
        )
        if out is not None:
            figure.savefig(out, dpi=300)
    return figure


def _check_margin(margin: Any, trial: Trial, measure: str) -> tuple[float, ...]:
    """The margin lines, on the measure's scale: the given margin, else the trial's own."""
    if margin is None:
        design = trial.design
        if not design.has_margin or design.measure != measure or design.margin is None:
            return ()
        margin = design.margin
        return tuple(margin) if isinstance(margin, tuple) else (margin,)
    if isinstance(margin, tuple | list):
        return check_margins(measure, tuple(margin), name="margin")
    if isinstance(margin, bool) or not isinstance(margin, int | float):
        raise InvalidInputError(f"`margin` must be a number or a pair (got {margin!r})")
    null = 1.0 if measure != "risk_difference" else 0.0
    return (check_margin(measure, margin, float(margin) < null)[0],)


def _wrap(label: str) -> list[str]:
    """A header on at most three lines of about 18 characters, never cut inside a word."""
    lines = textwrap.wrap(label, 18, break_long_words=False, break_on_hyphens=False) or [""]
    return lines if len(lines) <= 3 else [*lines[:2], " ".join(lines[2:])]


def _no_tex() -> Any:
    from matplotlib import rc_context

    return rc_context({"text.usetex": False})


def _draw(
    rows: Sequence[_Row],
    *,
    arm_names: tuple[str, str],
    measure: str,
    style: str,
    level: float,
    favours: tuple[str, str],
    limits: tuple[float, float] | None,
    margins: tuple[float, ...] = (),
    label_head: str = "Outcome",
    p_head: str | None = None,
    blank_p: bool = False,
) -> Figure:
    figure_class, lines, ticker, transforms, width = _matplotlib()
    ratio = measure != "risk_difference"
    scale = 1.0 if ratio else 100.0
    digits = 2 if ratio else 1
    null = 1.0 if ratio else 0.0
    treatment, control = (escape_text(arm) for arm in arm_names)
    pct = f"{100 * level:g}%"
    name = MEASURE_LABELS[measure] + (", % points" if not ratio else "")
    if p_head is None:
        p_head = "p value" if style in ("plain", "lancet") else "P value"

    # The columns' texts, then their widths from the texts as drawn.
    labels = [escape_text(r.label) for r in rows]
    counts = [r.counts for r in rows]
    estimates = [
        _estimate_cell(r.estimate, scale, digits, style, null) + ("*" if r.switched else "")
        for r in rows
    ]
    # The footnote of the rows marked "*": which interval the report used there instead.
    used = sorted({r.estimate.method for r in rows if r.switched and r.estimate is not None})
    note = (
        "* With a zero cell the Wald interval is undefined: "
        + ", ".join(method_label(measure, m) for m in used)
        + " interval instead."
        if used
        else ""
    )
    # A heading shows a p-value only when it has one (a subgroup plot's interaction test);
    # with blank_p no row shows a dash for a missing one.
    pvalues = [
        "" if (r.heading or blank_p) and r.pvalue is None else _p_cell(r.pvalue, style)
        for r in rows
    ]
    # Headers, bottom-aligned: an arm's name wraps onto at most three lines over its counts.
    headers = {
        "label": [label_head],
        "treatment": [*_wrap(treatment), "n/N"],
        "control": [*_wrap(control), "n/N"],
        "estimate": [name, f"({pct} CI)"],
        "p": [p_head],
    }
    depth = max(len(h) for h in headers.values())
    headers = {k: [""] * (depth - len(h)) + h for k, h in headers.items()}

    def column(key: str, cells: Sequence[str], extra: Sequence[float] = ()) -> float:
        head = max(width(h, bold=True) for h in headers[key])
        body = max(
            [width(c) + e for c, e in zip(cells, extra or [0.0] * len(cells), strict=True)],
            default=0.0,
        )
        return float(max(head, body))

    # The axis reaches the margins too: each enters the range as a point "estimate".
    reach: list[Estimate | None] = [r.estimate for r in rows]
    reach += [
        Estimate(
            measure,  # type: ignore[arg-type]  # one of _MEASURES
            m,
            ConfidenceInterval(m, m),
            confidence_level=level,
            method="margin",
        )
        for m in margins
    ]
    limits, ticks = axis_limits(reach, scale, ratio, limits)
    left, right = f"\u2190 {escape_text(favours[0])}", f"{escape_text(favours[1])} \u2192"
    indents = [_INDENT if r.indent else 0.0 for r in rows]
    w_label = column("label", labels, indents)
    w_treat = column("treatment", [c[0] for c in counts])
    w_control = column("control", [c[1] for c in counts])
    w_est = column("estimate", estimates)
    w_p = column("p", pvalues)
    # The "favours" labels hang from the null line and may pass the axis' ends, over the
    # columns' blank space; the margins grow where they would pass the figure's edges.
    margin = 6 / 72  # their offset from the null line, and a little air
    left_w = width(left, size=_SMALL) + margin
    right_w = width(right, size=_SMALL) + margin
    x_label = _PAD
    x_treat = x_label + w_label + _GAP
    x_control = x_treat + w_treat + _GAP
    x_axis = x_control + w_control + _GAP
    x_null = x_axis + null_fraction(limits, ratio) * _AXIS
    shift = max(0.0, left_w - (x_null - _PAD))
    x_label, x_treat, x_control = x_label + shift, x_treat + shift, x_control + shift
    x_axis += shift
    x_est = x_axis + _AXIS + _GAP
    x_p = x_est + w_est + _GAP
    fig_w = max(x_p + w_p, x_null + shift + right_w, x_label + width(note, size=_SMALL)) + _PAD
    n = len(rows)
    rows_h = max(n, 1) * _ROW
    head_h = depth * _LINE + 0.06
    foot_h = _FOOT + (_LINE + 0.04 if note else 0.0)
    fig_h = _PAD + head_h + rows_h + foot_h + _PAD
    rows_top = fig_h - _PAD - head_h

    fig: Figure = figure_class(figsize=(fig_w, fig_h), dpi=100)
    bottom = rows_top - rows_h
    ax = fig.add_axes((x_axis / fig_w, bottom / fig_h, _AXIS / fig_w, rows_h / fig_h))
    inches = fig.dpi_scale_trans

    def text(x: float, y: float, s: str, *, ha: str = "left", bold: bool = False) -> None:
        fig.text(
            x,
            y,
            s,
            transform=inches,
            ha=ha,
            va="center",
            fontsize=_FONT,
            fontweight="bold" if bold else "normal",
            **_LITERAL,
        )

    # Headers: two lines, bold, centred over the count columns.
    for line in range(depth):
        y = rows_top + 0.11 + (depth - 1 - line) * _LINE
        text(x_label, y, headers["label"][line], bold=True)
        text(x_treat + w_treat / 2, y, headers["treatment"][line], ha="center", bold=True)
        text(x_control + w_control / 2, y, headers["control"][line], ha="center", bold=True)
        text(x_est, y, headers["estimate"][line], bold=True)
        text(x_p, y, headers["p"][line], bold=True)
    fig.add_artist(
        lines.Line2D(
            [x_label, fig_w - _PAD], [rows_top + 0.01] * 2, transform=inches, lw=0.6, c="k"
        )
    )

    for i, row in enumerate(rows):
        y = rows_top - (i + 0.5) * _ROW
        text(x_label + indents[i], y, labels[i], bold=row.heading)
        if row.heading:
            text(x_p, y, pvalues[i])
            continue
        text(x_treat + w_treat / 2, y, counts[i][0], ha="center")
        text(x_control + w_control / 2, y, counts[i][1], ha="center")
        text(x_est, y, estimates[i])
        text(x_p, y, pvalues[i])

    if ratio:
        ax.set_xscale("log")
    ax.set_xlim(*limits)
    ax.set_ylim(n - 0.5 if n else 0.5, -0.5)
    ax.set_xticks(ticks, labels=[tick_label(t, style) for t in ticks])
    for tick in ax.get_xticklabels():
        tick.set_parse_math(False)
    ax.xaxis.set_minor_locator(ticker.NullLocator())
    ax.tick_params(axis="x", labelsize=_SMALL, length=3, width=0.6)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_linewidth(0.6)
    ax.axvline(null, color="0.35", linewidth=0.7, zorder=1)
    for m in margins:  # the margin: a dashed second reference line, labelled over the axis
        ax.axvline(scale * m, color="0.35", linewidth=0.7, linestyle=(0, (4, 3)), zorder=1)
        top = transforms.blended_transform_factory(ax.transData, ax.transAxes)
        ax.text(
            scale * m,
            1.0,
            "Margin",
            transform=top,
            ha="center",
            va="bottom",
            fontsize=_SMALL,
            color="0.35",
            parse_math=False,
        )

    information = [_information(r.estimate, ratio, level) for r in rows]
    sides = _square_sides(information)
    xs, ys, areas = [], [], []
    for i, row in enumerate(rows):
        est = row.estimate
        if est is None or math.isnan(est.estimate):
            continue
        _interval(ax, i, scale * est.ci.low, scale * est.ci.high, limits)
        point = scale * est.estimate
        if limits[0] <= point <= limits[1]:
            xs.append(point)
            ys.append(float(i))
            areas.append(sides[i] ** 2)
    squares = ax.scatter(
        xs, ys, s=areas, marker="s", color="black", linewidths=0, zorder=3, clip_on=False
    )
    squares.set_gid("forest-squares")

    # "Favours" under the tick labels, either side of the null line.
    below = transforms.blended_transform_factory(ax.transData, inches)
    y_fav = rows_top - rows_h - 0.43
    for label, sign, ha in ((left, -1, "right"), (right, 1, "left")):
        ax.annotate(
            label,
            xy=(null, y_fav),
            xycoords=below,
            xytext=(4 * sign, 0),
            textcoords="offset points",
            ha=ha,
            va="center",
            fontsize=_SMALL,
            annotation_clip=False,
            **_LITERAL,
        )
    if note:
        fig.text(
            x_label,
            y_fav - _LINE - 0.04,
            note,
            transform=inches,
            ha="left",
            va="center",
            fontsize=_SMALL,
            **_LITERAL,
        )
    return fig


def _interval(ax: Any, y: int, low: float, high: float, limits: tuple[float, float]) -> None:
    """The interval's line, ending in an arrow where it leaves the axis (or is infinite)."""
    if math.isnan(low) or math.isnan(high):
        return  # no interval to draw; the text says so
    lo, hi = limits
    start, end = min(max(low, lo), hi), max(min(high, hi), lo)
    if ax.get_xscale() == "log" and not low > 0:
        start = lo
    ax.plot([start, end], [y, y], color="black", linewidth=1.0, zorder=2, clip_on=False)
    if low < lo:
        ax.plot([lo], [y], marker="<", color="black", markersize=4, zorder=2, clip_on=False)
    if high > hi:
        ax.plot([hi], [y], marker=">", color="black", markersize=4, zorder=2, clip_on=False)
