# Reference values for rctkit's exact unconditional intervals (tests/test_exact_unconditional.py).
# exact2x2 (Fay & Hunsberger 2021), built from github.com/cran/exact2x2 (with cran/exactci,
# cran/ssanv) by R CMD INSTALL. exact2x2's uncondExact2x2(x1, n1, x2, n2) estimates p2 - p1
# and p2 / p1, so the rctkit treatment arm (a/n1) is exact2x2's group 2 and control (c/n2)
# group 1. nPgrid is raised from the default 100 to 2000 so that the grid supremum is close.
# Run: Rscript tests/reference/exact_unconditional.R > tests/reference/exact_unconditional_r.txt
suppressMessages(library(exact2x2))
tables <- list(c(24, 61, 10, 35), c(6, 13, 2, 7), c(11, 13, 2, 7), c(9, 11, 4, 12),
               c(3, 8, 1, 5), c(5, 5, 2, 6), c(0, 10, 4, 10), c(7, 20, 7, 20),
               c(1, 17, 16, 17), c(15, 40, 8, 35))
specs <- list(c("santner-snell", "difference", "simple", "central"),
              c("chan-zhang", "difference", "score", "central"),
              c("agresti-min", "difference", "score", "square"),
              c("chan-zhang", "ratio", "score", "central"),
              c("agresti-min", "ratio", "score", "square"))
cat("a,n1,c,n2,method,measure,pvalue,low,high\n")
for (t in tables) {
  for (s in specs) {
    r <- uncondExact2x2(t[3], t[4], t[1], t[2], parmtype = s[2], method = s[3],
                        tsmethod = s[4], conf.int = TRUE, control = ucControl(nPgrid = 2000))
    measure <- if (s[2] == "difference") "risk_difference" else "risk_ratio"
    cat(sprintf("%d,%d,%d,%d,%s,%s,%.10g,%.10g,%.10g\n", t[1], t[2], t[3], t[4], s[1], measure,
                r$p.value, r$conf.int[1], r$conf.int[2]))
  }
}
