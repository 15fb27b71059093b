"""The CONSORT participant flow: consistency rules, text, Markdown, SVG and matplotlib output.

The CORE counts are those of src/rctkit/data/core.toml (Johnson et al., Lancet 2018;392:409-18:
221 and 220 randomised, 218 and 216 analysed for the primary outcome). The richer flows are
made up for these tests; every expected count is the arithmetic of the numbers given beside it.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rctkit as rk

# Imported by name: the module rctkit.consort and a function called consort share a name.
from rctkit.consort import (
    ConsortFlow,
    consort,
    consort_figure,
    consort_markdown,
    consort_svg,
    consort_text,
    flow_problems,
)
from rctkit.consort.boxes import _flow
from rctkit.consort.layout import _FONT, _Layout, _layout, _Rect, _Text, _text_width
from rctkit.trialfile import example_trial

SVG = "{http://www.w3.org/2000/svg}"


def reasons_of(reasons: dict[str, int]) -> tuple[rk.Reason, ...]:
    """Reasons from a mapping of reason to count (as the model's converter builds them)."""
    return tuple(rk.Reason(reason, count) for reason, count in reasons.items())


def rich_trial() -> rk.Trial:
    """A consistent flow with every box and reasons in each (made-up counts)."""
    treatment = rk.Arm(
        "Peer-supported self-management",
        221,
        received=205,
        did_not_receive=reasons_of(
            {"Declined the first visit": 10, "Readmitted before the first session": 6}
        ),
        lost_to_follow_up=reasons_of({"Moved away": 2, "Could not be contacted": 5}),
        discontinued=reasons_of({"Stopped meeting the peer worker": 14, "Withdrew consent": 1}),
        analysed=218,
        excluded_from_analysis=reasons_of({"Withdrew consent to use of data": 3}),
        short="Peer support",
    )
    control = rk.Arm(
        "Workbook by post (control)",
        220,
        received=220,
        lost_to_follow_up=reasons_of({"Could not be contacted": 4}),
        analysed=216,
        excluded_from_analysis=reasons_of({"Withdrew consent to use of data": 2, "Died": 2}),
        short="Control",
    )
    enrolment = rk.Enrolment(
        1020,
        reasons_of(
            {"Not meeting inclusion criteria": 412, "Declined to participate": 150, "Other": 17}
        ),
    )
    return rk.Trial("Rich flow", (treatment, control), enrolment=enrolment)


# Three populations with long names (made up), each count at most its arm's allocated count
# (221 and 220), in the order the analysis box lists them.
LONG_POPULATIONS = (
    rk.Population(
        "Full analysis set: everyone randomised with at least one follow-up assessment", 218, 216
    ),
    rk.Population(
        "Per-protocol population: attended at least four of the ten peer-support sessions or "
        "returned at least four workbook chapters",
        181,
        203,
    ),
    rk.Population("Safety population (all who received any of the intervention)", 205, 220),
)


def populations_trial() -> rk.Trial:
    """rich_trial with three analysis populations with long names."""
    return attrs.evolve(rich_trial(), populations=LONG_POPULATIONS)


# Every count of rich_trial's flow, with the box it belongs to; sums worked by hand.
RICH_NUMBERS = [
    ("Assessed for eligibility", 1020),
    ("Excluded", 579),  # 412 + 150 + 17
    ("Not meeting inclusion criteria", 412),
    ("Declined to participate", 150),
    ("Other", 17),
    ("Randomized", 441),  # 221 + 220 = 1020 - 579
    ("Allocated to Peer-supported self-management", 221),
    ("Received allocated intervention", 205),
    ("Did not receive allocated intervention", 16),  # 10 + 6 = 221 - 205
    ("Declined the first visit", 10),
    ("Readmitted before the first session", 6),
    ("Lost to follow-up", 7),  # 2 + 5
    ("Moved away", 2),
    ("Could not be contacted", 5),
    ("Discontinued intervention", 15),  # 14 + 1
    ("Stopped meeting the peer worker", 14),
    ("Withdrew consent", 1),
    ("Analysed", 218),
    ("Excluded from analysis", 3),  # 221 - 218
    ("Withdrew consent to use of data", 3),
    ("Allocated to Workbook by post (control)", 220),
    ("Received allocated intervention", 220),
    ("Did not receive allocated intervention", 0),  # 220 - 220, filled in
    ("Lost to follow-up", 4),
    ("Could not be contacted", 4),
    ("Analysed", 216),
    ("Excluded from analysis", 4),  # 2 + 2 = 220 - 216
    ("Withdrew consent to use of data", 2),
    ("Died", 2),
]


def svg_lines(svg: str) -> list[str]:
    """The text lines of an SVG diagram, no-break spaces read as spaces."""
    root = ET.fromstring(svg)
    return [(t.text or "").replace("\u00a0", " ") for t in root.iter(f"{SVG}text")]


def svg_text(svg: str) -> str:
    """The diagram's text as one paragraph, lines joined by spaces (undoes the wrapping)."""
    return " ".join(svg_lines(svg))


# ---------------------------------------------------------------------------------------------
# flow_problems
# ---------------------------------------------------------------------------------------------


def test_consistent_flows_have_no_problems() -> None:
    for trial in (example_trial(), rich_trial()):
        assert flow_problems(trial.arms, trial.enrolment) == []
    assert flow_problems([rk.Arm("A", 0), rk.Arm("B", 0)]) == []


def test_inconsistent_flow_lists_every_mismatch() -> None:
    arms = [
        rk.Arm(
            "A",
            100,
            received=90,
            did_not_receive=reasons_of({"declined": 5}),  # 90 + 5 = 95 != 100
            lost_to_follow_up=reasons_of({"moved": 101}),  # > 100
            analysed=96,
            excluded_from_analysis=reasons_of({"withdrew": 3}),  # 96 + 3 = 99 != 100
        ),
        rk.Arm(
            "B",
            50,
            did_not_receive=reasons_of({"x": 51}),  # > 50, received not given
            discontinued=reasons_of({"adverse event": 60}),  # > 50
            excluded_from_analysis=reasons_of({"y": 52}),  # > 50, analysed not given
        ),
    ]
    enrolment = rk.Enrolment(200, reasons_of({"ineligible": 40}))  # 200 - 40 = 160 != 150
    assert flow_problems(arms, enrolment) == [
        "enrolment: randomized (sum of allocated, 150) must equal assessed for eligibility "
        "minus excluded (got 200 - 40 = 160)",
        "arm 'A': received + did not receive must equal allocated "
        "(got 90 + 5 = 95, allocated=100)",
        "arm 'A': lost to follow-up must not exceed allocated "
        "(got lost to follow-up=101, allocated=100)",
        "arm 'A': analysed + excluded from analysis must equal allocated "
        "(got 96 + 3 = 99, allocated=100)",
        "arm 'B': did not receive must not exceed allocated "
        "(got did not receive=51, allocated=50)",
        "arm 'B': discontinued must not exceed allocated (got discontinued=60, allocated=50)",
        "arm 'B': excluded from analysis must not exceed allocated "
        "(got excluded from analysis=52, allocated=50)",
    ]


@pytest.mark.parametrize(
    ("arm", "message"),
    [
        (
            rk.Arm("A", 10, received=11),
            "arm 'A': `received` must not exceed `allocated` (got received=11, allocated=10)",
        ),
        (
            rk.Arm("A", 10, analysed=11),
            "arm 'A': `analysed` must not exceed `allocated` (got analysed=11, allocated=10)",
        ),
        (
            rk.Arm("A", 10, received=10, did_not_receive=reasons_of({"x": 1})),
            "arm 'A': received + did not receive must equal allocated "
            "(got 10 + 1 = 11, allocated=10)",
        ),
        (
            rk.Arm("A", 10, analysed=5, excluded_from_analysis=reasons_of({"x": 1, "y": 2})),
            "arm 'A': analysed + excluded from analysis must equal allocated "
            "(got 5 + 3 = 8, allocated=10)",
        ),
    ],
)
def test_each_arm_rule(arm: rk.Arm, message: str) -> None:
    assert flow_problems([arm, rk.Arm("B", 1)]) == [message]


def test_enrolment_rules() -> None:
    arms = [rk.Arm("A", 10), rk.Arm("B", 10)]
    assert flow_problems(arms, rk.Enrolment(19)) == [
        "enrolment: randomized (sum of allocated, 20) must not exceed assessed for "
        "eligibility (19)"
    ]
    assert flow_problems(arms, rk.Enrolment(20)) == []  # nobody excluded
    assert flow_problems(arms, rk.Enrolment(25)) == []  # 5 excluded, reasons not given
    assert flow_problems(arms, rk.Enrolment(25, reasons_of({"a": 2, "b": 3}))) == []
    # Without the number assessed there is nothing to check the exclusions against.
    assert flow_problems(arms, rk.Enrolment(None, reasons_of({"a": 99}))) == []
    assert flow_problems(arms, None) == []


def test_rules_that_some_trials_break_are_not_imposed() -> None:
    # Lost and discontinued overlap (a participant may be in both boxes), participants lost
    # to follow-up may be analysed (imputed outcome), and discontinued ones usually are.
    arm = rk.Arm(
        "A",
        10,
        lost_to_follow_up=reasons_of({"moved": 6}),
        discontinued=reasons_of({"side effects": 7}),
        analysed=10,
    )
    assert flow_problems([arm, rk.Arm("B", 10)]) == []


def test_trial_lists_flow_problems_with_its_own() -> None:
    arms = (
        rk.Arm("A", 10, received=8, did_not_receive=reasons_of({"x": 1}), analysed=9),
        rk.Arm("B", 10, lost_to_follow_up=reasons_of({"y": 11})),
    )
    with pytest.raises(rk.InvalidInputError) as info:
        rk.Trial(
            "T",
            arms,
            outcomes=[rk.BinaryOutcome.from_counts(treatment=(1, 10), control=(1, 10))],
            enrolment=rk.Enrolment(30, reasons_of({"z": 5})),
        )
    text = str(info.value)
    assert "randomized (sum of allocated, 20) must equal" in text
    assert "received + did not receive must equal allocated (got 8 + 1 = 9" in text
    assert "lost to follow-up must not exceed allocated" in text
    assert "the 'A' denominator must not exceed the arm's analysed count (got 10 > 9)" in text


# ---------------------------------------------------------------------------------------------
# Text and Markdown
# ---------------------------------------------------------------------------------------------


def test_text_of_rich_flow() -> None:
    text = consort_text(rich_trial())
    assert text.startswith("Participant flow (CONSORT): Rich flow\n\nEnrollment\n")
    assert all(len(line) <= 88 for line in text.splitlines())
    for box, n in RICH_NUMBERS:
        box = "Allocated" if box.startswith("Allocated to") else box  # under the arm's label
        assert f"{box} (n = {n})" in text, box
    assert "    Discontinued intervention: not reported\n" in text  # control arm
    # The control arm's zero is filled in; a zero needs no reasons.
    assert "Did not receive allocated intervention (n = 0)\n\nFollow-Up" in text
    assert "reasons not reported" not in text


def test_text_of_core_shows_missing_boxes() -> None:
    text = consort_text(example_trial())
    assert "  Assessed for eligibility: not reported\n  Excluded: not reported\n" in text
    assert "Randomized (n = 441)" in text  # 221 + 220
    assert "    Analysed (n = 218)\n    Excluded from analysis (n = 3)\n" in text  # 221 - 218
    assert "    Analysed (n = 216)\n    Excluded from analysis (n = 4)\n" in text  # 220 - 216
    assert text.count("      - reasons not reported\n") == 2
    assert text.count("Lost to follow-up: not reported") == 2


def test_counts_are_filled_in_from_their_complement() -> None:
    arms = (
        rk.Arm(
            "A",
            10,
            did_not_receive=reasons_of({"x": 3}),
            excluded_from_analysis=reasons_of({"y": 1}),
        ),
        rk.Arm("B", 10, received=10, analysed=10),
    )
    text = consort_text(rk.Trial("T", arms, enrolment=rk.Enrolment(26)))
    assert "Excluded (n = 6)\n    - reasons not reported" in text  # 26 - 20
    assert "Received allocated intervention (n = 7)" in text  # 10 - 3
    assert "Analysed (n = 9)" in text  # 10 - 1
    assert "Did not receive allocated intervention (n = 0)\n" in text
    assert "Excluded from analysis (n = 0)\n" in text


def test_text_wraps_long_reasons_with_hanging_indent() -> None:
    reason = "Unable to give informed consent within two weeks of discharge " * 3
    arms = (rk.Arm("A", 10, did_not_receive=reasons_of({reason.strip(): 2})), rk.Arm("B", 10))
    lines = consort_text(rk.Trial("T", arms)).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("      - Unable"))
    assert lines[start + 1].startswith("        ") and not lines[start + 1].startswith("         ")
    assert lines[start + 2].endswith("discharge (n = 2)")
    assert all(len(line) <= 88 for line in lines)


