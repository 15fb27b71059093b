"""Factor levels whose outcome is all 0 or all 1: set aside before the logistic fit.

When every participant at one level of a factor (a site with no events, say) has the same
outcome, the data are quasi-separated along that level alone: the maximum-likelihood estimate
of that level's log odds is infinite (R's ``glm`` stops with it near -30, "fitted
probabilities numerically 0 or 1 occurred"), but every other coefficient, the treatment's
included, has a finite limit. Because the intercept and the factor's dummies span the
indicator of each level, the level's own parameter can be moved to its limit without
constraining any other coefficient: those participants' contribution to the log-likelihood
tends to 0 (they are fitted perfectly) whatever the other coefficients, so the log-likelihood
in the limit is that of the other participants, with the level removed from the factor. Its
maximum, its profile in the treatment's coefficient and its information for the remaining
coefficients are those of the model fitted to the other participants. This is what
:func:`set_aside_constant_levels` computes; any separation left after that (involving the
treatment or a covariate) is still an error.
"""

from __future__ import annotations

import attrs
import numpy as np

from rctkit import _warnings
from rctkit._kernels.common import BoolArray, IntArray
from rctkit.adjusted.design import Design, _check_rank, row_products, wide_block
from rctkit.adjusted.glm import SeparationError

__all__ = ["set_aside_constant_levels"]


def _level_codes(design: Design, start: int, stop: int) -> IntArray:
    """Each participant's level code (0 = reference) from the factor's dummy columns."""
    dummies = design.X[:, start:stop] > 0.5
    codes = np.where(dummies.any(axis=1), dummies.argmax(axis=1) + 1, 0)
    return np.asarray(codes, dtype=np.int64)


def set_aside_constant_levels(design: Design, advice: str = "") -> tuple[Design, BoolArray]:
    """The design without the factor levels whose outcome is constant, and which rows it kept.

    Repeats until no level of any factor (among the participants kept) has an outcome of
    all 0 or all 1. Warns (:class:`~rctkit.RctkitWarning`) naming the levels set aside.
    The mask marks the rows of ``design`` kept (the others' fitted risk is their own outcome
    in the limit). Returns ``design`` itself and an all-True mask when there are none.
    Raises :class:`SeparationError` when what is left cannot estimate the treatment effect
    (one arm only, or one outcome only).
    """
    if not design.factor_levels:
        return design, np.ones(design.n, dtype=bool)
    codes = [_level_codes(design, start, stop) for start, stop in design.factor_columns]
    keep: BoolArray = np.ones(design.n, dtype=bool)
    set_aside: list[tuple[str, object, int]] = []
    changed = True
    while changed:
        changed = False
        for (name, levels), code in zip(design.factor_levels, codes, strict=True):
            count = np.bincount(code[keep], minlength=len(levels))
            events = np.bincount(code[keep], weights=design.y[keep], minlength=len(levels))
            constant = (count > 0) & ((events == 0) | (events == count))
            for level in np.flatnonzero(constant):
                set_aside.append((name, levels[level], int(events[level] > 0)))
                keep &= code != level
                changed = True
    if not set_aside:
        return design, keep
    left_out = int(design.n - keep.sum())
    shown = ", ".join(
        f"{name} {level!r} ({'all' if value else 'no'} events)"
        for name, level, value in set_aside[:5]
    ) + (", ..." if len(set_aside) > 5 else "")
    y = design.y[keep]
    treated = design.treated[keep]
    if y.size == 0 or y.min() == y.max() or treated.all() or not treated.any():
        raise SeparationError(
            f"the outcome is constant within {shown}: with those {left_out} participants fitted "
            "perfectly (their levels' coefficients infinite), the rest have one arm or one "
            f"outcome only, so the treatment effect cannot be estimated. {advice}".rstrip()
        )
    first = design.factor_columns[0][0]
    blocks = [design.X[keep, :first]]
    names = list(design.names[:first])
    factor_columns: list[tuple[int, int]] = []
    factor_levels: list[tuple[str, tuple[object, ...]]] = []
    width = first
    for (name, levels), code in zip(design.factor_levels, codes, strict=True):
        kept_codes = code[keep]
        present = np.flatnonzero(np.bincount(kept_codes, minlength=len(levels)))
        if present.size < 2:
            continue  # one level left: the intercept stands for it
        new_code = np.searchsorted(present, kept_codes)
        blocks.append((new_code[:, None] == np.arange(1, present.size)).astype(np.float64))
        names += [f"{name}[T.{levels[i]}]" for i in present[1:]]
        factor_columns.append((width, width + present.size - 1))
        factor_levels.append((name, tuple(levels[i] for i in present)))
        width += present.size - 1
    X = np.column_stack(blocks)
    _check_rank(X, names, wide_block(tuple(factor_columns)))
    exponents = design.scale_exponents
    if exponents is not None:
        exponents = np.concatenate([exponents[:first], np.zeros(width - first, dtype=np.int64)])
    _warnings.warn(
        f"the outcome is constant within {shown}: each such level's log odds is infinite "
        f"(quasi-separation along the factor alone), so its {left_out} participants are "
        "fitted perfectly and the treatment effect is estimated from the others, as the "
        "limit of the maximum-likelihood fit (R's glm gives the same odds ratio)"
    )
    reduced = attrs.evolve(
        design,
        X=X,
        y=y,
        names=tuple(names),
        treated=treated,
        outer=row_products(X),
        factor_columns=tuple(factor_columns),
        factor_levels=tuple(factor_levels),
        scale_exponents=exponents,
    )
    return reduced, keep
