# Reference values for tests/test_likelihood.py (rctkit issue 3: profile and Firth odds ratios,
# Wald and likelihood-ratio tests). Run: Rscript tests/reference/likelihood.R
# R 4.2.2, MASS 7.3-58.2 (confint.glm: profile likelihood, spline-interpolated), brglm2 0.9.
#
# Tables are (a, n1, c, n2): treatment events / total, control events / total; the logistic
# model is logit P(event) = alpha + psi * arm with arm = 1 for treatment, so psi = log OR.
#
# Besides glm / MASS / brglm2, this script has its own profile code, independent of rctkit's:
#   * profile: the intercept is solved from its score equation with uniroot (tol 1e-15),
#     the log-likelihood is summed directly, the limits solved with uniroot (tol 1e-13);
#   * Firth: logistf's algorithm written out (logistf is not installed): the penalised
#     log-likelihood l + 0.5 log det(X'WX) computed from the design matrix, the intercept
#     solved from Firth's modified score sum_i [y_i - n_i p_i + h_i (1/2 - p_i)] (h_i the
#     hat values), the maximum over psi by optimize, the limits and the penalised LR test
#     from 2 (l*_max - l*_p(psi)).
suppressPackageStartupMessages({
  library(MASS)
  library(brglm2)
})

tables <- list(
  core = c(64, 218, 83, 216),        # CORE trial (Johnson et al., Lancet 2018)
  aspirin = c(189, 11034, 104, 11037),  # Physicians' Health Study: placebo vs aspirin, MI
  small1 = c(2, 15, 9, 14),
  small2 = c(12, 20, 5, 21),
  zero_a = c(0, 20, 4, 20),          # no events in the treatment arm
  zero_c = c(6, 10, 0, 12),          # no events in the control arm
  all_a = c(5, 5, 3, 10),            # every treated participant had the event
  zero_ad = c(0, 6, 4, 4)            # a = 0 and d = 0 (OR = 0, both arms separated)
)
levels <- c(0.95, 0.90, 0.99)
X <- cbind(1, c(1, 0))

fmt <- function(x) sprintf("%.15g", x)

loglik <- function(alpha, psi, y, n) {
  eta <- alpha + X[, 2] * psi
  sum(ifelse(y > 0, y * plogis(eta, log.p = TRUE), 0) +
        ifelse(n - y > 0, (n - y) * plogis(-eta, log.p = TRUE), 0))
}

alpha_hat <- function(psi, y, n) {
  score <- function(al) sum(y) - sum(n * plogis(al + X[, 2] * psi))
  uniroot(score, c(-30, 30), tol = 1e-15, maxiter = 1000, extendInt = "downX")$root
}

profile_dev <- function(psi, y, n, lmax) 2 * (lmax - loglik(alpha_hat(psi, y, n), psi, y, n))

profile_limits <- function(y, n, level) {
  q <- qchisq(level, 1)
  p <- y / n
  lmax <- sum(ifelse(y > 0, y * log(p), 0) + ifelse(n - y > 0, (n - y) * log(1 - p), 0))
  psi_hat <- log(y[1]) + log(n[2] - y[2]) - log(n[1] - y[1]) - log(y[2])
  f <- function(psi) profile_dev(psi, y, n, lmax) - q
  lo <- if (is.finite(psi_hat) || psi_hat > 0) {
    start <- if (is.finite(psi_hat)) psi_hat else 0
    uniroot(f, c(start - 30, if (is.finite(psi_hat)) psi_hat else 20), tol = 1e-13,
            maxiter = 1000)$root
  } else -Inf
  hi <- if (is.finite(psi_hat) || psi_hat < 0) {
    uniroot(f, c(if (is.finite(psi_hat)) psi_hat else -20,
                 (if (is.finite(psi_hat)) psi_hat else 0) + 30), tol = 1e-13,
            maxiter = 1000)$root
  } else Inf
  c(exp(lo), exp(hi))
}

# ---- Firth, logistf's way ----
pen_loglik <- function(alpha, psi, y, n) {
  eta <- alpha + X[, 2] * psi
  W <- diag(n * plogis(eta) * plogis(-eta))
  loglik(alpha, psi, y, n) + 0.5 * log(det(t(X) %*% W %*% X))
}

firth_alpha <- function(psi, y, n) {
  score <- function(al) {
    eta <- al + X[, 2] * psi
    p <- plogis(eta)
    w <- n * p * plogis(-eta)
    Xw <- X * sqrt(w)
    h <- rowSums(qr.Q(qr(Xw))^2)  # hat values, by QR (stable for tiny weights)
    sum(y - n * p + h * (0.5 - p))
  }
  uniroot(score, c(-30, 30), tol = 1e-15, maxiter = 1000, extendInt = "downX")$root
}

pen_profile <- function(psi, y, n) pen_loglik(firth_alpha(psi, y, n), psi, y, n)

firth_all <- function(y, n, levels) {
  opt <- optimize(function(psi) -pen_profile(psi, y, n), c(-20, 20), tol = 1e-12)
  psi_star <- opt$minimum
  lmax <- -opt$objective
  out <- c(estimate = exp(psi_star))
  for (level in levels) {
    q <- qchisq(level, 1)
    f <- function(psi) 2 * (lmax - pen_profile(psi, y, n)) - q
    lo <- uniroot(f, c(psi_star - 30, psi_star), tol = 1e-13, maxiter = 1000)$root
    hi <- uniroot(f, c(psi_star, psi_star + 30), tol = 1e-13, maxiter = 1000)$root
    out[paste0("low", level)] <- exp(lo)
    out[paste0("high", level)] <- exp(hi)
  }
  plr <- 2 * (lmax - pen_profile(0, y, n))
  c(out, plr = plr, plr_p = pchisq(plr, 1, lower.tail = FALSE))
}

for (name in names(tables)) {
  t <- tables[[name]]
  y <- c(t[1], t[3]); n <- c(t[2], t[4])
  d <- data.frame(arm = c(1, 0), ev = y, nev = n - y)
  cat("##", name, paste(t, collapse = " "), "\n")
  fit <- suppressWarnings(glm(cbind(ev, nev) ~ arm, family = binomial, data = d,
                              control = glm.control(epsilon = 1e-14, maxit = 100)))
  co <- summary(fit)$coefficients
  cat("glm estimate", fmt(exp(coef(fit)[2])), "wald_z", fmt(co[2, 3]), "wald_p", fmt(co[2, 4]),
      "\n")
  an <- anova(fit, test = "LRT")
  cat("glm lr_stat", fmt(an$Deviance[2]), "lr_p", fmt(an$`Pr(>Chi)`[2]), "\n")
  for (level in levels) {
    ci <- tryCatch(suppressWarnings(suppressMessages(
      exp(confint(fit, "arm", level = level)))), error = function(e) c(NA, NA))
    own <- profile_limits(y, n, level)
    cat("level", level, "MASS_confint", fmt(ci[1]), fmt(ci[2]), "own_profile", fmt(own[1]),
        fmt(own[2]), "\n")
  }
  br <- glm(cbind(ev, nev) ~ arm, family = binomial, data = d, method = "brglmFit",
            type = "AS_mean", epsilon = 1e-12, maxit = 1000)
  haldane <- (t[1] + 0.5) * (t[4] - t[3] + 0.5) / ((t[2] - t[1] + 0.5) * (t[3] + 0.5))
  cat("brglm2_AS_mean", fmt(exp(coef(br)[2])), "haldane", fmt(haldane), "\n")
  fa <- firth_all(y, n, levels)
  cat("firth_own", paste(names(fa), fmt(fa), collapse = " "), "\n")
}
