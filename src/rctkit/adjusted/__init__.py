r"""Covariate-adjusted analyses of a binary outcome from individual participants' data.

:func:`adjusted_odds_ratio` fits the logistic model

.. math:: \operatorname{logit} P(y_i = 1) = \beta_0 + \psi\, t_i + x_i^\top \gamma
          \;[+\, \sigma u_{s(i)}],

with :math:`t_i = 1` in the treatment arm, numeric covariates and dummy-coded factors in
:math:`x_i`, and optionally a random intercept :math:`\sigma u_s`, :math:`u_s \sim N(0, 1)`,
for each cluster (site) :math:`s`; :math:`e^\psi` is the adjusted (conditional) odds ratio.
:func:`marginal_effect` standardises the fitted model over the trial's participants
(g-computation) to give the covariate-adjusted *marginal* risk difference, risk ratio or odds
ratio of the 2023 FDA guidance on covariate adjustment.

The building blocks are reusable: :func:`build_design` turns a table into a :class:`Design`
(the model matrix, the outcome, the arm's column, the clusters), and :func:`newton_logistic`
fits the logistic model by Newton-Raphson (IRLS) for a whole batch of weight vectors at once:
one matrix product forms all the information matrices of an iteration and one stacked solve
gives all the steps. The bootstrap refits every resample that way, with the resample expressed
as frequency weights on the same design matrix.

The package's modules, one idea each: ``design`` (columns, missing values, the model matrix,
the example data), ``glm`` (the logistic fit, Firth, separation), ``blocked`` (the
information matrix of a model with a wide factor, by blocks), ``profile`` (profile
limits), ``mixed`` (the random-intercept model), ``resample`` (bootstrap weights and the
percentile), ``odds_ratio`` and ``marginal`` (the public functions and their results).
"""

from __future__ import annotations

from rctkit.adjusted.design import Design, build_design, load_core_simulated
from rctkit.adjusted.glm import LogisticFit, SeparationError, newton_logistic
from rctkit.adjusted.marginal import MarginalEstimate, marginal_effect
from rctkit.adjusted.odds_ratio import AdjustedEstimate, Coefficient, adjusted_odds_ratio

__all__ = [
    "AdjustedEstimate",
    "Coefficient",
    "Design",
    "LogisticFit",
    "MarginalEstimate",
    "SeparationError",
    "adjusted_odds_ratio",
    "build_design",
    "load_core_simulated",
    "marginal_effect",
    "newton_logistic",
]
