"""Write the simulated ADaM example shipped in src/rctkit/data/adam (ADSL and ADAE).

A two-arm, 12-week trial of 480 participants ("Active" against "Placebo"), ADaM-shaped, with
the quirks of real data: participants randomised but never treated (SAFFL = "N", TRT01A
blank) one of whom has an adverse event before randomisation; events before the first dose
(TRTEMFL blank); a missing severity; participants with no event; participants with several
events of one term; discontinuations with reasons, some lost to follow-up; an efficacy flag
(RESPFL) missing for some of those who discontinued.

Run from the repository root (deterministic; seed 20261206):

    .venv/bin/python tests/reference/make_adam_example.py

It writes adsl.csv, adae.csv and their SAS transport copies adsl.xpt, adae.xpt.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

OUT = Path(__file__).resolve().parents[2] / "src" / "rctkit" / "data" / "adam"
STUDY = "RCTKIT-AE01"

# System organ class, preferred term, rate per participant over 12 weeks (placebo, active),
# probability that an event is serious.
TERMS = [
    ("GASTROINTESTINAL DISORDERS", "NAUSEA", 0.10, 0.22, 0.0),
    ("GASTROINTESTINAL DISORDERS", "DIARRHOEA", 0.08, 0.14, 0.0),
    ("GASTROINTESTINAL DISORDERS", "VOMITING", 0.04, 0.09, 0.02),
    ("GASTROINTESTINAL DISORDERS", "CONSTIPATION", 0.05, 0.05, 0.0),
    ("NERVOUS SYSTEM DISORDERS", "HEADACHE", 0.15, 0.18, 0.0),
    ("NERVOUS SYSTEM DISORDERS", "DIZZINESS", 0.06, 0.11, 0.0),
    ("NERVOUS SYSTEM DISORDERS", "SYNCOPE", 0.005, 0.02, 0.5),
    ("INFECTIONS AND INFESTATIONS", "NASOPHARYNGITIS", 0.12, 0.11, 0.0),
    ("INFECTIONS AND INFESTATIONS", "URINARY TRACT INFECTION", 0.04, 0.05, 0.05),
    ("INFECTIONS AND INFESTATIONS", "PNEUMONIA", 0.01, 0.015, 0.8),
    ("GENERAL DISORDERS AND ADMINISTRATION SITE CONDITIONS", "FATIGUE", 0.07, 0.12, 0.0),
    ("GENERAL DISORDERS AND ADMINISTRATION SITE CONDITIONS", "OEDEMA PERIPHERAL", 0.02, 0.04, 0.0),
    ("SKIN AND SUBCUTANEOUS TISSUE DISORDERS", "RASH", 0.03, 0.08, 0.0),
    ("SKIN AND SUBCUTANEOUS TISSUE DISORDERS", "PRURITUS", 0.03, 0.06, 0.0),
    ("MUSCULOSKELETAL AND CONNECTIVE TISSUE DISORDERS", "ARTHRALGIA", 0.05, 0.05, 0.0),
    ("MUSCULOSKELETAL AND CONNECTIVE TISSUE DISORDERS", "BACK PAIN", 0.05, 0.04, 0.0),
    ("CARDIAC DISORDERS", "PALPITATIONS", 0.01, 0.03, 0.0),
    ("CARDIAC DISORDERS", "ATRIAL FIBRILLATION", 0.0, 0.01, 0.7),
    ("PSYCHIATRIC DISORDERS", "INSOMNIA", 0.05, 0.07, 0.0),
    ("HEPATOBILIARY DISORDERS", "HEPATIC ENZYME INCREASED", 0.0, 0.0, 0.0),
    ("METABOLISM AND NUTRITION DISORDERS", "DECREASED APPETITE", 0.02, 0.06, 0.0),
]


def main() -> None:
    rng = np.random.default_rng(20261206)
    n = 480
    subject = np.array([f"{STUDY}-{i:04d}" for i in range(1, n + 1)])
    planned = np.where(rng.permutation(np.arange(n) % 2 == 0), "Active", "Placebo")
    randomised = np.datetime64("2023-03-01") + rng.integers(0, 400, n).astype("timedelta64[D]")
    # Randomised but never treated: 2 in the active arm, 4 in placebo.
    untreated = np.zeros(n, dtype=bool)
    untreated[np.flatnonzero(planned == "Active")[[5, 77]]] = True
    untreated[np.flatnonzero(planned == "Placebo")[[3, 40, 101, 180]]] = True
    start = randomised + rng.integers(0, 4, n).astype("timedelta64[D]")
    stopped = rng.random(n) < np.where(planned == "Active", 0.14, 0.10)
    duration = np.where(stopped, rng.integers(5, 80, n), 84)
    end = start + (duration - 1).astype("timedelta64[D]")
    reasons = np.array(
        [
            "ADVERSE EVENT",
            "WITHDRAWAL BY SUBJECT",
            "LOST TO FOLLOW-UP",
            "LACK OF EFFICACY",
            "PHYSICIAN DECISION",
        ]
    )
    reason = np.where(stopped, reasons[rng.integers(0, reasons.size, n)], "")
    stopped |= untreated
    reason = np.where(untreated, "WITHDRAWAL BY SUBJECT", reason)
    response = rng.random(n) < np.where(planned == "Active", 0.45, 0.30)
    respfl = np.where(response, "Y", "N")
    respfl[stopped & (rng.random(n) < 0.5)] = ""
    adsl = pd.DataFrame(
        {
            "STUDYID": STUDY,
            "USUBJID": subject,
            "SUBJID": [s[-4:] for s in subject],
            "SITEID": rng.choice(["101", "102", "103", "104"], n),
            "AGE": rng.integers(25, 80, n).astype(float),
            "SEX": rng.choice(["F", "M"], n),
            "TRT01P": planned,
            "TRT01A": np.where(untreated, "", planned),
            "RANDFL": "Y",
            "ITTFL": "Y",
            "SAFFL": np.where(untreated, "N", "Y"),
            "PPROTFL": np.where(untreated | (stopped & (duration < 56)), "N", "Y"),
            "RANDDT": randomised,
            "TRTSDT": np.where(untreated, np.datetime64("NaT"), start),
            "TRTEDT": np.where(untreated, np.datetime64("NaT"), end),
            "TRTDURD": np.where(untreated, np.nan, duration.astype(float)),
            "EOSSTT": np.where(stopped, "DISCONTINUED", "COMPLETED"),
            "DCSREAS": reason,
            "RESPFL": respfl,
        }
    )
    treated = np.flatnonzero(~untreated)
    active = planned[treated] == "Active"
    rates = np.array([[t[2], t[3]] for t in TERMS])
    # Events per participant and term: Poisson with the arm's rate scaled by time on treatment.
    scale = duration[treated] / 84
    lam = rates[:, np.where(active, 1, 0)].T * scale[:, None]
    counts = rng.poisson(lam)
    counts[0, 0] = 3  # one participant with three events of one term
    who, term = np.nonzero(counts)
    who = np.repeat(who, counts[who, term])
    term = np.repeat(term, counts[np.nonzero(counts)])
    person = treated[who]
    k = person.size
    onset = start[person] + (rng.random(k) * duration[person]).astype("timedelta64[D]")
    tem = np.full(k, "Y", dtype=object)
    # Events before the first dose: TRTEMFL blank.
    early = rng.choice(k, 12, replace=False)
    onset[early] = start[person[early]] - rng.integers(1, 10, 12).astype("timedelta64[D]")
    tem[early] = ""
    severity = rng.choice(["MILD", "MODERATE", "SEVERE"], k, p=[0.6, 0.32, 0.08])
    serious = rng.random(k) < np.array([t[4] for t in TERMS])[term]
    severity = np.where(serious & (severity == "MILD"), "MODERATE", severity)
    severity = severity.astype(object)
    severity[rng.choice(k, 5, replace=False)] = ""  # severity not recorded
    relation = rng.choice(
        ["NOT RELATED", "UNLIKELY", "POSSIBLE", "PROBABLE"], k, p=[0.45, 0.2, 0.25, 0.1]
    )
    adae = pd.DataFrame(
        {
            "STUDYID": STUDY,
            "USUBJID": subject[person],
            "TRTA": planned[person],
            "AEBODSYS": [TERMS[t][0] for t in term],
            "AEDECOD": [TERMS[t][1] for t in term],
            "AESER": np.where(serious, "Y", "N"),
            "AEREL": relation,
            "AESEV": severity,
            "AETOXGR": np.full(k, np.nan),  # a non-oncology trial: grades not used
            "ASTDT": onset,
            "TRTSDT": start[person],
            "TRTEMFL": tem,
        }
    )
    # A participant never treated, with an event before randomisation (not in the safety
    # population, so left out of the harms).
    never = np.flatnonzero(untreated)[0]
    extra = pd.DataFrame(
        {
            "STUDYID": [STUDY],
            "USUBJID": [subject[never]],
            "TRTA": [""],
            "AEBODSYS": ["NERVOUS SYSTEM DISORDERS"],
            "AEDECOD": ["HEADACHE"],
            "AESER": ["N"],
            "AEREL": ["NOT RELATED"],
            "AESEV": ["MILD"],
            "AETOXGR": [np.nan],
            "ASTDT": [randomised[never] - np.timedelta64(2, "D")],
            "TRTSDT": [np.datetime64("NaT")],
            "TRTEMFL": [""],
        }
    )
    adae = pd.concat([adae, extra], ignore_index=True)
    adae = adae.sort_values(["USUBJID", "ASTDT", "AEDECOD"], kind="stable").reset_index(drop=True)
    adae.insert(2, "AESEQ", adae.groupby("USUBJID").cumcount().astype(float) + 1)
    OUT.mkdir(parents=True, exist_ok=True)
    for frame, name in ((adsl, "adsl"), (adae, "adae")):
        text = frame.copy()
        for column in text.columns:
            if pd.api.types.is_datetime64_any_dtype(text[column]):
                text[column] = text[column].dt.strftime("%Y-%m-%d").fillna("")
        text.to_csv(OUT / f"{name}.csv", index=False)
        # SAS dates: days since 1960-01-01 with the DATE9. format (missing dates as missing
        # numbers; pyreadstat cannot write NaT).
        sas = frame.copy()
        dates = {c: "DATE9" for c in sas.columns if pd.api.types.is_datetime64_any_dtype(sas[c])}
        for column in dates:
            sas[column] = (sas[column] - pd.Timestamp("1960-01-01")).dt.days.astype(float)
        pyreadstat.write_xport(
            sas, str(OUT / f"{name}.xpt"), table_name=name.upper(), variable_format=dates
        )
    print(f"ADSL: {len(adsl)} participants; ADAE: {len(adae)} events")
    print(adsl.groupby(["TRT01A", "SAFFL"]).size())


if __name__ == "__main__":
    main()
