"""Benchmarks of the count-based bootstrap (issue 4), side by side with the peers.

Each ``bench_*`` function returns a row ``(measurement, peer, rctkit_seconds, peer_seconds)``
as in ``benchmarks/run.py``; :func:`bootstrap_peak_memory` measures the peak memory of a
bootstrap with ten million resamples in a fresh interpreter. The targets of issue 4 are in
``TARGETS`` (peer time / rctkit time at least this). Run alone with
``python benchmarks/bench_bootstrap.py``.
"""

from __future__ import annotations

import functools
import json
import platform
import subprocess
import sys
import warnings
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import scipy
from scipy import stats

import rctkit as rk
from benchmarks.timing import Row, best_time
from rctkit.bootstrap import bootstrap

FloatArray = npt.NDArray[np.float64]

CORE = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))

#: Minimum ratio peer time / rctkit time that issue 4 asks for, by measurement.
TARGETS = {
    "bootstrap percentile, CORE, B=1e5": 50.0,
    "bootstrap BCa, CORE, B=1e5": 50.0,
    "exact bootstrap, CORE": 50.0,
    "bootstrap percentile, CORE, B=2e6": 0.25,
}


def core_individual_data() -> tuple[FloatArray, FloatArray]:
    """The CORE outcome as two samples of individual 0/1 outcomes."""
    x = np.r_[np.ones(64), np.zeros(218 - 64)]
    y = np.r_[np.ones(83), np.zeros(216 - 83)]
    return x, y


def odds_ratio_of_samples(x: FloatArray, y: FloatArray, axis: int = -1) -> FloatArray:
    """The plug-in odds ratio of two 0/1 samples, vectorised as scipy.stats.bootstrap wants."""
    a, c = x.sum(axis=axis), y.sum(axis=axis)
    b, d = x.shape[axis] - a, y.shape[axis] - c
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray((a * d) / (b * c), dtype=np.float64)


@functools.cache
def scipy_bootstrap_seconds(method: str, n_resamples: int = 100_000) -> float:
    """scipy.stats.bootstrap (vectorized) on the CORE 0/1 data, seconds per call."""
    data = core_individual_data()
    rng = np.random.default_rng(0)
    return best_time(
        lambda: stats.bootstrap(
            data,
            odds_ratio_of_samples,
            n_resamples=n_resamples,
            vectorized=True,
            method=method,
            rng=rng,
        ),
        repeat=2,
        min_time=0.0,
    )


def bench_bootstrap_percentile() -> Row:
    rng = np.random.default_rng(1)
    ours = best_time(lambda: bootstrap(CORE, n_resamples=100_000, rng=rng))
    return (
        "bootstrap percentile, CORE, B=1e5",
        "scipy.stats.bootstrap, 0/1 data",
        ours,
        scipy_bootstrap_seconds("percentile"),
    )


def bench_bootstrap_bca() -> Row:
    rng = np.random.default_rng(2)
    ours = best_time(lambda: bootstrap(CORE, method="bca", n_resamples=100_000, rng=rng))
    return (
        "bootstrap BCa, CORE, B=1e5",
        "scipy.stats.bootstrap BCa, 0/1 data",
        ours,
        scipy_bootstrap_seconds("bca"),
    )


def bench_bootstrap_exact() -> Row:
    ours = best_time(lambda: bootstrap(CORE, n_resamples=None))
    return (
        "exact bootstrap, CORE",
        "scipy.stats.bootstrap B=1e5, 0/1 data",
        ours,
        scipy_bootstrap_seconds("percentile"),
    )


def bench_bootstrap_uniforms() -> Row:
    rng = np.random.default_rng(3)
    ours = best_time(lambda: bootstrap(CORE, n_resamples=2_000_000, rng=rng))
    uniforms = np.random.default_rng(4)
    theirs = best_time(lambda: uniforms.random(4_000_000))
    return ("bootstrap percentile, CORE, B=2e6", "numpy: draw 4e6 uniforms", ours, theirs)


_MEMORY_SCRIPT = """
import json, resource, sys, tracemalloc
import rctkit as rk
from benchmarks.timing import Row, best_time
from rctkit.bootstrap import bootstrap

def peak_rss_kib():
    # VmHWM is this process's own peak; ru_maxrss may carry the parent's over fork and exec.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
bootstrap(core, n_resamples=1000, rng=0)  # imports and caches warmed up
before = peak_rss_kib()
tracemalloc.start()
bootstrap(core, method=sys.argv[2], n_resamples=int(sys.argv[1]), rng=0)
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
after = peak_rss_kib()
print(json.dumps({"traced_peak": peak, "maxrss_kib_before": before, "maxrss_kib": after}))
"""


def bootstrap_peak_memory(n_resamples: int = 10_000_000, method: str = "bca") -> dict[str, int]:
    """Peak memory of one bootstrap of CORE, measured in a fresh interpreter.

    ``traced_peak`` is the peak of the allocations made during the call (tracemalloc, which
    sees numpy's buffers); ``maxrss_kib`` is the process's peak resident set size afterwards,
    interpreter and imports included, and ``maxrss_kib_before`` the same before the call.
    """
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(n_resamples), method],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, int] = json.loads(out.stdout)
    return result


BENCHMARKS: list[Callable[[], Row]] = [
    bench_bootstrap_percentile,
    bench_bootstrap_bca,
    bench_bootstrap_exact,
    bench_bootstrap_uniforms,
]


def main() -> None:
    warnings.simplefilter("ignore")
    print(
        f"rctkit {rk.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}"
    )
    print(f"{'measurement':<36}{'peer':<40}{'rctkit/call':>12}{'peer/call':>12}{'ratio':>9}")
    for bench in BENCHMARKS:
        name, peer, ours, theirs = bench()
        target = TARGETS.get(name)
        verdict = "" if target is None else f"  (target >= {target:g}x)"
        print(f"{name:<36}{peer:<40}{ours:>12.3g}{theirs:>12.3g}{theirs / ours:>8.1f}x{verdict}")
    memory = bootstrap_peak_memory()
    print(
        f"peak memory, BCa bootstrap of CORE with B=1e7: {memory['traced_peak'] / 2**20:.2f} MiB "
        f"allocated during the call (tracemalloc); process peak RSS "
        f"{memory['maxrss_kib'] / 2**10:.0f} MiB, {memory['maxrss_kib_before'] / 2**10:.0f} MiB "
        "before the call (target < 1 GiB)"
    )


if __name__ == "__main__":
    main()
