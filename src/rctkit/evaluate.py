"""Many designs at once: :func:`rk.power <rctkit.power>` or :func:`rk.coverage
<rctkit.coverage>` mapped over a list of designs with dask.

Each design is one call; the designs are cut into chunks (``dask.bag.from_sequence(designs,
partition_size=chunk_size)``) and the chunks are run by dask's local threaded scheduler, or by
a ``dask.distributed`` client when one is given. rctkit has no scheduler of its own. Needs the
``dask`` extra: ``pip install "rctkit[dask]"``.
"""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rctkit import _validation
from rctkit._progress import progress_bar
from rctkit.coverage import coverage
from rctkit.errors import InvalidInputError, RctkitWarning
from rctkit.power import power
from rctkit.results.coverage import CoverageResult
from rctkit.results.power import PowerResult

__all__ = ["KINDS", "EvaluationInterrupted", "evaluate"]

#: The calculations :func:`evaluate` maps over designs, by name.
KINDS: tuple[str, ...] = ("power", "coverage")

Result = PowerResult | CoverageResult
_Item = tuple[int, str, dict[str, Any]]


class EvaluationInterrupted(KeyboardInterrupt):
    """A :func:`evaluate` stopped by Ctrl-C (``KeyboardInterrupt``), with what had finished.

    ``partial`` is a list in the designs' order: the result of each design whose chunk had
    finished, ``None`` for the others. ``finished`` counts the results. It is a
    ``KeyboardInterrupt``, so code that does not catch it stops as before.
    """

    def __init__(self, partial: list[Result | None]) -> None:
        self.partial = partial
        self.finished = sum(r is not None for r in partial)
        super().__init__(
            f"interrupted: {self.finished} of {len(partial)} designs finished (see `.partial`)"
        )


def _run(item: _Item) -> tuple[int, Result]:
    """One design: one call of rk.power or rk.coverage (run on a dask worker)."""
    index, kind, arguments = item
    if kind == "power":
        return index, power(**arguments)
    return index, coverage(**arguments)


def _run_chunk(items: Sequence[_Item]) -> list[tuple[int, Result]]:
    return [_run(item) for item in items]


def _import_dask() -> Any:
    try:
        import dask.bag
    except ImportError as exc:
        raise ImportError(
            f'rctkit.evaluate needs dask: pip install "rctkit[dask]" (the import failed: {exc})'
        ) from exc
    return dask.bag


def _check(
    kind: Any, designs: Any, chunk_size: Any, progress: Any, options: dict[str, Any]
) -> tuple[list[_Item], int, bool]:
    kind = _validation.check_choice(kind, "kind", KINDS)
    if isinstance(designs, Mapping | str | bytes):
        raise InvalidInputError(
            f"`designs` must be a sequence of mappings, one per design (got a "
            f"{type(designs).__name__})"
        )
    try:
        designs = list(designs)
    except TypeError:
        raise InvalidInputError(
            f"`designs` must be a sequence of mappings (got {type(designs).__name__})"
        ) from None
    if not designs:
        raise InvalidInputError("`designs` must hold at least one design (got none)")
    items: list[_Item] = []
    for i, design in enumerate(designs):
        if not isinstance(design, Mapping):
            raise InvalidInputError(
                f"`designs` must hold mappings of rk.{kind} arguments (got designs[{i}]="
                f"{design!r} of type {type(design).__name__})"
            )
        items.append((i, kind, {**options, **design}))
    if isinstance(chunk_size, bool):
        raise InvalidInputError(f"`chunk_size` must be an integer (got {chunk_size!r})")
    try:
        size = operator.index(chunk_size)
    except TypeError:
        raise InvalidInputError(f"`chunk_size` must be an integer (got {chunk_size!r})") from None
    if size < 1:
        raise InvalidInputError(f"`chunk_size` must be at least 1 (got chunk_size={size})")
    return items, size, _validation.check_bool(progress, "progress")


