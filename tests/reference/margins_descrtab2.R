# R reference for tests/test_margins.py: the Farrington-Manning test of a risk difference by
# DescrTab2's farrington.manning() (imbi-heidelberg/DescrTab2, R/farringtonManning.R at
# commit f157380e7abcb7964612a480e09e59a45e7a01be), an implementation independent of rctkit (its own closed-form cubic).
# DescrTab2 is not on this machine's R library; source the one file:
#
#   git -C DescrTab2 show f157380e7abcb7964612a480e09e59a45e7a01be:R/farringtonManning.R > farringtonManning.R
#   Rscript tests/reference/margins_descrtab2.R farringtonManning.R
#
# Prints one line per case:
#   a, n1, c, n2, delta, alternative, z, p
args <- commandArgs(trailingOnly = TRUE)
source(args[1])
cases <- list(
  list(245, 356, 270, 370, -0.125, "greater"),
  list(64, 218, 83, 216, 0.05, "less"),
  list(7, 25, 3, 30, -0.1, "greater"),
  list(190, 200, 180, 210, 0.1, "less"),
  list(40, 60, 35, 60, -0.3, "greater")
)
for (k in cases) {
  a <- k[[1]]; n1 <- k[[2]]; c <- k[[3]]; n2 <- k[[4]]
  g1 <- c(rep(TRUE, a), rep(FALSE, n1 - a))
  g2 <- c(rep(TRUE, c), rep(FALSE, n2 - c))
  r <- suppressMessages(farrington.manning(g1, g2, delta = k[[5]], alternative = k[[6]]))
  cat(sprintf("(%d, %d, %d, %d, %s, \"%s\", %.15g, %.15g),\n", a, n1, c, n2,
              format(k[[5]]), k[[6]], r$statistic, r$p.value))
}
