"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

import copy
import datetime
import json
import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

import rctkit as rk


@st.composite
def arm_counts(draw: st.DrawFn, max_total: int = 500, min_total: int = 1) -> rk.Counts:
    """One arm's counts: any ``0 <= events <= total`` with ``total >= min_total``."""
    total = draw(st.integers(min_value=min_total, max_value=max_total))
    events = draw(st.integers(min_value=0, max_value=total))
    return rk.Counts(events, total)


@st.composite
def outcomes(
    draw: st.DrawFn, max_total: int = 500, min_total: int = 1, zero_cells: bool = True
) -> rk.BinaryOutcome:
    """A two-arm outcome; with ``zero_cells=False`` every cell of the 2x2 table is positive."""
    if zero_cells:
        t = draw(arm_counts(max_total, min_total))
        c = draw(arm_counts(max_total, min_total))
    else:
        t = draw(arm_counts(max_total, max(min_total, 2)).filter(lambda x: 0 < x.events < x.total))
        c = draw(arm_counts(max_total, max(min_total, 2)).filter(lambda x: 0 < x.events < x.total))
    return rk.BinaryOutcome(name="outcome", treatment=t, control=c)


confidence_levels = st.floats(min_value=0.5, max_value=0.999, allow_nan=False)


# Characters that some output format reads as syntax, line breaks, control characters, and
# the non-ASCII text that a label may hold.
_LABEL_SPECIALS = (
    "<>&\"'|\\`*_[]{}()#$%^~!-+=.:;/ 019"
    "\n\r\t\v\f\x00\x07\x1b\x7f\x85\x9f\u2028\u2029\ud800\ufffe"
    "\u00a0\u00e9\u2013\u2014\u2212\u00b7\u2264\u2265\u221e"
)

#: A label (a title, an arm, an outcome, a reason): any text, weighted towards the characters
#: that an escaper has to handle.
labels = st.text(
    alphabet=st.sampled_from(_LABEL_SPECIALS) | st.characters(), min_size=1, max_size=40
)


# ---------------------------------------------------------------------------------------------
# Trial files for the fuzz test of the command line (tests/test_cli_fuzz.py): valid documents
# with random edits (wrong types, nested tables, odd keys), written as TOML text.
# ---------------------------------------------------------------------------------------------

#: A consistent trial document (checked by hand: analysed 9 <= allocated 10, every total at
#: most its arm's analysed or allocated count), the start of every fuzzed document.
VALID_TRIAL: dict[str, object] = {
    "trial": {"title": "T", "citation": "Fuzz 2026"},
    "enrolment": {"assessed": 30, "excluded": {"declined": 10}},
    "arms": [
        {
            "label": "A",
            "short": "a",
            "role": "treatment",
            "allocated": 10,
            "received": 9,
            "did_not_receive": {"declined": 1},
            "analysed": 9,
        },
        {"label": "B", "role": "control", "allocated": 10},
    ],
    "outcomes": [
        {
            "name": "Death",
            "primary": True,
            "events": [1, 3],
            "totals": [9, 10],
            "published": {
                "measure": "odds_ratio",
                "estimate": 0.4,
                "low": 0.1,
                "high": 3.0,
                "pvalue": 0.5,
                "note": "adjusted",
            },
        },
        {"name": "Stroke", "events": [0, 0], "totals": [9, 10]},
    ],
    "adverse_events": [
        {"term": "SAE", "arm": "A", "participants": 1, "events": 2, "exposure": 4.5},
        {"term": "Fall", "arm": "a", "events": 0, "serious": True, "severity": "grade 3"},
    ],
}

_KNOWN_KEYS = sorted(
    {"trial", "enrolment", "arms", "outcomes", "adverse_events", "title", "citation"}
    | {"assessed", "excluded", "label", "short", "role", "allocated", "received", "analysed"}
    | {"did_not_receive", "lost_to_follow_up", "discontinued", "excluded_from_analysis"}
    | {"name", "primary", "events", "totals", "published", "measure", "estimate", "low"}
    | {"high", "pvalue", "note", "term", "arm", "participants", "exposure", "severity"}
)

