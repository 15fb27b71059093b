"""RTF: rctkit's writer against rtflite on a table of 1,000 rows and four columns.

The measurement behind the choice written in :mod:`rctkit.rtf` (rtflite 2.6.0, 2026-12-06:
0.47 s to encode against 0.05 s; the install adds about 194 MB). rtflite is not a dependency
of rctkit; install it in a scratch environment (``pip install rtflite``) and run
``python -m benchmarks.bench_rtf``. Without it only rctkit's time is printed. The script
also shows that rtflite writes a label's braces and backslashes into the file unescaped.
"""

from __future__ import annotations

import importlib

from benchmarks.timing import best_time
from rctkit.tables import ReportTable

ROWS = 1000
HOSTILE = "a}{\\b bold} \\par X"


def _cells() -> list[tuple[str, str, str, str]]:
    return [
        (
            f"  PT {i}" if i % 5 else f"SOC {i} disorders",
            f"{i % 50}/218 ({(i % 50) / 2.18:.1f}%)",
            f"{i % 40}/216 ({(i % 40) / 2.16:.1f}%)",
            "1\u00b72 (\u22120\u00b74 to 2\u00b78)",
        )
        for i in range(ROWS)
    ]


def main() -> None:
    cells = _cells()
    table = ReportTable("Adverse events", ("Term", "Treatment", "Control", "RD"), cells)
    ours = best_time(table.to_rtf, repeat=5)
    print(f"rctkit  to_rtf, {ROWS} rows: {ours:.3f} s")
    try:  # imported by name: neither is a dependency, nor typed for mypy here
        pl = importlib.import_module("polars")
        rtflite = importlib.import_module("rtflite")
    except ImportError:
        print("rtflite is not installed: pip install rtflite to time it too")
        return
    frame = pl.DataFrame(
        {name: [row[j] for row in cells] for j, name in enumerate(("Term", "T", "C", "RD"))}
    )

    def encode() -> str:
        document = rtflite.RTFDocument(
            df=frame,
            rtf_title=rtflite.RTFTitle(text=["Adverse events"]),
            rtf_body=rtflite.RTFBody(col_rel_width=[3, 2, 2, 2]),
        )
        return str(document.rtf_encode())

    theirs = best_time(encode, repeat=3)
    print(f"rtflite rtf_encode, {ROWS} rows: {theirs:.3f} s ({theirs / ours:.1f}x rctkit)")
    hostile = pl.DataFrame({"Term": [HOSTILE], "N": ["1"]})
    text = str(rtflite.RTFDocument(df=hostile).rtf_encode())
    print(f"rtflite writes {HOSTILE!r} unescaped: {HOSTILE in text}")


if __name__ == "__main__":
    main()
