# Reference for rctkit's exact unconditional non-inferiority test (method="exact", Chan 1998):
# R's exact2x2 (1.7.0, built from the cran/exact2x2 GitHub mirror with exactci and ssanv),
# uncondExact2x2(method="score"). exact2x2's parameter is group 2 against group 1, so the
# control arm is passed first and the treatment second.
# Run: Rscript tests/reference/margins_exact.R
suppressMessages(library(exact2x2))
f <- function(label, ...) {
  cat(label, format(uncondExact2x2(..., method = "score", conf.int = FALSE)$p.value,
                    digits = 12), "\n")
}
f("18/20 vs 17/21, RD margin -0.2, greater:", 17, 21, 18, 20, parmtype = "difference",
  nullparm = -0.2, alternative = "greater")
f("245/356 vs 270/370 (REPROVE), RD margin -0.125, greater:", 270, 370, 245, 356,
  parmtype = "difference", nullparm = -0.125, alternative = "greater")
f("9/11 vs 4/12, RR margin 0.8, greater:", 4, 12, 9, 11, parmtype = "ratio", nullparm = 0.8,
  alternative = "greater")
f("18/20 vs 17/21, RD margin 0.2, less:", 17, 21, 18, 20, parmtype = "difference",
  nullparm = 0.2, alternative = "less")
