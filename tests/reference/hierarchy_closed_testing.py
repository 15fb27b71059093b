"""Reference values for rctkit.multiplicity.fixed_sequence and fallback, by brute force.

Written apart from the kernels: exact rational arithmetic (fractions) and the closed testing
principle (Marcus, Peritz and Gabriel 1976) over every intersection hypothesis (itertools).
The fallback procedure (Wiens 2003) is the weighted-Bonferroni closed test whose local weights
on an intersection H_J come from the graph that passes all of H_i's weight to H_{i+1}
(Wiens and Dmitrienko 2005; Bretz et al. 2009, section 3): the weight of j in J is its own
weight plus the weights of the run of hypotheses just before it that are outside J (these
would have passed their level forward to j). The fixed-sequence procedure is the fallback
with weights (1, 0, ..., 0). The adjusted p-value of H_i is the largest p-value of the
intersection tests over the sets J that contain i:  p_J = min_{j in J} p_j / w_j(J).

Run (from the repository root):
    python tests/reference/hierarchy_closed_testing.py \
        > tests/reference/hierarchy_closed_testing.txt
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations


def local_weights(weights: list[Fraction], subset: tuple[int, ...]) -> dict[int, Fraction]:
    """The weight of each j in the intersection: its own plus the run just before it
    outside the subset (their level is carried forward to j)."""
    chosen = set(subset)
    out = {}
    for j in subset:
        w = weights[j]
        k = j - 1
        while k >= 0 and k not in chosen:
            w += weights[k]
            k -= 1
        out[j] = w
    return out


def adjusted(pvalues: list[Fraction], weights: list[Fraction]) -> list[Fraction]:
    m = len(pvalues)
    adj = [Fraction(0)] * m
    for size in range(1, m + 1):
        for subset in combinations(range(m), size):
            w = local_weights(weights, subset)
            ratios = [pvalues[j] / w[j] for j in subset if w[j] > 0]
            p_j = min([Fraction(1), *ratios])
            for i in subset:
                adj[i] = max(adj[i], p_j)
    return adj


CASES = {
    "fallback_three": (["0.01", "0.03", "0.02"], ["1/2", "1/4", "1/4"]),
    "fallback_equal": (["0.02", "0.04", "0.001"], ["1/3", "1/3", "1/3"]),
    "fallback_first_fails": (["0.2", "0.01", "0.012"], ["1/2", "1/4", "1/4"]),
    "fallback_four": (["0.004", "0.3", "0.006", "0.03"], ["2/5", "1/5", "1/5", "1/5"]),
    "fallback_zero_weight": (["0.03", "0.01", "0.04"], ["1/2", "0", "1/2"]),
    "fallback_sum_below_one": (["0.01", "0.02"], ["1/2", "1/4"]),
    "fixed_sequence": (["0.01", "0.04", "0.03", "0.2", "0.001"], ["1", "0", "0", "0", "0"]),
}

if __name__ == "__main__":
    print("HIERARCHY = {")
    for name, (ps, ws) in CASES.items():
        p = [Fraction(x) for x in ps]
        w = [Fraction(x) for x in ws]
        adj = adjusted(p, w)
        print(f'    "{name}": ({[float(x) for x in p]}, {[float(x) for x in w]},')
        print(f"        {[float(x) for x in adj]}),  # {[str(x) for x in adj]}")
    print("}")