def test_markdown_table() -> None:
    md = consort_markdown(rich_trial())
    lines = md.splitlines()
    assert lines[:6] == [
        "**Enrollment**",
        "",
        "- Assessed for eligibility: 1020",
        "- Excluded: 579 (Not meeting inclusion criteria: 412; Declined to participate: 150; "
        "Other: 17)",
        "- Randomized: 441",
        "",
    ]
    table = lines[6:]
    assert table[0] == "| | Peer-supported self-management | Workbook by post (control) |"
    cells = [re.split(r"(?<!\\)\|", row) for row in table]
    assert all(len(row) == 5 and row[0] == row[-1] == "" for row in cells)
    assert "| Did not receive allocated intervention | 16 (Declined the first visit: 10; " in md
    assert "| Discontinued intervention | 15 (Stopped meeting the peer worker: 14; " in md
    assert md.endswith(
        "| Excluded from analysis | 3 (Withdrew consent to use of data: 3) | "
        "4 (Withdrew consent to use of data: 2; Died: 2) |\n"
    )


def test_markdown_escapes_table_syntax() -> None:
    arms = (rk.Arm("A|B", 10, did_not_receive=reasons_of({"x|y <b>\nz": 1})), rk.Arm("C_*", 10))
    md = consort_markdown(rk.Trial("T", arms))
    assert "| | A\\|B | C\\_\\* |" in md
    assert "1 (x\\|y &lt;b&gt; z: 1)" in md  # a line break would end the row


