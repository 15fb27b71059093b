# Reference values for tests/test_marginal_variance.py: beeca 0.2.0 (CRAN, LGPL-3; installed from
# the CRAN mirror github:cran/beeca into a user library) on its own example data `trial01`, plus the
# Ge et al. (2011) paper's R code (reproduced in beeca's vignette) and beeca's stored SAS outputs.
# Run:  R_LIBS_USER=.Rlib Rscript tests/reference/marginal_variance_beeca.R > tests/reference/marginal_variance_beeca.txt
# Also writes tests/reference/beeca_trial01.csv (beeca's trial01 without its one missing outcome;
# bl_cov_c2 = integer code of cut(bl_cov, 4), the stratification factor of beeca's own tests).
suppressPackageStartupMessages({library(beeca); library(sandwich)})
options(digits = 15)
data01 <- trial01 |> transform(trtp = as.factor(trtp)) |> dplyr::filter(!is.na(aval))
data01$bl_cov_c2 <- factor(as.integer(cut(data01$bl_cov, 4)))
out <- data.frame(usubjid = data01$usubjid, aval = data01$aval, trtp = as.integer(as.character(data01$trtp)),
                  bl_cov = sprintf("%.17g", data01$bl_cov), bl_cov_c2 = as.integer(data01$bl_cov_c2))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(sub("--file=", "", args[grep("--file=", args)]))
write.csv(out, file.path(here, "beeca_trial01.csv"), row.names = FALSE, quote = FALSE)
cat("n =", nrow(data01), "\n")

show <- function(label, fit, ...) {
  for (contrast in c("diff", "logrr", "logor")) {
    r <- get_marginal_effect(fit, trt = "trtp", contrast = contrast, reference = "0", ...)
    cat(sprintf("%-28s %-6s est = %.15g  se = %.15g\n", label, contrast, r$marginal_est, r$marginal_se))
  }
}
fit1 <- glm(aval ~ trtp + bl_cov, family = "binomial", data = data01)
show("Ge model-based", fit1, method = "Ge", type = "model-based")
show("Ge HC0", fit1, method = "Ge", type = "HC0")
show("Ye", fit1, method = "Ye")
r <- get_marginal_effect(fit1, trt = "trtp", contrast = "diff", reference = "0", method = "Ye")
cat(sprintf("risks: treated %.15g control %.15g\n", r$counterfactual.means[["1"]], r$counterfactual.means[["0"]]))

fit2 <- glm(aval ~ trtp + bl_cov + bl_cov_c2, family = "binomial", data = data01)
show("Ye (no strata), fit2", fit2, method = "Ye")
suppressWarnings(show("Ye strata=bl_cov_c2, fit2", fit2, method = "Ye", strata = "bl_cov_c2"))
show("Ge model-based, fit2", fit2, method = "Ge", type = "model-based")

# Ge et al. (2011) paper's own R code (as in beeca's vignette): model-based vcov(glm)
pder <- function(ahat, vc, x) {
  phat <- plogis(x %*% ahat); pderiv <- t(phat * (1 - phat)) %*% x / nrow(x)
  list(pbar = mean(phat), pderiv = pderiv)
}
df <- fit1$model; vc <- vcov(fit1)
df$trtp <- factor(1, levels = c(0, 1)); pT <- pder(coef(fit1), vc, model.matrix(fit1$formula, df))
df$trtp <- factor(0, levels = c(0, 1)); pC <- pder(coef(fit1), vc, model.matrix(fit1$formula, df))
d <- pT$pderiv - pC$pderiv
cat(sprintf("Ge paper code: diff = %.15g se = %.15g\n", pT$pbar - pC$pbar, sqrt(d %*% vc %*% t(d))))
cat("beeca's stored SAS %Margins output (margins_trial01):\n"); print(as.data.frame(margins_trial01))
cat("beeca's stored SAS Ge macro output (ge_macro_trial01):\n"); print(as.data.frame(ge_macro_trial01))
