"""The one layer under the scalar API and :mod:`rctkit.batch`: dispatch, checks, chunking.

Both front ends validate their options here, look the method up in the kernel registry here,
and run the kernel here: the scalar functions on one table (the one-table adaptor, no
chunking), :mod:`rctkit.batch` on arrays of tables in chunks of :data:`CHUNK_SIZE`. A method
therefore has one implementation and one set of rules, whichever way it is called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal, cast

import attrs
import numpy as np

from rctkit import _validation, _warnings
from rctkit._kernels import conditional_rules, margin, registry, unconditional
from rctkit._kernels.common import EffectKernel, FloatArray, IntArray
from rctkit._kernels.nnt import signed_nnt
from rctkit.errors import InvalidInputError
from rctkit.model import BinaryOutcome
from rctkit.results import (
    BatchEstimate,
    BatchMarginTest,
    BatchTestResult,
    ConfidenceInterval,
    Estimate,
    MarginTest,
    Measure,
    TestResult,
)

#: The interval methods of each effect measure.
EFFECT_METHODS: Mapping[str, Mapping[str, EffectKernel]] = registry.EFFECT_METHODS

#: The hypothesis tests, with the alternatives each defines.
TEST_METHODS: Mapping[str, tuple[str, ...]] = registry.TEST_ALTERNATIVES

#: The one default method per measure of every entry point that picks a method for the
#: caller: the report, its tables and ``to_frame``, the harms table, the forest plot, the
#: command line's ``report``, ``demo`` and ``2x2``; and the test behind the report's p-values.
#: The number needed to treat has no method of its own: its interval is the reciprocal of the
#: risk difference's, so :func:`rctkit.number_needed_to_treat` defaults to the same
#: ``"newcombe"``. The one exception is :func:`rctkit.risk_difference`, whose signature
#: default ``"wald"`` is fixed by the public API contract; a report names every method it used.
DEFAULT_METHODS: Mapping[str, str] = MappingProxyType(
    {"odds_ratio": "wald", "risk_ratio": "wald", "risk_difference": "newcombe", "test": "chi2"}
)

#: The interval used instead of a *default* Wald interval that a zero cell leaves undefined
#: (Woolf's and Katz's intervals are then [0, inf] with p = 1); a method the caller names is
#: always kept as named.
ZERO_CELL_METHODS: Mapping[str, str] = MappingProxyType(
    {"odds_ratio": "mn", "risk_ratio": "koopman"}
)


def wald_undefined(measure: str, a: Any, n1: Any, c: Any, n2: Any) -> np.ndarray:
    """Where Wald's interval of ``measure`` is undefined: a zero cell for the odds ratio
    (events or non-events in either arm), no events in an arm for the risk ratio; never for
    the risk difference. Broadcasts over arrays of tables."""
    a, n1, c, n2 = (np.asarray(x) for x in (a, n1, c, n2))
    if measure == "odds_ratio":
        return np.asarray((a == 0) | (a == n1) | (c == 0) | (c == n2))
    if measure == "risk_ratio":
        return np.asarray((a == 0) | (c == 0))
    return np.zeros(np.broadcast(a, n1, c, n2).shape, dtype=bool)


#: The tests whose cost is checked for the whole batch (method -> test family).
UNCONDITIONAL_TESTS: Mapping[str, str] = {
    "barnard": "barnard",
    "barnard-unpooled": "barnard",
    "boschloo": "boschloo",
}

#: Tables per chunk: large batches are processed in pieces of this many tables, so memory
#: stays bounded (the kernels' temporaries are per chunk) and the work stays in cache.
CHUNK_SIZE = 1 << 16

#: What the counted event can be: ``"harmful"`` (fewer events on treatment is benefit) or
#: ``"beneficial"`` (more events on treatment is benefit).
EVENTS = ("harmful", "beneficial")

Event = Literal["harmful", "beneficial"]

Tables = tuple[IntArray, IntArray, IntArray, IntArray]


# ---------------------------------------------------------------------------------------------
# Option checks


def method_label(measure: str, name: str) -> str:
    """How reports, plots and the command line name a method (``measure="test"`` for tests)."""
    return registry.label(measure, name)


def check_effect_options(measure: str, method: Any, confidence_level: Any) -> tuple[str, float]:
    """Validate ``method`` against the measure's set and ``confidence_level``."""
    method = _validation.check_choice(method, "method", EFFECT_METHODS[measure])
    return method, _validation.check_confidence_level(confidence_level)


