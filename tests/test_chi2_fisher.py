"""Private helpers of the chi-squared and Fisher kernels (rctkit._kernels.pvalues).

References: mpmath at 40 digits for the chi-squared tail; a brute-force scan of the null
distribution around its mode for the tables tied with the observed one.
"""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest

from rctkit._kernels import pvalues
from rctkit._kernels.hypergeom_sums import column_sums


@pytest.mark.parametrize("x", [0.0, 1e-300, 1e-3, 1.0, 3.84, 30.0, 200.0, 700.0, 1000.0, 1400.0])
def test_chi2_one_df_tail_matches_mpmath(x: float) -> None:
    # mpmath, 40 digits: P(chi2_1 > x) = erfc(sqrt(x / 2))
    with mp.workdps(40):
        expected = float(mp.erfc(mp.sqrt(mp.mpf(x) / 2)))
    got = float(pvalues._chi2_1df_sf(np.array([x]))[0])
    assert got == pytest.approx(expected, rel=1e-15)


def test_chi2_one_df_tail_underflows_to_zero() -> None:
    assert pvalues._chi2_1df_sf(np.array([1600.0, np.inf]))[1] == 0.0


@pytest.mark.parametrize("offset", [0, 1, 2, 5, -1, 40, 3000])
def test_strict_tails_count_every_tie(offset: int) -> None:
    # 1e8 per arm: the pmf is so flat at its mode that up to four tables lie within R's
    # 1e-7 relative tolerance of the observed one. Fisher's p minus the strict mass must be
    # the null probability of exactly those tables, found here by scanning near the mode.
    n1 = n2 = 10**8
    c = 3 * 10**7
    a = c + offset
    n, m1 = np.array(n1 + n2), np.array(a + c)
    arm = np.array(n1)
    x = np.arange(int(m1) // 2 - 5000, int(m1) // 2 + 5000)
    kernel = pvalues._hypergeom_log_kernel(x, n, m1, arm)
    k_a = pvalues._hypergeom_log_kernel(np.array(a), n, m1, arm)
    band = math.log1p(pvalues.FISHER_RELATIVE_TOLERANCE)
    tie = (kernel <= k_a + band) & (kernel >= k_a - band)
    tied_mass = np.exp(pvalues._hypergeom_logpmf(x[tie], n, m1, arm)).sum()
    fisher_p, strict_p = pvalues.fisher_and_strict_tails(
        np.array([a]), np.array([n1]), np.array([c]), np.array([n2]), strict=True
    )
    assert strict_p is not None
    # Each tied table weighs about 1.2e-4; the two p-values (near 1) carry the absolute
    # error of scipy's hypergeometric CDF at N = 2e8, about 2e-8.
    assert fisher_p[0] - strict_p[0] == pytest.approx(tied_mass, abs=1e-7)
    _, alone = pvalues.fisher(
        np.array([a]), np.array([n1]), np.array([c]), np.array([n2]), "two-sided"
    )
    assert alone[0] == fisher_p[0]


def test_column_sums_are_sequential_whatever_the_width() -> None:
    # The batch and scalar conditional intervals agree bit for bit because a column's sum
    # does not depend on the other columns of its array, one column included.
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1000, 5)) * np.exp(5 * rng.standard_normal((1000, 5)))
    sequential = x[0].copy()
    for row in x[1:]:
        sequential = sequential + row
    np.testing.assert_array_equal(column_sums(x), sequential)
    for j in range(5):
        np.testing.assert_array_equal(column_sums(x[:, j : j + 1]), sequential[j : j + 1])


def test_strict_tails_of_one_table_and_of_an_empty_margin() -> None:
    # 0-d and 2-d tables, an empty margin among them (where every table ties: strict mass 0)
    for shape in ((), (2, 2)):
        a, n1, c, n2 = (np.full(shape, v) for v in (0, 1, 0, 1))
        fisher_p, strict_p = pvalues.fisher_and_strict_tails(a, n1, c, n2, strict=True)
        assert strict_p is not None
        assert np.shape(fisher_p) == np.shape(strict_p) == shape
        np.testing.assert_array_equal(fisher_p, 1.0)
        np.testing.assert_array_equal(strict_p, 0.0)
