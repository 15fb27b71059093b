"""The root finders of rctkit: vectorised, bracketed, freezing converged elements.

Every iterative quantity in the library (score, likelihood and exact limits, conditional
estimates, the nuisance supremum of the unconditional tests) is the root of a function that
is monotone on a known bracket. Three routines serve them all:

* :func:`newton`: a bracketed, safeguarded Newton iteration for functions whose derivative
  comes cheaply with their value; it falls back to bisection whenever the Newton step leaves
  the bracket or does not shrink it fast enough;
* :func:`chandrupatla`: Chandrupatla's (1997) derivative-free method, inverse quadratic
  interpolation where safe and bisection otherwise;
* :func:`bracket`: an outward search for a sign change from a start point.

All three solve many equations at once, one per element of the broadcast inputs. An element
leaves the working set once it has converged: each iteration evaluates the function only on
the elements still active, so an element's iterates depend on that element alone and a batch
gives the same numbers as its elements one at a time.

The argument contract (``args``)
    The function is called as ``func(x, *args)`` with ``x`` a 1-D array of the active
    elements. Each entry of ``args`` is one of

    * a scalar (a Python number or a 0-d array): passed unchanged;
    * an array broadcastable to the shape of ``x``: broadcast, flattened and subset to the
      active elements;
    * an object with a ``take(indices)`` method (per-element data that is not one array):
      ``take`` is called with the flat indices of the active elements (repeats allowed).
      It does not take part in broadcasting: the other inputs must carry the full shape.

    The function must be elementwise: its value at element ``i`` depends only on ``x[i]`` and
    the ``i``-th entries of the args.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

from rctkit._kernels.common import BoolArray, FloatArray, IntArray

__all__ = ["MAXITER", "XATOL", "XRTOL", "bracket", "chandrupatla", "newton"]

#: Default relative and absolute tolerances on a root, and the default iteration limit.
XRTOL = 4.0 * np.finfo(float).eps
XATOL = 1e-300
MAXITER = 200

#: With a guess, Chandrupatla's first two points lie this fraction either side of it.
_SPREAD = 0.03


class Takeable(Protocol):
    """Per-element data passed to a solved function: subset by flat indices."""

    def take(self, indices: IntArray) -> Any:
        """Return the data of the elements at ``indices`` (repeats allowed)."""


class _Args:
    """The args of a solved function, flattened once and subset on demand."""

    def __init__(self, args: Sequence[Any], shape: tuple[int, ...]) -> None:
        self._items: list[tuple[int, Any]] = []
        for arg in args:
            if _is_array_arg(arg):
                self._items.append((1, np.broadcast_to(np.asarray(arg), shape).reshape(-1)))
            elif np.ndim(arg) == 0 and not hasattr(arg, "take"):
                self._items.append((0, arg))
            else:
                self._items.append((2, arg))

    def at(self, indices: IntArray) -> tuple[Any, ...]:
        out: list[Any] = []
        for kind, value in self._items:
            if kind == 0:
                out.append(value)
            elif kind == 1:
                out.append(value[indices])
            else:
                out.append(value.take(indices))
        return tuple(out)


def _is_array_arg(arg: Any) -> bool:
    return not (hasattr(arg, "take") and not isinstance(arg, np.ndarray)) and np.ndim(arg) > 0


def _flat(*arrays: Any, args: Sequence[Any] = ()) -> tuple[tuple[int, ...], list[FloatArray]]:
    """Broadcast the arrays with the array args; return the shape and float64 flat copies."""
    shape = np.broadcast_shapes(
        *(np.shape(x) for x in arrays), *(np.shape(a) for a in args if _is_array_arg(a))
    )
    return shape, [
        np.array(np.broadcast_to(np.asarray(x, dtype=np.float64), shape)).reshape(-1)
        for x in arrays
    ]


def newton(
    func: Callable[..., tuple[FloatArray, FloatArray]],
    low: FloatArray | float,
    high: FloatArray | float,
    start: FloatArray | float | None = None,
    *,
    args: Sequence[Any] = (),
    increasing: BoolArray | bool | None = None,
    xrtol: float = XRTOL,
    xatol: float = XATOL,
    step_rtol: float | None = None,
    maxiter: int = MAXITER,
) -> tuple[FloatArray, BoolArray]:
    """Solve ``f(x) = 0`` elementwise in ``[low, high]`` by safeguarded Newton steps.

    Parameters
    ----------
    func : callable
        ``func(x, *args) -> (f, fprime)``, elementwise (see the module notes on ``args``).
    low, high : array_like
        The bracket, ``low <= high``, broadcast with ``start``. The ends may be infinite only
        if ``start`` is finite and the iterates never need to bisect towards them.
    start : array_like, optional
        The first iterate (clipped into the bracket); the bracket's midpoint by default.
    args : sequence
        Extra arguments of ``func``.
    increasing : bool or array of bool, optional
        Whether ``f`` increases across the bracket (negative at ``low``, positive at
        ``high``). When given, the ends are not evaluated. When omitted, ``f`` is evaluated
        at both ends once: an end where it is 0 is returned, and elements without a sign
        change are returned as nan, not converged.
    xrtol, xatol : float
        The iteration stops once the bracket is narrower than ``xrtol * |x| + xatol``.
    step_rtol : float, optional
        It also stops after a Newton step (one that stayed in the bracket) smaller than
        ``step_rtol * max(1, |x|)``, the step being taken. Newton converges quadratically, so
        the error left is about the square of that step: ``1e-8`` gives about ``1e-16``.
        By default ``xrtol``.
    maxiter : int
        Evaluations of ``func`` at most (not counting the ends).

    Returns
    -------
    x : ndarray
        The roots, in the broadcast shape (the last iterate where not converged).
    converged : ndarray of bool
        Where a root was found to the tolerance, with a sign change of ``f`` known on both
        sides of it (or ``f = 0`` hit exactly).

    Notes
    -----
    Every evaluation moves one end of the bracket to the iterate, on the side given by the
    sign of ``f`` (nan counts as ``f >= 0``). The Newton step is replaced by the bracket's
    midpoint when it leaves the open bracket, is not finite, or is longer than half the step
    before last (the test of Numerical Recipes' ``rtsafe``): so the bracket shrinks at least
    geometrically, and quadratic convergence takes over near the root.
    """
    if start is None:
        shape, (lo, hi) = _flat(low, high, args=args)
        x = 0.5 * (lo + hi)
        x = np.where(np.isfinite(x), x, np.where(np.isfinite(lo), lo, hi))
    else:
        shape, (lo, hi, x) = _flat(low, high, start, args=args)
        x = np.minimum(np.maximum(x, lo), hi)
    size = x.size
    inputs = _Args(args, shape)
    converged = np.zeros(size, dtype=bool)
    step_tol = xrtol if step_rtol is None else step_rtol
    # seen_lo / seen_hi: an evaluation has confirmed the sign of f at that end.
    if increasing is None:
        both = np.concatenate([np.arange(size), np.arange(size)])
        f_ends, _ = func(np.concatenate([lo, hi]), *inputs.at(both))
        f_lo, f_hi = f_ends[:size], f_ends[size:]
        up = (f_lo < 0.0) & (f_hi > 0.0)
        down = (f_lo > 0.0) & (f_hi < 0.0)
        at_lo, at_hi = f_lo == 0.0, (f_hi == 0.0) & ~(f_lo == 0.0)
        rising = up
        x = np.where(at_lo, lo, np.where(at_hi, hi, np.where(up | down, x, np.nan)))
        converged = at_lo | at_hi
        active = np.flatnonzero(up | down)
        seen_lo = np.ones(size, dtype=bool)
        seen_hi = np.ones(size, dtype=bool)
    else:
        rising = np.broadcast_to(np.asarray(increasing, dtype=bool), shape).reshape(-1)
        active = np.arange(size)
        seen_lo = np.zeros(size, dtype=bool)
        seen_hi = np.zeros(size, dtype=bool)
    xa, la, ha, ra = x[active], lo[active], hi[active], rising[active]
    sla, sha = seen_lo[active], seen_hi[active]
    step_old = ha - la
    step_last = step_old.copy()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(maxiter):
            if active.size == 0:
                break
            f, fp = func(xa, *inputs.at(active))
            nonneg = ~(f < 0.0)
            move_hi = nonneg == ra  # the root lies at or below x
            ha = np.where(move_hi, xa, ha)
            la = np.where(move_hi, la, xa)
            sha |= move_hi
            sla |= ~move_hi
            step = f / fp
            new = xa - step
            use_newton = (
                np.isfinite(new) & (new > la) & (new < ha) & (np.abs(step) <= 0.5 * step_old)
            )
            mid = 0.5 * (la + ha)
            mid = np.where(np.isfinite(mid), mid, xa)
            nxt = np.where(use_newton, new, mid)
            step_old, step_last = step_last, np.abs(nxt - xa)
            width = ha - la
            scale = np.maximum(1.0, np.abs(xa))
            hit = f == 0.0
            small_step = use_newton & (np.abs(step) <= step_tol * scale)
            narrow = (width <= xrtol * np.abs(nxt) + xatol) & sla & sha
            done = hit | small_step | narrow
            xa = np.where(hit, xa, nxt)
            if done.any():
                finished = active[done]
                x[finished] = xa[done]
                converged[finished] = True
                keep = ~done
                active = active[keep]
                xa, la, ha, ra = xa[keep], la[keep], ha[keep], ra[keep]
                sla, sha = sla[keep], sha[keep]
                step_old, step_last = step_old[keep], step_last[keep]
    x[active] = xa
    return x.reshape(shape), converged.reshape(shape)


def chandrupatla(
    f: Callable[..., FloatArray],
    low: FloatArray | float,
    high: FloatArray | float,
    *,
    args: Sequence[Any] = (),
    f_low: FloatArray | None = None,
    f_high: FloatArray | None = None,
    guess: FloatArray | None = None,
    xrtol: float = XRTOL,
    xatol: float = XATOL,
    maxiter: int = MAXITER,
) -> tuple[FloatArray, BoolArray]:
    """Solve ``f(x) = 0`` elementwise between ``low`` and ``high`` without derivatives.

    Parameters
    ----------
    f : callable
        ``f(x, *args) -> values``, elementwise (see the module notes on ``args``).
    low, high : array_like
        The two ends of the bracket, in either order (broadcast together).
    args : sequence
        Extra arguments of ``f``.
    f_low, f_high : array_like, optional
        ``f`` at the ends, when known (both or neither); otherwise evaluated in one call.
        An end where ``f`` is 0 is returned (``high`` when both are); elements without a
        sign change are returned as nan, not converged.
    guess : array_like, optional
        An approximation of the root. ``f`` is then first evaluated, in one call, at two
        points a fraction ``0.03`` either side of it (as a fraction of the bracket measured
        from ``low``; clipped to [0.02, 0.97]), the part of the bracket where the sign
        changes is kept, and the first step is false position. A good guess saves most
        iterations.
    xrtol, xatol : float
        The answer lies within ``xrtol * |x| + xatol`` of a sign change of ``f``.
    maxiter : int
        Iterations at most.

    Returns
    -------
    x : ndarray
        The roots, in the broadcast shape (where not converged, the better end of the last
        bracket).
    converged : ndarray of bool

    Notes
    -----
    Chandrupatla (1997), as in scipy's elementwise solver: inverse quadratic interpolation
    through the bracket's ends and the previous point where the three make it safe,
    bisection otherwise; steps are kept at least half a tolerance from the ends. The
    bracket shrinks at every step.

    References
    ----------
    Chandrupatla TR. A new hybrid quadratic/bisection algorithm for finding the zero of a
    nonlinear function without using derivatives. Adv Eng Softw 1997;28:145-149.
    """
    if guess is None:
        shape, (x_lo, x_hi) = _flat(low, high, args=args)
        g = None
    else:
        shape, (x_lo, x_hi, g) = _flat(low, high, guess, args=args)
    size = x_lo.size
    inputs = _Args(args, shape)
    if f_low is None or f_high is None:
        both = np.concatenate([np.arange(size), np.arange(size)])
        f_ends = f(np.concatenate([x_lo, x_hi]), *inputs.at(both))
        fl, fh = f_ends[:size], f_ends[size:]
    else:
        _, (fl, fh) = _flat(f_low, f_high)
        fl = np.broadcast_to(fl, (size,))
        fh = np.broadcast_to(fh, (size,))
    result = np.where(fh == 0.0, x_hi, np.where(fl == 0.0, x_lo, np.nan))
    converged = (fh == 0.0) | (fl == 0.0)
    active = np.flatnonzero(~converged & (np.signbit(fl) != np.signbit(fh)))
    if active.size == 0:
        return result.reshape(shape), converged.reshape(shape)
    a, fa, b, fb = x_lo[active], fl[active], x_hi[active], fh[active]
    with np.errstate(all="ignore"):
        if g is not None:
            span = b - a
            frac = (g[active] - a) / span
            frac = np.where(np.isfinite(frac), np.minimum(np.maximum(frac, 0.02), 0.97), 0.5)
            near = a + span * (frac * (1.0 - _SPREAD))
            far = a + span * (frac * (1.0 + _SPREAD))
            values = f(np.concatenate([near, far]), *inputs.at(np.concatenate([active, active])))
            f_near, f_far = values[: active.size], values[active.size :]
            # Points in order along the bracket: a, near, far, b; f changes sign once.
            inner = np.signbit(f_near) != np.signbit(fa)
            middle = ~inner & (np.signbit(f_far) != np.signbit(f_near))
            outer = ~inner & ~middle
            x1 = np.where(inner, near, np.where(middle, near, far))
            f1 = np.where(inner, f_near, np.where(middle, f_near, f_far))
            x2 = np.where(inner, a, np.where(middle, far, b))
            f2 = np.where(inner, fa, np.where(middle, f_far, fb))
            x3 = np.where(inner | outer, np.where(inner, far, near), a)
            f3 = np.where(inner | outer, np.where(inner, f_far, f_near), fa)
        else:
            x1, f1, x2, f2, x3, f3 = b, fb, a, fa, a, fa
        for iteration in range(maxiter):
            x_best = np.where(np.abs(f1) < np.abs(f2), x1, x2)
            dx = np.abs(x2 - x1)
            tol = xrtol * np.abs(x_best) + xatol
            done = (dx < tol) | (f1 == 0.0) | (f2 == 0.0)
            if done.any():
                result[active[done]] = x_best[done]
                converged[active[done]] = True
                keep = ~done
                active = active[keep]
                if active.size == 0:
                    return result.reshape(shape), converged.reshape(shape)
                x1, f1, x2, f2, x3, f3, dx, tol = (
                    v[keep] for v in (x1, f1, x2, f2, x3, f3, dx, tol)
                )
            if iteration == 0:
                # The first step: false position (from the narrow bracket around a guess)
                # or bisection.
                t = f1 / (f1 - f2) if g is not None else np.full(x1.shape, 0.5)
            else:
                xi = (x1 - x2) / (x3 - x2)
                phi = (f1 - f2) / (f3 - f2)
                interpolate = (1.0 - np.sqrt(1.0 - xi) < phi) & (phi < np.sqrt(xi))
                alpha = (x3 - x1) / (x2 - x1)
                t_iqi = f1 / (f1 - f2) * f3 / (f3 - f2) - alpha * f1 / (f3 - f1) * f2 / (f2 - f3)
                t = np.where(interpolate, t_iqi, 0.5)
            t_lim = 0.5 * tol / dx
            t = np.minimum(np.maximum(t, t_lim), 1.0 - t_lim)
            x = x1 + t * (x2 - x1)
            fx = f(x, *inputs.at(active))
            same = np.signbit(fx) == np.signbit(f1)
            x3, f3 = np.where(same, x1, x2), np.where(same, f1, f2)
            x2, f2 = np.where(same, x2, x1), np.where(same, f2, f1)
            x1, f1 = x, fx
    result[active] = np.where(np.abs(f1) < np.abs(f2), x1, x2)
    return result.reshape(shape), converged.reshape(shape)


def bracket(
    f: Callable[..., FloatArray],
    start: FloatArray | float,
    step: FloatArray | float,
    *,
    args: Sequence[Any] = (),
    low: FloatArray | float = -np.inf,
    high: FloatArray | float = np.inf,
    growth: float = 2.0,
    maxiter: int = 100,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, BoolArray]:
    """Search outward from ``start`` for a sign change of ``f``, elementwise.

    The first bracket is ``[start - step, start + step]`` (``step > 0``); while ``f`` has
    the same sign at both ends, both ends move outward, the distance from ``start``
    multiplied by ``growth`` each time and clipped to ``[low, high]``. The search keeps the
    newest sub-interval where the sign changes, so the bracket returned is as narrow as the
    search allows.

    Returns
    -------
    x_lo, x_hi, f_lo, f_hi : ndarray
        The bracket and ``f`` at its ends (ready for :func:`chandrupatla`).
    found : ndarray of bool
        Where a sign change (or a zero of ``f``) was found.
    """
    shape, (x0, h, lo_bound, hi_bound) = _flat(start, step, low, high, args=args)
    size = x0.size
    inputs = _Args(args, shape)
    left = np.maximum(x0 - h, lo_bound)
    right = np.minimum(x0 + h, hi_bound)
    both = np.concatenate([np.arange(size), np.arange(size)])
    values = f(np.concatenate([left, right]), *inputs.at(both))
    f_left, f_right = np.array(values[:size]), np.array(values[size:])
    out_lo, out_hi = left.copy(), right.copy()
    out_flo, out_fhi = f_left.copy(), f_right.copy()
    found = (np.signbit(f_left) != np.signbit(f_right)) | (f_left == 0.0) | (f_right == 0.0)
    active = np.flatnonzero(~found)
    with np.errstate(all="ignore"):
        for _ in range(maxiter):
            if active.size == 0:
                break
            h[active] *= growth
            new_left = np.maximum(x0[active] - h[active], lo_bound[active])
            new_right = np.minimum(x0[active] + h[active], hi_bound[active])
            values = f(np.concatenate([new_left, new_right]), *inputs.at(np.tile(active, 2)))
            fl, fr = values[: active.size], values[active.size :]
            old_left, old_right = left[active], right[active]
            old_fl, old_fr = f_left[active], f_right[active]
            on_left = (np.signbit(fl) != np.signbit(old_fl)) | (fl == 0.0)
            on_right = ~on_left & ((np.signbit(fr) != np.signbit(old_fr)) | (fr == 0.0))
            out_lo[active] = np.where(on_left, new_left, np.where(on_right, old_right, new_left))
            out_hi[active] = np.where(on_left, old_left, np.where(on_right, new_right, new_right))
            out_flo[active] = np.where(on_left, fl, np.where(on_right, old_fr, fl))
            out_fhi[active] = np.where(on_left, old_fl, np.where(on_right, fr, fr))
            left[active], right[active] = new_left, new_right
            f_left[active], f_right[active] = fl, fr
            hit = on_left | on_right
            found[active[hit]] = True
            stuck = (new_left <= lo_bound[active]) & (new_right >= hi_bound[active])
            active = active[~hit & ~stuck]
    return (
        out_lo.reshape(shape),
        out_hi.reshape(shape),
        out_flo.reshape(shape),
        out_fhi.reshape(shape),
        found.reshape(shape),
    )
