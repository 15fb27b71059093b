# Reference values for tests/test_stratified_defects.py (issue 14, stratified defects 1 and 2).
# Run: Rscript tests/reference/stratified_defects.R > tests/reference/stratified_defects_r.txt
# Each data set is a list of strata (a, n1, c, n2): treatment events/total, control events/total.
# base R only (stats::mantelhaen.test); R 4.2.2. epiR is not installed here, so the
# risk ratio / risk difference / Breslow-Day checks use the law "equal to the same data
# without the empty-arm strata", whose values tests/reference/strata.R gives.
arr <- function(s) {
  k <- length(s)
  x <- array(0, dim = c(2, 2, k))
  for (i in seq_len(k)) {
    v <- s[[i]]
    x[, , i] <- matrix(c(v[1], v[3], v[2] - v[1], v[4] - v[3]), 2, 2)
  }
  x
}
f <- function(x) format(x, digits = 17)
# Defect 1: strata in which one arm has no participants (R accepts them; they add nothing).
empty <- list(
  three_empty = list(c(10, 50, 20, 50), c(0, 0, 3, 7), c(15, 40, 18, 35), c(4, 6, 0, 0),
                     c(3, 12, 1, 14)),
  sparse_empty = list(c(0, 5, 2, 6), c(1, 4, 3, 5), c(0, 0, 5, 5), c(2, 3, 0, 4), c(1, 6, 1, 6))
)
for (name in names(empty)) {
  x <- arr(empty[[name]])
  cat("##", name, "\n")
  m0 <- mantelhaen.test(x, correct = FALSE)
  m1 <- mantelhaen.test(x, correct = TRUE)
  cat("cmh_stat", f(unname(m0$statistic)), "cmh_p", f(m0$p.value), "\n")
  cat("cmh_cc_stat", f(unname(m1$statistic)), "cmh_cc_p", f(m1$p.value), "\n")
  cat("mh_or", f(unname(m0$estimate)), "mh_or_ci", f(m0$conf.int[1]), f(m0$conf.int[2]), "\n")
  ex <- mantelhaen.test(x, exact = TRUE)
  cat("exact_or", f(unname(ex$estimate)), "exact_ci", f(ex$conf.int[1]), f(ex$conf.int[2]),
      "exact_p", f(ex$p.value), "\n")
}
# Defect 2: CMH with continuity correction when |sum(a - E)| < 0.5 (no correction, as R).
small <- list(
  cc_small1 = list(c(3, 10, 2, 10), c(4, 9, 5, 10)),
  cc_small2 = list(c(5, 12, 6, 12), c(7, 15, 6, 14), c(2, 9, 3, 10)),
  cc_small3 = list(c(1, 4, 1, 3), c(2, 4, 2, 4)),
  cc_tie = list(c(3, 10, 2, 10), c(2, 6, 2, 6)),
  cc_large = list(c(8, 20, 3, 20), c(6, 15, 4, 16))
)
for (name in names(small)) {
  x <- arr(small[[name]])
  s.x <- apply(x, c(1L, 3L), sum); s.y <- apply(x, c(2L, 3L), sum); n <- apply(x, 3L, sum)
  delta <- sum(x[1, 1, ] - s.x[1, ] * s.y[1, ] / n)
  m1 <- mantelhaen.test(x, correct = TRUE)
  cat("##", name, "delta", f(delta), "cmh_cc_stat", f(unname(m1$statistic)),
      "cmh_cc_p", f(m1$p.value), "\n")
}
