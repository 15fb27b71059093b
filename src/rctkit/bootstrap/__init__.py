r"""The count-based bootstrap of a two-arm binary outcome.

Resampling the participants of each arm with replacement changes a table only through the two
resampled event counts: in the treatment arm :math:`a^* \sim \mathrm{Bin}(n_1, \hat p_1)` with
:math:`\hat p_1 = a/n_1`, in the control arm :math:`c^* \sim \mathrm{Bin}(n_2, \hat p_2)`,
independently. A bootstrap replicate is therefore one pair :math:`(a^*, c^*)`, and the
bootstrap distribution of any effect measure is that of a function of the pair.
:func:`bootstrap` uses this twice:

* Monte Carlo (``n_resamples=B``): the histogram of the :math:`B` resampled pairs is drawn as
  one multinomial draw over the pairs of non-negligible probability, so the cost grows with
  the number of such pairs (about :math:`16\sigma` counts per arm, some
  :math:`270\,\sigma_1\sigma_2` pairs with :math:`\sigma_i^2 = n_i \hat p_i (1 - \hat p_i)`:
  13,794 for the CORE trial), not with :math:`B`. The
  statistic is computed once per distinct pair, and quantiles are read off the weighted
  distribution -- the same numbers as sorting the :math:`B` replicate values.
* Exact (``n_resamples=None``): the whole product distribution of the two binomials is
  enumerated, the bootstrap with infinitely many resamples, free of Monte Carlo error.

Examples
--------
>>> import rctkit as rk
>>> from rctkit.bootstrap import bootstrap
>>> core = rk.BinaryOutcome.from_counts(treatment=(64, 218), control=(83, 216))
>>> bootstrap(core, n_resamples=None)
BootstrapEstimate(odds_ratio=0.6659, 95% CI 0.4425 to 0.9866, method='percentile', exact)
"""

from rctkit.bootstrap._core import (
    MAX_RESAMPLES as MAX_RESAMPLES,
)
from rctkit.bootstrap._core import (
    MEASURES,
    METHODS,
    BootstrapEstimate,
)
from rctkit.bootstrap._core import (
    acceleration as acceleration,
)
from rctkit.bootstrap._core import (
    plug_in as plug_in,
)
from rctkit.bootstrap.counts import bootstrap
from rctkit.bootstrap.stratified import stratified_bootstrap

__all__ = ["MEASURES", "METHODS", "BootstrapEstimate", "bootstrap", "stratified_bootstrap"]
