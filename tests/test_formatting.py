"""Journal number typography: the styles' rules, and four rules that hold in every report.

The four rules (issue 11): no confidence limit rounded onto the null value unless it equals
it, no p-value rounded across 0.05, no "−0" or "-0", no non-zero count at "0%".
"""

from __future__ import annotations

import math
import re
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rctkit as rk
from rctkit.cli import main
from rctkit.formatting import (
    STYLES,
    format_ci,
    format_count,
    format_estimate,
    format_number,
    format_p,
    format_percent,
)
from rctkit.report import TrialReport
from tests.strategies import report_trials

THIN = "\u2009"

# -- the CORE demo -------------------------------------------------------------------------


def test_core_risk_ratio_upper_limit_is_not_rounded_onto_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # CORE (Johnson et al., Lancet 2018): 64/218 vs 83/216. Wald risk ratio by its closed
    # form, written here apart from rctkit: exp(log RR + z * sqrt(1/a - 1/n1 + 1/c - 1/n2)).
    rr = (64 / 218) / (83 / 216)
    se = math.sqrt(1 / 64 - 1 / 218 + 1 / 83 - 1 / 216)
    upper = math.exp(math.log(rr) + 1.959963984540054 * se)
    assert 0.9965 < upper < 0.9975  # prints as 1.00 with two decimals: the old output
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "  Risk ratio (95% CI)                 0.76 (0.59 to 0.997)\n" in out
    assert "1.00)" not in out
    assert main(["demo", "--style", "lancet"]) == 0
    assert "  Risk ratio (95% CI)                 0·76 (0·59–0·997)\n" in capsys.readouterr().out


def test_report_tables_give_the_extra_digit_in_every_style() -> None:
    from rctkit.trialfile import example_trial

    expected = {
        "plain": "0.76 (0.59 to 0.997)",
        "lancet": "0·76 (0·59–0·997)",
        "nejm": "0.76 (0.59 to 0.997)",
        "bmj": "0.76 (0.59 to 0.997)",
        "jama": "0.76 (0.59–0.997)",
    }
    for style, text in expected.items():
        assert TrialReport(example_trial(), style=style).outcome_table().rows[0][4] == text


# -- confidence limits and the null value --------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "null", "expected"),
    [
        (0.59, 0.9966, 1.0, "0.59 to 0.997"),
        (1.004, 1.52, 1.0, "1.004 to 1.52"),
        (0.9996, 1.3, 1.0, "0.9996 to 1.30"),
        (1.0, 1.3, 1.0, "1.00 to 1.30"),  # equal to the null value: printed as it is
        (0.5, 0.99, 1.0, "0.50 to 0.99"),  # two decimals are enough
        (-17.8, -0.02, 0.0, "-17.80 to -0.02"),
        (-0.004, 0.3, None, "-0.004 to 0.30"),  # never "-0.00", whatever the null value
    ],
)
def test_limits_get_the_digits_that_keep_them_off_the_null(
    low: float, high: float, null: float | None, expected: str
) -> None:
    assert format_ci(low, high, style="plain", null=null, label=False) == expected


def test_difference_limit_near_zero_keeps_its_sign() -> None:
    # The "−0·0": a Newcombe limit of -0.02 percentage points, one decimal.
    assert format_ci(-9.1, -0.02, 1, style="lancet", label=False) == "−9·1 to −0·02"
    assert format_number(-0.0, 1, style="lancet") == "0·0"
    assert format_number(0.0, 1) == "0.0"


def test_estimate_styles() -> None:
    args = (0.76, 0.59, 0.9966)
    assert format_estimate(*args, null=1.0) == "0.76 (95% CI 0.59 to 0.997)"
    assert format_estimate(*args, style="nejm", null=1.0) == "0.76 (95% CI, 0.59 to 0.997)"
    assert format_estimate(*args, style="bmj", null=1.0) == "0.76 (95% CI 0.59 to 0.997)"
    assert format_estimate(*args, style="jama", null=1.0) == "0.76 (95% CI, 0.59–0.997)"
    assert format_estimate(*args, style="lancet", null=1.0) == "0·76 (95% CI 0·59–0·997)"
    # Between negative limits every style says "to".
    assert format_ci(-0.5, -0.2, style="jama", label=False) == "−0.50 to −0.20"
    assert format_number(-math.inf, style="lancet") == "−∞"


