# Reference values for tests/test_simple.py (closed-form intervals, issue 3).
# Run: Rscript tests/reference/closed_form_simple.R
# metafor::escalc with add = 1/2, to = "all" adds 0.5 to every cell of every table: the
# Haldane log odds ratio and log risk ratio (yi) with their variances (vi).
# stats::prop.test(correct = TRUE) gives R's continuity-corrected Wald interval for the
# risk difference.
suppressPackageStartupMessages(library(metafor))
options(digits = 17)
tabs <- data.frame(
  a  = c(64, 56, 9, 5, 0, 0, 10, 10, 1, 500),
  n1 = c(218, 70, 10, 56, 10, 10, 10, 10, 1, 1000),
  c  = c(83, 48, 3, 0, 0, 0, 0, 10, 0, 5),
  n2 = c(216, 80, 10, 29, 20, 10, 20, 10, 1, 2000)
)
tabs$b <- tabs$n1 - tabs$a
tabs$d <- tabs$n2 - tabs$c
for (m in c("OR", "RR")) {
  es <- escalc(measure = m, ai = a, bi = b, ci = c, di = d, data = tabs,
               add = 1/2, to = "all")
  cat(m, "\n")
  for (i in seq_len(nrow(tabs))) {
    cat(sprintf("(%d, %d, %d, %d, %.17g, %.17g),\n", tabs$a[i], tabs$n1[i], tabs$c[i],
                tabs$n2[i], es$yi[i], es$vi[i]))
  }
}
cat("prop.test\n")
for (i in seq_len(nrow(tabs))) {
  pt <- suppressWarnings(prop.test(c(tabs$a[i], tabs$c[i]), c(tabs$n1[i], tabs$n2[i]),
                                   correct = TRUE))
  cat(sprintf("(%d, %d, %d, %d, %.17g, %.17g),\n", tabs$a[i], tabs$n1[i], tabs$c[i],
              tabs$n2[i], pt$conf.int[1], pt$conf.int[2]))
}