# ---------------------------------------------------------------------------------------------
# SVG
# ---------------------------------------------------------------------------------------------


def test_svg_of_core() -> None:
    svg = consort_svg(example_trial())
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title") is not None
    text = svg_text(svg)
    for n in (441, 221, 220, 218, 216, 3, 4):  # core.toml; 3 = 221 - 218, 4 = 220 - 216
        assert f"(n = {n})" in text
    for label in ("Enrollment", "Allocation", "Follow-Up", "Analysis"):
        assert label in svg_lines(svg)
    assert "Assessed for eligibility: not reported" in text


def test_svg_shows_every_number_of_the_flow() -> None:
    text = svg_text(consort_svg(rich_trial()))
    for box, n in RICH_NUMBERS:
        assert f"{box} (n = {n})" in text, box


def test_svg_escapes_text() -> None:
    arms = (
        rk.Arm('A & "B" <1>', 10, did_not_receive=reasons_of({"<script>&": 1})),
        rk.Arm("C", 10),
    )
    svg = consort_svg(rk.Trial("T <&>", arms))
    assert "<script>" not in svg
    text = svg_text(svg)
    assert 'Allocated to A & "B" <1> (n = 10)' in text
    assert "<script>& (n = 1)" in text


def layout_problems(layout: _Layout) -> list[str]:
    """Text outside every box, boxes overlapping, or the drawing outside its canvas."""
    rects = [s for s in layout.shapes if isinstance(s, _Rect)]
    problems = []
    for shape in layout.shapes:
        if not isinstance(shape, _Text):
            continue
        width = _text_width(shape.text, shape.bold)
        left = shape.x - width / 2 if shape.anchor == "middle" else shape.x
        top, bottom = shape.y - _FONT, shape.y + 0.3 * _FONT
        if not any(
            r.x + 2 <= left
            and left + width <= r.x + r.w - 2
            and r.y <= top
            and bottom <= r.y + r.h
            for r in rects
        ):
            problems.append(f"text outside its box: {shape.text!r}")
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            if a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h:
                problems.append(f"boxes overlap: {a} and {b}")
    for r in rects:
        if r.x < 0 or r.y < 0 or r.x + r.w > layout.width or r.y + r.h > layout.height:
            problems.append(f"box outside the canvas: {r}")
    return problems


