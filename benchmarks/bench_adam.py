"""ADaM in, SOC/PT table out: 100,000 participants and 2 million adverse events (issue 15).

The work: an ADSL of 100,000 participants (two arms, a safety flag, TRTDURD, disposition) and
an ADAE of 2,000,000 events over 27 system organ classes and 1,500 preferred terms (with
seriousness, relatedness, severity and the treatment-emergent flag), written once as parquet.
rctkit reads them with ``rctkit.io.read_adam`` and builds ``rk.ae_table`` (participants and
events per arm for every SOC and PT, the Newcombe risk difference, the Katz risk ratio,
Fisher's p, the exposure-adjusted rates and the exact rate ratio). The peer builds the same
table as a pandas user would: ``pd.read_parquet``, the safety and treatment-emergent
filters, a merge for the arm, ``groupby`` ``nunique``/``size`` for the counts, then the
statistics row by row (scipy's ``fisher_exact``, statsmodels'
``confint_proportions_2indep(method="newcomb")``, the Katz interval in numpy and scipy's
``binomtest`` for the exact rate ratio). Each side is timed twice, alternately; the ratio is
peer / rctkit. ``peak_memory()`` runs rctkit's side alone in a fresh process and reports its
peak resident memory (target: under 2 GiB).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import rctkit as rk
from benchmarks.timing import Row

PARTICIPANTS = 100_000
EVENTS = 2_000_000
ROW = "ADaM 1e5 x 2e6 -> SOC/PT table"
TARGETS = {ROW: 1.0}
MEMORY_LIMIT_MIB = 2048


def write_adam(folder: Path, seed: int = 15) -> tuple[Path, Path]:
    """The ADSL and ADAE parquet files of the benchmark, written into ``folder``."""
    rng = np.random.default_rng(seed)
    n, k = PARTICIPANTS, EVENTS
    ids = np.array([f"BENCH-{i:06d}" for i in range(n)], dtype=object)
    arm = np.where(rng.random(n) < 0.5, "Active", "Placebo")
    discontinued = rng.random(n) < 0.1
    adsl = pd.DataFrame(
        {
            "STUDYID": "BENCH",
            "USUBJID": ids,
            "TRT01P": arm,
            "TRT01A": arm,
            "ITTFL": "Y",
            "SAFFL": np.where(rng.random(n) < 0.98, "Y", "N"),
            "TRTDURD": rng.integers(1, 730, n).astype(float),
            "EOSSTT": np.where(discontinued, "DISCONTINUED", "COMPLETED"),
            "DCSREAS": np.where(
                discontinued, rng.choice(["ADVERSE EVENT", "LOST TO FOLLOW-UP"], n), ""
            ),
        }
    )
    weights = 1.0 / np.arange(1, 1501)  # a few common terms, many rare ones
    term = rng.choice(1500, k, p=weights / weights.sum())
    soc_of_term = rng.integers(0, 27, 1500)
    socs = np.array([f"SOC {i:02d}" for i in range(27)], dtype=object)
    terms = np.array([f"TERM {i:04d}" for i in range(1500)], dtype=object)
    adae = pd.DataFrame(
        {
            "STUDYID": "BENCH",
            "USUBJID": ids[rng.integers(0, n, k)],
            "AEBODSYS": socs[soc_of_term[term]],
            "AEDECOD": terms[term],
            "AESER": np.where(rng.random(k) < 0.05, "Y", "N"),
            "AEREL": rng.choice(["NOT RELATED", "POSSIBLE", "PROBABLE"], k),
            "AESEV": rng.choice(["MILD", "MODERATE", "SEVERE", ""], k),
            "TRTEMFL": np.where(rng.random(k) < 0.95, "Y", ""),
        }
    )
    paths = folder / "adsl.parquet", folder / "adae.parquet"
    adsl.to_parquet(paths[0])
    adae.to_parquet(paths[1])
    return paths


def rctkit_table(adsl: Path, adae: Path) -> rk.AETable:
    from rctkit.io import read_adam

    return rk.ae_table(read_adam(adsl, adae))


def pandas_table(adsl_path: Path, adae_path: Path) -> pd.DataFrame:
    """The same table with pandas groupby and per-row scipy/statsmodels statistics."""
    from scipy import stats
    from statsmodels.stats.proportion import confint_proportions_2indep

    adsl = pd.read_parquet(adsl_path)
    adae = pd.read_parquet(adae_path)
    safety = adsl.loc[adsl["SAFFL"] == "Y", ["USUBJID", "TRT01A", "TRTDURD"]]
    events = adae.loc[adae["TRTEMFL"] == "Y"].merge(safety, on="USUBJID")
    n = safety.groupby("TRT01A").size()
    years = safety.groupby("TRT01A")["TRTDURD"].sum() / 365.25
    parts = []
    events["ANY"] = "Any adverse event"
    for by in (["ANY"], ["AEBODSYS"], ["AEBODSYS", "AEDECOD"]):
        grouped = events.groupby([*by, "TRT01A"])["USUBJID"]
        counts = pd.concat(
            [grouped.nunique().rename("n"), grouped.size().rename("events")], axis=1
        )
        parts.append(counts.unstack("TRT01A", fill_value=0).reset_index())
    table = pd.concat(parts, ignore_index=True)
    rows = []
    n1, n0 = int(n["Active"]), int(n["Placebo"])
    for a, c in zip(table[("n", "Active")], table[("n", "Placebo")], strict=True):
        a, c = int(a), int(c)
        p = stats.fisher_exact([[a, n1 - a], [c, n0 - c]]).pvalue
        low, high = confint_proportions_2indep(a, n1, c, n0, method="newcomb")
        rr = (a / n1) / (c / n0) if c else np.inf
        se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n0) if a and c else np.nan
        share = stats.binomtest(a, a + c).proportion_ci() if a + c else None
        ratio = years["Placebo"] / years["Active"]
        rate_ci = (
            (np.nan, np.nan)
            if share is None
            else (
                share.low / (1 - share.low) * ratio,
                share.high / (1 - share.high) * ratio if share.high < 1 else np.inf,
            )
        )
        rows.append((a / n1 - c / n0, low, high, rr, rr * np.exp(-1.96 * se), p, *rate_ci))
    columns = ["rd", "rd_low", "rd_high", "rr", "rr_low", "p", "rate_low", "rate_high"]
    table[columns] = np.array(rows)
    table[("rate", "Active")] = table[("n", "Active")] / years["Active"] * 100
    table[("rate", "Placebo")] = table[("n", "Placebo")] / years["Placebo"] * 100
    out: pd.DataFrame = table
    return out


def bench_adam() -> Row:
    with tempfile.TemporaryDirectory() as folder:
        adsl, adae = write_adam(Path(folder))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours_table = rctkit_table(adsl, adae)
            theirs_table = pandas_table(adsl, adae)
            # the same counts on both sides before anything is timed
            pt = ours_table.to_frame()
            assert int(pt["treatment_participants"].iloc[0]) == int(
                theirs_table[("n", "Active")].iloc[0]
            )
            assert len(pt) == len(theirs_table)
            ours = theirs = float("inf")
            for _ in range(2):
                ours = min(ours, _time(lambda: rctkit_table(adsl, adae)))
                theirs = min(theirs, _time(lambda: pandas_table(adsl, adae)))
    return (ROW, "pandas read+groupby, scipy/statsmodels rows", ours, theirs)


def peak_memory() -> float:
    """rctkit's read and table in a fresh process: its peak resident memory in MiB."""
    with tempfile.TemporaryDirectory() as folder:
        adsl, adae = write_adam(Path(folder))
        code = (
            "import resource, warnings; warnings.simplefilter('ignore');"
            "from benchmarks.bench_adam import rctkit_table;"
            f"rctkit_table({str(adsl)!r}, {str(adae)!r});"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
    return int(done.stdout.split()[-1]) / 1024


def _time(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


BENCHMARKS: list[Callable[[], Row]] = [bench_adam]


if __name__ == "__main__":
    name, peer, ours, theirs = bench_adam()
    print(f"{name:<36}{peer:<46}{ours:>10.3g}{theirs:>10.3g}{theirs / ours:>9.1f}x")
    peak = peak_memory()
    print(f"peak RSS of rctkit's read + table: {peak:.0f} MiB (target < {MEMORY_LIMIT_MIB})")
    print(f"this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
