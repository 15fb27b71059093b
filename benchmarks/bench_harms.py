"""The harms table of a trial with 20,000 adverse-event records, and Barnard's batch refusal.

Issue 10: ``rctkit.report(trial).to_text()`` took 81 s for 20,000 records, because every term
scanned every record and each row ran four scalar computations. ``harms_rows`` now groups the
records in one pass and computes each comparison once over all terms, as arrays. The peer
row is the per-row loop over rctkit's scalar functions (the old method, without its quadratic
scan), timed on a part of the terms and scaled (its cost is linear); the budget row compares
the whole report with issue 10's target of a few seconds.

The batch row times the refusal of Boschloo's test for 200,000 small tables (about 1.9e9
cells), which before issue 10 ran for about 12 minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

import rctkit as rk
import rctkit.batch as rkb
from benchmarks.timing import Row, best_time
from rctkit.harms import harms_rows, rate_ratio

RECORDS = 20_000
PEER_TERMS = 500
REPORT_BUDGET = 3.0

ROWS_ROW = "harms rows, 20,000 AE records"
REPORT_ROW = "report text, 20,000 AE records"
REFUSAL_ROW = "Boschloo 2e5 tables: refusal"

TARGETS = {ROWS_ROW: 5.0, REPORT_ROW: 1.0}


def adverse_event_trial(records: int = RECORDS, seed: int = 1) -> rk.Trial:
    """Two arms of 5,000 and ``records / 2`` terms, each with a record per arm."""
    rng = np.random.default_rng(seed)
    arms = (rk.Arm("Drug", allocated=5000), rk.Arm("Placebo", allocated=5000))
    events = []
    for i in range(records // 2):
        for arm in ("Drug", "Placebo"):
            people = int(rng.integers(0, 30))
            events.append(
                rk.AdverseEvent(
                    f"Term {i:05d}",
                    arm,
                    participants=people,
                    events=people + int(rng.integers(0, 5)),
                    category=f"SOC {i % 27}",
                    exposure=float(rng.uniform(100.0, 5000.0)),
                )
            )
    return rk.Trial("Harms benchmark", arms=arms, adverse_events=events)


def _per_row_loop(trial: rk.Trial, terms: int) -> None:
    """The scalar functions row by row, as harms_rows did before issue 10."""
    records = trial.adverse_events
    for j in range(terms):
        t, c = records[2 * j], records[2 * j + 1]
        assert t.participants is not None and c.participants is not None
        outcome = rk.BinaryOutcome.from_counts(
            treatment=(t.participants, 5000), control=(c.participants, 5000)
        )
        rk.risk_difference(outcome, method="newcombe")
        rk.risk_ratio(outcome, method="koopman")
        rk.hypothesis_test(outcome, method="fisher")
        assert t.events is not None and c.events is not None
        assert t.exposure is not None and c.exposure is not None
        rate_ratio((t.events, c.events), (t.exposure, c.exposure))


def bench_harms_rows() -> Row:
    trial = adverse_event_trial()
    ours = best_time(lambda: harms_rows(trial), repeat=3)
    start = time.perf_counter()
    _per_row_loop(trial, PEER_TERMS)
    theirs = (time.perf_counter() - start) * (RECORDS // 2) / PEER_TERMS
    return (
        ROWS_ROW,
        f"scalar API per row (x{RECORDS // 2 // PEER_TERMS} of {PEER_TERMS})",
        ours,
        theirs,
    )


def bench_report_text() -> Row:
    trial = adverse_event_trial()
    ours = best_time(lambda: rk.report(trial).to_text(), repeat=3)
    return (REPORT_ROW, f"time budget {REPORT_BUDGET:g} s (issue 10)", ours, REPORT_BUDGET)


def bench_batch_refusal() -> Row:
    a, n = np.full(200_000, 10), np.full(200_000, 30)

    def refuse() -> None:
        try:
            rkb.hypothesis_test(a, n, a + 1, n, method="boschloo")
        except rk.CostLimitError:
            return
        raise AssertionError("not refused")

    ours = best_time(refuse, repeat=3)
    # Before issue 10: 20,000 such tables took 70 s (measured), so 200,000 about 700 s.
    return (REFUSAL_ROW, "the computation it replaces (~700 s)", ours, 700.0)


BENCHMARKS: list[Callable[[], Row]] = [bench_harms_rows, bench_report_text, bench_batch_refusal]


if __name__ == "__main__":
    for bench in BENCHMARKS:
        name, peer, ours, theirs = bench()
        print(f"{name:<36}{peer:<46}{ours:>10.3g}{theirs:>10.3g}{theirs / ours:>9.1f}x")