def check_test_options(method: Any, alternative: Any) -> tuple[str, str]:
    """Validate a test's ``method`` and ``alternative``."""
    method = _validation.check_choice(method, "method", TEST_METHODS)
    alternative = _validation.check_choice(alternative, "alternative", _validation.ALTERNATIVES)
    if alternative not in TEST_METHODS[method]:
        raise InvalidInputError(
            f'`alternative` must be "two-sided" for method="{method}", which has no one-sided '
            f"form (got alternative={alternative!r})"
        )
    return method, alternative


#: The methods that take a ``two_sided`` rule (effect measure or ``"test"`` -> method names).
TWO_SIDED_METHODS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"odds_ratio": ("exact",), "test": ("fisher",)}
)


def check_two_sided(measure: str, method: str, two_sided: Any) -> str | None:
    """Validate ``two_sided``: None, or a rule of :data:`conditional_rules.TWO_SIDED` given
    with a method that takes one (:data:`TWO_SIDED_METHODS`)."""
    if two_sided is None:
        return None
    takes = TWO_SIDED_METHODS.get(measure, ())
    if method not in takes:
        what = "test" if measure == "test" else f"{measure} method"
        raise InvalidInputError(
            f"`two_sided` applies only to method={' or '.join(map(repr, takes))}, not to the "
            f"{what} {method!r} (got two_sided={two_sided!r})"
        )
    return _validation.check_choice(two_sided, "two_sided", conditional_rules.TWO_SIDED)


def _effect_kernel(measure: str, method: str, two_sided: str | None) -> EffectKernel:
    if two_sided is None:
        return EFFECT_METHODS[measure][method]
    return conditional_rules.kernel(two_sided)


def check_event(event: Any) -> Event:
    """Validate ``event`` ("harmful" or "beneficial")."""
    value = _validation.check_choice(event, "event", EVENTS)
    return "harmful" if value == "harmful" else "beneficial"


def check_outcome(outcome: Any) -> BinaryOutcome:
    """Refuse anything but a :class:`BinaryOutcome`."""
    if not isinstance(outcome, BinaryOutcome):
        raise InvalidInputError(
            f"`outcome` must be a BinaryOutcome, e.g. BinaryOutcome.from_counts(treatment=(64, "
            f"218), control=(83, 216)) (got {type(outcome).__name__})"
        )
    return outcome