def test_layout_of_rich_and_core_flows() -> None:
    for trial in (example_trial(), rich_trial(), populations_trial()):
        assert layout_problems(_layout(_flow(trial))) == []


def test_analysis_boxes_grow_to_hold_the_populations() -> None:
    def analysis_box(trial: rk.Trial) -> _Rect:
        layout = _layout(_flow(trial))
        texts = [s for s in layout.shapes if isinstance(s, _Text)]
        analysed = next(t for t in texts if t.text.startswith("Analysed"))
        return next(
            r
            for r in layout.shapes
            if isinstance(r, _Rect)
            and r.x <= analysed.x <= r.x + r.w
            and r.y <= analysed.y
            and analysed.y <= r.y + r.h
        )

    plain, with_populations = analysis_box(rich_trial()), analysis_box(populations_trial())
    assert (plain.x, plain.y, plain.w) == (with_populations.x, with_populations.y, plain.w)
    # Each population takes at least one line of 17 px; the long names wrap to more.
    assert with_populations.h >= plain.h + 3 * 17
    layout = _layout(_flow(populations_trial()))
    assert layout.height >= _layout(_flow(rich_trial())).height + 3 * 17
    # The stage label on the left spans the taller analysis row.
    label = next(r for r in layout.shapes if isinstance(r, _Rect) and r.rounded and r.y == plain.y)
    assert label.h == with_populations.h


