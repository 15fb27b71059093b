# Independent R reference values for rctkit's Wald effect measures and the chi-squared,
# Yates and Fisher tests on two-arm tables (read by tests/test_reference_r.py).
#
# Run from the repository root:
#     Rscript tests/reference/two_by_two.R > tests/reference/two_by_two_r.csv
#
# A table is a = treatment events of n1, c = control events of n2 (b = n1 - a, d = n2 - c).
# rctkit's orientation: OR = (a/b)/(c/d), RR = (a/n1)/(c/n2), RD = a/n1 - c/n2.
#
# What is computed, and how:
# * Woolf OR, Katz log RR and Wald RD, their 95% and 90% limits and the Wald z-test p-values
#   (2 * pnorm(-|z|)) are computed here from the textbook formulas, in plain R arithmetic, with
#   nothing added to the cells. Zero cells give whatever R's arithmetic gives (0, Inf, NaN).
#   RD limits are clipped to [-1, 1]; the RD p-value is that of z = RD / SE.
# * The OR and RR (estimate and limits, both levels) are cross-checked on every table against
#   epitools::oddsratio.wald and epitools::riskratio.wald (epitools 0.5-10.1), at a relative
#   tolerance of 1e-13; the script stops if they disagree. epitools wants the reference
#   (control) arm in row 1 and the event in column 2, so it is given
#       rbind(control = c(d, c), treatment = c(b, a))
#   and its row-2 estimate is then treatment against control. In this version
#   oddsratio.wald and riskratio.wald add nothing to zero cells (their `correction` argument
#   only switches the Yates correction of the chi-squared p-value they also report), so they
#   compute the same unmodified formulas and give the same 0 / Inf / NaN with zero cells.
#   Where epitools itself fails (it runs fisher.test etc. alongside), the column
#   `epitools_check` says "error" instead of "agree"; nothing is written from epitools.
# * chisq.test(correct = FALSE) and chisq.test(correct = TRUE): statistic and p-value, on the
#   matrix rbind(c(a, b), c(c, d)) (the "approximation may be incorrect" warnings of small
#   tables are suppressed). With an empty margin R gives statistic NaN and p-value NA.
# * fisher.test on the same matrix, so that its odds ratio is ad / bc: two-sided p-value and
#   alternative = "less" (OR < 1) and "greater" (OR > 1) p-values.
#
# Numbers are written with format(x, digits = 17); R's NaN, NA, Inf are written as such.

suppressPackageStartupMessages(library(epitools))

tables <- rbind(
  # The CORE trial (Johnson et al., Lancet 2018): readmission within a year.
  c(64, 218, 83, 216),
  # Small tables.
  c(3, 10, 1, 12),
  c(7, 15, 2, 14),
  c(1, 5, 4, 6),
  c(10, 50, 20, 50),
  c(2, 3, 1, 4),
  c(1, 2, 1, 3),
  # Unbalanced arms.
  c(15, 30, 45, 300),
  c(120, 1000, 3, 25),
  c(5, 400, 12, 40),
  c(30, 35, 200, 1000),
  # Large n.
  c(4000, 10000, 4100, 10000),
  c(4990, 10000, 5000, 10000),
  c(12, 100000, 25, 100000),
  c(123457, 1000003, 124301, 999991),
  c(500000, 1000000, 500100, 1000000),
  # Zero cells: a = 0; c = 0; a = n1; c = n2; a = 0 and c = 0; all events in both arms;
  # opposite extremes.
  c(0, 20, 5, 20),
  c(6, 25, 0, 30),
  c(20, 20, 12, 20),
  c(8, 15, 15, 15),
  c(0, 20, 0, 25),
  c(20, 20, 25, 25),
  c(0, 10, 10, 10),
  c(10, 10, 0, 10),
  # Tiny p-values.
  c(2, 100, 60, 100),
  c(0, 500, 200, 500),
  c(1, 1000, 300, 1000),
  c(400, 500, 5, 500),
  # Symmetric tables, where Fisher's tie tolerance matters.
  c(5, 10, 5, 10),
  c(3, 10, 7, 10),
  c(7, 10, 3, 10),
  c(2, 6, 4, 6),
  c(4, 6, 2, 6),
  c(1, 4, 3, 4),
  c(1, 2, 1, 2),
  c(50, 100, 49, 100),
  # One-participant arms.
  c(1, 1, 0, 1),
  c(0, 1, 1, 1),
  c(1, 1, 1, 1),
  c(0, 1, 0, 1),
  c(1, 1, 5, 10),
  c(0, 1, 30, 60),
  c(3, 7, 0, 1)
)
colnames(tables) <- c("a", "n1", "c", "n2")

