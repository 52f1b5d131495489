"""The scan report as CSV for a spreadsheet, safe to open: no cell is ever read as a formula.

`safe_cell` is the CSV-injection rule (OWASP): a text cell that starts with = + - @, a tab or a
carriage return gets a leading apostrophe, so `=HYPERLINK(...)` in a site name stays text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

from heritage.analytics.report import ScanReport

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def report_csv(
    report: ScanReport, header: Sequence[str], site_columns: Callable[[int], tuple[str, str]]
) -> str:
    """One row per day, site and language: date, code, site name, language, scans, visitors.
    `site_columns(site_id)` gives (code, name). A BOM first: Excel then reads UTF-8 Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in report.rows:
        code, name = site_columns(row.site_id)
        cells = (row.day.isoformat(), code, name, row.lang, row.scans, row.visitors)
        writer.writerow([safe_cell(cell) for cell in cells])
    return "\ufeff" + out.getvalue()
