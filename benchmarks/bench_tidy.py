"""Tidy results: a batch of a million tables as a DataFrame, and compare_methods on CORE.

``BatchEstimate.to_frame`` builds the frame column by column from the arrays; the peer row is
the obvious alternative, a DataFrame of ``item(i).to_dict()`` records, timed on a part of the
tables and scaled (its cost is linear). ``compare_methods`` is timed against calling every
public function once in a loop, the same work without the notes.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

import rctkit as rk
import rctkit.batch as rkb
from benchmarks.timing import Row, best_time

TABLES = 1_000_000
PEER_TABLES = 20_000

FRAME_ROW = "BatchEstimate.to_frame, 1e6 tables"
COMPARE_ROW = "compare_methods, CORE, all measures"


def _batch() -> rk.BatchEstimate:
    rng = np.random.default_rng(0)
    n1 = rng.integers(50, 500, TABLES)
    n2 = rng.integers(50, 500, TABLES)
    a = rng.integers(1, n1)
    c = rng.integers(1, n2)
    return rkb.odds_ratio(a, n1, c, n2)


def bench_batch_frame() -> Row:
    batch = _batch()
    ours = best_time(batch.to_frame, repeat=3)
    start = time.perf_counter()
    pd.DataFrame([batch.item(i).to_dict() for i in range(PEER_TABLES)])
    theirs = (time.perf_counter() - start) * TABLES / PEER_TABLES
    return (FRAME_ROW, f"records of item().to_dict() (x{TABLES // PEER_TABLES})", ours, theirs)


def _every_function(outcome: rk.BinaryOutcome) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        for measure in ("odds_ratio", "risk_ratio", "risk_difference"):
            for method in rk.effects.available_methods(measure):
                getattr(rk, measure)(outcome, method=method)
        for method in rk.effects.available_methods("risk_difference"):
            rk.number_needed_to_treat(outcome, method=method)
        for method in rk._engine.TEST_METHODS:
            rk.hypothesis_test(outcome, method=method)


def bench_compare_methods() -> Row:
    core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216), name="CORE")
    ours = best_time(lambda: rk.compare_methods(core), repeat=3)
    theirs = best_time(lambda: _every_function(core), repeat=3)
    return (COMPARE_ROW, "each public function once, in a loop", ours, theirs)


BENCHMARKS: list[Callable[[], Row]] = [bench_batch_frame, bench_compare_methods]


if __name__ == "__main__":
    for bench in BENCHMARKS:
        name, peer, ours, theirs = bench()
        print(f"{name}: {ours:.4g} s; {peer}: {theirs:.4g} s")
