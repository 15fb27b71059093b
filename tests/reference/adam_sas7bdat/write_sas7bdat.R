# Write the shipped ADaM example (src/rctkit/data/adam/*.csv) as SAS sas7bdat files, so that
# rctkit.io.read_adam's sas7bdat path is tested on real files (pyreadstat can read sas7bdat
# but not write it). Written by R's haven (ReadStat), dates as SAS dates (the *DT columns).
# Run from the repository root:  Rscript tests/reference/adam_sas7bdat/write_sas7bdat.R
library(haven)
here <- "tests/reference/adam_sas7bdat"
for (name in c("adsl", "adae")) {
  data <- read.csv(file.path("src/rctkit/data/adam", paste0(name, ".csv")),
                   stringsAsFactors = FALSE, na.strings = "", colClasses = "character")
  for (column in names(data)) {
    values <- data[[column]]
    if (grepl("DT$", column)) {
      data[[column]] <- as.Date(values)
    } else if (all(is.na(values) | grepl("^-?[0-9]+(\\.[0-9]+)?$", values)) &&
               !column %in% c("SUBJID", "SITEID", "AETOXGR")) {
      data[[column]] <- as.numeric(values)
    }
  }
  write_sas(data, file.path(here, paste0(name, ".sas7bdat")))
  back <- read_sas(file.path(here, paste0(name, ".sas7bdat")))
  cat(name, nrow(back), "rows,", ncol(back), "columns; classes:",
      paste(sapply(back, function(x) class(x)[1]), collapse = " "), "\n")
}
