"""Start-up: ``import rctkit`` and the CLI's answer, timed as whole processes.

Each row runs a fresh interpreter several times and takes the median wall time, alternating
with the peer so a change in the machine's load favours neither. The peer of ``import rctkit``
is ``import statsmodels.api`` plus ``scipy.stats`` (what an analysis stitched from the peers
imports); the floor is a bare ``import numpy``. Issue 9's targets are absolute: under 0.3 s for
``import rctkit`` and for ``rctkit 2x2 64/218 83/216``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.timing import Row

RUNS = 7

#: The issue's absolute targets, in seconds.
SECONDS_TARGETS = {
    "import rctkit": 0.3,
    "rctkit 2x2 64/218 83/216": 0.3,
}


def _wall(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def paired_medians(ours: list[str], theirs: list[str], runs: int = RUNS) -> tuple[float, float]:
    """Median wall seconds of two commands run in turn, after one warm-up each."""
    _wall(ours)
    _wall(theirs)
    a, b = [], []
    for _ in range(runs):
        a.append(_wall(ours))
        b.append(_wall(theirs))
    return statistics.median(a), statistics.median(b)


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("rctkit")
    return [str(script), "2x2", "64/218", "83/216"]


def bench_import() -> Row:
    ours, theirs = paired_medians(
        [sys.executable, "-c", "import rctkit"],
        [sys.executable, "-c", "import statsmodels.api, scipy.stats"],
    )
    return ("import rctkit", "import statsmodels.api, scipy.stats", ours, theirs)


def bench_cli() -> Row:
    ours, theirs = paired_medians(_cli(), [sys.executable, "-c", "import numpy"])
    return ("rctkit 2x2 64/218 83/216", "python -c 'import numpy' (floor)", ours, theirs)


BENCHMARKS = [bench_import, bench_cli]


if __name__ == "__main__":
    for bench in BENCHMARKS:
        name, peer, ours, theirs = bench()
        print(f"{name:<30} {ours:.3f} s   {peer}: {theirs:.3f} s")
