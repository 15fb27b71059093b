"""The SOC/PT harms table of 100,000 participants and 2 million adverse events (issue 15).

``rk.ae_table`` counts participants per row with ``numpy.unique`` and ``numpy.bincount`` on
the coded records and compares the arms once over all rows. The peer is the same counts
(participants with the event, ``nunique``, and events, ``size``, per arm, overall, per SOC
and per SOC/PT) from a plain pandas ``groupby`` on an ADAE-shaped frame with the arm merged
in, without any statistics. Both start from data in memory; reading ADaM files is
``rctkit.io.read_adam``'s part. The peak resident memory of the process is printed too.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

import rctkit as rk
from benchmarks.timing import Row
from rctkit.ae_counts import layout

PARTICIPANTS = 100_000
EVENTS = 2_000_000
SOCS = 27
TERMS = 1_500

COUNTS_ROW = "SOC/PT counts, 1e5 people x 2e6 AEs"

#: The counts must beat pandas' counts. The whole table, statistics included, is compared
#: with the same table built by pandas, scipy and statsmodels in benchmarks/bench_adam.py.
TARGETS = {COUNTS_ROW: 1.0}


def adverse_event_data(seed: int = 15) -> tuple[rk.AdverseEventRecords, pd.DataFrame]:
    """Records and the same events as an ADAE-like frame (USUBJID, ARM, AEBODSYS, AEDECOD)."""
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, PARTICIPANTS)
    # terms' frequencies fall off as in real data (a few common, many rare)
    weights = 1.0 / np.arange(1, TERMS + 1)
    term = rng.choice(TERMS, EVENTS, p=weights / weights.sum())
    soc_of_term = rng.integers(0, SOCS, TERMS)
    who = rng.integers(0, PARTICIPANTS, EVENTS)
    participants = [f"STUDY-{i:06d}" for i in range(PARTICIPANTS)]
    records = rk.AdverseEventRecords(
        participants=participants,
        participant_arm=arm,
        event_participant=who,
        socs=[f"SOC {i:02d}" for i in range(SOCS)],
        terms=[f"Term {i:04d}" for i in range(TERMS)],
        event_soc=soc_of_term[term],
        event_term=term,
        exposure_days=rng.uniform(30, 730, PARTICIPANTS),
        grade=rng.integers(0, 6, EVENTS),
    )
    adae = pd.DataFrame(
        {
            "USUBJID": pd.Categorical.from_codes(who, pd.Index(participants)),
            "ARM": np.where(arm[who] == 0, "Drug", "Placebo"),
            "AEBODSYS": pd.Categorical.from_codes(soc_of_term[term], pd.Index(records.socs)),
            "AEDECOD": pd.Categorical.from_codes(term, pd.Index(records.terms)),
        }
    )
    return records, adae


def pandas_counts(adae: pd.DataFrame) -> list[pd.DataFrame]:
    """Participants (nunique) and events (size) per arm overall, per SOC and per SOC/PT."""
    out = []
    for by in ([], ["AEBODSYS"], ["AEBODSYS", "AEDECOD"]):
        grouped = adae.groupby([*by, "ARM"], observed=True)["USUBJID"]
        out.append(pd.concat([grouped.nunique(), grouped.size()], axis=1))
    return out


def bench_ae_counts() -> Row:
    records, adae = adverse_event_data()
    ours = min(_time(lambda: layout(records, None, "alphabetical", None, False)) for _ in range(3))
    theirs = min(_time(lambda: pandas_counts(adae)) for _ in range(3))
    return (COUNTS_ROW, "pandas groupby nunique/size", ours, theirs)


def _time(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


BENCHMARKS: list[Callable[[], Row]] = [bench_ae_counts]


if __name__ == "__main__":
    for bench in BENCHMARKS:
        name, peer, ours, theirs = bench()
        print(f"{name:<36}{peer:<46}{ours:>10.3g}{theirs:>10.3g}{theirs / ours:>9.1f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:.0f} MiB")
