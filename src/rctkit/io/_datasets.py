"""Reading one data set (ADSL, ADAE, a BDS) from a file or a data frame, for :mod:`rctkit.io.adam`.

The formats: SAS transport (``.xpt``) and ``.sas7bdat`` through pyreadstat, CDISC
Dataset-JSON v1.1 (``.json``, or ``.ndjson`` with the metadata on the first line), parquet
(through pyarrow) and CSV. Every reader returns a pandas DataFrame whose text columns are
stripped, with blank text as missing, so that the same data read from any format compares
equal. pandas, pyreadstat and pyarrow are imported only when needed (the ``rctkit[cdisc]``
extra).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rctkit.errors import InvalidInputError

__all__ = ["FORMATS", "as_days", "load_dataset", "require"]

#: The file suffixes :func:`load_dataset` reads.
FORMATS = (".xpt", ".sas7bdat", ".json", ".ndjson", ".parquet", ".csv")

#: SAS dates count days from 1960-01-01; numpy's from 1970-01-01.
_SAS_EPOCH_OFFSET = -3653


def require(module: str) -> Any:
    """Import an optional dependency of ``rctkit[cdisc]``, or say which extra provides it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover (the test environment installs the extra)
        raise ImportError(
            f"reading ADaM data needs {module}: pip install 'rctkit[cdisc]'"
        ) from exc


def _dataset_json(path: Path) -> Any:
    pd = require("pandas")
    if path.suffix.lower() == ".ndjson":
        with path.open(encoding="utf-8") as handle:
            meta = json.loads(handle.readline())
            rows = [json.loads(line) for line in handle if line.strip()]
    else:
        meta = json.loads(path.read_text(encoding="utf-8"))
        rows = meta.get("rows", []) if isinstance(meta, dict) else []
    if not isinstance(meta, dict) or not isinstance(meta.get("columns"), list):
        raise InvalidInputError(
            f"`{path.name}` is not CDISC Dataset-JSON v1.1: no top-level `columns` list"
        )
    names = [str(column.get("name")) for column in meta["columns"]]
    frame = pd.DataFrame(rows, columns=names)
    for column in meta["columns"]:
        kind = column.get("dataType")
        if kind in ("integer", "float", "double", "decimal"):
            frame[column["name"]] = pd.to_numeric(frame[column["name"]], errors="raise")
    return frame


def _clean(frame: Any) -> Any:
    """Strip text columns and make blank text missing (SAS stores missing text as "")."""
    pd = require("pandas")
    frame = frame.copy(deep=False)
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            text = column.astype("string").str.strip()
            frame[name] = text.mask(text == "")
    frame.columns = [str(c).upper() for c in frame.columns]
    return frame


def load_dataset(source: Any, name: str) -> Any:
    """Read ``source`` (a path in one of :data:`FORMATS`, or a DataFrame) as a DataFrame.

    Column names are upper-cased, text is stripped and blank text is missing.
    """
    pd = require("pandas")
    if isinstance(source, pd.DataFrame):
        return _clean(source)
    if not isinstance(source, (str, os.PathLike)):
        raise InvalidInputError(
            f"`{name}` must be a path or a pandas DataFrame (got {type(source).__name__})"
        )
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InvalidInputError(
            f"`{name}` must be a file ending in one of {', '.join(FORMATS)} (got {str(path)!r})"
        )
    if not path.is_file():
        raise InvalidInputError(f"`{name}`: no such file {str(path)!r}")
    if suffix == ".xpt":
        frame, _ = require("pyreadstat").read_xport(str(path))
    elif suffix == ".sas7bdat":
        frame, _ = require("pyreadstat").read_sas7bdat(str(path))
    elif suffix in (".json", ".ndjson"):
        frame = _dataset_json(path)
    elif suffix == ".parquet":
        require("pyarrow")
        frame = pd.read_parquet(path)
    else:
        frame = pd.read_csv(path, keep_default_na=False, na_values=[""], low_memory=False)
    return _clean(frame)


def as_days(column: Any, name: str) -> npt.NDArray[np.float64]:
    """A date column as days since 1970-01-01 (nan where missing).

    Numbers are SAS dates (days since 1960-01-01, as a transport file without date formats
    holds them); dates, datetimes and ISO 8601 text ("2024-03-05") are read as dates.
    """
    pd = require("pandas")
    if pd.api.types.is_bool_dtype(column):
        raise InvalidInputError(f"`{name}` must hold dates (got booleans)")
    if pd.api.types.is_numeric_dtype(column):
        values: npt.NDArray[np.float64] = column.to_numpy(dtype=np.float64, na_value=np.nan)
        return np.floor(values) + _SAS_EPOCH_OFFSET
    try:
        stamps = pd.to_datetime(column, errors="raise", format="mixed")
    except (ValueError, TypeError) as exc:
        raise InvalidInputError(
            f"`{name}` must hold dates (ISO 8601 text, dates or SAS day numbers; {exc})"
        ) from None
    days = stamps.dt.floor("D").to_numpy(dtype="datetime64[D]")
    out: npt.NDArray[np.float64] = days.astype(np.float64)
    out[np.isnat(days)] = np.nan
    return out
