"""Result classes: unpacking, repr, HTML, batch items."""

from __future__ import annotations

import attrs
import numpy as np
import pytest

import rctkit as rk
import rctkit.batch


def test_confidence_interval_unpacks() -> None:
    low, high = rk.ConfidenceInterval(0.45, 0.99)
    assert (low, high) == (0.45, 0.99)
    assert 0.5 in rk.ConfidenceInterval(0.45, 0.99)


def test_estimate_is_frozen_and_prints(core: rk.BinaryOutcome) -> None:
    est = rk.odds_ratio(core)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        est.estimate = 1.0  # type: ignore[misc]
    assert repr(est).startswith("Estimate(odds_ratio=0.6659, 95% CI 0.4463 to 0.9936")
    assert "<table>" in est._repr_html_()
    assert float(est) == est.estimate


def test_test_result_prints(core: rk.BinaryOutcome) -> None:
    res = rk.hypothesis_test(core, method="fisher")
    assert repr(res) == "TestResult(pvalue=0.05391, method='fisher')"
    assert "p-value" in res._repr_html_()


def test_batch_item_equals_scalar(core: rk.BinaryOutcome) -> None:
    res = rk.batch.odds_ratio(np.array([[64, 10]]), 218, 83, 216)
    assert res.estimate.shape == (1, 2)
    # Counts have no outcome name; the name is a label, not compared by ==.
    assert res.item((0, 0)) == rk.odds_ratio(core)
    assert res.item((0, 0)).outcome == ""
    assert len(res) == 2
    assert "shape=(1, 2)" in repr(res)


def test_html_shows_outcome_and_standard_error(core: rk.BinaryOutcome) -> None:
    html = rk.odds_ratio(core)._repr_html_()
    assert "Readmission within 1 year" in html
    assert "Standard error" in html
    assert "Standard error" not in rk.odds_ratio(core, method="exact")._repr_html_()
    assert "Readmission within 1 year" in rk.hypothesis_test(core)._repr_html_()
    # The repr stays short: neither is in it.
    assert "Readmission" not in repr(rk.odds_ratio(core))
