# Reference values for rctkit's matched two-sided conditional rules
# (tests/test_exact_matching.py): R's exact2x2 (Fay 2010) 1.7.0 with exactci and ssanv, built
# from the GitHub mirrors cran/exact2x2, cran/exactci, cran/ssanv with R CMD INSTALL.
# Run: R_LIBS=<lib> Rscript tests/reference/two_sided_rules.R > tests/reference/two_sided_rules_r.txt
# Tables are (a, n1, c, n2): treatment events/total, control events/total; R's matrix is
# rbind(c(a, n1 - a), c(c, n2 - c)), so its odds ratio is rctkit's. exact2x2CI rounds its
# limits to 5 decimals (tol = 1e-5), hence the reported precision.
suppressMessages(library(exact2x2))
tables <- list(
  c(7, 12, 2, 11), c(3, 10, 0, 10), c(5, 12, 1, 12), c(9, 12, 3, 12), c(1, 8, 6, 9),
  c(10, 20, 3, 20), c(2, 15, 8, 15), c(12, 30, 20, 31), c(0, 5, 4, 6), c(6, 6, 2, 7),
  c(4, 9, 4, 9), c(64, 218, 83, 216), c(3, 4, 1, 4), c(8, 12, 2, 12), c(11, 40, 3, 38),
  c(200, 500, 250, 500), c(45, 500, 60, 480), c(999, 1000, 3, 1000), c(990, 1000, 5, 1000),
  c(400, 400, 0, 400)
)
options(digits = 15)
cat("a,n1,c,n2,tsmethod,pvalue,low,high\n")
for (t in tables) {
  m <- rbind(c(t[1], t[2] - t[1]), c(t[3], t[4] - t[3]))
  for (ts in c("minlike", "central", "blaker")) {
    r <- exact2x2(m, tsmethod = ts, conf.level = 0.95)
    cat(sprintf("%d,%d,%d,%d,%s,%.15g,%.15g,%.15g\n", t[1], t[2], t[3], t[4], ts,
                r$p.value, r$conf.int[1], r$conf.int[2]))
  }
}