woolf <- function(a, n1, c, n2, level) {
  b <- n1 - a
  d <- n2 - c
  z <- qnorm(0.5 + level / 2)
  est <- (a * d) / (b * c)
  se <- sqrt(1 / a + 1 / b + 1 / c + 1 / d)
  c(est = est, lo = exp(log(est) - z * se), hi = exp(log(est) + z * se),
    p = 2 * pnorm(-abs(log(est) / se)))
}

katz <- function(a, n1, c, n2, level) {
  z <- qnorm(0.5 + level / 2)
  est <- (a / n1) / (c / n2)
  se <- sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
  c(est = est, lo = exp(log(est) - z * se), hi = exp(log(est) + z * se),
    p = 2 * pnorm(-abs(log(est) / se)))
}

wald_rd <- function(a, n1, c, n2, level) {
  z <- qnorm(0.5 + level / 2)
  p1 <- a / n1
  p2 <- c / n2
  est <- p1 - p2
  se <- sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
  clip <- function(x) pmin(pmax(x, -1), 1)
  c(est = est, lo = clip(est - z * se), hi = clip(est + z * se),
    p = 2 * pnorm(-abs(est / se)))
}

# TRUE when x and y agree to a relative 1e-13, counting NaN = NaN and Inf = Inf as agreement.
same <- function(x, y) {
  both_nan <- is.nan(x) & is.nan(y)
  equal <- !is.na(x) & !is.na(y) & (x == y | abs(x - y) <= 1e-13 * abs(y))
  all(both_nan | equal)
}

epitools_check <- function(a, n1, c, n2) {
  tab <- rbind(control = c(n2 - c, c), treatment = c(n1 - a, a))
  colnames(tab) <- c("no event", "event")
  for (level in c(0.95, 0.90)) {
    res <- tryCatch(
      suppressWarnings(list(
        or = oddsratio.wald(tab, conf.level = level)$measure[2, ],
        rr = riskratio.wald(tab, conf.level = level)$measure[2, ]
      )),
      error = function(e) NULL
    )
    if (is.null(res)) return("error")
    if (!same(unname(res$or), unname(woolf(a, n1, c, n2, level)[1:3])) ||
        !same(unname(res$rr), unname(katz(a, n1, c, n2, level)[1:3]))) {
      stop(sprintf("epitools disagrees with the formula for %d/%d vs %d/%d", a, n1, c, n2))
    }
  }
  "agree"
}

fmt <- function(x) format(x, digits = 17)

header <- c(
  "a", "n1", "c", "n2",
  "or", "or_lo95", "or_hi95", "or_lo90", "or_hi90", "or_p",
  "rr", "rr_lo95", "rr_hi95", "rr_lo90", "rr_hi90", "rr_p",
  "rd", "rd_lo95", "rd_hi95", "rd_lo90", "rd_hi90", "rd_p",
  "chi2_stat", "chi2_p", "yates_stat", "yates_p",
  "fisher_p", "fisher_less_p", "fisher_greater_p",
  "epitools_check"
)
cat(paste(header, collapse = ","), "\n", sep = "")

for (i in seq_len(nrow(tables))) {
  a <- unname(tables[i, "a"])
  n1 <- unname(tables[i, "n1"])
  c <- unname(tables[i, "c"])
  n2 <- unname(tables[i, "n2"])
  or95 <- woolf(a, n1, c, n2, 0.95)
  or90 <- woolf(a, n1, c, n2, 0.90)
  rr95 <- katz(a, n1, c, n2, 0.95)
  rr90 <- katz(a, n1, c, n2, 0.90)
  rd95 <- wald_rd(a, n1, c, n2, 0.95)
  rd90 <- wald_rd(a, n1, c, n2, 0.90)
  m <- rbind(c(a, n1 - a), c(c, n2 - c))
  chi <- suppressWarnings(chisq.test(m, correct = FALSE))
  yat <- suppressWarnings(chisq.test(m, correct = TRUE))
  values <- c(
    or95[["est"]], or95[["lo"]], or95[["hi"]], or90[["lo"]], or90[["hi"]], or95[["p"]],
    rr95[["est"]], rr95[["lo"]], rr95[["hi"]], rr90[["lo"]], rr90[["hi"]], rr95[["p"]],
    rd95[["est"]], rd95[["lo"]], rd95[["hi"]], rd90[["lo"]], rd90[["hi"]], rd95[["p"]],
    unname(chi$statistic), chi$p.value, unname(yat$statistic), yat$p.value,
    fisher.test(m)$p.value,
    fisher.test(m, alternative = "less")$p.value,
    fisher.test(m, alternative = "greater")$p.value
  )
  row <- c(sprintf("%.0f", c(a, n1, c, n2)), vapply(values, fmt, ""),
           epitools_check(a, n1, c, n2))
  cat(paste(row, collapse = ","), "\n", sep = "")
}