reasons = st.dictionaries(
    st.text(min_size=1),  # any code point but surrogates, control characters included
    st.integers(0, 30),
    max_size=3,
)


@st.composite
def flows(draw: st.DrawFn) -> rk.Trial:
    """Consistent two-arm flows with any mix of given and missing boxes and any reason text."""

    def part(allocated: int) -> tuple[rk.Reason, ...]:
        given = reasons_of(draw(reasons))
        return given if sum(r.count for r in given) <= allocated else ()

    def rest(allocated: int, given: tuple[rk.Reason, ...]) -> int | None:
        return allocated - sum(r.count for r in given) if draw(st.booleans()) else None

    arms = []
    for label in ("Treatment " + draw(st.text(max_size=60)), "Control"):
        allocated = draw(st.integers(0, 400))
        not_received, not_analysed = part(allocated), part(allocated)
        arm = rk.Arm(
            label,
            allocated,
            received=rest(allocated, not_received),
            did_not_receive=not_received,
            lost_to_follow_up=part(allocated),
            discontinued=part(allocated),
            analysed=rest(allocated, not_analysed),
            excluded_from_analysis=not_analysed,
        )
        arms.append(arm)
    randomized = arms[0].allocated + arms[1].allocated
    excluded = reasons_of(draw(reasons))
    assessed = randomized + sum(r.count for r in excluded)
    choices = [None, rk.Enrolment(None, excluded), rk.Enrolment(assessed, excluded)]
    names = draw(st.lists(st.text(min_size=1, max_size=120), max_size=3, unique=True))
    populations = [
        rk.Population(
            name,
            draw(st.integers(0, arms[0].allocated)),
            draw(st.integers(0, arms[1].allocated)),
        )
        for name in names
    ]
    return rk.Trial(
        "Flow",
        (arms[0], arms[1]),
        enrolment=draw(st.sampled_from(choices)),
        populations=populations,
    )


@given(flows())
def test_any_flow_draws_well(trial: rk.Trial) -> None:
    assert flow_problems(trial.arms, trial.enrolment) == []
    svg = consort_svg(trial)
    lines = svg_lines(svg)  # parses
    text = " ".join(lines)
    for n in _flow(trial).numbers():
        assert f"(n = {n})" in text
    assert layout_problems(_layout(_flow(trial))) == []
    assert all(len(line) <= 88 for line in consort_text(trial).splitlines())


def count_lines(lines: Sequence[str], prefix: str) -> int:
    return sum(line.startswith(prefix) for line in lines)


def test_svg_wraps_long_words_and_labels() -> None:
    arms = (
        rk.Arm("A" * 120, 10, did_not_receive=reasons_of({"x" * 200: 1})),
        rk.Arm("B " * 80, 10),
    )
    trial = rk.Trial("T", arms)
    assert layout_problems(_layout(_flow(trial))) == []
    lines = svg_lines(consort_svg(trial))
    assert count_lines(lines, "xxxx") >= 3


# ---------------------------------------------------------------------------------------------
# matplotlib
# ---------------------------------------------------------------------------------------------


def test_figure_renders(tmp_path: Path) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    fig = consort_figure(rich_trial())
    path = tmp_path / "consort.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    layout = _layout(_flow(rich_trial()))
    assert tuple(fig.get_size_inches()) == pytest.approx((layout.width / 100, layout.height / 100))
    text = " ".join(t.get_text() for t in fig.axes[0].texts).replace("\u00a0", " ")
    for box, n in RICH_NUMBERS:
        assert f"{box} (n = {n})" in text, box


def test_figure_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=re.escape('pip install "rctkit[plot]"')):
        consort_figure(example_trial())


# ---------------------------------------------------------------------------------------------
# Analysis populations
# ---------------------------------------------------------------------------------------------

