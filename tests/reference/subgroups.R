# Reference values for tests/test_subgroups.py: subgroup analyses of the simulated six-site
# CORE data set (src/rctkit/data/core_simulated.csv), computed with base R's glm and metafor
# (epitools is not installed here), written apart from rctkit. Run from the repository root:
#   Rscript tests/reference/subgroups.R > tests/reference/subgroups_r.txt
suppressPackageStartupMessages(library(metafor))
d <- read.csv("src/rctkit/data/core_simulated.csv")
d$treat <- as.integer(d$arm == "peer_support")
# The derived bands (the test derives them the same way).
d$age_band <- ifelse(d$age < 40, "18-39", ifelse(d$age < 60, "40-59", "60+"))
d$prior_band <- ifelse(d$prior_admissions <= 1, "0-1", ifelse(d$prior_admissions <= 3, "2-3", "4+"))
options(digits = 15)
# glm converged far past its default (epsilon 1e-8 on the deviance) so that 1e-9 is a fair test
tight <- glm.control(epsilon = 1e-15, maxit = 200)
for (f in c("site", "age_band", "prior_band")) {
  d$g <- factor(d[[f]])
  m0 <- glm(readmitted ~ treat + g, family = binomial, data = d, control = tight)
  m1 <- glm(readmitted ~ treat * g, family = binomial, data = d, control = tight)
  a <- anova(m0, m1, test = "LRT")
  cat(sprintf("factor %s LRT deviance %.15g df %d p %.15g\n", f, a$Deviance[2], a$Df[2],
              a[["Pr(>Chi)"]][2]))
  for (lv in levels(d$g)) {
    s <- d[d$g == lv, ]
    a1 <- sum(s$readmitted[s$treat == 1]); n1 <- sum(s$treat == 1)
    c1 <- sum(s$readmitted[s$treat == 0]); n2 <- sum(s$treat == 0)
    fit <- glm(readmitted ~ treat, family = binomial, data = s, control = tight)
    ci <- exp(confint.default(fit)["treat", ])
    # Woolf's odds ratio by its formula (glm's Wald interval must equal it)
    lor <- log(a1 * (n2 - c1) / (c1 * (n1 - a1)))
    sl <- sqrt(1 / a1 + 1 / (n1 - a1) + 1 / c1 + 1 / (n2 - c1))
    # Katz log risk ratio and Wald risk difference, by their formulas
    rr <- (a1 / n1) / (c1 / n2)
    se <- sqrt(1 / a1 - 1 / n1 + 1 / c1 - 1 / n2)
    rd <- a1 / n1 - c1 / n2
    sd <- sqrt(a1 / n1 * (1 - a1 / n1) / n1 + c1 / n2 * (1 - c1 / n2) / n2)
    z <- qnorm(0.975)
    cat(sprintf(paste("level %s %s counts %d/%d %d/%d glm_or %.15g %.15g %.15g",
                      "woolf_or %.15g %.15g %.15g rr %.15g %.15g %.15g rd %.15g %.15g %.15g\n"),
                f, lv, a1, n1, c1, n2, exp(coef(fit)["treat"]), ci[1], ci[2],
                exp(lor), exp(lor - qnorm(0.975) * sl), exp(lor + qnorm(0.975) * sl), rr, rr * exp(-z * se), rr * exp(z * se),
                rd, rd - z * sd, rd + z * sd))
  }
  # Breslow-Day and Tarone from metafor's Mantel-Haenszel fit
  tab <- aggregate(cbind(ai = readmitted * treat, n1i = treat, ci = readmitted * (1 - treat),
                         n2i = 1 - treat) ~ g, data = d, FUN = sum)
  mh <- rma.mh(ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = tab, measure = "OR")
  cat(sprintf("factor %s breslow-day %.15g p %.15g tarone %.15g p %.15g\n", f, mh$BD, mh$BDp,
              mh$TA, mh$TAp))
}