def check_strata(strata: Any) -> Tables:
    """The count arrays ``(a, n1, c, n2)`` of a non-empty sequence of strata.

    Each stratum is a :class:`BinaryOutcome` or a sequence of four counts
    ``(a, n1, c, n2)`` (treatment events and total, control events and total) in which one arm
    may have no participants. A stratum with an empty arm adds nothing to any stratified sum
    (its ``n1 n2 / N`` is 0; R's ``mantelhaen.test`` accepts it and it changes nothing), so it is
    dropped here; at least one stratum must have participants in both arms.
    """
    if isinstance(strata, BinaryOutcome) or not isinstance(strata, Sequence) or not strata:
        raise InvalidInputError(
            "`strata` must be a non-empty sequence of BinaryOutcome, one per stratum "
            f"(got {type(strata).__name__})"
        )
    rows: list[tuple[int, int, int, int]] = []
    for i, s in enumerate(strata):
        if isinstance(s, BinaryOutcome):
            rows.append(s.as_tuple())
        elif isinstance(s, Sequence) and not isinstance(s, str) and len(s) == 4:
            a, n1, c, n2 = (_validation.as_count(v, f"strata[{i}][{j}]") for j, v in enumerate(s))
            for events, total, arm in ((a, n1, "treatment"), (c, n2, "control")):
                if events > total:
                    raise InvalidInputError(
                        f"`strata[{i}]`: the {arm} events must not exceed its total "
                        f"(got {events} of {total})"
                    )
            rows.append((a, n1, c, n2))
        else:
            raise InvalidInputError(
                "`strata` must hold BinaryOutcome objects or (a, n1, c, n2) count tuples "
                f"(got {type(s).__name__} at {i})"
            )
    counts = np.array(rows, dtype=np.int64)
    counts = counts[(counts[:, 1] > 0) & (counts[:, 3] > 0)]
    if counts.shape[0] == 0:
        raise InvalidInputError(
            "`strata` must hold at least one stratum with participants in both arms "
            f"(got {len(rows)} strata, each with an empty arm)"
        )
    return counts[:, 0], counts[:, 1], counts[:, 2], counts[:, 3]


# ---------------------------------------------------------------------------------------------
# The one-table adaptor and chunking


def one_table(outcome: BinaryOutcome) -> Tables:
    """The outcome's counts as four int64 arrays of shape (1,), for the kernels."""
    counts = np.array(outcome.as_tuple(), dtype=np.int64)
    return counts[0:1], counts[1:2], counts[2:3], counts[3:4]


def chunked(
    tables: Tables, kernel: Callable[[Tables], tuple[FloatArray | None, ...]]
) -> tuple[FloatArray | None, ...]:
    """Apply ``kernel`` to the tables chunk by chunk and reassemble arrays of their shape.

    Outputs that a kernel returns as None (a test without a statistic) stay None.
    """
    shape = tables[0].shape
    size = tables[0].size
    if size <= CHUNK_SIZE:
        return kernel(tables)
    flat = tuple(np.ascontiguousarray(t).reshape(-1) for t in tables)
    outputs: list[FloatArray | None] = []
    with _warnings.gathered(size):
        for start in range(0, size, CHUNK_SIZE):
            stop = min(start + CHUNK_SIZE, size)
            part = kernel(cast("Tables", tuple(t[start:stop] for t in flat)))
            if not outputs:
                outputs = [None if p is None else np.empty(size) for p in part]
            for out, p in zip(outputs, part, strict=True):
                if out is not None and p is not None:
                    out[start:stop] = p
    return tuple(None if out is None else out.reshape(shape) for out in outputs)


# ---------------------------------------------------------------------------------------------
# Effect measures


def estimate_tables(
    measure: Measure,
    tables: Tables,
    method: str,
    confidence_level: float,
    two_sided: str | None = None,
) -> BatchEstimate:
    """Run an effect-measure kernel on validated count arrays, chunk by chunk."""
    kernel = _effect_kernel(measure, method, two_sided)
    if two_sided is not None:
        conditional_rules.check_cost(*tables, two_sided)

    def run(t: Tables) -> tuple[FloatArray | None, ...]:
        r = kernel(*t, confidence_level)
        return (r.estimate, r.low, r.high, r.pvalue, r.std_error)

    estimate, low, high, pvalue, std_error = chunked(tables, run)
    return BatchEstimate(
        measure=measure,
        method=method,
        confidence_level=confidence_level,
        estimate=cast("FloatArray", estimate),
        low=cast("FloatArray", low),
        high=cast("FloatArray", high),
        pvalue=pvalue,
        std_error=std_error,
    )


