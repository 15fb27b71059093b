# Reference for tests/test_power.py: Farrington and Manning's (1990) approximate power of the
# non-inferiority score test on the risk difference, written from the paper apart from rctkit.
# H0: p1 - p0 >= delta (a harmful event) against H1: p1 - p0 < delta, one-sided alpha.
# The variance under H0 uses the restricted MLE (p1~, p0~) with p1~ - p0~ = delta, fitted to the
# expected counts (n1 p1, n0 p0) by solving the score equation of the binomial log-likelihood with uniroot().
# power = pnorm((delta - d - z_{1-alpha} sd0) / sd1), sd1 the unpooled SD at the true risks.
# Run: Rscript tests/reference/power_farrington_manning.R > tests/reference/power_farrington_manning_r.txt
options(digits = 15)
fm_power <- function(p1, p0, n1, n0, delta, alpha) {
  a <- n1 * p1; c <- n0 * p0
  score <- function(q0) {  # derivative of the log-likelihood in q0, with q1 = q0 + delta
    q1 <- q0 + delta
    a / q1 - (n1 - a) / (1 - q1) + c / q0 - (n0 - c) / (1 - q0)
  }
  lo <- max(0, -delta); hi <- min(1, 1 - delta)
  q0 <- uniroot(score, c(lo + 1e-12, hi - 1e-12), tol = 1e-15)$root
  q1 <- q0 + delta
  sd0 <- sqrt(q1 * (1 - q1) / n1 + q0 * (1 - q0) / n0)
  sd1 <- sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
  pnorm((delta - (p1 - p0) - qnorm(1 - alpha) * sd0) / sd1)
}
cat("# p_treatment p_control n_treatment n_control margin alpha power\n")
cases <- list(c(0.3, 0.3, 200, 200, 0.1, 0.025), c(0.2, 0.25, 150, 100, 0.05, 0.05),
              c(0.6, 0.55, 300, 300, 0.1, 0.025))
for (x in cases) {
  cat(sprintf("%.2f %.2f %d %d %.2f %.3f %.15f\n", x[1], x[2], as.integer(x[3]),
              as.integer(x[4]), x[5], x[6], fm_power(x[1], x[2], x[3], x[4], x[5], x[6])))
}
