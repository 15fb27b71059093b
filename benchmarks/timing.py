"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import time
from collections.abc import Callable

#: One benchmark row: (measurement, peer, rctkit seconds per call, peer seconds per call).
Row = tuple[str, str, float, float]


def best_time(func: Callable[[], object], *, repeat: int = 5, min_time: float = 0.2) -> float:
    """The best per-call time over ``repeat`` rounds, each at least ``min_time`` long."""
    func()  # warm up
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            func()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            break
        number *= 2
    best = elapsed / number
    for _ in range(repeat - 1):
        start = time.perf_counter()
        for _ in range(number):
            func()
        best = min(best, (time.perf_counter() - start) / number)
    return best