# -- p-values ------------------------------------------------------------------------------

P_CASES = [
    # plain: two significant figures, "<0.001"
    (0.04645, "plain", "p = 0.046"),
    (0.0496, "plain", "p = 0.0496"),  # not "0.050": below 0.05 stays below
    (0.0504, "plain", "p = 0.050"),
    (0.0012, "plain", "p = 0.0012"),
    (0.0009, "plain", "p < 0.001"),
    (0.996, "plain", "p = 1.0"),
    # Lancet: two significant figures, mid-dot, "p<0·0001"
    (0.0438, "lancet", "p=0·044"),
    (0.0496, "lancet", "p=0·0496"),
    (0.00023, "lancet", "p=0·00023"),
    (0.00005, "lancet", "p<0·0001"),
    # NEJM statistical guidelines: two decimals above 0.01, three from 0.001 to 0.01,
    # "P<0.001"
    (0.0438, "nejm", "P=0.04"),
    (0.0496, "nejm", "P=0.0496"),
    (0.23, "nejm", "P=0.23"),
    (0.0034, "nejm", "P=0.003"),
    (0.0004, "nejm", "P<0.001"),
    (0.995, "nejm", "P>0.99"),
    # BMJ: two significant figures, "P<0.001"
    (0.0438, "bmj", "P=0.044"),
    (0.0004, "bmj", "P<0.001"),
    # AMA Manual of Style 11th ed., 20.8.2 (JAMA): two digits, three below .01, three
    # where rounding would change significance ("P=.049" rather than ".05"), no leading zero
    (0.049, "jama", "P=.049"),
    (0.16, "jama", "P=.16"),
    (0.0085, "jama", "P=.009"),
    (0.0004, "jama", "P<.001"),
    (0.999, "jama", "P>.99"),
]


@pytest.mark.parametrize(("p", "style", "expected"), P_CASES)
def test_p_values_follow_the_journal(p: float, style: str, expected: str) -> None:
    assert format_p(p, style=style) == expected


def test_bare_p_for_tables() -> None:
    assert format_p(0.0438, style="lancet", prefix=False) == "0·044"
    assert format_p(0.00001, style="plain", prefix=False) == "<0.001"
    assert format_p(0.00001, style="jama", prefix=False) == "<.001"
    assert format_p(0.999, style="nejm", prefix=False) == ">0.99"
    assert format_p(math.nan) == "p = NA"


def _p_value(text: str) -> float:
    return float(text.split("=")[-1].replace("·", "."))


@given(p=st.floats(0.0, 1.0), style=st.sampled_from(STYLES))
def test_no_p_is_rounded_across_005(p: float, style: str) -> None:
    text = format_p(p, style=style)
    if "<" in text:
        assert p < 0.001 or (style == "lancet" and p < 0.0001)
    elif ">" in text:
        assert p > 0.99
    else:
        assert (_p_value(text) < 0.05) == (p < 0.05), (p, text)


# -- numbers, counts and percentages -------------------------------------------------------


def _parse(text: str) -> float:
    return float(text.replace("−", "-").replace("·", ".").replace(",", "").replace(THIN, ""))


NEGATIVE_ZERO = re.compile(r"[−-]0(?:[.·]0*)?(?![\d.·])")


@given(
    value=st.floats(-1e6, 1e6, allow_nan=False),
    digits=st.integers(0, 4),
    null=st.sampled_from([None, 0.0, 1.0, 100.0]),
    style=st.sampled_from(STYLES),
)
def test_numbers_never_print_as_negative_zero_or_the_null(
    value: float, digits: int, null: float | None, style: str
) -> None:
    text = format_number(value, digits, style=style, null=null)
    assert not NEGATIVE_ZERO.search(text), text
    printed = _parse(text)
    assert abs(printed - value) <= 0.5 * 10.0 ** -_decimals(text) * (1 + 1e-9) + 1e-9 * abs(value)
    if value != 0:
        assert printed != 0
    if null is not None and value != null:
        assert printed != null


