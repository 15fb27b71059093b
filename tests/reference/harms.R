# Reference values for rctkit's exact rate ratio (tests/test_report.py).
# Run: Rscript tests/reference/harms.R
f <- function(x) format(x, digits = 17)
for (case in list(c(29, 42, 100, 100), c(29, 42, 310.5, 287.25), c(0, 7, 50, 60), c(5, 0, 12, 30))) {
  p <- poisson.test(case[1:2], case[3:4])
  cat(case, "rr", f(unname(p$estimate)), "ci", f(p$conf.int[1]), f(p$conf.int[2]),
      "p", f(p$p.value), "\n")
}
