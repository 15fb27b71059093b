"""marginal_effect when a factor level (a site) has no events, or only events: its participants'
fitted risks are their outcomes (the limit of the full fit), the rest fitted as usual."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import rctkit as rk

CORE: dict[str, Any] = {"outcome": "readmitted", "arm": "arm", "treatment": "peer_support"}
MODEL: dict[str, Any] = {"covariates": ["prior_admissions", "age"], "factors": ["site"]}
MEASURES = ("risk_difference", "risk_ratio", "odds_ratio")

# R 4.2.2, tests/reference/marginal_separated_site.R (printed output in
# marginal_separated_site_r.txt): core_simulated.csv with every outcome in one site set to 0.
# "limit": glm on the other sites, the site's participants predicted 0 under both arms, means
# over all 434; "full": glm on all 434 participants (maxit=50, epsilon 1e-14; the site's
# coefficient near -31 or the others near +31, its predictions below 2e-13), predict(type =
# "response") under both arms. Standard errors on the rd, log rr, log or scales.
R_LIMIT: dict[str, dict[str, Any]] = {
    "D": {
        "m": (0.288900642202601, 0.338209397666895),
        "estimates": (-0.0493087554642935, 0.8542064300860791, 0.7949744036255207),
        "ge": (0.0417515627725946, 0.1339732616492126, 0.1947308145569734),
        "ge-hc0": (0.0416730530155843, 0.1338129082093475, 0.1944372875279094),
        "sandwich": (0.0416899290200565, 0.1337955348190457, 0.1944347313741460),
        "ye": (0.0411264149398177, 0.1320910608562595, 0.1918850369878899),
    },
    "A": {
        "m": (0.239803019112320, 0.280223878526357),
        "estimates": (-0.0404208594140371, 0.8557551211317089, 0.8102532863260564),
        "ge": (0.0374734841774502, 0.1452398307599053, 0.1957571624630046),
        "ge-hc0": (0.0371699766430124, 0.1440101572688826, 0.1941221270037108),
        "sandwich": (0.0371856075362287, 0.1440538446813193, 0.1941511333335934),
        "ye": (0.0371549438153824, 0.1434107456753364, 0.1935307837133814),
    },
}
R_FULL: dict[str, dict[str, Any]] = {
    "D": {
        "m": (0.288900642202601, 0.338209397666895),
        "ge": (0.0417515627725985, 0.1339732616492256, 0.1947308145569920),
        "sandwich": (0.0416899290200643, 0.1337955348190716, 0.1944347313741829),
    },
    "A": {
        "m": (0.239803019112319, 0.280223878526356),
        "ge": (0.0374737585463734, 0.1452379802349857, 0.1957562634757247),
        "sandwich": (0.0371862739479757, 0.1440501240235700, 0.1941493694596964),
    },
}
LEFT_OUT = {"D": 434 - 371, "A": 434 - 330}


def _no_events_in(site: str, value: int = 0) -> dict[str, Any]:
    data = {k: np.asarray(v).copy() for k, v in rk.adjusted.load_core_simulated().items()}
    data["readmitted"][data["site"] == site] = value
    return data


def _quiet(data: dict[str, Any], **options: Any) -> rk.MarginalEstimate:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        return rk.marginal_effect(data, **CORE, **MODEL, **options)


@pytest.mark.parametrize("site", ["D", "A"])  # a non-reference level, and the reference one
def test_site_without_events_matches_r_limit(site: str) -> None:
    data = _no_events_in(site)
    match = rf"constant within site '{site}' \(no events\).*its {LEFT_OUT[site]} participants"
    with pytest.warns(rk.RctkitWarning, match=match):
        est = rk.marginal_effect(data, **CORE, **MODEL)
    assert est.n_used == 434
    r, full = R_LIMIT[site], R_FULL[site]
    assert (est.risk_treatment, est.risk_control) == pytest.approx(r["m"], rel=1e-8)
    # R's full glm, its site's coefficient run off: the same standardised risks
    assert (est.risk_treatment, est.risk_control) == pytest.approx(full["m"], rel=1e-8)
    for variance in ("ge", "ge-hc0", "sandwich", "ye"):
        for k, measure in enumerate(MEASURES):
            got = _quiet(data, variance=variance, measure=measure)
            assert got.estimate == pytest.approx(r["estimates"][k], rel=1e-8)
            assert got.std_error == pytest.approx(r[variance][k], rel=1e-8), (variance, measure)
            assert got.model_std_error == pytest.approx(r["ge"][k], rel=1e-8)
            if variance in full:
                # R's full glm: to 1e-8 for site D; with the reference level separated,
                # R's vcov loses digits (every other site's coefficient near +31), so 1e-4
                tol = 1e-8 if site == "D" else 1e-4
                assert got.std_error == pytest.approx(full[variance][k], rel=tol)
    ye = _quiet(data, variance="ye", randomisation_strata="site")
    assert math.isfinite(ye.std_error)


def test_levels_set_aside_follow_the_limit_law() -> None:
    # Site E all events and site D no events: m_a = (n_K m_a(K) + n_E) / n, with m_a(K) from
    # the fit to the other four sites alone, and the Ge and HC0 variances are those of the
    # other sites scaled by (n_K / n)^2 (the set-aside participants add no gradient).
    data = _no_events_in("E", 1)
    data["readmitted"][data["site"] == "D"] = 0
    keep = ~np.isin(data["site"], ["D", "E"])
    rest = {k: v[keep] for k, v in data.items()}
    n, n_k, n_e = keep.size, int(keep.sum()), int((data["site"] == "E").sum())
    for variance in ("ge", "ge-hc0"):
        with pytest.warns(
            rk.RctkitWarning, match=r"site 'D' \(no events\), site 'E' \(all events\)"
        ):
            got = rk.marginal_effect(data, **CORE, **MODEL, variance=variance)
        other = rk.marginal_effect(rest, **CORE, **MODEL, variance=variance)
        assert got.risk_treatment == pytest.approx(
            (n_k * other.risk_treatment + n_e) / n, rel=1e-12
        )
        assert got.risk_control == pytest.approx((n_k * other.risk_control + n_e) / n, rel=1e-12)
        assert got.std_error == pytest.approx(other.std_error * n_k / n, rel=1e-10)
    # The sandwich also counts the set-aside participants' c_i - m_a (not a scaling law).
    sand = _quiet(data, variance="sandwich")
    assert math.isfinite(sand.std_error) and sand.std_error > 0


def test_separation_along_the_treatment_still_raises() -> None:
    data = _no_events_in("D")
    data["readmitted"][data["arm"] == "peer_support"] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", rk.RctkitWarning)
        with pytest.raises(rk.SeparationError, match=r"arm\[T.peer_support\]"):
            rk.marginal_effect(data, **CORE, **MODEL)
    data = _no_events_in("A")
    for s in "BCDE":
        data["readmitted"][data["site"] == s] = 0
    data["readmitted"][(data["site"] == "F") & (data["arm"] == "peer_support")] = 0
    with (
        pytest.warns(rk.RctkitWarning, match=r"site 'A' \(no events\), site 'B'"),
        pytest.raises(rk.SeparationError, match=r"arm\[T.peer_support\]"),
    ):
        rk.marginal_effect(data, **CORE, **MODEL)


def _weighted_logistic(X: Any, y: Any, w: Any) -> Any:
    """Plain Newton-Raphson for a frequency-weighted logistic fit (independent of rctkit)."""
    beta = np.zeros(X.shape[1])
    for _ in range(100):
        mu = 1.0 / (1.0 + np.exp(-X @ beta))
        step = np.linalg.solve((X * (w * mu * (1 - mu))[:, None]).T @ X, X.T @ (w * (y - mu)))
        beta += step
        if np.abs(step).max() < 1e-13:
            break
    return beta


def test_bootstrap_resamples_everyone_and_predicts_the_site_by_its_outcome() -> None:
    # Each resample (participants drawn within arms from all 434, the draws of
    # rk.adjusted.resample.weight_chunks) refitted by a plain Newton on the other sites, site
    # D's resampled participants predicted 0 under both arms, means over the whole resample.
    data = _no_events_in("D")
    data["readmitted"][(data["site"] == "E") & (data["age"] > 60)] = 1  # no effect on D
    n_resamples, level = 40, 0.9
    with pytest.warns(rk.RctkitWarning, match=r"site 'D' \(no events\)"):
        got = rk.marginal_effect(
            data,
            **CORE,
            **MODEL,
            method="bootstrap",
            n_resamples=n_resamples,
            rng=7,
            confidence_level=level,
        )
    treated = data["arm"] == "peer_support"
    y = data["readmitted"].astype(float)
    keep = data["site"] != "D"
    sites = sorted(set(data["site"][keep]))
    X = np.column_stack(
        [np.ones(keep.size), treated, data["prior_admissions"], (data["age"] - 50) / 10]
        + [data["site"] == s for s in sites[1:]]
    ).astype(float)
    from rctkit.adjusted.resample import weight_chunks

    weights = next(weight_chunks(treated, n_resamples, np.random.default_rng(7), n_resamples))
    values = []
    for w in weights:
        beta = _weighted_logistic(X[keep], y[keep], w[keep])
        X1, X0 = X[keep].copy(), X[keep].copy()
        X1[:, 1], X0[:, 1] = 1.0, 0.0
        r1 = (w[keep] / (1 + np.exp(-X1 @ beta))).sum() / w.sum()
        r0 = (w[keep] / (1 + np.exp(-X0 @ beta))).sum() / w.sum()
        values.append(r1 - r0)
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    assert (got.ci.low, got.ci.high) == pytest.approx((low, high), rel=1e-8)
    assert got.n_failed == 0
