# Berger-Boos (gamma = 1e-6) p-value of exact2x2 1.7.0 for 10/35 vs 24/61, central score test
# of no difference (tests/test_exact_unconditional.py::test_berger_boos_exact2x2).
# Run: Rscript tests/reference/exact_unconditional_bb.R > tests/reference/exact_unconditional_bb_r.txt
suppressMessages(library(exact2x2))
for (g in c(100, 2000)) {
  r <- uncondExact2x2(10, 35, 24, 61, parmtype = "difference", method = "score",
                      tsmethod = "central", gamma = 1e-6, conf.int = FALSE,
                      control = ucControl(nPgrid = g))
  cat(sprintf("nPgrid=%d gamma=1e-6 p=%.10g\n", g, r$p.value))
}
