# The CORE tipping-point grid in base R, as a second outside reference for
# tests/test_tipping.py: Pearson's chi-squared without continuity correction
# (chisq.test(correct = FALSE)) and the two-sided Fisher exact test (fisher.test), for each
# completed table: 64 + i of 221 against 83 + j of 220, i = 0..3, j = 0..4.
# Run: Rscript tests/reference/tipping_core.R > tests/reference/tipping_core_r.txt
for (i in 0:3) for (j in 0:4) {
  m <- matrix(c(64 + i, 221 - 64 - i, 83 + j, 220 - 83 - j), nrow = 2, byrow = TRUE)
  chi <- suppressWarnings(chisq.test(m, correct = FALSE))$p.value
  fis <- fisher.test(m)$p.value
  cat(sprintf("%d %d %.17g %.17g\n", i, j, chi, fis))
}