toml_keys = st.one_of(st.sampled_from(_KNOWN_KEYS), st.text(max_size=12))

toml_scalars = st.one_of(
    st.integers(min_value=-3, max_value=30),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=20),
    st.sampled_from(["treatment", "control", "A", "B", "a", "odds_ratio", "risk_difference"]),
    st.dates(),
)

#: Any TOML value: scalars, and arrays and tables of them nested a few levels.
toml_values = st.recursive(
    toml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(toml_keys, children, max_size=4)
    ),
    max_leaves=12,
)


def _toml_string(text: str) -> str:
    escaped = json.dumps(text, ensure_ascii=False)  # JSON's escapes are TOML's, but for DEL
    return escaped.replace("\x7f", "\\u007f")


def to_toml(value: object) -> str:
    """A value as TOML (inline arrays and tables); a document as ``key = value`` lines."""
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_string(str(k))} = {to_toml(v)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(to_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else {math.inf: "inf", -math.inf: "-inf"}.get(value, repr(value))
        )
    if isinstance(value, int | datetime.date):
        return str(value) if isinstance(value, int) else value.isoformat()
    return _toml_string(str(value))


def toml_document(doc: dict[str, object]) -> str:
    return "".join(f"{_toml_string(key)} = {to_toml(value)}\n" for key, value in doc.items())


def _same_kind(value: object) -> st.SearchStrategy[object]:
    """Another value of the kind of ``value``: the file stays well typed, the data goes odd."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.one_of(
            st.integers(min_value=0, max_value=30),
            st.integers(min_value=0, max_value=10**12 + 1),
            st.sampled_from([0, 1, 10**12, 10**12 + 1, 2**63]),
        )
    if isinstance(value, float):
        return st.one_of(
            st.floats(min_value=-2.0, max_value=5.0), st.floats(allow_nan=True), st.just(0.0)
        )
    if isinstance(value, str):
        return st.one_of(
            st.text(max_size=30),
            st.sampled_from(["", " ", "A", "B", "a", "&<>%$#_{}\\~^", "\u2013\u00b7\u221e"]),
        )
    return st.just(value)


@st.composite
def trial_documents(draw: st.DrawFn, max_edits: int = 4) -> dict[str, object]:
    """VALID_TRIAL after 0 to ``max_edits`` random edits anywhere in the nested document: most
    change a value and keep its type (odd data in a well-formed file); the rest replace a value
    with any TOML value, remove a key or add one."""
    doc = copy.deepcopy(VALID_TRIAL)
    for _ in range(draw(st.integers(min_value=0, max_value=max_edits))):
        node: object = doc
        # walk down a random path; stop at a random depth
        while isinstance(node, dict | list) and node and draw(st.booleans()):
            keys = list(node) if isinstance(node, dict) else list(range(len(node)))
            child = node[draw(st.sampled_from(keys))]
            if not isinstance(child, dict | list) or not child:
                break
            node = child
        action = draw(st.sampled_from(["same", "same", "same", "replace", "remove", "add"]))
        if isinstance(node, dict):
            if action == "add" or not node:
                node[draw(toml_keys)] = draw(toml_values)
            else:
                key = draw(st.sampled_from(sorted(node)))
                if action == "remove":
                    del node[key]
                elif action == "same":
                    node[key] = draw(_same_kind(node[key]))
                else:
                    node[key] = draw(toml_values)
        elif isinstance(node, list):
            if action == "add" or not node:
                node.append(draw(toml_values))
            else:
                i = draw(st.integers(min_value=0, max_value=len(node) - 1))
                if action == "remove":
                    del node[i]
                elif action == "same":
                    node[i] = draw(_same_kind(node[i]))
                else:
                    node[i] = draw(toml_values)
    return doc


@st.composite
def mutated_bytes(draw: st.DrawFn) -> bytes:
    """The valid document's bytes with random bytes inserted, a stretch cut, or a truncation."""
    data = bytearray(toml_document(VALID_TRIAL).encode())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        how = draw(st.sampled_from(["insert", "cut", "truncate"]))
        if how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif how == "cut":
            del data[at : at + draw(st.integers(min_value=1, max_value=20))]
        else:
            del data[at:]
    return bytes(data)


@st.composite
def nested_documents(draw: st.DrawFn) -> bytes:
    """Arrays or inline tables nested up to 5,000 deep (the TOML reader recurses)."""
    depth = draw(st.integers(min_value=1, max_value=5000))
    if draw(st.booleans()):
        value = "[" * depth + "]" * depth
    else:
        value = "{a = " * depth + "1" + "}" * depth
    key = draw(st.sampled_from(["x", "outcomes", "arms", "trial"]))
    return f"{key} = {value}\n".encode()


@st.composite
def rate_ratio_inputs(draw: st.DrawFn) -> tuple[int, int, float, float]:
    """Two arms' event counts (0 to MAX_COUNT, small ones likely) and person-time exposures."""
    counts = st.integers(0, 50) | st.integers(0, rk.MAX_COUNT) | st.sampled_from([0, rk.MAX_COUNT])
    exposures = st.floats(min_value=1e-3, max_value=1e9, allow_nan=False, allow_infinity=False)
    return draw(counts), draw(counts), draw(exposures), draw(exposures)


#: Arm sizes from one participant up to rctkit.MAX_COUNT, the sizes where rounding bites.
_BIG_TOTALS = [1, 2, 10, 1000, 10**6, 10**9, 2**39, 10**12]


@st.composite
def big_arm_counts(draw: st.DrawFn) -> rk.Counts:
    """One arm of any size up to ``MAX_COUNT``, with none, few, half, all-but-few, all or any
    of its participants having the event."""
    total = draw(st.sampled_from(_BIG_TOTALS) | st.integers(1, rk.MAX_COUNT))
    few = draw(st.integers(0, 10))
    events = {
        "zero": 0,
        "few": min(few, total),
        "half": total // 2,
        "all-but-few": max(total - few, 0),
        "all": total,
        "any": draw(st.integers(0, total)),
    }[draw(st.sampled_from(["zero", "few", "half", "all-but-few", "all", "any"]))]
    return rk.Counts(events, total)


@st.composite
def big_strata(draw: st.DrawFn, max_strata: int = 40) -> list[rk.BinaryOutcome]:
    """Stratified data: 1 to ``max_strata`` strata of any size up to ``MAX_COUNT`` per arm
    (often with repeated tables, as strata of a design)."""
    distinct = draw(
        st.lists(st.tuples(big_arm_counts(), big_arm_counts()), min_size=1, max_size=6)
    )
    picks = draw(st.lists(st.integers(0, len(distinct) - 1), min_size=1, max_size=max_strata))
    return [
        rk.BinaryOutcome(name="outcome", treatment=distinct[i][0], control=distinct[i][1])
        for i in picks
    ]


@st.composite
def adjusted_trials(draw: st.DrawFn) -> dict[str, Any]:
    """Participant-level data for the adjusted models: 20 to 300 participants in two arms
    ("T", "C"), outcome ``y``, up to three numeric covariates ``x0``... each of a scale from
    1e-300 to 1e300, and up to two factors ``g0``... of 2 to 40 levels."""
    n = draw(st.integers(min_value=20, max_value=300))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    exponents = draw(st.lists(st.integers(min_value=-300, max_value=300), max_size=3))
    levels = draw(st.lists(st.integers(min_value=2, max_value=40), max_size=2))
    effect = draw(st.floats(min_value=-1.5, max_value=1.5))
    rng = np.random.default_rng(seed)
    arm = rng.permutation(np.arange(n) % 2)
    data: dict[str, Any] = {"arm": np.where(arm == 1, "T", "C")}
    eta = -0.3 + effect * arm
    for j, exponent in enumerate(exponents):
        x = rng.normal(size=n)
        eta = eta + 0.5 * x
        data[f"x{j}"] = x * 10.0**exponent
    for j, k in enumerate(levels):
        g = rng.integers(0, k, size=n)
        eta = eta + rng.normal(0.0, 0.5, size=k)[g]
        data[f"g{j}"] = np.array([f"l{i:02d}" for i in range(k)])[g]
    data["y"] = (rng.random(n) < 1.0 / (1.0 + np.exp(-eta))).astype(np.int64)
    return data


#: A two-arm interval method: ``(measure, method)``, any registered one.
effect_methods = st.sampled_from(
    [
        (measure, method)
        for measure in ("odds_ratio", "risk_ratio", "risk_difference")
        for method in rk.effects.available_methods(measure)
    ]
)


@st.composite
def report_trials(draw: st.DrawFn) -> rk.Trial:
    """A two-arm trial to report: one or two outcomes over the same arms (small or huge
    counts, zero cells, all events), and sometimes an adverse event with or without
    exposure. Labels are plain words, so that every number in a report is a printed number."""
    arm = big_arm_counts() | arm_counts(max_total=300)
    t, c = draw(arm), draw(arm)
    outcomes = [rk.BinaryOutcome(name="Primary", treatment=t, control=c)]
    if draw(st.booleans()):
        t2 = rk.Counts(draw(st.integers(0, t.total)), t.total)
        c2 = rk.Counts(draw(st.integers(0, c.total)), c.total)
        outcomes.append(rk.BinaryOutcome(name="Secondary", treatment=t2, control=c2))
    arms = (
        rk.Arm("Drug", allocated=t.total, analysed=t.total),
        rk.Arm("Placebo", allocated=c.total, analysed=c.total),
    )
    events = []
    if draw(st.booleans()):
        exposure = draw(st.none() | st.floats(1.0, 1e6))
        for label, counts in (("Drug", t), ("Placebo", c)):
            n = draw(st.integers(0, min(counts.total, 10**6)))
            extra = draw(st.integers(0, 10))
            events.append(
                rk.AdverseEvent(
                    "Nausea", label, participants=n, events=n + extra, exposure=exposure
                )
            )
    return rk.Trial("Trial", arms=arms, outcomes=outcomes, adverse_events=events)


#: The effect measures that take a margin.
margin_measures = st.sampled_from(["risk_difference", "risk_ratio", "odds_ratio"])


@st.composite
def margin_values(draw: st.DrawFn, measure: str, side: str) -> float:
    """A margin on ``measure``'s scale strictly ``"below"`` or ``"above"`` the null: a risk
    difference in (-0.99, 0) or (0, 0.99), a ratio in (e^-3, 1) or (1, e^3)."""
    size = draw(st.floats(min_value=1e-3, max_value=0.99 if measure == "risk_difference" else 3.0))
    signed = -size if side == "below" else size
    return signed if measure == "risk_difference" else math.exp(signed)


#: Families of p-values for the multiplicity procedures: from 0 to 1, with ties and ones.
pvalue_families = st.lists(
    st.one_of(
        st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
        st.sampled_from([0.0, 0.01, 0.05, 1.0]),
    ),
    min_size=1,
    max_size=12,
)


@st.composite
def weighted_families(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    """P-values and fallback weights (non-negative, adding up to at most 1)."""
    p = draw(pvalue_families)
    raw = draw(st.lists(st.integers(0, 10), min_size=len(p), max_size=len(p)))
    total = sum(raw) + draw(st.integers(0, 3))
    if total == 0 or sum(raw) == 0:
        raw[0], total = 1, max(total, 1)
    return p, [r / total for r in raw]


@st.composite
def adam_frames(draw: st.DrawFn, max_participants: int = 30, max_events: int = 60) -> Any:
    """An ADSL-like and an ADAE-like pandas frame: participants (USUBJID, ARM, TRTDURD) and
    their adverse events (AEBODSYS, AEDECOD, AESER, AREL, AETOXGR with missing grades);
    some participants have no event, some the same term several times, a term may sit under
    two classes, names differ only in case."""
    import pandas as pd

    n = draw(st.integers(min_value=1, max_value=max_participants))
    arms = draw(st.lists(st.sampled_from(["Drug", "Placebo"]), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(min_value=0, max_value=400), min_size=n, max_size=n))
    adsl = pd.DataFrame(
        {"USUBJID": [f"S-{i:03d}" for i in range(n)], "ARM": arms, "TRTDURD": days}
    )
    k = draw(st.integers(min_value=0, max_value=max_events))
    socs = ["Cardiac disorders", "cardiac disorders", "Infections", "Skin"]
    terms = ["Rash", "rash", "Nausea", "Headache", "Pruritus"]
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=n - 1),
                st.sampled_from(socs),
                st.sampled_from(terms),
                st.booleans(),
                st.booleans(),
                st.integers(min_value=0, max_value=5),
            ),
            min_size=k,
            max_size=k,
        )
    )
    adae = pd.DataFrame(
        {
            "USUBJID": [f"S-{r[0]:03d}" for r in rows],
            "AEBODSYS": [r[1] for r in rows],
            "AEDECOD": [r[2] for r in rows],
            "AESER": ["Y" if r[3] else "N" for r in rows],
            "AREL": ["RELATED" if r[4] else "NOT RELATED" for r in rows],
            "AETOXGR": [float("nan") if r[5] == 0 else float(r[5]) for r in rows],
        },
        columns=["USUBJID", "AEBODSYS", "AEDECOD", "AESER", "AREL", "AETOXGR"],
    )
    return adsl, adae


