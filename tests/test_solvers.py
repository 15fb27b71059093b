"""The vectorised root finders of rctkit._kernels.solvers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rctkit._kernels import solvers

DOTTIE = 0.7390851332151607  # cos(x) = x


def _cos_minus_x(x: np.ndarray, shift: np.ndarray) -> np.ndarray:
    return np.asarray(np.cos(x) - x - shift)


def _cos_minus_x_newton(x: np.ndarray, shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(np.cos(x) - x - shift), np.asarray(-np.sin(x) - 1.0)


def _cubic(x: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(x**3 - target), np.asarray(3.0 * x * x)


class _Counting:
    """A function that records, per element id, how often it was evaluated."""

    def __init__(self, size: int) -> None:
        self.calls = np.zeros(size, dtype=np.int64)

    def value(self, x: np.ndarray, target: np.ndarray, ids: np.ndarray) -> np.ndarray:
        np.add.at(self.calls, ids, 1)
        return np.asarray(np.expm1(x) - target)

    def newton(
        self, x: np.ndarray, target: np.ndarray, ids: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        return self.value(x, target, ids), np.asarray(np.exp(x))


# --- newton ---------------------------------------------------------------------------------


def test_newton_known_roots() -> None:
    x, ok = solvers.newton(_cos_minus_x_newton, 0.0, 1.0, args=(0.0,))
    assert ok
    assert x == pytest.approx(DOTTIE, rel=1e-15)
    target = np.array([1e-30, 1e-6, 2.0, 27.0, 1e30])
    x, ok = solvers.newton(_cubic, 0.0, 1e11, args=(target,))
    assert ok.all()
    np.testing.assert_allclose(x, np.cbrt(target), rtol=1e-14)


def test_newton_with_orientation_does_not_evaluate_the_ends() -> None:
    counter = _Counting(3)
    target = np.array([0.5, 10.0, 1e-8])
    x, ok = solvers.newton(
        counter.newton,
        -5.0,
        5.0,
        start=np.zeros(3),
        args=(target, np.arange(3)),
        increasing=True,
        step_rtol=1e-9,
    )
    assert ok.all()
    np.testing.assert_allclose(x, np.log1p(target), rtol=1e-14)


def test_newton_decreasing_and_mixed_difficulty() -> None:
    # Decreasing functions, roots from easy to steep, and one far from the start.
    shift = np.array([0.0, 0.5, -0.9, 1.0 - math.cos(1.0) + 1.0])

    def f(x: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(np.cos(x) - x - s), np.asarray(-np.sin(x) - 1.0)

    x, ok = solvers.newton(f, -3.0, 3.0, start=np.full(4, 2.9), args=(shift,), increasing=False)
    assert ok.all()
    np.testing.assert_allclose(np.cos(x) - x, shift, atol=1e-15)


def test_newton_bisects_when_the_step_leaves_the_bracket() -> None:
    # arctan: Newton from far out overshoots and diverges; the safeguard keeps it in.
    def f(x: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.asarray(np.arctan(x - s)), np.asarray(1.0 / (1.0 + (x - s) ** 2))

    shift = np.array([0.0, 3.0, -7.5])
    x, ok = solvers.newton(f, -20.0, 20.0, start=np.full(3, 15.0), args=(shift,))
    assert ok.all()
    np.testing.assert_allclose(x, shift, atol=1e-14)


def test_newton_roots_at_the_ends_and_no_sign_change() -> None:
    target = np.array([0.0, 8.0, 27.0, 100.0])
    x, ok = solvers.newton(_cubic, 0.0, np.array([1.0, 2.0, 3.0, 3.0]), args=(target,))
    assert ok[:3].all() and not ok[3]
    assert x[0] == 0.0 and x[1] == 2.0 and x[2] == 3.0
    assert np.isnan(x[3])


def test_newton_with_orientation_reports_no_sign_change() -> None:
    _, ok = solvers.newton(_cubic, 0.0, 3.0, start=1.0, args=(100.0,), increasing=True)
    assert not ok


def test_newton_freezes_converged_elements() -> None:
    # The first element is solved at once (f = 0 at the start); it must not be evaluated again.
    counter = _Counting(3)
    target = np.array([0.0, 1e3, 0.3])
    x, ok = solvers.newton(
        counter.newton,
        -1.0,
        8.0,
        start=np.zeros(3),
        args=(target, np.arange(3)),
        increasing=True,
    )
    assert ok.all()
    np.testing.assert_allclose(x, np.log1p(target), rtol=1e-15)
    assert counter.calls[0] == 1
    assert counter.calls[1] > counter.calls[2] > 1


def test_newton_batch_equals_elements_one_at_a_time() -> None:
    target = np.array([1e-3, 0.7, 2.0, 50.0])
    x, _ = solvers.newton(_cubic, 0.0, 10.0, args=(target,))
    for i, t in enumerate(target):
        xi, _ = solvers.newton(_cubic, 0.0, 10.0, args=(t,))
        assert xi == x[i]


def test_newton_keeps_the_shape() -> None:
    target = np.arange(1.0, 7.0).reshape(2, 3)
    x, ok = solvers.newton(_cubic, 0.0, 10.0, args=(target,))
    assert x.shape == ok.shape == (2, 3)
    np.testing.assert_allclose(x, np.cbrt(target), rtol=1e-14)


# --- chandrupatla ---------------------------------------------------------------------------


def test_chandrupatla_known_roots_with_and_without_guess() -> None:
    shift = np.array([0.0, 0.0, math.cos(0.5) - 0.5])
    low = np.array([0.0, 0.0, 0.2])
    high = np.array([1.0, 1.0, 0.5])
    x, ok = solvers.chandrupatla(_cos_minus_x, low, high, args=(shift,), xatol=1e-17)
    assert ok.all()
    assert x[:2] == pytest.approx(DOTTIE, rel=1e-15)
    assert x[2] == 0.5
    guess = np.array([0.7, 0.2, 0.3])
    xg, okg = solvers.chandrupatla(
        _cos_minus_x, low, high, args=(shift,), guess=guess, xatol=1e-17
    )
    assert okg.all()
    assert xg[:2] == pytest.approx(DOTTIE, rel=1e-15)
    assert xg[2] == 0.5


def test_chandrupatla_ends_in_either_order_and_roots_at_the_ends() -> None:
    shift = np.array([0.0, math.cos(1.0) - 1.0, 1.0])
    x, ok = solvers.chandrupatla(_cos_minus_x, 1.0, 0.0, args=(shift,))
    assert ok.all()
    assert x[0] == pytest.approx(DOTTIE, rel=1e-15)
    assert x[1] == 1.0 and x[2] == 0.0


def test_chandrupatla_no_sign_change_is_not_converged() -> None:
    x, ok = solvers.chandrupatla(_cos_minus_x, 0.0, 0.5, args=(np.array([0.0, 5.0]),))
    assert ok.tolist() == [False, False]
    assert np.isnan(x).all()


def test_chandrupatla_mixed_difficulty_and_freezing() -> None:
    counter = _Counting(4)
    target = np.array([math.expm1(-1.0), 1e-12, 1.0, 1e12])
    low, high = np.full(4, -1.0), np.full(4, 30.0)
    f_low = np.expm1(low) - target
    f_high = np.expm1(high) - target
    x, ok = solvers.chandrupatla(
        counter.value,
        low,
        high,
        args=(target, np.arange(4)),
        f_low=f_low,
        f_high=f_high,
        xrtol=2 * np.finfo(float).eps,
        xatol=1e-300,
    )
    assert ok.all()
    np.testing.assert_allclose(x, np.log1p(target), rtol=1e-14, atol=1e-300)
    # A root at an end is returned unevaluated; the others stop each at their own pace.
    assert x[0] == -1.0
    assert counter.calls[0] == 0
    assert counter.calls[1:].min() >= 1


def test_chandrupatla_takeable_args() -> None:
    class Table:
        def __init__(self, shift: np.ndarray) -> None:
            self.shift = shift

        def take(self, idx: np.ndarray) -> Table:
            return Table(self.shift[idx])

    def f(x: np.ndarray, table: Table) -> np.ndarray:
        return np.asarray(np.cos(x) - x - table.shift)

    shift = np.array([0.0, 0.1])
    x, ok = solvers.chandrupatla(f, np.zeros(2), 1.0, args=(Table(shift),))
    assert ok.all()
    np.testing.assert_allclose(np.cos(x) - x, shift, atol=1e-15)


# --- bracket --------------------------------------------------------------------------------


def test_bracket_then_solve() -> None:
    def f(x: np.ndarray, target: np.ndarray) -> np.ndarray:
        return np.asarray(x - target)

    target = np.array([0.3, 40.0, -1000.0, 5.0])
    lo, hi, flo, fhi, found = solvers.bracket(f, 0.0, 1.0, args=(target,), high=100.0)
    assert found.tolist() == [True, True, True, True]
    assert ((np.minimum(lo, hi) <= target) & (target <= np.maximum(lo, hi))).all()
    np.testing.assert_array_equal(flo, lo - target)
    np.testing.assert_array_equal(fhi, hi - target)
    x, ok = solvers.chandrupatla(f, lo, hi, args=(target,), f_low=flo, f_high=fhi)
    assert ok.all()
    np.testing.assert_allclose(x, target, rtol=1e-15)


def test_bracket_within_bounds_reports_failure() -> None:
    def f(x: np.ndarray) -> np.ndarray:
        return np.asarray(x * x + 1.0)

    *_, found = solvers.bracket(f, 0.0, 1.0, low=-50.0, high=50.0)
    assert not found
