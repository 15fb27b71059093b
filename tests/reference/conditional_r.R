# Reference values for tests/test_conditional.py (R 4.2.2, epitools 0.5-10.1).
# Run: Rscript tests/reference/conditional_r.R
# Tables are (a, n1, c, n2): treatment events / total, control events / total; the 2x2
# matrix handed to R is rbind(c(a, n1 - a), c(c, n2 - c)).
library(epitools)
options(digits = 15)
tables <- list(
  c(3, 4, 1, 4),       # Fisher's tea-tasting table (Agresti, Categorical Data Analysis)
  c(9, 13, 4, 14),     # Lampasona et al. 2013 (Fagerland, Lydersen & Laake 2017, ch. 4)
  c(7, 34, 1, 34),     # Perondi et al. 2004 (same book)
  c(0, 16, 15, 72),    # Ritland et al. 2007 (same book)
  c(64, 218, 83, 216), # CORE trial, readmission within 1 year
  c(2, 14, 1, 11)      # ORCI package example
)
for (tab in tables) {
  a <- tab[1]; n1 <- tab[2]; c <- tab[3]; n2 <- tab[4]
  m <- rbind(c(a, n1 - a), c(c, n2 - c))
  f <- fisher.test(m)
  # or.midp fails (uniroot: no sign change) when a cell is zero
  mp <- tryCatch(or.midp(m), error = function(e) list(estimate = NA, conf.int = c(NA, NA)))
  cat(sprintf("table %d/%d vs %d/%d\n", a, n1, c, n2))
  cat(sprintf("  fisher.test estimate %.10g conf.int %.10g %.10g p %.10g\n",
              f$estimate, f$conf.int[1], f$conf.int[2], f$p.value))
  cat(sprintf("  or.midp estimate %.10g conf.int %.10g %.10g\n",
              mp$estimate, mp$conf.int[1], mp$conf.int[2]))
  midp <- suppressWarnings(tab2by2.test(m)$p.value[2, "midp.exact"])
  cat(sprintf("  tab2by2.test midp.exact %.10g\n", midp))
}