@st.composite
def adam_data(draw: st.DrawFn, max_participants: int = 25, max_events: int = 40) -> Any:
    """A small random ADaM pair ``(adsl, adae)`` as DataFrames: two arms ("Drug",
    "Placebo"), a safety flag with at least one participant of each arm in the population,
    and events with class, term, seriousness, relatedness, severity (sometimes missing) and
    the treatment-emergent flag (Y or blank)."""
    import pandas as pd

    n = draw(st.integers(min_value=2, max_value=max_participants))
    arm = draw(st.lists(st.sampled_from(["Drug", "Placebo"]), min_size=n, max_size=n))
    arm[0], arm[1] = "Drug", "Placebo"
    safety = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    safety[0] = safety[1] = True
    adsl = pd.DataFrame(
        {
            "USUBJID": [f"S-{i:03d}" for i in range(n)],
            "TRT01P": arm,
            "TRT01A": arm,
            "SAFFL": ["Y" if s else "N" for s in safety],
            "TRTDURD": draw(
                st.lists(st.integers(min_value=1, max_value=400), min_size=n, max_size=n)
            ),
        }
    )
    k = draw(st.integers(min_value=0, max_value=max_events))
    terms = [("SOC A", "PT 1"), ("SOC A", "PT 2"), ("SOC B", "PT 3"), ("SOC C", "PT 4")]

    def column(strategy: Any) -> list[Any]:
        return list(draw(st.lists(strategy, min_size=k, max_size=k)))

    term = column(st.sampled_from(terms))
    adae = pd.DataFrame(
        {
            "USUBJID": [f"S-{i:03d}" for i in column(st.integers(0, n - 1))],
            "AEBODSYS": [t[0] for t in term],
            "AEDECOD": [t[1] for t in term],
            "AESER": column(st.sampled_from(["Y", "N"])),
            "AEREL": column(st.sampled_from(["NOT RELATED", "POSSIBLE", "PROBABLE", None])),
            "AESEV": column(st.sampled_from(["MILD", "MODERATE", "SEVERE", None])),
            "TRTEMFL": column(st.sampled_from(["Y", None])),
        },
        columns=["USUBJID", "AEBODSYS", "AEDECOD", "AESER", "AEREL", "AESEV", "TRTEMFL"],
    )
    return adsl, adae