# Each population's heading and count per arm, as the analysis boxes give them.
POPULATION_LINES = [
    [f"{p.name} (n = {p.treatment})" for p in LONG_POPULATIONS],
    [f"{p.name} (n = {p.control})" for p in LONG_POPULATIONS],
]


def test_text_lists_the_populations_after_the_analysis() -> None:
    text = consort_text(populations_trial())
    assert all(len(line) <= 88 for line in text.splitlines())
    analysis = text[text.index("\nAnalysis\n") :]
    treatment, control = analysis.split("  Workbook by post (control)\n")
    for part, expected in zip((treatment, control), POPULATION_LINES, strict=True):
        flat = " ".join(line.strip() for line in part.splitlines())  # undoes the wrapping
        where = [flat.index(line) for line in expected]
        assert where == sorted(where)  # in the trial's order
        assert flat.index("Excluded from analysis") < where[0]  # after the exclusions
    assert "    Full analysis set: everyone randomised with at least one follow-up" in treatment
    # Wrapped lines hang under their heading.
    assert "\n        returned at least four workbook chapters (n = 181)\n" in treatment
    # Nothing else changes: the text without the population lines is rich_trial's.
    assert text.startswith(consort_text(rich_trial()).split("\nAnalysis\n")[0])


def test_a_trial_without_populations_draws_as_before() -> None:
    trial = rich_trial()
    assert _flow(trial).arms[0].populations == ()
    with_empty = attrs.evolve(trial, populations=())
    assert consort_text(with_empty) == consort_text(trial)
    assert consort_svg(with_empty) == consort_svg(trial)


def test_markdown_rows_of_the_populations() -> None:
    md = consort_markdown(populations_trial())
    assert md.endswith(
        "| Excluded from analysis | 3 (Withdrew consent to use of data: 3) | "
        "4 (Withdrew consent to use of data: 2; Died: 2) |\n"
        + "".join(f"| {p.name} | {p.treatment} | {p.control} |\n" for p in LONG_POPULATIONS)
    )


def test_population_names_are_escaped() -> None:
    name = 'A|B <script>& "x"\nC_*'
    trial = attrs.evolve(rich_trial(), populations=(rk.Population(name, 200, 210),))
    md = consort_markdown(trial)
    assert '| A\\|B &lt;script&gt;&amp; "x" C\\_\\* | 200 | 210 |\n' in md
    text = consort_text(trial)
    assert '    A|B <script>& "x" C_* (n = 200)\n' in text  # on one line
    svg = consort_svg(trial)
    assert "<script>" not in svg
    assert 'A|B <script>& "x" C_* (n = 210)' in svg_text(svg)


def test_svg_shows_every_population() -> None:
    svg = consort_svg(populations_trial())
    text = svg_text(svg)
    for box, n in RICH_NUMBERS:
        assert f"{box} (n = {n})" in text, box
    for line in POPULATION_LINES[0] + POPULATION_LINES[1]:
        assert line in text
    # In the analysis box, bold like "Analysed" (headings of the same rank).
    root = ET.fromstring(svg)
    bold = [t.text or "" for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert any(t.startswith("Safety population") for t in bold)


def test_figure_shows_the_populations() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    fig = consort_figure(populations_trial())
    text = " ".join(t.get_text() for t in fig.axes[0].texts).replace("\u00a0", " ")
    for line in POPULATION_LINES[0] + POPULATION_LINES[1]:
        assert line in text


# ---------------------------------------------------------------------------------------------
# ConsortFlow
# ---------------------------------------------------------------------------------------------


def test_consort_flow_object() -> None:
    trial = example_trial()
    flow = consort(trial)
    assert repr(flow) == (
        "ConsortFlow('CORE: peer-supported self-management after crisis care', randomized=441)"
    )
    assert flow._repr_html_() == flow.to_svg() == consort_svg(trial)
    assert str(flow) == flow.to_text() == consort_text(trial)
    assert flow.to_markdown() == consort_markdown(trial)
    assert flow == ConsortFlow(trial)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        flow.trial = trial  # type: ignore[misc]


@pytest.mark.parametrize(
    "function",
    [consort, consort_text, consort_markdown, consort_svg, consort_figure],
)
def test_refuses_non_trials(function: object) -> None:
    with pytest.raises(rk.InvalidInputError, match=r"`trial` must be a Trial \(got Arm\)"):
        function(rk.Arm("A", 1))  # type: ignore[operator]
