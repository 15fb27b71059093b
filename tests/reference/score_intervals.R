# Score intervals for two independent binomial proportions, written from the papers in base R
# (independently of rctkit), for tests/test_score.py.
#
#   Rscript tests/reference/score_intervals.R
#
# Mee (1984) and Miettinen-Nurminen (1985) for the risk difference, Koopman (1984) and
# Miettinen-Nurminen for the risk ratio, Miettinen-Nurminen for the odds ratio. The nuisance
# parameter is fitted under each candidate effect by solving the restricted likelihood
# equation with uniroot (not by the closed forms rctkit uses), and the limits are the roots of
# z(effect) -+ qnorm(0.975), found with uniroot on the difference or on the log ratio.
# With R 4.x; prints one line per table and method with 15 significant digits.

tol <- 1e-15

# Maximise the restricted log likelihood over p2 in (lo, hi): the root of its derivative
# `score` (decreasing), or an end of the range where the derivative does not change sign.
fit_nuisance <- function(score, lo, hi) {
  eps <- 1e-13
  if (score(lo + eps) <= 0) return(lo)
  if (score(hi - eps) >= 0) return(hi)
  uniroot(score, c(lo + eps, hi - eps), tol = tol, maxiter = 1000)$root
}

term <- function(x, p) if (x == 0) 0 else x / p

z_rd <- function(a, n1, c, n2, delta, k) {
  b <- n1 - a; d <- n2 - c
  score <- function(p2) {
    p1 <- p2 + delta
    term(a, p1) - term(b, 1 - p1) + term(c, p2) - term(d, 1 - p2)
  }
  p2 <- fit_nuisance(score, max(0, -delta), min(1, 1 - delta))
  p1 <- p2 + delta
  (a / n1 - c / n2 - delta) / sqrt(k * (p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2))
}

z_rr <- function(a, n1, c, n2, phi, k) {
  b <- n1 - a; d <- n2 - c
  score <- function(p2) {
    term(a + c, p2) - term(b * phi, 1 - phi * p2) - term(d, 1 - p2)
  }
  p2 <- fit_nuisance(score, 0, min(1, 1 / phi))
  p1 <- phi * p2
  (a / n1 - phi * c / n2) / sqrt(k * (p1 * (1 - p1) / n1 + phi^2 * p2 * (1 - p2) / n2))
}

z_or <- function(a, n1, c, n2, psi, k) {
  # Fitted under the odds ratio the events are kept: n1 p1 + n2 p2 = a + c, in the
  # log odds `l` of the control arm.
  score <- function(l) a + c - n1 * plogis(l + log(psi)) - n2 * plogis(l)
  l <- uniroot(score, c(-60, 60), tol = tol, maxiter = 1000)$root
  p1 <- plogis(l + log(psi)); p2 <- plogis(l)
  (a - n1 * p1) / sqrt(k / (1 / (n1 * p1 * (1 - p1)) + 1 / (n2 * p2 * (1 - p2))))
}

limits <- function(measure, a, n1, c, n2, mn, level = 0.95) {
  z <- qnorm(1 - (1 - level) / 2)
  n <- n1 + n2
  k <- if (mn) n / (n - 1) else 1
  if (measure == "rd") {
    est <- a / n1 - c / n2
    f <- function(x) z_rd(a, n1, c, n2, x, k)
    e <- 1e-12
    low <- if (est > -1) uniroot(function(x) f(x) - z, c(-1 + e, est - e), tol = 1e-14,
                                 maxiter = 1000)$root else -1
    high <- if (est < 1) uniroot(function(x) f(x) + z, c(est + e, 1 - e), tol = 1e-14,
                                 maxiter = 1000)$root else 1
    return(c(est, low, high))
  }
  zf <- if (measure == "rr") z_rr else z_or
  est <- if (measure == "rr") (a / n1) / (c / n2) else (a * (n2 - c)) / ((n1 - a) * c)
  f <- function(t) zf(a, n1, c, n2, exp(t), k)
  centre <- max(min(log(est), 30), -30)  # an estimate of 0 or Inf: start the search far out
  low <- 0
  if (est > 0) {
    lo <- centre - 1
    while (f(lo) < z) lo <- lo - 1
    low <- exp(uniroot(function(t) f(t) - z, c(lo, centre - 1e-9), tol = 1e-14,
                       maxiter = 1000)$root)
  }
  high <- Inf
  if (is.finite(est)) {
    hi <- centre + 1
    while (f(hi) > -z) hi <- hi + 1
    high <- exp(uniroot(function(t) f(t) + z, c(centre + 1e-9, hi), tol = 1e-14,
                        maxiter = 1000)$root)
  }
  c(est, low, high)
}

tables <- list(c(56, 70, 48, 80), c(9, 10, 3, 10), c(7, 34, 1, 34), c(0, 16, 15, 72),
               c(9, 13, 4, 14), c(36, 40, 16, 80), c(64, 218, 83, 216), c(3, 5, 5, 5),
               c(5, 10, 10, 10), c(0, 10, 4, 25))
methods <- list(c("rd", "mee"), c("rd", "mn"), c("rr", "koopman"), c("rr", "mn"),
                c("or", "mn"))
for (t in tables) {
  for (m in methods) {
    r <- limits(m[1], t[1], t[2], t[3], t[4], mn = (m[2] == "mn"))
    cat(sprintf("(%d, %d, %d, %d) %s %s: %.15g %.15g %.15g\n", t[1], t[2], t[3], t[4],
                m[1], m[2], r[1], r[2], r[3]))
  }
}
