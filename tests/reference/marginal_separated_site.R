# Reference values for tests/test_marginal_separation.py: the marginal (g-computation) effect
# when one site has no events (quasi-separation in the site factor alone).
# Run from the repository root:
#   Rscript tests/reference/marginal_separated_site.R > tests/reference/marginal_separated_site_r.txt
# R 4.2.2, base stats only (beeca is not installed on this machine).
#
# Data: src/rctkit/data/core_simulated.csv with every `readmitted` set to 0 in site "D" (a
# non-reference level) or site "A" (the reference level), as in adjusted_separated_site.R.
# Model: readmitted ~ arm + prior_admissions + age + site on ALL 434 participants; the site's
# coefficient runs off (about -26 to -31) and its participants' predictions are ~1e-11 or less;
# then the limit fitted directly (the glm on the other sites, the site predicted 0). With site
# "A" (the reference level) separated, vcov of the full glm loses digits (every other site's
# coefficient is near +31, the intercept near -31): its Ge SE moves in the 5th digit between
# maxit 25 and 50, so the limit fit is the 1e-8 reference and the full glm a check to 1e-4.
# Standardised risks: predict(type = "response") with arm set to 1 and to 0 for everyone,
# averaged over all participants. Variances (2 x 2, of (m1, m0)), all from the full glm:
#   ge:       G vcov(m) G', G[a, ] = colMeans(p_a (1 - p_a) X_a)  (Ge et al. 2011, model-based)
#   ge-hc0:   G V_hc0 G', V_hc0 = vcov(m) crossprod(s) vcov(m), s_i = x_i (y_i - mu_i)
#   sandwich: n^-2 sum_i phi_i phi_i', phi_ai = p_ai - m_a + n G_a vcov(m) s_i
#   ye:       Ye et al. (2023) as beeca's varcov_ye writes it (sample covariances)
show <- function(name, x) cat(sprintf("%s = %s\n", name, paste(format(x, digits = 15), collapse = ", ")))
d0 <- read.csv("src/rctkit/data/core_simulated.csv")
d0$arm <- as.numeric(d0$arm == "peer_support")
d0$site <- factor(d0$site)
f <- readmitted ~ arm + prior_admissions + age + site
ye <- function(y, t, p1, p0) {
  n <- length(y); pi <- c(mean(t == 1), mean(t == 0)); preds <- list(p1, p0)
  arms <- list(t == 1, t == 0); V <- matrix(0, 2, 2)
  for (a in 1:2) {
    ya <- y[arms[[a]]]; pa <- preds[[a]][arms[[a]]]
    c_a <- cov(ya, pa); vp <- var(preds[[a]])
    V[a, a] <- (var(ya) - 2 * c_a + vp) / pi[a] + 2 * c_a - vp
  }
  V[1, 2] <- V[2, 1] <- cov(y[t == 1], p0[t == 1]) + cov(y[t == 0], p1[t == 0]) - cov(p1, p0)
  V / n
}
report <- function(y, t, p1, p0, X1, X0, X, mu, V, n) {
  m1 <- mean(p1); m0 <- mean(p0)
  show("m1, m0", c(m1, m0))
  k <- nrow(X)  # the rows with a score: all, or those of the reduced glm (listed first)
  q1 <- p1[1:k]; q0 <- p0[1:k]
  G <- rbind(colSums(q1 * (1 - q1) * X1), colSums(q0 * (1 - q0) * X0)) / n
  sc <- X * (y[1:k] - mu)
  vs <- list(
    ge = G %*% V %*% t(G),
    `ge-hc0` = G %*% (V %*% crossprod(sc) %*% V) %*% t(G),
    sandwich = {
      phi <- cbind(p1 - m1, p0 - m0)
      phi[1:k, ] <- phi[1:k, ] + n * sc %*% V %*% t(G)
      crossprod(phi) / n^2
    },
    ye = ye(y, t, p1, p0)
  )
  grads <- list(
    risk_difference = c(1, -1),
    risk_ratio = c(1 / m1, -1 / m0),
    odds_ratio = c(1 / (m1 * (1 - m1)), -1 / (m0 * (1 - m0)))
  )
  show("estimates rd, rr, or", c(m1 - m0, m1 / m0, (m1 / (1 - m1)) / (m0 / (1 - m0))))
  for (v in names(vs)) {
    se <- sapply(grads, function(g) sqrt(drop(t(g) %*% vs[[v]] %*% g)))
    show(sprintf("%s se rd, log rr, log or", v), se)
  }
}
for (s in c("D", "A")) {
  d <- d0
  d$readmitted[d$site == s] <- 0
  n <- nrow(d)
  d1 <- d; d1$arm <- 1
  da <- d; da$arm <- 0
  for (it in c(25, 50, 100)) {
    cat(sprintf("## site %s has no events, full glm maxit=%d\n", s, it))
    m <- suppressWarnings(glm(f, binomial, d, control = glm.control(epsilon = 1e-14, maxit = it)))
    show("site coefs", coef(m)[grep("^site", names(coef(m)))])
    p1 <- predict(m, d1, type = "response"); p0 <- predict(m, da, type = "response")
    show("largest prediction in the site", max(c(p1[d$site == s], p0[d$site == s])))
    report(d$readmitted, d$arm, p1, p0, model.matrix(f, d1), model.matrix(f, da),
           model.matrix(f, d), fitted(m), vcov(m), n)
  }
  # The limit directly: glm on the other sites (factor re-levelled), their predictions from
  # it, the site's participants predicted 0 under both arms, every mean over all n; the
  # site's rows carry no score (listed last).
  cat(sprintf("## site %s has no events, limit: reduced glm, site predicted 0\n", s))
  keep <- d$site != s
  r <- droplevels(d[keep, ]); r1 <- r; r1$arm <- 1; ra <- r; ra$arm <- 0
  m <- glm(f, binomial, r, control = glm.control(epsilon = 1e-14, maxit = 100))
  p1 <- c(predict(m, r1, type = "response"), rep(0, sum(!keep)))
  p0 <- c(predict(m, ra, type = "response"), rep(0, sum(!keep)))
  report(c(r$readmitted, d$readmitted[!keep]), c(r$arm, d$arm[!keep]), p1, p0,
         model.matrix(f, r1), model.matrix(f, ra), model.matrix(f, r), fitted(m), vcov(m), n)
}
