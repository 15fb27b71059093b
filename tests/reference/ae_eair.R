# Reference values for tests/test_ae_rates.py: the exposure-adjusted incidence rate (EAIR) of
# the shipped example ADaM data (src/rctkit/data/adam, rctkit.io.example_adam()) computed here
# in base R from the CSV files, independently of rctkit: the safety population (SAFFL = "Y"),
# the treatment-emergent events (TRTEMFL = "Y"), each event's study day ASTDT - TRTSDT + 1
# (TRTSDT from ADSL); per row, each participant with the event contributes
# min(TRTDURD, max(0, first day)) days, the others TRTDURD days; years of 365.25 days. The rate
# ratio Active / Placebo and its exact interval are poisson.test(c(x1, x0), c(T1, T0)).
# Run from the repository root:
#   Rscript tests/reference/ae_eair.R > tests/reference/ae_eair_r.txt
adsl <- read.csv("src/rctkit/data/adam/adsl.csv", stringsAsFactors = FALSE)
adae <- read.csv("src/rctkit/data/adam/adae.csv", stringsAsFactors = FALSE)
adsl <- adsl[adsl$SAFFL == "Y", ]
adae <- adae[!is.na(adae$TRTEMFL) & adae$TRTEMFL == "Y", ]
adae <- adae[adae$USUBJID %in% adsl$USUBJID, ]
start <- adsl$TRTSDT[match(adae$USUBJID, adsl$USUBJID)]
adae$DAY <- as.numeric(as.Date(adae$ASTDT) - as.Date(start)) + 1
options(digits = 15)
eair <- function(name, events) {
  first <- tapply(events$DAY, events$USUBJID, min)
  out <- c()
  for (arm in c("Active", "Placebo")) {
    people <- adsl[adsl$TRT01A == arm, ]
    day <- first[people$USUBJID]
    had <- !is.na(day)
    used <- ifelse(had, pmin(people$TRTDURD, pmax(0, day)), people$TRTDURD)
    out <- c(out, sum(had), sum(used) / 365.25)
  }
  p <- poisson.test(c(out[1], out[3]), c(out[2], out[4]))
  cat(sprintf("%s x1=%d T1=%.15g x0=%d T0=%.15g rr=%.15g low=%.15g high=%.15g p=%.15g\n",
              name, out[1], out[2], out[3], out[4], p$estimate, p$conf.int[1],
              p$conf.int[2], p$p.value))
}
eair("any", adae)
eair("CARDIAC DISORDERS", adae[adae$AEBODSYS == "CARDIAC DISORDERS", ])
eair("NAUSEA", adae[adae$AEDECOD == "NAUSEA", ])
eair("HEADACHE", adae[adae$AEDECOD == "HEADACHE", ])
eair("PNEUMONIA", adae[adae$AEDECOD == "PNEUMONIA", ])
cat(R.version.string, "\n")
