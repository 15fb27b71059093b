"""Results of the design calculations: :class:`PowerResult`, :class:`SampleSizeResult` and
:class:`TypeOneErrorResult`."""

from __future__ import annotations

import math

import attrs

from rctkit.results._core import Displayed, Row, short_number

__all__ = ["PowerResult", "SampleSizeResult", "TypeOneErrorResult", "describe_test"]

#: How a sentence names each test.
TEST_WORDS: dict[str, str] = {
    "chi2": "Pearson's chi-squared test",
    "chi2-yates": "the chi-squared test with Yates's correction",
    "fisher": "Fisher's exact test",
    "fisher-midp": "Fisher's mid-p test",
    "wald": "the Wald test",
    "lr": "the likelihood-ratio test",
    "barnard": "Barnard's exact test",
    "barnard-unpooled": "Barnard's exact test (unpooled)",
    "boschloo": "Boschloo's exact test",
    "mn": "the Miettinen-Nurminen score test",
    "fm": "the Farrington-Manning score test",
    "newcombe": "the Newcombe hybrid score interval",
}


def describe_test(test: str) -> str:
    """The name of ``test`` in a sentence."""
    return TEST_WORDS.get(test, f'the "{test}" test')


def _percent(value: float) -> str:
    return f"{100 * value:.3g}%"


def _alpha_words(alpha: float, margin: object, alternative: str) -> str:
    if margin is not None or alternative != "two-sided":
        return f"one-sided alpha {alpha:g}"
    return f"two-sided alpha {alpha:g}"


def _effect_words(p_treatment: float, p_control: float, margin: object) -> str:
    risks = f"{_percent(p_treatment)} (treatment) and {_percent(p_control)} (control)"
    if margin is None:
        return f"a difference between {risks}"
    if isinstance(margin, tuple):
        return f"equivalence within margins {margin[0]:g} to {margin[1]:g}, with risks {risks}"
    return f"non-inferiority with margin {margin:g}, with risks {risks}"


@attrs.frozen(repr=False)
class PowerResult(Displayed):
    """The power of a test for a two-arm trial with a binary outcome.

    Attributes
    ----------
    test : str
        The test (a method of :func:`rctkit.batch.hypothesis_test`, or of
        :func:`rctkit.batch.noninferiority` when there is a margin).
    exact : bool
        True: by enumeration of every table; False: the normal approximation.
    power : float
        The probability that the test rejects at ``p_treatment`` and ``p_control``.
    n_treatment, n_control : int
        The participants per arm (evaluable, after any drop-out).
    p_treatment, p_control : float
        The risks assumed.
    alpha : float
        The significance level (one-sided with a margin).
    margin : float, tuple of two floats, or None
        The non-inferiority margin, the equivalence margins, or None (a test of no difference).
    size : float
        The type I error: the probability of rejection at the null boundary with the control
        risk ``p_control`` (``p_treatment = p_control``; with a margin, on the margin).
    alternative : str
        The alternative of the test of no difference.
    measure : str
        The scale of the margin.
    """

    test: str
    exact: bool
    power: float
    n_treatment: int
    n_control: int
    p_treatment: float
    p_control: float
    alpha: float
    margin: float | tuple[float, float] | None
    size: float
    alternative: str = "two-sided"
    measure: str = "risk_difference"

    @property
    def sentence(self) -> str:
        """The result in one sentence."""
        how = "exact" if self.exact else "approximate (normal)"
        level = _alpha_words(self.alpha, self.margin, self.alternative)
        return (
            f"With {self.n_treatment} (treatment) and {self.n_control} (control) participants, "
            f"{describe_test(self.test)} at {level}"
            f" has {how} power {_percent(self.power)} to detect "
            f"{_effect_words(self.p_treatment, self.p_control, self.margin)}"
            + ("." if math.isnan(self.size) else f"; its type I error there is {self.size:.3g}.")
        )

    def _title(self) -> str:
        return "Power"

    def _rows(self) -> list[Row]:
        power, size = short_number(self.power), short_number(self.size)
        rows = [
            Row("Power", power, f"power={power}"),
            Row("Test", self.test, f"test={self.test!r}"),
            Row("Exact", str(self.exact), f"exact={self.exact}"),
            Row(
                "n (treatment, control)",
                f"{self.n_treatment}, {self.n_control}",
                f"n=({self.n_treatment}, {self.n_control})",
            ),
            Row(
                "Risks (treatment, control)",
                f"{self.p_treatment:g}, {self.p_control:g}",
                f"p=({self.p_treatment:g}, {self.p_control:g})",
            ),
            Row("Alpha", f"{self.alpha:g}", f"alpha={self.alpha:g}"),
            Row("Type I error", size, f"size={size}"),
        ]
        if self.margin is not None:
            rows.insert(5, Row("Margin", str(self.margin), f"margin={self.margin}"))
        return rows


