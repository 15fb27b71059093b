"""Many designs at once: rctkit.evaluate on a two-worker LocalCluster against a plain loop.

The work: 1,000 designs, the exact power of Pearson's chi-squared test for arm sizes from 20
to 412 per arm in steps of 8 (50 sizes) against 20 pairs of risks (up to 413 x 413 = 170,569
tables each), the kind of grid a design evaluation sweeps.
The peer is the plain loop ``[rk.power(**d) for d in designs]`` in one process; rctkit is
``rctkit.evaluate.evaluate("power", designs, client=client)`` on a
``dask.distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True)``, started
once before anything is timed (the cluster's start-up, about a second, is not counted). The
results are checked equal before timing. The two are timed in alternating rounds
(``paired_times``), so a change in the machine's load favours neither. The ratio is loop time /
evaluate time: above 1 means the cluster pays for itself; two cores give at most 2. With
small designs (a few thousand tables each) the per-chunk scheduling and transfer cost of the
cluster eats the gain: there the threaded default or a plain loop is as fast.

The workers get glibc's default memory allocator settings, like the process that runs the
loop. dask.distributed otherwise starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``,
which turns off glibc's adaptive mmap threshold: every large temporary array (an exact power
at 400 per arm allocates arrays of 170,000 tables) is then mapped and unmapped by the kernel
on each call, and the cluster measured 0.72x of the loop, slower than one process, with
most of its time in the kernel (measured on this 2-core machine).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import rctkit as rk
from benchmarks.timing import Row, paired_times

ROW = "1,000 exact powers, dask 2 workers"

#: loop time / evaluate time at least this (two cores).
TARGETS = {ROW: 1.3}

DESIGNS: list[dict[str, Any]] = [
    {"n_treatment": n, "n_control": n, "p_treatment": p1, "p_control": p0}
    for n in range(20, 420, 8)
    for p0 in (0.2, 0.3, 0.4, 0.5)
    for p1 in (p0 - 0.15, p0 - 0.1, p0 - 0.05, p0 + 0.05, p0 + 0.1)
]


def bench_evaluate() -> Row:
    import rctkit.evaluate as rke

    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - the dask extra is in the test extra
        return (ROW, "dask not installed", float("nan"), float("nan"))

    def loop() -> list[Any]:
        return [rk.power(test="chi2", **d) for d in DESIGNS]

    import dask

    with (
        warnings.catch_warnings(),
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}),
    ):
        warnings.simplefilter("ignore")
        # dask.distributed's constructors are not annotated.
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        with cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]

            def ours() -> list[Any]:
                return rke.evaluate("power", DESIGNS, client=client, test="chi2")

            serial, spread = loop(), ours()
            assert [r.power for r in serial] == [r.power for r in spread]
            mine, theirs = paired_times(ours, loop, rounds=2)
    return (ROW, "plain loop of rk.power, one process", mine, theirs)


BENCHMARKS: list[Callable[[], Row]] = [bench_evaluate]
