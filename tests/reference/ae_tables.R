# Reference values for tests/test_ae_tables.py: the hand-made example's rows (participants with
# the event out of 50 treatment and 48 control participants; exposure 180 days each in the
# treatment arm, 200 in the control arm, in years of 365.25 days).
# Run: Rscript tests/reference/ae_tables.R > tests/reference/ae_tables_r.txt
rows <- list(
  any = c(17, 12), gi = c(10, 7), nausea = c(10, 3), vomiting = c(0, 4), headache = c(12, 5)
)
n1 <- 50; n2 <- 48
t1 <- n1 * 180 / 365.25; t2 <- n2 * 200 / 365.25
options(digits = 15)
for (name in names(rows)) {
  a <- rows[[name]][1]; c <- rows[[name]][2]
  f <- fisher.test(matrix(c(a, n1 - a, c, n2 - c), 2, byrow = TRUE))
  cat(sprintf("fisher %s p=%.15g\n", name, f$p.value))
  if (a + c > 0) {
    p <- poisson.test(c(a, c), c(t1, t2))
    cat(sprintf("poisson %s rr=%.15g low=%.15g high=%.15g p=%.15g\n", name, p$estimate,
                p$conf.int[1], p$conf.int[2], p$p.value))
  }
}