def estimate_batch(
    measure: Measure,
    counts: tuple[Any, Any, Any, Any],
    method: Any,
    confidence_level: Any,
    two_sided: Any = None,
) -> BatchEstimate:
    """The vectorised effect functions: validate options and counts, then run in chunks."""
    method, level = check_effect_options(measure, method, confidence_level)
    rule = check_two_sided(measure, method, two_sided)
    return estimate_tables(measure, _validation.count_arrays(*counts), method, level, rule)


def estimate_one(
    measure: Measure, outcome: Any, method: Any, confidence_level: Any, two_sided: Any = None
) -> Estimate:
    """The scalar effect functions: the kernel on one table, no chunking."""
    outcome = check_outcome(outcome)
    method, level = check_effect_options(measure, method, confidence_level)
    rule = check_two_sided(measure, method, two_sided)
    tables = one_table(outcome)
    if rule is not None:
        conditional_rules.check_cost(*tables, rule)
    result = _effect_kernel(measure, method, rule)(*tables, level)
    pvalue = None if result.pvalue is None else float(result.pvalue[0])
    std_error = None if result.std_error is None else float(result.std_error[0])
    return Estimate(
        measure=measure,
        estimate=float(result.estimate[0]),
        ci=ConfidenceInterval(float(result.low[0]), float(result.high[0])),
        confidence_level=level,
        method=method,
        pvalue=pvalue,
        std_error=std_error,
        outcome=outcome.name,
        two_sided=rule,
    )


# ---------------------------------------------------------------------------------------------
# Hypothesis tests


#: The tests that take ``null_value`` and ``measure``: the score tests of a given effect.
NULL_VALUE_TESTS = ("mn", "fm")


def check_null_value(method: str, measure: Any, null_value: Any) -> tuple[str, float | None]:
    """Validate ``measure`` and ``null_value`` of :func:`rctkit.hypothesis_test`.

    ``null_value`` None is the effect of none; a number is taken only by the score tests
    (:data:`NULL_VALUE_TESTS`) and must lie inside the measure's range.
    """
    measure = _validation.check_choice(measure, "measure", margin.MEASURES)
    if null_value is None:
        return measure, None
    if method not in NULL_VALUE_TESTS:
        listed = ", ".join(f'"{m}"' for m in NULL_VALUE_TESTS)
        raise InvalidInputError(
            f"`null_value` must be None for method={method!r}, a test of no effect; the "
            f"tests of a given effect are {listed} (got null_value={null_value!r})"
        )
    value = _validation.check_real(null_value, "null_value")
    _validation.check_in_range(measure, value, "null_value")
    return measure, value


def _test_kernel(
    method: str, measure: str, null_value: float | None, two_sided: str | None = None
) -> Any:
    """The kernel of ``method``; for a score test of a given effect, bound to it; for
    Fisher's test with a two-sided rule, that rule's p-value."""
    if two_sided is not None:
        rule = two_sided

        def run(
            a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
        ) -> tuple[FloatArray | None, FloatArray]:
            return None, conditional_rules.pvalue(a, n1, c, n2, rule)

        return run
    if method in NULL_VALUE_TESTS and (null_value is not None or measure != "risk_difference"):

        def kernel(
            a: IntArray, n1: IntArray, c: IntArray, n2: IntArray, alternative: str
        ) -> tuple[FloatArray, FloatArray]:
            return margin.score_test(
                a, n1, c, n2, alternative, measure=measure, method=method, null_value=null_value
            )

        return kernel
    return registry.TEST_METHODS[method]


def check_test_two_sided(method: str, alternative: str, two_sided: Any) -> str | None:
    """Validate ``two_sided`` for a test; a rule needs ``alternative="two-sided"``."""
    rule = check_two_sided("test", method, two_sided)
    if rule is not None and alternative != "two-sided":
        raise InvalidInputError(
            f"`two_sided` chooses how a two-sided p-value is formed; it needs alternative="
            f'"two-sided" (got two_sided={rule!r}, alternative={alternative!r})'
        )
    return rule


