# Reference values for rctkit.multiplicity.adjust_pvalues: R's stats::p.adjust.
# Run: Rscript tests/reference/padjust.R > tests/reference/padjust_r.txt
# Prints each case as a Python literal (17 significant digits) for tests/test_multiplicity.py.
set.seed(20261206)
cases <- list(
  core_like = c(0.0465, 0.012, 0.30, 0.0496, 0.81),
  ties = c(0.01, 0.01, 0.04, 0.04, 0.04, 0.2),
  with_one = c(1, 0.5, 1, 0.001, 0.049),
  tiny = c(1e-300, 1e-12, 3e-8, 0.02, 0.9),
  n1 = c(0.03),
  n2 = c(0.03, 0.04),
  n3 = c(0.01, 0.02, 0.04),
  zeros = c(0, 0, 0.5),
  with_na = c(0.01, NA, 0.04, 0.03),
  random8 = runif(8)^3,
  random15 = runif(15)^2,
  random40 = runif(40)^4
)
methods <- c("bonferroni", "holm", "hochberg", "hommel", "BH", "BY")
fmt <- function(x) paste0("[", paste(ifelse(is.na(x), "nan", sprintf("%.17g", x)), collapse = ", "), "]")
cat(R.version.string, "\n")
cat("R_PADJUST = {\n")
for (nm in names(cases)) {
  p <- cases[[nm]]
  cat(sprintf("    \"%s\": {\n        \"p\": %s,\n", nm, fmt(p)))
  for (m in methods) cat(sprintf("        \"%s\": %s,\n", tolower(m), fmt(p.adjust(p, m))))
  cat("    },\n")
}
cat("}\n")