def test_counts_have_the_styles_thousands_separator() -> None:
    assert format_count(10096) == "10,096"
    assert format_count(1463, style="nejm") == "1,463"
    assert format_count(1463, style="jama") == "1,463"
    assert format_count(10096, style="lancet") == f"10{THIN}096"
    assert format_count(1463, style="lancet") == "1463"
    assert format_count(10096, style="bmj") == f"10{THIN}096"
    assert format_count(999) == "999"


def test_percentages() -> None:
    assert format_percent(64, 218) == "64/218 (29%)"
    assert format_percent(64, 218, style="nejm") == "64/218 (29.4%)"
    assert format_percent(64, 218, decimals=2) == "64/218 (29.36%)"
    assert format_percent(64, 218, style="lancet", show_total=False) == "64 (29·4%)"
    # A non-zero count is never 0%, a count short of its total never 100%.
    assert format_percent(35, 10071) == "35/10,071 (0.3%)"
    assert format_percent(35, 10071, style="lancet") == f"35/10{THIN}071 (0·3%)"
    assert format_percent(1, 10**12) == "1/1,000,000,000,000 (0.0000000001%)"
    assert format_percent(10070, 10071) == "10,070/10,071 (99.99%)"
    assert format_percent(0, 10071) == "0/10,071 (0%)"
    assert format_percent(10071, 10071) == "10,071/10,071 (100%)"
    assert format_percent(0, 0) == "0/0"


@given(
    total=st.integers(1, 10**12),
    data=st.data(),
    style=st.sampled_from(STYLES),
    decimals=st.none() | st.integers(0, 6),
)
def test_percent_is_never_zero_or_hundred_wrongly(
    total: int, data: st.DataObject, style: str, decimals: int | None
) -> None:
    events = data.draw(st.integers(0, total))
    text = format_percent(events, total, style=style, decimals=decimals)
    pct = _parse(text.rsplit("(", 1)[1].rstrip("%)"))
    assert (pct == 0) == (events == 0)
    assert (pct == 100) == (events == total)


def test_formatting_refuses_bad_input() -> None:
    with pytest.raises(rk.InvalidInputError, match=r'`style` must be one of "plain"'):
        format_number(1.0, style="vancouver")
    with pytest.raises(rk.InvalidInputError, match=r"`events` must not exceed `total`"):
        format_percent(5, 3)
    with pytest.raises(rk.InvalidInputError, match=r"`count` must be an integer count"):
        format_count(True)
    with pytest.raises(rk.InvalidInputError, match=r"`events` must be non-negative"):
        format_percent(-1, 3)
    with pytest.raises(rk.InvalidInputError, match=r"`percent_decimals` must be from 0 to 6"):
        format_percent(1, 3, decimals=9)
    with pytest.raises(rk.InvalidInputError, match=r"`digits` must be an integer from 0 to 20"):
        format_ci(0.5, 0.9, 2.5)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`value` must be a real number"):
        format_number("0.5")  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`pvalue` must be a real number"):
        format_p(None)  # type: ignore[arg-type]
    with pytest.raises(rk.InvalidInputError, match=r"`pvalue` must be from 0 to 1"):
        format_p(1.5)


# -- the four rules over whole reports -----------------------------------------------------

_LATEX = {
    r"\ensuremath{-}": "−",
    r"\ensuremath{\cdot}": "·",
    r"\textendash{}": "–",
    r"\ensuremath{\infty}": "∞",
    r"\textless{}": "<",
    r"\textgreater{}": ">",
    r"\%": "%",
    r"\,": THIN,
}
_NUM = r"[−-]?(?:\d[\d,\u2009]*(?:[.·]\d+)?|[.·]\d+)"
_INTERVAL = re.compile(rf"(?<![\d.·/])({_NUM}|∞)(?: to |–)({_NUM}|∞)(?![\d.·])")
_P = re.compile(rf"\b[pP] ?([=<>]) ?({_NUM})")
_PERCENT = re.compile(rf"(\d[\d,\u2009]*)(?:/(\d[\d,\u2009]*))? \(({_NUM})%\)")


def _decimals(text: str) -> int:
    parts = re.split("[.·]", text)
    return len(parts[1]) if len(parts) > 1 else 0


def _renders(report: TrialReport) -> dict[str, str]:
    out = {
        "text": report.to_text(),
        "md": report.to_markdown(),
        "html": report.to_html(diagram=False),  # the SVG's coordinates are not numbers shown
        "latex": report.to_latex(),
    }
    for key, value in _LATEX.items():
        out["latex"] = out["latex"].replace(key, value)
    for key in ("md", "html"):
        out[key] = out[key].replace("&lt;", "<").replace("&gt;", ">")
    return out