def test_tables(
    tables: Tables,
    method: str,
    alternative: str,
    measure: str,
    null_value: float | None,
    two_sided: str | None = None,  # noqa: PT028 (not a pytest test: __test__ is False)
) -> BatchTestResult:
    """Run a test kernel on validated count arrays, chunk by chunk."""
    kernel = _test_kernel(method, measure, null_value, two_sided)
    if two_sided is not None:
        conditional_rules.check_cost(*tables, two_sided)
    if method in UNCONDITIONAL_TESTS:
        # Their cost adds up over the tables: refuse the whole batch before the first chunk.
        passes = 2 if method == "boschloo" and alternative == "two-sided" else 1
        unconditional.check_cost(tables[1], tables[3], UNCONDITIONAL_TESTS[method], passes)
    statistic, pvalue = chunked(tables, lambda t: kernel(*t, alternative))
    return BatchTestResult(
        method=method,
        alternative=alternative,
        statistic=statistic,
        pvalue=cast("FloatArray", pvalue),
    )


test_tables.__test__ = False  # type: ignore[attr-defined]


def test_batch(
    counts: tuple[Any, Any, Any, Any],
    method: Any,
    alternative: Any,
    measure: Any,
    null_value: Any,
    two_sided: Any = None,  # noqa: PT028 (not a pytest test: __test__ is False)
) -> BatchTestResult:
    """The vectorised test function: validate options and counts, then run in chunks."""
    method, alternative = check_test_options(method, alternative)
    measure, value = check_null_value(method, measure, null_value)
    rule = check_test_two_sided(method, alternative, two_sided)
    return test_tables(
        _validation.count_arrays(*counts), method, alternative, measure, value, rule
    )


test_batch.__test__ = False  # type: ignore[attr-defined]


def test_one(
    outcome: Any,
    method: Any,
    alternative: Any,
    measure: Any,
    null_value: Any,
    two_sided: Any = None,  # noqa: PT028 (not a pytest test: __test__ is False)
) -> TestResult:
    """The scalar test function: the kernel on one table."""
    outcome = check_outcome(outcome)
    method, alternative = check_test_options(method, alternative)
    measure, value = check_null_value(method, measure, null_value)
    rule = check_test_two_sided(method, alternative, two_sided)
    tables = one_table(outcome)
    if rule is not None:
        conditional_rules.check_cost(*tables, rule)
    statistic, pvalue = _test_kernel(method, measure, value, rule)(*tables, alternative)
    return TestResult(
        statistic=None if statistic is None else float(statistic[0]),
        pvalue=float(pvalue[0]),
        method=method,
        alternative=alternative,
        outcome=outcome.name,
        two_sided=rule,
    )


test_one.__test__ = False  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# Tests against a margin


def check_margin_options(
    measure: Any, method: Any, confidence_level: Any
) -> tuple[str, str, float]:
    """Validate ``measure``, ``method`` (the methods defined for the measure) and the level."""
    measure = _validation.check_choice(measure, "measure", margin.MEASURES)
    if method == "newcombe" and measure != "risk_difference":
        raise InvalidInputError(
            f'`method` "newcombe" is defined for the risk difference only; for the '
            f'{measure.replace("_", " ")} use one of "mn", "fm", "wald" (got method="newcombe")'
        )
    method = _validation.check_choice(method, "method", margin.INTERVALS[measure])
    return measure, method, _validation.check_confidence_level(confidence_level)


def _margin_arrays(
    framework: str,
    tables: Tables,
    measure: str,
    method: str,
    level: float,
    bound: float | tuple[float, float],
    higher_is_better: bool,
) -> margin.MarginArrays:
    if isinstance(bound, tuple):
        return margin.equivalence(
            *tables, measure=measure, method=method, low=bound[0], high=bound[1], level=level
        )
    return margin.noninferiority(
        *tables,
        measure=measure,
        method=method,
        margin=bound,
        level=level,
        higher_is_better=higher_is_better,
    )


