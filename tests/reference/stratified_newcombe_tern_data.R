# The data of tern's test "prop_strat_nc (proportion difference by stratified Newcombe) with cmh
# weights" (insightsengineering/tern, tests/testthat/test-estimate_proportion_diff.R), rebuilt
# with the same seed and calls, tabulated as strata (a, n1, c, n2) with A the treatment arm.
# tern's test states the "externally validated" values diff 0.2539, 95% CI 0.0347 to 0.4454.
# Run: Rscript tests/reference/stratified_newcombe_tern_data.R
set.seed(1)
rsp <- c(
  sample(c(TRUE, FALSE), size = 40, prob = c(3 / 4, 1 / 4), replace = TRUE),
  sample(c(TRUE, FALSE), size = 40, prob = c(1 / 2, 1 / 2), replace = TRUE)
)
grp <- factor(rep(c("A", "B"), each = 40), levels = c("B", "A"))
strata_data <- data.frame(
  "f1" = sample(c("a", "b"), 80, TRUE),
  "f2" = sample(c("x", "y", "z"), 80, TRUE),
  stringsAsFactors = TRUE
)
strata <- interaction(strata_data)
for (s in levels(strata)) {
  i <- strata == s
  cat(s, sum(rsp[i & grp == "A"]), sum(i & grp == "A"), sum(rsp[i & grp == "B"]),
      sum(i & grp == "B"), "\n")
}
