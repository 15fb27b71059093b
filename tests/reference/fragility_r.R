# Fragility indices from two R packages, for tests/test_fragility.py.
#
# - fragility 1.6.1 (Lin 2021; CRAN), frag.study.iter from R/frag.study.iter.R: the minimal
#   number of event-status modifications over the grid set by modify0/modify1 ("both",
#   "increase", "decrease", "none"); group 0 is the control arm, group 1 the treatment arm.
#   Its "chisq" is R's chisq.test with its default Yates correction (rctkit "chi2-yates"), with
#   p = 1 when a margin is empty.  The package needs meta and netmeta (not installable here),
#   so the one file is sourced from the CRAN snapshot (github cran/fragility).
# - fragilityindex 0.1.0 (Johnson 2017; CRAN), fragility.index: Walsh's rule with Fisher's
#   test (events added to the arm with fewer events; it returns 0 when Fisher's or the Yates
#   chi-squared p exceeds alpha, so only tables significant by both are used).
#   Installed with R CMD INSTALL into a user library from github cran/fragilityindex.
#
# Run: Rscript tests/reference/fragility_r.R FRAG_DIR LIB > tests/reference/fragility_r.txt
# where FRAG_DIR holds the unpacked cran/fragility sources and LIB the user library.
args <- commandArgs(trailingOnly = TRUE)
source(file.path(args[1], "R", "frag.study.iter.R"))
library(fragilityindex, lib.loc = args[2])

tables <- rbind(  # treatment events, treatment n, control events, control n
  c(64, 218, 83, 216),   # CORE trial (rctkit.example_trial)
  c(3, 50, 12, 50),      # Yang & Berdine 2019 (Southwest Respiratory and Critical Care Chronicles)
  c(40, 60, 100, 210),   # FragilityTools README example
  c(10, 100, 25, 100),
  c(30, 150, 50, 150),
  c(5, 80, 18, 85),
  c(22, 120, 40, 118),
  c(12, 60, 14, 60),
  c(50, 300, 75, 300),
  c(8, 40, 2, 40),
  c(70, 200, 95, 205),
  c(1, 30, 9, 30),
  c(15, 90, 15, 60),
  c(33, 100, 50, 100),
  c(120, 500, 160, 500)
)
walsh_arm <- function(a, n1, c, n2) {
  if (a != c) return(if (a < c) "treatment" else "control")
  if (c * n1 < a * n2) "control" else "treatment"
}
cat("package,treatment_events,treatment_total,control_events,control_total,method,alpha,arm,pvalue,index\n")
for (i in seq_len(nrow(tables))) {
  a <- tables[i, 1]; n1 <- tables[i, 2]; c <- tables[i, 3]; n2 <- tables[i, 4]
  for (alpha in c(0.05, 0.01)) {
    for (method in c("Fisher", "chisq")) {
      p0 <- frag.study.iter(c, n2, a, n1, method, "none", "none", alpha, "two.sided",
                            1, 1, 0, FALSE)$pval
      sig <- p0 < alpha
      w <- walsh_arm(a, n1, c, n2)
      dir <- if (sig) "increase" else "decrease"
      specs <- list(
        both = c("both", "both"), treatment = c("none", "both"),
        control = c("both", "none"),
        walsh = if (w == "treatment") c("none", dir) else c(dir, "none"))
      for (arm in names(specs)) {
        res <- frag.study.iter(c, n2, a, n1, method, specs[[arm]][1], specs[[arm]][2],
                               alpha, "two.sided", 1, 1, 0, FALSE)
        name <- if (method == "Fisher") "fisher" else "chi2-yates"
        cat(sprintf("fragility,%d,%d,%d,%d,%s,%g,%s,%.10g,%s\n", a, n1, c, n2, name, alpha,
                    arm, res$pval, ifelse(is.na(res$FI), "NA", res$FI)))
      }
    }
    ok <- fisher.test(matrix(c(a, c, n1 - a, n2 - c), 2))$p.value < alpha &&
      suppressWarnings(chisq.test(matrix(c(a, c, n1 - a, n2 - c), 2))$p.value) < alpha
    # its loop only ends when the arm with fewer events also has the lower risk (else it
    # adds events past the arm's size and fisher.test stops with an error)
    if (ok && a != c && (a < c) == (a / n1 < c / n2)) {
      fi <- suppressWarnings(fragility.index(a, c, n1, n2, conf.level = 1 - alpha))
      cat(sprintf("fragilityindex,%d,%d,%d,%d,fisher,%g,walsh,NA,%d\n", a, n1, c, n2, alpha,
                  fi[[1]]))
    }
  }
}
