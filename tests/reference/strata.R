# Reference values for rctkit's stratified analyses (tests/test_strata.py).
# Run: Rscript tests/reference/strata.R
# Each data set is a list of strata (a, n1, c, n2): treatment events/total, control events/total.
suppressMessages(library(epiR))
sets <- list(
  three = list(c(10, 50, 20, 50), c(15, 40, 18, 35), c(3, 12, 1, 14)),
  sparse = list(c(0, 5, 2, 6), c(1, 4, 3, 5), c(2, 3, 0, 4), c(1, 6, 1, 6)),
  six = list(c(12, 40, 16, 38), c(9, 35, 14, 37), c(11, 36, 13, 34),
             c(10, 37, 15, 36), c(12, 35, 13, 36), c(10, 35, 12, 35))
)
arr <- function(s) {
  k <- length(s)
  x <- array(0, dim = c(2, 2, k))
  for (i in seq_len(k)) {
    v <- s[[i]]
    # rows: treatment, control; columns: event, no event
    x[, , i] <- matrix(c(v[1], v[3], v[2] - v[1], v[4] - v[3]), 2, 2)
  }
  x
}
f <- function(x) format(x, digits = 17)
for (name in names(sets)) {
  x <- arr(sets[[name]])
  cat("##", name, "\n")
  m0 <- mantelhaen.test(x, correct = FALSE)
  m1 <- mantelhaen.test(x, correct = TRUE)
  cat("cmh_stat", f(unname(m0$statistic)), "cmh_p", f(m0$p.value), "\n")
  cat("cmh_cc_stat", f(unname(m1$statistic)), "cmh_cc_p", f(m1$p.value), "\n")
  cat("mh_or", f(unname(m0$estimate)), "mh_or_ci", f(m0$conf.int[1]), f(m0$conf.int[2]), "\n")
  ex <- mantelhaen.test(x, exact = TRUE)
  cat("exact_or", f(unname(ex$estimate)), "exact_ci", f(ex$conf.int[1]), f(ex$conf.int[2]),
      "exact_p", f(ex$p.value), "\n")
  # epiR: rows exposed/unexposed, columns outcome+/-; same layout as x.
  e <- epi.2by2(as.table(x), method = "cohort.count", conf.level = 0.95)
  rr <- e$massoc.detail$RR.mh.wald
  cat("mh_rr", f(rr$est), "mh_rr_ci", f(rr$lower), f(rr$upper), "\n")
  sato <- e$massoc.detail$ARisk.mh.sato
  cat("mh_rd_sato", f(sato$est / 100), "ci", f(sato$lower / 100), f(sato$upper / 100), "\n")
  gr <- e$massoc.detail$ARisk.mh.green
  cat("mh_rd_gr", f(gr$est / 100), "ci", f(gr$lower / 100), f(gr$upper / 100), "\n")
}
