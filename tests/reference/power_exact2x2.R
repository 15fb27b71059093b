# Reference for tests/test_power.py: exact power of Fisher's exact test from R's
# exact2x2::power2x2, which enumerates every table and rejects where p <= sig.level.
# power2x2 takes p0/n0 for the control arm and p1/n1 for the treatment arm.
# strict=TRUE: the two-sided test (tsmethod "minlike", as fisher.test), rejections in either
# direction counted. strict=FALSE: the one-sided test at sig.level/2 in the direction of p1 - p0.
# Run: Rscript tests/reference/power_exact2x2.R > tests/reference/power_exact2x2_r.txt
suppressPackageStartupMessages(library(exact2x2))
options(digits = 15)
cat("# packageVersion exact2x2:", as.character(packageVersion("exact2x2")), "\n")
cat("# strict n_treatment n_control p_treatment p_control alpha power\n")
cases <- list(c(220, 220, 0.29, 0.38, 0.05), c(60, 40, 0.5, 0.2, 0.05), c(100, 100, 0.1, 0.25, 0.01))
for (strict in c(TRUE, FALSE)) {
  for (x in cases) {
    r <- power2x2(p0 = x[4], p1 = x[3], n0 = x[2], n1 = x[1], sig.level = x[5],
                  alternative = "two.sided", strict = strict, tsmethod = "minlike", errbound = 0)
    cat(sprintf("%s %d %d %.2f %.2f %.2f %.15f\n", strict, as.integer(x[1]), as.integer(x[2]),
                x[3], x[4], x[5], r$power))
  }
}
