"""rctkit.evaluate: designs mapped over dask, equal to the plain calls, with progress."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import rctkit as rk
import rctkit.evaluate as rke
from rctkit.errors import InvalidInputError

pytest.importorskip("dask.bag")

#: Small exact chi-squared designs: quick, and every one different.
DESIGNS: list[dict[str, Any]] = [
    {"n_treatment": n, "n_control": n + 3, "p_treatment": p1, "p_control": 0.4}
    for n in range(10, 40, 3)
    for p1 in (0.1, 0.2)
]
OPTIONS: dict[str, Any] = {"test": "chi2", "alpha": 0.05}


def _serial() -> list[Any]:
    return [rk.power(**OPTIONS, **d) for d in DESIGNS]


def _same(got: list[Any], expected: list[Any]) -> None:
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.power == e.power
        assert g.size == e.size
        assert g.n_treatment == e.n_treatment


def test_threads_equal_the_serial_calls() -> None:
    got = rke.evaluate("power", DESIGNS, chunk_size=3, **OPTIONS)
    _same(got, _serial())


def test_threads_leave_the_warning_filters_as_they_were() -> None:
    # Every chi-squared enumeration warns (then silences) about its empty-margin tables,
    # inside warnings.catch_warnings: threads must not leave the filters changed.
    before = list(warnings.filters)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            rke.evaluate("power", DESIGNS, chunk_size=1, **OPTIONS)
    assert warnings.filters == before


def test_a_design_overrides_the_shared_options() -> None:
    designs = [{"test": "fisher", **DESIGNS[0]}, DESIGNS[1]]
    got = rke.evaluate("power", designs, **OPTIONS)
    assert got[0].test == "fisher" and got[1].test == "chi2"


def test_coverage_designs() -> None:
    designs: list[dict[str, Any]] = [
        {"method": m, "n_treatment": 12, "n_control": 15, "p_grid": [(0.1, 0.3), (0.2, 0.2)]}
        for m in ("wald", "newcombe")
    ]
    got = rke.evaluate("coverage", designs, chunk_size=1, measure="risk_difference")
    expected = [rk.coverage(measure="risk_difference", **d) for d in designs]
    assert [list(g.coverage) for g in got] == [list(e.coverage) for e in expected]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        with distributed.Client(cluster) as c:
            yield c
    finally:
        cluster.close()


def test_a_distributed_cluster_equals_the_serial_calls(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    got = rke.evaluate("power", DESIGNS, client=client, chunk_size=4, progress=True, **OPTIONS)
    _same(got, _serial())
    assert "5/5" in capsys.readouterr().err


def test_a_failing_design_on_the_cluster_raises_its_error(client: Any) -> None:
    designs = [*DESIGNS[:4], {**DESIGNS[4], "p_control": 2.0}]
    with pytest.raises(InvalidInputError, match="p_control"):
        rke.evaluate("power", designs, client=client, chunk_size=2, **OPTIONS)


def test_the_progress_bar_counts_the_chunks(capsys: pytest.CaptureFixture[str]) -> None:
    got = rke.evaluate("power", DESIGNS, chunk_size=5, progress=True, **OPTIONS)
    _same(got, _serial())
    err = capsys.readouterr().err
    assert "rctkit.evaluate" in err
    assert "4/4" in err


def test_an_interrupt_keeps_the_finished_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl-C lands in the main thread, where dask's callbacks run: interrupt after 2 chunks.
    import tqdm.auto

    original = tqdm.auto.tqdm.update

    def update(self: Any, n: int = 1) -> Any:
        if self.n + n > 2:
            raise KeyboardInterrupt
        return original(self, n)

    monkeypatch.setattr(tqdm.auto.tqdm, "update", update)
    with pytest.raises(rke.EvaluationInterrupted, match=r"\d+ of 20 designs finished") as info:
        rke.evaluate("power", DESIGNS, chunk_size=3, progress=True, **OPTIONS)
    assert isinstance(info.value, KeyboardInterrupt)
    partial: list[Any] = info.value.partial
    expected = _serial()
    # Three chunks had finished (the third was recorded before the bar's update stopped it).
    assert 3 <= info.value.finished < 20
    assert info.value.finished == sum(r is not None for r in partial)
    for got, want in zip(partial, expected, strict=True):
        if got is not None:
            assert got.power == want.power


def test_a_failing_design_raises_its_own_error() -> None:
    with pytest.raises(InvalidInputError, match="p_control"):
        rke.evaluate("power", [{**DESIGNS[0], "p_control": 2.0}], **OPTIONS)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "size"}, "`kind`"),
        ({"designs": []}, "`designs` must hold at least one"),
        ({"designs": {"n_treatment": 10}}, "`designs` must be a sequence"),
        ({"designs": [DESIGNS[0], 3]}, r"designs\[1\]"),
        ({"chunk_size": 0}, "`chunk_size` must be at least 1"),
        ({"chunk_size": 2.5}, "`chunk_size` must be an integer"),
        ({"chunk_size": True}, "`chunk_size` must be an integer"),
        ({"progress": "yes"}, "`progress`"),
    ],
)
def test_bad_input(kwargs: dict[str, Any], match: str) -> None:
    arguments: dict[str, Any] = {"kind": "power", "designs": DESIGNS[:2], **kwargs}
    with pytest.raises(InvalidInputError, match=match):
        rke.evaluate(**arguments, **OPTIONS)


def test_without_dask_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.bag", None)
    with pytest.raises(ImportError, match=r'pip install "rctkit\[dask\]"'):
        rke.evaluate("power", DESIGNS[:1], **OPTIONS)