def evaluate(
    kind: str,
    designs: Sequence[Mapping[str, Any]],
    *,
    client: Any = None,
    chunk_size: int = 64,
    progress: bool = False,
    **options: Any,
) -> list[Any]:
    """Run :func:`rk.power <rctkit.power>` or :func:`rk.coverage <rctkit.coverage>` on many
    designs, in chunks, with dask.

    Parameters
    ----------
    kind : {"power", "coverage"}
        The calculation: each design is the keyword arguments of one call of
        :func:`rctkit.power` or of :func:`rctkit.coverage`.
    designs : sequence of mappings
        The designs, each a mapping of argument names to values (at least one design).
    client : dask.distributed.Client, optional
        Run the chunks on this client's cluster (``client.compute``). By default they run on
        dask's local threaded scheduler (``scheduler="threads"``).
    chunk_size : int, default 64
        Designs per chunk (dask partition), at least 1. One chunk is one dask task.
    progress : bool, default False
        Show a progress bar (``tqdm.auto``) over the finished chunks.
    **options
        Arguments shared by every design (``test="fisher"``, ``alpha=0.025``); a design's own
        value of the same argument wins.

    Returns
    -------
    list
        One :class:`~rctkit.PowerResult` or :class:`~rctkit.CoverageResult` per design, in the
        designs' order.

    Raises
    ------
    InvalidInputError
        An unknown ``kind``, no designs, a design that is not a mapping, or ``chunk_size``
        below 1; and whatever :func:`rctkit.power` or :func:`rctkit.coverage` raises for a
        design's arguments.
    EvaluationInterrupted
        On Ctrl-C (``KeyboardInterrupt``): its ``partial`` list holds the results of the
        chunks that had finished, ``None`` for the others. Catch it to keep them.
    ImportError
        dask is not installed: ``pip install "rctkit[dask]"``.

    Notes
    -----
    rk.power and rk.coverage are themselves vectorised over the tables of one design (through
    :mod:`rctkit.batch`); :func:`evaluate` spreads *designs* over threads or workers. With the
    threaded scheduler, numpy and scipy release the GIL for part of the work only; a
    ``dask.distributed`` cluster of processes (``LocalCluster(processes=True)``) scales
    further. Each result is the same as the one a plain call gives.

    Like a plain call, :func:`evaluate` issues none of the per-table warnings of the
    enumeration (zero cells, empty margins). Python's warning filters are shared by all the
    threads of a process, so the threaded run silences those warnings once around the whole
    run; a ``dask.distributed`` worker with several threads may log them.

    Examples
    --------
    >>> import rctkit.evaluate as rke
    >>> designs = [{"n_treatment": n, "n_control": n} for n in (100, 200)]
    >>> results = rke.evaluate("power", designs, test="chi2", p_treatment=0.29,
    ...                        p_control=0.38)
    >>> [round(r.power, 3) for r in results]
    [0.272, 0.481]

    Keep what had finished when the run is interrupted::

        try:
            results = rke.evaluate("power", designs, progress=True)
        except rke.EvaluationInterrupted as stop:
            results = stop.partial  # None where a design had not finished
    """
    items, size, progress = _check(kind, designs, chunk_size, progress, options)
    dask_bag = _import_dask()
    bag = dask_bag.from_sequence(items, partition_size=size).map_partitions(_run_chunk)
    parts = bag.to_delayed()
    results: list[Result | None] = [None] * len(items)

    def record(pairs: Sequence[tuple[int, Result]]) -> None:
        for index, result in pairs:
            results[index] = result

    bar = progress_bar(progress, total=len(parts), desc="rctkit.evaluate", unit="chunk")
    try:
        if client is None:
            _compute_local(parts, record, bar)
        else:
            _compute_distributed(client, parts, record, bar)
    except KeyboardInterrupt as exc:
        if isinstance(exc, EvaluationInterrupted):
            raise
        raise EvaluationInterrupted(results) from exc
    finally:
        if bar is not None:
            bar.close()
    return results


def _compute_local(parts: list[Any], record: Callable[[Any], None], bar: Any) -> None:
    """The threaded scheduler; a callback records each chunk as it finishes."""
    from dask.base import compute
    from dask.callbacks import Callback

    keys = {part.key for part in parts}

    def posttask(key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
        if key in keys:
            record(result)
            if bar is not None:
                bar.update(1)

    # rk.power and rk.coverage silence their per-table RctkitWarnings with
    # warnings.catch_warnings, which saves and restores the process-wide filters: threads
    # doing so at once can restore each other's state. The same filter, set here around the
    # whole run, keeps those warnings silent in every thread and restores the caller's
    # filters once, at the end. (Neither function issues any other RctkitWarning.)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RctkitWarning)
        # dask's scheduler functions are not annotated.
        with Callback(posttask=posttask):  # type: ignore[no-untyped-call]
            compute(*parts, scheduler="threads")  # type: ignore[no-untyped-call]


def _compute_distributed(
    client: Any, parts: list[Any], record: Callable[[Any], None], bar: Any
) -> None:
    """A dask.distributed client; chunks are collected as they complete."""
    from distributed import as_completed

    futures = client.compute(parts)
    try:
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            record(future.result())
            if bar is not None:
                bar.update(1)
    except BaseException:
        client.cancel(futures)
        raise
