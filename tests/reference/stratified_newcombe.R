# Reference values for tests/test_stratified_newcombe.py, written apart from rctkit's kernels.
# Run: Rscript tests/reference/stratified_newcombe.R > tests/reference/stratified_newcombe_r.txt
# Each data set is a list of strata (a, n1, c, n2): treatment events/total, control events/total.
#
# 1. Stratified Newcombe interval for the common risk difference (Yan and Su 2010): Mantel-
#    Haenszel weights w_h = n1 n2 / N, normalised. For each arm i the adjusted quantile is
#    z*_i = z sqrt(sum w^2 v_hi) / sum(w sqrt(v_hi)) with v_hi = p_hi (1 - p_hi) / n_hi (z when
#    every v_hi is 0); the stratified Wilson limits L_i, U_i are the weighted sums of the
#    strata's Wilson limits at level 2 pnorm(z*_i) - 1 (stats::prop.test(correct = FALSE),
#    R's Wilson score interval); lambda_i = sum w^2 / n_hi; d = sum w p1 - sum w p2;
#    L = d - z sqrt(lambda1 L1 (1 - L1) + lambda2 U2 (1 - U2)),
#    U = d + z sqrt(lambda1 U1 (1 - U1) + lambda2 L2 (1 - L2)).
#    (The construction of tern::prop_diff_strat_nc with weights_method = "cmh", re-written here.)
# 2. The Mantel-Haenszel risk difference with Sato's variance, from the formula of Sato (1989)
#    as printed in the SAS PROC FREQ documentation ("Common Risk Difference").
# 3. The Mantel-Fleiss criterion (Mantel and Fleiss 1980): E = sum n1 m1 / N;
#    MF = min(E - sum max(0, m1 - n2), sum min(n1, m1) - E).
sets <- list(
  three = list(c(10, 50, 20, 50), c(15, 40, 18, 35), c(3, 12, 1, 14)),
  sparse = list(c(0, 5, 2, 6), c(1, 4, 3, 5), c(2, 3, 0, 4), c(1, 6, 1, 6)),
  core_sites = list(c(15, 55, 19, 49), c(16, 42, 13, 42), c(10, 42, 20, 43),
                    c(3, 28, 8, 35), c(12, 27, 11, 24), c(8, 24, 12, 23)),
  zeros = list(c(0, 10, 0, 12), c(0, 8, 3, 9), c(5, 5, 4, 6)),
  one = list(c(64, 218, 83, 216))
)
f <- function(x) format(x, digits = 17)
wilson <- function(x, n, level) {
  as.numeric(suppressWarnings(prop.test(x, n, correct = FALSE, conf.level = level)$conf.int))
}
for (name in names(sets)) {
  m <- do.call(rbind, sets[[name]])
  a <- m[, 1]; n1 <- m[, 2]; c <- m[, 3]; n2 <- m[, 4]; N <- n1 + n2
  cat("##", name, "\n")
  w <- n1 * n2 / N
  w <- w / sum(w)
  for (level in c(0.95, 0.9)) {
    z <- qnorm((1 + level) / 2)
    arm <- function(x, n) {
      v <- (x / n) * (1 - x / n) / n
      zs <- if (sum(w * sqrt(v)) > 0) z * sqrt(sum(w^2 * v)) / sum(w * sqrt(v)) else z
      lim <- sapply(seq_along(x), function(h) wilson(x[h], n[h], 2 * pnorm(zs) - 1))
      list(p = sum(w * x / n), L = sum(w * lim[1, ]), U = sum(w * lim[2, ]),
           lambda = sum(w^2 / n))
    }
    t1 <- arm(a, n1); t2 <- arm(c, n2)
    d <- t1$p - t2$p
    lo <- d - z * sqrt(t1$lambda * t1$L * (1 - t1$L) + t2$lambda * t2$U * (1 - t2$U))
    hi <- d + z * sqrt(t1$lambda * t1$U * (1 - t1$U) + t2$lambda * t2$L * (1 - t2$L))
    cat("newcombe level", level, "est", f(d), "ci", f(lo), f(hi), "\n")
  }
  # Sato's variance.
  W <- sum(n1 * n2 / N)
  dmh <- sum((a * n2 - c * n1) / N) / W
  P <- sum((n1^2 * c - n2^2 * a + n1 * n2 * (n2 - n1) / 2) / N^2)
  Q <- sum((a * (n2 - c) + c * (n1 - a)) / (2 * N))
  se <- sqrt((dmh * P + Q) / W^2)
  z <- qnorm(0.975)
  cat("sato est", f(dmh), "se", f(se), "ci", f(dmh - z * se), f(dmh + z * se), "\n")
  # Mantel-Fleiss.
  m1 <- a + c
  E <- sum(n1 * m1 / N)
  lower <- E - sum(pmax(0, m1 - n2))
  upper <- sum(pmin(n1, m1)) - E
  cat("mantel_fleiss", f(min(lower, upper)), "lower", f(lower), "upper", f(upper),
      "passes", min(lower, upper) > 5, "\n")
}
