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


def test_repr_numbers_keep_apart_from_the_null_and_from_005() -> None:
    # The journal rules hold in a repr too: four significant digits, except where they would
    # round a p-value onto 0.05 or a limit onto the measure's null.
    from rctkit.results import short_limit, short_number, short_p

    assert short_p(0.049996) == "0.049996"
    assert short_p(0.050004) == "0.050004"
    assert short_p(0.05) == "0.05"
    assert short_p(0.04645) == "0.04645"
    assert short_limit(0.99996, "risk_ratio") == "0.99996"
    assert short_limit(1.00004, "odds_ratio") == "1.00004"
    assert short_limit(-0.000012, "risk_difference") == "-1.2e-05"
    assert short_limit(0.99996, "risk_difference") == "1"  # 1 is not a difference's null
    assert short_number(0.99996) == "1"
    est = rk.Estimate(
        measure="risk_ratio",
        estimate=0.7,
        ci=rk.ConfidenceInterval(0.49, 0.999996),
        confidence_level=0.95,
        method="wald",
        pvalue=0.0499999,
    )
    assert "0.999996" in repr(est)
    assert "pvalue=0.0499999" in repr(est)
