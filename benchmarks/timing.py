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


def paired_times(
    ours: Callable[[], object],
    theirs: Callable[[], object],
    *,
    rounds: int = 7,
    min_time: float = 0.1,
) -> tuple[float, float]:
    """Best per-call times of two functions measured in alternating rounds.

    Alternating keeps a change in the machine's load from favouring either side.
    """
    number_ours = _calibrate(ours, min_time)
    number_theirs = _calibrate(theirs, min_time)
    best_ours = best_theirs = float("inf")
    for _ in range(rounds):
        best_ours = min(best_ours, _per_call(ours, number_ours))
        best_theirs = min(best_theirs, _per_call(theirs, number_theirs))
    return best_ours, best_theirs


def _calibrate(func: Callable[[], object], min_time: float) -> int:
    func()
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            func()
        if time.perf_counter() - start >= min_time:
            return number
        number *= 2


def _per_call(func: Callable[[], object], number: int) -> float:
    start = time.perf_counter()
    for _ in range(number):
        func()
    return (time.perf_counter() - start) / number
