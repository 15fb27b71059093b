# Reference values for tests/test_stratified_defects.py (issue 14, defect 4): the adjusted odds
# ratio when one site has no events (quasi-separation in the site factor alone).
# Run from the repository root:
#   Rscript tests/reference/adjusted_separated_site.R > tests/reference/adjusted_separated_site_r.txt
# R 4.2.2, base stats and MASS only (brglm2/detectseparation are not installed on this machine,
# so the separation is shown by iterating glm: the site's coefficient runs off while the arm's
# coefficient and SE settle).
#
# Data: src/rctkit/data/core_simulated.csv with every `readmitted` set to 0 in one site: site
# "D" (a non-reference level) or site "A" (the reference level, sorted first).
# Model: readmitted ~ arm + prior_admissions + age + site, arm = 1 for peer_support.
suppressPackageStartupMessages(library(MASS))
show <- function(name, x) cat(sprintf("%s = %s\n", name, paste(format(x, digits = 15), collapse = ", ")))
d0 <- read.csv("src/rctkit/data/core_simulated.csv")
d0$arm <- as.numeric(d0$arm == "peer_support")
d0$site <- factor(d0$site)
for (s in c("D", "A")) {
  cat("## site", s, "has no events\n")
  d <- d0
  d$readmitted[d$site == s] <- 0
  f <- readmitted ~ arm + prior_admissions + age + site
  for (it in c(25, 50, 100)) {
    m <- suppressWarnings(glm(f, binomial, d, control = glm.control(epsilon = 1e-14, maxit = it)))
    sm <- summary(m)$coefficients
    show(sprintf("full glm maxit=%d arm coef, se", it), sm["arm", 1:2])
    show(sprintf("full glm maxit=%d site coefs", it), coef(m)[grep("^site", names(coef(m)))])
    show(sprintf("full glm maxit=%d logLik", it), as.numeric(logLik(m)))
  }
  # The limit: the site's participants fitted perfectly, i.e. the glm without them (its
  # factor re-levelled so that no empty level is left).
  r <- droplevels(d[d$site != s, ])
  m <- glm(f, binomial, r, control = glm.control(epsilon = 1e-14, maxit = 100))
  sm <- summary(m)$coefficients
  show("reduced glm arm coef, se", sm["arm", 1:2])
  show("reduced glm arm wald ci", exp(sm["arm", 1] + c(-1, 1) * qnorm(0.975) * sm["arm", 2]))
  show("reduced glm arm wald p", sm["arm", 4])
  show("reduced glm logLik", as.numeric(logLik(m)))
  show("reduced n", nrow(r))
  # Profile likelihood interval solved directly (uniroot on the constrained fits), and the
  # likelihood-ratio test of no arm effect.
  lmax <- as.numeric(logLik(m))
  lp <- function(psi) {
    as.numeric(logLik(glm(readmitted ~ prior_admissions + age + site, binomial, r,
                          offset = psi * r$arm, control = glm.control(epsilon = 1e-14, maxit = 100))))
  }
  g <- function(psi) 2 * (lmax - lp(psi)) - qchisq(0.95, 1)
  b <- sm["arm", 1]
  lo <- uniroot(g, c(b - 3 * sm["arm", 2], b), tol = 1e-12)$root
  hi <- uniroot(g, c(b, b + 3 * sm["arm", 2]), tol = 1e-12)$root
  show("reduced profile ci", exp(c(lo, hi)))
  show("reduced LR p", pchisq(2 * (lmax - lp(0)), 1, lower.tail = FALSE))
}
