# Reference values for tests/test_adjusted.py (rctkit issue 5: covariate-adjusted analyses).
# Run from the repository root: Rscript tests/reference/adjusted.R > tests/reference/adjusted_r.txt
# R 4.2.2, MASS 7.3-58.2, lme4 1.1-31, brglm2 0.9, numDeriv 2016.8-1.1.
#
# Data: src/rctkit/data/core_simulated.csv (tests/reference/simulate_core.py), the simulated
# six-site trial shaped like CORE. Model: readmitted ~ arm + prior_admissions + age + site,
# arm = 1 for peer_support, site dummy coded against "A".
#
# Printed with 15 significant digits:
#   1. glm: coefficients, SEs, Wald CI and p of the arm, logLik, LR test (drop1, test = "LRT"),
#      and MASS::confint (profile likelihood, spline-interpolated on a grid).
#   2. The same profile interval solved directly: the constrained fit glm(..., offset = psi*arm)
#      with epsilon = 1e-14, and uniroot on 2 (l_max - l_p(psi)) - qchisq(level, 1) with
#      tol 1e-12: an independent check of MASS's interpolation.
#   3. brglm2 (type = "MPL_Jeffreys": Firth's penalised likelihood): coefficients and SEs; and
#      the profile penalised-likelihood interval and penalised LR test computed here as logistf
#      does (logistf is not installed): l*(beta) = l(beta) + 1/2 log det X'WX with the full
#      model's X, the constrained maximum by brglm2 with the arm as an offset is NOT the same
#      thing (its penalty would drop the arm's column), so the constrained maximum is found by
#      optim (BFGS, analytic gradient = Firth's modified score, reltol 1e-15) instead.
#   4. lme4::glmer(readmitted ~ arm + prior_admissions + age + (1 | site), nAGQ = 10): fixed
#      effects, SEs (vcov, Hessian-based), site variance, logLik; default control and a
#      tighter one (bobyqa, rhobeg/rhoend 2e-3/1e-10) to show the optimiser's own noise.
#   5. Marginal effects by g-computation, written here: mean fitted risks with everyone
#      treated / control, delta method with the Jacobian from numDeriv::jacobian, and
#      (a) model-based vcov (Ge et al. 2011); (b) the stacked estimating-equation sandwich
#      A^-1 B A^-T / n with A = numerical Jacobian of the mean estimating function and
#      B = mean of psi_i psi_i' (Stefanski & Boos 2002).
#   6. A small data set (the first 40 rows of site A) with a covariate that separates the
#      outcome, for the separation error and the Firth fit there (brglm2).
suppressPackageStartupMessages({
  library(MASS)
  library(lme4)
  library(brglm2)
  library(numDeriv)
})
options(digits = 15)
show <- function(name, x) cat(sprintf("%s = %s\n", name, paste(format(x, digits = 15), collapse = ", ")))

d <- read.csv("src/rctkit/data/core_simulated.csv")
d$arm <- factor(d$arm, levels = c("control", "peer_support"))
d$site <- factor(d$site)
d$t <- as.numeric(d$arm == "peer_support")
level <- 0.95
q <- qchisq(level, 1)

