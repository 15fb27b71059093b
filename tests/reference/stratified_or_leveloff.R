# ratesci on the sparse strata of tests/reference/stratified_or_leveloff.py (issue 14, defect 3).
# ratesci 1.0.0 (the CRAN sources, github:cran/ratesci, installed into a user library):
#   R_LIBS_USER=.Rlib Rscript tests/reference/stratified_or_leveloff.R > tests/reference/stratified_or_leveloff_r.txt
# scoreci(..., stratified = TRUE, skew = FALSE, or_bias = FALSE), both weightings, all three
# contrasts. No stratum has an empty margin, so ratesci's 0.5 added to such strata (IVS) does
# not arise.
suppressPackageStartupMessages(library(ratesci))
cat("ratesci", as.character(packageVersion("ratesci")), "\n")
sets <- list(
  high1 = list(c(3, 4, 1, 1), c(5, 5, 1, 5)),
  high2 = list(c(0, 2, 2, 5), c(1, 4, 0, 5), c(1, 1, 0, 1)),
  high3 = list(c(2, 2, 3, 5), c(2, 3, 1, 5), c(2, 5, 0, 2)),
  low1 = list(c(3, 3, 3, 3), c(1, 1, 0, 1), c(0, 4, 2, 4)),
  finite = list(c(3, 10, 7, 10), c(5, 5, 1, 5))
)
for (nm in names(sets)) {
  s <- do.call(rbind, sets[[nm]])
  for (contrast in c("OR", "RR", "RD")) {
    for (w in c("MH", "IVS")) {
      r <- scoreci(x1 = s[, 1], n1 = s[, 2], x2 = s[, 3], n2 = s[, 4], contrast = contrast,
                   stratified = TRUE, skew = FALSE, or_bias = FALSE, weighting = w)
      e <- r$estimates
      cat(nm, contrast, w, "lower", format(e[1, "lower"], digits = 15),
          "est", format(e[1, "est"], digits = 15), "upper", format(e[1, "upper"], digits = 15),
          "\n")
    }
  }
}
