# Reference for tests/test_power.py: base R's power.prop.test (normal approximation, pooled
# variance under H0 and unpooled under H1, equal n per arm, the far tail left out: strict=FALSE).
# Run: Rscript tests/reference/power_prop_test.R > tests/reference/power_prop_test_r.txt
options(digits = 15)
cases <- list(
  c(220, 0.38, 0.29, 0.05),
  c(50, 0.5, 0.75, 0.05),
  c(100, 0.2, 0.1, 0.01),
  c(30, 0.6, 0.3, 0.05),
  c(500, 0.15, 0.1, 0.05)
)
cat("# n p1 p2 sig.level power\n")
for (x in cases) {
  r <- power.prop.test(n = x[1], p1 = x[2], p2 = x[3], sig.level = x[4])
  cat(sprintf("%d %.2f %.2f %.2f %.15f\n", as.integer(x[1]), x[2], x[3], x[4], r$power))
}
cat("# one-sided: n p1 p2 sig.level power\n")
r <- power.prop.test(n = 220, p1 = 0.38, p2 = 0.29, sig.level = 0.05, alternative = "one.sided")
cat(sprintf("%d %.2f %.2f %.2f %.15f\n", 220L, 0.38, 0.29, 0.05, r$power))
cat("# sample size: p1 p2 power n (per arm, unrounded)\n")
for (x in list(c(0.38, 0.29, 0.8), c(0.5, 0.75, 0.9), c(0.2, 0.1, 0.8))) {
  r <- power.prop.test(p1 = x[1], p2 = x[2], power = x[3], sig.level = 0.05)
  cat(sprintf("%.2f %.2f %.2f %.10f\n", x[1], x[2], x[3], r$n))
}