def _check_margin_call(
    framework: str, measure: Any, method: Any, confidence_level: Any, bound: Any, better: Any
) -> tuple[str, str, float, float | tuple[float, float], bool]:
    measure, method, level = check_margin_options(measure, method, confidence_level)
    if framework == "equivalence":
        return measure, method, level, _validation.check_margins(measure, bound), False
    value, direction = _validation.check_margin(measure, bound, better)
    return measure, method, level, value, direction


def margin_batch(
    framework: Literal["noninferiority", "equivalence"],
    counts: tuple[Any, Any, Any, Any],
    *,
    measure: Any,
    method: Any,
    confidence_level: Any,
    bound: Any,
    higher_is_better: Any = False,
) -> BatchMarginTest:
    """The vectorised margin tests: validate, then run the kernel in chunks."""
    measure, method, level, value, better = _check_margin_call(
        framework, measure, method, confidence_level, bound, higher_is_better
    )
    tables = _validation.count_arrays(*counts)

    def run(t: Tables) -> tuple[FloatArray | None, ...]:
        r = _margin_arrays(framework, t, measure, method, level, value, better)
        return (r.estimate, r.low, r.high, r.statistic, r.pvalue, r.rejected.astype(np.float64))

    estimate, low, high, statistic, pvalue, rejected = (
        cast("FloatArray", x) for x in chunked(tables, run)
    )
    return BatchMarginTest(
        framework=framework,
        measure=cast("Measure", measure),
        method=method,
        confidence_level=level,
        alpha=(1.0 - level) / 2.0,
        margin=value,
        higher_is_better=None if framework == "equivalence" else better,
        estimate=estimate,
        low=low,
        high=high,
        statistic=statistic,
        pvalue=pvalue,
        rejected=rejected.astype(bool),
    )


def margin_one(
    framework: Literal["noninferiority", "equivalence"],
    outcome: Any,
    *,
    measure: Any,
    method: Any,
    confidence_level: Any,
    bound: Any,
    higher_is_better: Any = False,
) -> MarginTest:
    """The scalar margin tests: the kernel on one table."""
    outcome = check_outcome(outcome)
    measure, method, level, value, better = _check_margin_call(
        framework, measure, method, confidence_level, bound, higher_is_better
    )
    r = _margin_arrays(framework, one_table(outcome), measure, method, level, value, better)
    batch = BatchMarginTest(
        framework=framework,
        measure=cast("Measure", measure),
        method=method,
        confidence_level=level,
        alpha=(1.0 - level) / 2.0,
        margin=value,
        higher_is_better=None if framework == "equivalence" else better,
        estimate=r.estimate,
        low=r.low,
        high=r.high,
        statistic=r.statistic,
        pvalue=r.pvalue,
        rejected=r.rejected,
    )
    return attrs.evolve(batch.item(0), outcome=outcome.name)


# ---------------------------------------------------------------------------------------------
# Numbers needed to treat


def nnt_arrays(
    rd: FloatArray, low: FloatArray, high: FloatArray, event: Event
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Signed NNTs and limits from risk differences (the one NNT kernel)."""
    return signed_nnt(rd, low, high, harmful=event == "harmful")


def nnt_batch(
    counts: tuple[Any, Any, Any, Any], method: Any, confidence_level: Any, event: Any
) -> BatchEstimate:
    """Numbers needed to treat for a batch of tables, from the risk-difference method."""
    method, level = check_effect_options("risk_difference", method, confidence_level)
    direction = check_event(event)
    rd = estimate_tables("risk_difference", _validation.count_arrays(*counts), method, level)
    nnt, low, high = nnt_arrays(rd.estimate, rd.low, rd.high, direction)
    return BatchEstimate(
        measure="nnt",
        method=method,
        confidence_level=level,
        estimate=nnt,
        low=low,
        high=high,
        pvalue=rd.pvalue,
    )