@attrs.frozen(repr=False)
class SampleSizeResult(Displayed):
    """The sample size that gives a test the power wanted.

    Attributes
    ----------
    n_treatment, n_control : int
        Participants to randomise per arm: ``n_control`` is the smallest control-arm size
        (``n_stable`` for an exact calculation), the treatment arm ``ceil(allocation *
        n_control)``, both inflated for drop-out to ``ceil(n / (1 - dropout))``.
    total : int
        ``n_treatment + n_control``.
    power : float
        The power achieved with the evaluable participants (before the drop-out inflation).
    target_power : float
        The power wanted.
    n_first : int
        The smallest control-arm size (evaluable) found to reach ``target_power``. Exact power
        saw-tooths in n: it can fall below the target again at a larger n.
    n_stable : int
        The smallest control-arm size (evaluable) from which the power stays at or above the
        target for every n up to ``n_stable_bound``. Equal to ``n_first`` when the power is
        approximate.
    n_stable_bound : int
        The largest n checked for ``n_stable``.
    test, exact, p_treatment, p_control, alpha, margin, allocation, dropout, measure
        The assumptions.
    """

    n_treatment: int
    n_control: int
    total: int
    power: float
    target_power: float
    n_first: int
    n_stable: int
    n_stable_bound: int
    test: str
    exact: bool
    p_treatment: float
    p_control: float
    alpha: float
    margin: float | tuple[float, float] | None
    allocation: float
    dropout: float
    measure: str = "risk_difference"

    @property
    def sentence(self) -> str:
        """A sentence for the protocol's sample-size section."""
        if self.n_treatment == self.n_control:
            arms = f"{self.n_control} per arm"
        else:
            arms = f"{self.n_treatment} treatment, {self.n_control} control"
        how = "" if self.exact else " (normal approximation)"
        drop = f", allowing for {_percent(self.dropout)} drop-out" if self.dropout > 0 else ""
        return (
            f"A total of {self.total} participants ({arms}) gives {_percent(self.target_power)}"
            f" power{how} to detect "
            f"{_effect_words(self.p_treatment, self.p_control, self.margin)} with "
            f"{describe_test(self.test)} at {_alpha_words(self.alpha, self.margin, 'two-sided')}"
            f"{drop}."
        )

    def _title(self) -> str:
        return "Sample size"

    def _rows(self) -> list[Row]:
        power = short_number(self.power)
        return [
            Row("Total", str(self.total), f"total={self.total}"),
            Row(
                "n (treatment, control)",
                f"{self.n_treatment}, {self.n_control}",
                f"n=({self.n_treatment}, {self.n_control})",
            ),
            Row("Power achieved", power, f"power={power}"),
            Row("First n reaching the target", str(self.n_first), f"n_first={self.n_first}"),
            Row(
                "Stable from n",
                f"{self.n_stable} (checked to {self.n_stable_bound})",
                f"n_stable={self.n_stable}",
            ),
            Row("Test", self.test, f"test={self.test!r}"),
            Row("Exact", str(self.exact)),
            Row("Drop-out", f"{self.dropout:g}"),
        ]


@attrs.frozen(repr=False)
class TypeOneErrorResult(Displayed):
    """The largest type I error of a test over a grid of the nuisance (control) risk.

    Attributes
    ----------
    size : float
        The supremum over the grid of the rejection probability at the null boundary; a grid
        supremum, a lower bound on the supremum over every risk.
    p_control : float
        The control risk on the grid where the maximum is reached.
    n_grid : int
        The number of grid points used (those whose boundary risk lies in [0, 1]).
    test, n_treatment, n_control, alpha, margin, measure
        The design.
    """

    size: float
    p_control: float
    n_grid: int
    test: str
    n_treatment: int
    n_control: int
    alpha: float
    margin: float | tuple[float, float] | None
    measure: str = "risk_difference"

    def _title(self) -> str:
        return "Type I error"

    def _rows(self) -> list[Row]:
        size = short_number(self.size)
        return [
            Row("Largest type I error", size, f"size={size}"),
            Row("At control risk", f"{self.p_control:g}", f"p_control={self.p_control:g}"),
            Row("Grid points", str(self.n_grid)),
            Row("Test", self.test, f"test={self.test!r}"),
            Row("Alpha", f"{self.alpha:g}", f"alpha={self.alpha:g}"),
        ]