# 1. glm and MASS::confint ------------------------------------------------------------------
f <- readmitted ~ t + prior_admissions + age + site
fit <- glm(f, family = binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
cat("## glm\n")
show("coef", coef(fit))
show("se", sqrt(diag(vcov(fit))))
show("loglik", as.numeric(logLik(fit)))
se_t <- sqrt(vcov(fit)["t", "t"])
show("wald_ci", exp(coef(fit)["t"] + c(-1, 1) * qnorm(0.975) * se_t))
show("wald_p", summary(fit)$coefficients["t", 4])
lrt <- drop1(fit, "t", test = "LRT")
show("lr_stat", lrt$LRT[2])
show("lr_p", lrt[["Pr(>Chi)"]][2])
show("mass_confint", exp(suppressMessages(confint(fit, "t"))))
show("mass_confint_90", exp(suppressMessages(confint(fit, "t", level = 0.90))))

# 2. the profile interval solved directly ----------------------------------------------------
lmax <- as.numeric(logLik(fit))
Xall <- model.matrix(fit)
X_rest <- Xall[, colnames(Xall) != "t"]
lp <- function(psi) {
  g <- glm.fit(X_rest, d$readmitted, family = binomial(), offset = psi * d$t,
               control = glm.control(epsilon = 1e-15, maxit = 100))
  sum(d$readmitted * g$linear.predictors - log1p(exp(g$linear.predictors)))
}
prof_ci <- function(lev) {
  qq <- qchisq(lev, 1)
  h <- function(psi) 2 * (lmax - lp(psi)) - qq
  b <- coef(fit)["t"]
  c(uniroot(h, c(b - 2, b), tol = 1e-12)$root, uniroot(h, c(b, b + 2), tol = 1e-12)$root)
}
cat("## profile solved directly\n")
show("profile_ci", exp(prof_ci(0.95)))
show("profile_ci_90", exp(prof_ci(0.90)))

# 3. Firth --------------------------------------------------------------------------------
cat("## firth\n")
ffit <- glm(f, family = binomial, data = d, method = "brglmFit", type = "MPL_Jeffreys",
            epsilon = 1e-12, maxit = 500)
show("firth_coef", coef(ffit))
show("firth_se", sqrt(diag(vcov(ffit))))
y <- d$readmitted
pen_ll <- function(beta, X) {
  eta <- drop(X %*% beta)
  p <- plogis(eta)
  w <- p * (1 - p)
  sum(y * eta - log1p(exp(eta))) + 0.5 * as.numeric(determinant(crossprod(X * sqrt(w)))$modulus)
}
pen_score <- function(beta, X) {
  eta <- drop(X %*% beta)
  p <- plogis(eta)
  w <- p * (1 - p)
  XW <- X * sqrt(w)
  h <- rowSums((XW %*% solve(crossprod(XW))) * XW)
  drop(crossprod(X, y - p + h * (0.5 - p)))
}
k <- which(colnames(Xall) == "t")
bhat <- coef(ffit)
lstar_max <- pen_ll(bhat, Xall)
lstar_p <- function(psi) {
  start <- bhat[-k]
  full <- function(b) { bb <- numeric(ncol(Xall)); bb[-k] <- b; bb[k] <- psi; bb }
  o <- optim(start, function(b) -pen_ll(full(b), Xall), function(b) -pen_score(full(b), Xall)[-k],
             method = "BFGS", control = list(reltol = 1e-15, maxit = 1000))
  -o$value
}
hf <- function(psi) 2 * (lstar_max - lstar_p(psi)) - q
bk <- bhat[k]
firth_ci <- c(uniroot(hf, c(bk - 2, bk), tol = 1e-11)$root, uniroot(hf, c(bk, bk + 2), tol = 1e-11)$root)
show("firth_loglik_pen", lstar_max)
show("firth_profile_ci", exp(firth_ci))
firth_lr <- 2 * (lstar_max - lstar_p(0))
show("firth_lr_stat", firth_lr)
show("firth_lr_p", pchisq(firth_lr, 1, lower.tail = FALSE))

# 4. lme4 ---------------------------------------------------------------------------------
cat("## glmer nAGQ = 10\n")
fr <- readmitted ~ t + prior_admissions + age + (1 | site)
for (ctl in list(default = glmerControl(),
                 tight = glmerControl(optimizer = "bobyqa",
                                      optCtrl = list(rhobeg = 2e-3, rhoend = 1e-10, maxfun = 1e5)))) {
  g <- glmer(fr, family = binomial, data = d, nAGQ = 10, control = ctl)
  show("glmer_fixef", fixef(g))
  show("glmer_se", sqrt(diag(as.matrix(vcov(g)))))
  show("glmer_site_var", as.numeric(VarCorr(g)$site))
  show("glmer_loglik", as.numeric(logLik(g)))
}
g1 <- glmer(fr, family = binomial, data = d, nAGQ = 1,
            control = glmerControl(optimizer = "bobyqa",
                                   optCtrl = list(rhobeg = 2e-3, rhoend = 1e-10, maxfun = 1e5)))
cat("## glmer Laplace (nAGQ = 1, tight bobyqa)\n")
show("laplace_fixef", fixef(g1))
show("laplace_se", sqrt(diag(as.matrix(vcov(g1)))))
show("laplace_site_var", as.numeric(VarCorr(g1)$site))
t0 <- proc.time()[["elapsed"]]
for (i in 1:5) glmer(fr, family = binomial, data = d, nAGQ = 10)
show("glmer_nagq10_seconds_per_fit", (proc.time()[["elapsed"]] - t0) / 5)

# 5. marginal effects by g-computation --------------------------------------------------------
cat("## marginal effects (covariates prior_admissions, age; factor site)\n")
X1 <- Xall; X1[, "t"] <- 1
X0 <- Xall; X0[, "t"] <- 0
b <- coef(fit)
n <- nrow(Xall)
risks <- function(beta) c(mean(plogis(X1 %*% beta)), mean(plogis(X0 %*% beta)))
m <- risks(b)
show("risks", m)
G <- jacobian(risks, b)
V_model <- G %*% vcov(fit) %*% t(G)
# stacked estimating equations psi_i(beta, m1, m0)
psi_i <- function(theta) {
  beta <- theta[seq_len(ncol(Xall))]
  mu <- drop(plogis(Xall %*% beta))
  cbind(Xall * (y - mu), drop(plogis(X1 %*% beta)) - theta[ncol(Xall) + 1],
        drop(plogis(X0 %*% beta)) - theta[ncol(Xall) + 2])
}
theta <- c(b, m)
A <- -jacobian(function(th) colMeans(psi_i(th)), theta)
Bm <- crossprod(psi_i(theta)) / n
V_all <- solve(A) %*% Bm %*% t(solve(A)) / n
V_sand <- V_all[ncol(Xall) + 1:2, ncol(Xall) + 1:2]
contrasts <- list(
  risk_difference = function(m) m[1] - m[2],
  risk_ratio = function(m) log(m[1]) - log(m[2]),
  odds_ratio = function(m) qlogis(m[1]) - qlogis(m[2])
)
for (nm in names(contrasts)) {
  h <- contrasts[[nm]]
  est <- h(m)
  gr <- jacobian(h, m)
  for (vn in c("model", "sandwich")) {
    V <- if (vn == "model") V_model else V_sand
    se <- sqrt(drop(gr %*% V %*% t(gr)))
    show(sprintf("%s_%s_est_se", nm, vn), c(est, se))
  }
}

# 6. separation --------------------------------------------------------------------------
cat("## separated small data set\n")
s <- d[d$site == "A", ][1:40, ]
s$z <- ifelse(s$readmitted == 1, s$age + 100, s$age)   # separates the outcome completely
sf <- glm(readmitted ~ t + z, family = binomial, data = s, method = "brglmFit",
          type = "MPL_Jeffreys", epsilon = 1e-12, maxit = 500)
show("sep_firth_coef", coef(sf))
show("sep_firth_se", sqrt(diag(vcov(sf))))
show("sep_participants", s$participant)

# 7. profile likelihood of the random-intercept model, by glmer with the arm as an offset ------
cat("## glmer nAGQ = 10 profile interval (constrained fits with offset(psi * t), uniroot)\n")
ctl <- glmerControl(optimizer = "bobyqa", optCtrl = list(rhobeg = 2e-3, rhoend = 1e-10, maxfun = 1e5))
gfull <- glmer(fr, family = binomial, data = d, nAGQ = 10, control = ctl)
gmax <- as.numeric(logLik(gfull))
glp <- function(psi) {
  d$off <- psi * d$t
  as.numeric(logLik(glmer(readmitted ~ prior_admissions + age + (1 | site) + offset(off),
                          family = binomial, data = d, nAGQ = 10, control = ctl)))
}
gh <- function(psi) 2 * (gmax - glp(psi)) - q
gb <- fixef(gfull)["t"]
gci <- c(uniroot(gh, c(gb - 1, gb), tol = 1e-9)$root, uniroot(gh, c(gb, gb + 1), tol = 1e-9)$root)
show("glmer_profile_ci", exp(gci))
glr <- 2 * (gmax - glp(0))
show("glmer_lr_stat_p", c(glr, pchisq(glr, 1, lower.tail = FALSE)))
