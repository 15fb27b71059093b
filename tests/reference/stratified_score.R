# Reference values for tests/test_stratified_score.py: the Cochran-Mantel-Haenszel test
# without continuity correction (stats::mantelhaen.test), which the stratified
# Miettinen-Nurminen score test with Mantel-Haenszel weights equals for the risk difference
# and the risk ratio (Laud 2017; ratesci's tests check the same equivalence).
# Run: Rscript tests/reference/stratified_score.R
options(digits = 17)

cmh <- function(rows) {
  # rows: list of c(a, n1, c, n2), treatment events and total, control events and total
  k <- length(rows)
  x <- array(0, dim = c(2, 2, k))
  for (i in seq_len(k)) {
    r <- rows[[i]]
    x[, , i] <- matrix(c(r[1], r[3], r[2] - r[1], r[4] - r[3]), nrow = 2)
  }
  t <- mantelhaen.test(x, correct = FALSE)
  c(statistic = unname(t$statistic), p.value = t$p.value)
}

sets <- list(
  # Laud's SAS macro validation example 1 (ratesci-sas tests/v_scoreci.sas)
  ds1 = list(c(25, 33, 4, 17), c(34, 50, 17, 25), c(28, 50, 15, 25), c(52, 67, 22, 33)),
  # Gart and Nam (1988) stratified example
  gart_nam = list(c(4, 16, 5, 79), c(2, 16, 3, 87), c(4, 18, 10, 90), c(1, 15, 3, 82)),
  # Mehrotra and Railkar (2000), as used by Tang (2020)
  mehrotra = list(c(21, 464, 26, 453), c(11, 165, 25, 174), c(8, 69, 11, 70)),
  # sparse, with a stratum without events and one with only events
  sparse = list(c(0, 5, 0, 6), c(3, 4, 1, 5), c(2, 2, 2, 2), c(0, 3, 2, 4), c(4, 6, 1, 7))
)
for (name in names(sets)) {
  cat(name, format(cmh(sets[[name]]), digits = 17), "\n")
}