def _actual(report: TrialReport) -> tuple[set[float], list[float]]:
    """The report's limits (differences in percentage points) and p-values, unrounded."""
    limits: set[float] = set()
    pvalues: list[float] = []
    for s in report.summaries():
        limits.update(100 * x for x in s.risk_difference.ci)
        limits.update(s.risk_ratio.ci)
        limits.update(s.odds_ratio.ci)
        pvalues += [s.test.pvalue, s.fisher.pvalue]
        pvalues += [] if s.odds_ratio.pvalue is None else [s.odds_ratio.pvalue]
    for r in report.harms():
        for est, scale in ((r.risk_difference, 100), (r.risk_ratio, 1), (r.rate_ratio, 1)):
            if est is not None:
                limits.update(scale * x for x in est.ci)
        pvalues += [] if r.pvalue is None else [r.pvalue]
    for published in report.trial.published.values():
        limits.update((published.low, published.high))
        pvalues += [] if published.pvalue is None else [published.pvalue]
    return limits, pvalues


def _check_p(text: str, relation: str, pvalues: list[float], where: str) -> None:
    if relation != "=" or text == "NA":
        return
    printed = _parse(text)
    half = 0.5 * 10.0 ** -_decimals(text) * (1 + 1e-9)
    near = [p for p in pvalues if abs(p - printed) <= half]
    assert near, (text, pvalues, where)
    assert any((p < 0.05) == (printed < 0.05) for p in near), (text, near, where)


@settings(max_examples=40, deadline=None)
@given(trial=report_trials(), percent_decimals=st.none() | st.integers(0, 3))
def test_reports_obey_the_four_rules(trial: rk.Trial, percent_decimals: int | None) -> None:
    for style in STYLES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rk.RctkitWarning)
            report = TrialReport(trial, style=style, percent_decimals=percent_decimals)
            limits, pvalues = _actual(report)
            renders = _renders(report)
            tables = report.tables()
        for fmt, text in renders.items():
            _check_render(text, limits, pvalues, f"{style}/{fmt}")
        # The tables' p columns, which every table writer prints as they are.
        for table in tables:
            for i, column in enumerate(table.columns):
                if column.startswith("p"):
                    for row in table.rows:
                        if row[i] != "–" and row[i][0] not in "<>":
                            _check_p(row[i], "=", pvalues, f"{style}/{table.caption}")


def _check_render(text: str, limits: set[float], pvalues: list[float], where: str) -> None:
    # 3. No "−0", "-0" or "−0·0".
    assert not NEGATIVE_ZERO.search(text), (where, NEGATIVE_ZERO.search(text))
    # 1. No limit on the null value unless it is that value: 1 (ratios, two decimals or
    # more) and 0 (differences).
    for low, high in _INTERVAL.findall(text):
        for limit in (low, high):
            if limit == "∞":
                continue
            value = _parse(limit)
            if value == 1 and _decimals(limit) >= 2:
                assert 1.0 in limits, (where, low, high)
            if value == 0:
                assert 0.0 in limits, (where, low, high)
    # 2. No p rounded across 0.05 in running text ("p = 0.046").
    for relation, value in _P.findall(text):
        _check_p(value, relation, pvalues, where)
    # 4. No non-zero count at 0%, no count short of its total at 100%.
    for count, total, pct in _PERCENT.findall(text):
        n, printed = _parse(count), _parse(pct)
        assert (printed == 0) == (n == 0), (where, count, total, pct)
        if total:
            assert (printed == 100) == (n == _parse(total)), (where, count, total, pct)


def test_percent_decimals_reach_every_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    from rctkit.trialfile import example_trial

    trial = example_trial()
    assert rk.report(trial, percent_decimals=2).outcome_table().rows[0][1] == "64/218 (29.36%)"
    text = TrialReport(trial, style="lancet", percent_decimals=2).to_text()
    assert "64/218 (29·36%)" in text
    assert main(["demo", "--percent-decimals", "1"]) == 0
    assert "64/218 (29.4%)" in capsys.readouterr().out
