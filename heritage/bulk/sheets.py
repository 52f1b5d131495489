"""Spreadsheet files as a header and rows of strings: CSV (UTF-8) and XLSX, read and written.

Reading is bounded before anything is parsed (bytes as they stream in, an XLSX's unpacked size,
rows, columns, characters per cell) and refuses formulas. Writing prefixes an apostrophe to any
cell a spreadsheet would run as a formula (CSV injection) or that starts with an apostrophe;
reading takes exactly that one apostrophe off again, so export then import loses nothing.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import tempfile
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import BinaryIO

from flask_babel import lazy_gettext as _l

from heritage.errors import ValidationError

CHUNK = 64 * 1024
MAX_CELL = 32_767  # what one Excel cell can hold; each field's own limit is checked later
MAX_COLUMNS = 200
MAX_XLSX_PARTS = 500
# An XLSX is a zip of XML: its parts may unpack to this many times the file's limit, no more.
XLSX_UNPACK_RATIO = 10
FORMATS = ("csv", "xlsx")
# A cell starting with one of these is run as a formula by Excel, LibreOffice or Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"
_DELIMITERS = (",", ";", "\t")  # Excel writes ";" where the decimal mark is a comma (vi-VN)


class SheetError(ValidationError):
    """The file as a whole cannot be read; the message says what to do."""

    status = 400


class TooLarge(SheetError):
    status = 413


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20_000_000
    max_rows: int = 5_000

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(int(config["IMPORT_MAX_BYTES"]), int(config["IMPORT_MAX_ROWS"]))


@dataclass(frozen=True)
class CellProblem:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number, {header: text}); empty rows skipped
    problems: list[CellProblem] = field(default_factory=list)


@dataclass
class Upload:
    """A file received within the size limit, spooled (to disk past a few MB), and its hash."""

    file: BinaryIO
    size: int
    sha256: str

    def read(self) -> bytes:
        self.file.seek(0)
        return self.file.read()


def too_large_message(max_bytes: int) -> str:
    return str(
        _l(
            "This file is too large: at most %(mb)s MB. Split it into several files.",
            mb=f"{max_bytes / 1_000_000:g}",
        )
    )


def spool(stream: BinaryIO, max_bytes: int) -> Upload:
    """Copy `stream` aside in chunks, stopping as soon as it passes `max_bytes` (never read whole)."""
    out = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 (the caller owns it)
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            out.close()
            raise TooLarge(too_large_message(max_bytes))
        digest.update(chunk)
        out.write(chunk)
    out.seek(0)
    return Upload(out, size, digest.hexdigest())


def file_format(filename: str) -> str:
    """ "csv" or "xlsx" from the name's extension; anything else is refused with a hint."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in FORMATS:
        return ext
    if ext in ("xls", "ods", "numbers", "xlsm"):
        raise SheetError(
            str(_l("Save the spreadsheet as .xlsx (Excel Workbook) or as CSV UTF-8, then send it."))
        )
    raise SheetError(str(_l("Send a .csv or .xlsx file.")))


def read_table(data: BinaryIO, filename: str, limits: Limits) -> Table:
    """The header and rows of the file's first sheet; SheetError if it cannot be read at all."""
    fmt = file_format(filename)
    data.seek(0)
    head = data.read(4)
    data.seek(0)
    if fmt == "csv" and head.startswith(b"PK\x03\x04"):
        raise SheetError(str(_l("This file is an Excel workbook named .csv: rename it to .xlsx.")))
    if fmt == "xlsx" and not head.startswith(b"PK\x03\x04"):
        raise SheetError(str(_l("This file is not an .xlsx workbook (it may be CSV or old .xls).")))
    table = _read_xlsx(data, limits) if fmt == "xlsx" else _read_csv(data.read(), limits)
    if not table.headers or not any(table.headers):
        raise SheetError(str(_l("The first row must name the columns (kind, name_vi, ...).")))
    return table


def unescape(text: str) -> str:
    """Exactly the apostrophe `escape` adds, off again."""
    return text[1:] if text.startswith(_QUOTE) else text


def escape(text: str) -> str:
    """A cell no spreadsheet runs as a formula; an apostrophe already there is doubled."""
    return _QUOTE + text if text.startswith((*FORMULA_STARTS, _QUOTE)) else text


class _Rows:
    """Collects rows with their numbers, skipping empty ones and enforcing the limits."""

    def __init__(self, headers: list[str], limits: Limits) -> None:
        self.table = Table(headers, [])
        self.limits = limits

    def add(self, number: int, cells: list[str]) -> None:
        headers = self.table.headers
        if not any(cell.strip() for cell in cells):
            return
        if len(self.table.rows) >= self.limits.max_rows:
            raise SheetError(
                str(_l("More than %(max)d rows: split the file into several.", max=self.limits.max_rows))
            )
        values = {}
        for index, cell in enumerate(cells, start=1):
            header = headers[index - 1] if index <= len(headers) else ""
            if not header:  # a value nobody would see imported: said, not dropped
                if cell.strip():
                    self.problem(number, _column_letter(index), _l("This cell has no column name above it."))
                continue
            if len(cell) > MAX_CELL:
                self.problem(number, header, _l("More than %(max)d characters in one cell.", max=MAX_CELL))
                cell = ""
            values[header] = unescape(cell)
        self.table.rows.append((number, values))

    def problem(self, number: int, column: str, message) -> None:
        self.table.problems.append(CellProblem(number, column, str(message)))


def _read_csv(data: bytes, limits: Limits) -> Table:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise SheetError(
            str(_l("This file is UTF-16 (Excel's “Unicode text”). Save it as “CSV UTF-8 (Comma delimited)”."))
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SheetError(
            str(
                _l(
                    "Line %(line)d is not UTF-8 text: the file was probably saved as Windows-1258 or"
                    " Windows-1252, which garbles Vietnamese letters. In Excel choose Save As, then"
                    " “CSV UTF-8 (Comma delimited)”; in LibreOffice pick the character set"
                    " “Unicode (UTF-8)”. Then send it again.",
                    line=line,
                )
            )
        ) from None
    if "\x00" in text:
        raise SheetError(str(_l("This is not a text file: send a .csv or .xlsx spreadsheet.")))
    first_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [h.strip() for h in next(reader, [])]
        if len(headers) > MAX_COLUMNS:
            raise SheetError(str(_l("More than %(max)d columns.", max=MAX_COLUMNS)))
        rows = _Rows(headers, limits)
        for number, cells in enumerate(reader, start=2):
            rows.add(number, cells)
    except csv.Error as error:
        raise SheetError(
            str(_l("Line %(line)d cannot be read as CSV: %(error)s", line=reader.line_num, error=error))
        ) from None
    return rows.table


def _read_xlsx(data: BinaryIO, limits: Limits) -> Table:
    import openpyxl  # only imports need it; keeps the app's start-up light

    try:
        parts = zipfile.ZipFile(data).infolist()
    except (zipfile.BadZipFile, OSError):
        raise SheetError(str(_l("This .xlsx file is damaged or not a workbook."))) from None
    # Declared sizes bound what zipfile will unpack (it stops at the declared size): a zip bomb
    # is refused here, before any XML is parsed.
    if len(parts) > MAX_XLSX_PARTS or sum(p.file_size for p in parts) > limits.max_bytes * XLSX_UNPACK_RATIO:
        raise TooLarge(str(_l("This workbook unpacks to too much data. Split it into several files.")))
    data.seek(0)
    try:
        # data_only=False: a formula reads as a formula (refused below), never as its cached result.
        book = openpyxl.load_workbook(data, read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many types for a broken file
        raise SheetError(str(_l("This .xlsx file is damaged or not a workbook."))) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a file's own claim of its size is not trusted
        cells = sheet.iter_rows()
        header_cells = next(cells, ())
        if len(header_cells) > MAX_COLUMNS:
            raise SheetError(str(_l("More than %(max)d columns.", max=MAX_COLUMNS)))
        headers = [_xlsx_text(c).strip() for c in header_cells]
        rows = _Rows(headers, limits)
        for number, row in enumerate(cells, start=2):
            texts = []
            for index, cell in enumerate(row, start=1):
                if cell.data_type == "f":
                    column = (headers[index - 1] if index <= len(headers) else "") or _column_letter(index)
                    rows.problem(
                        number,
                        column,
                        _l(
                            "Formulas are not read (%(formula)s): copy the cells and paste the values only.",
                            formula=str(cell.value)[:40],
                        ),
                    )
                    texts.append("")
                else:
                    texts.append(_xlsx_text(cell))
            rows.add(number, texts)
    finally:
        book.close()
    return rows.table


def _xlsx_text(cell) -> str:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def write_csv(headers: list[str], rows: Iterable[list[str]]) -> bytes:
    """UTF-8 with a BOM (so Excel reads Vietnamese right), comma-separated, CRLF, escaped."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([escape(cell) for cell in row])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def write_xlsx(headers: list[str], rows: Iterable[list[str]], numbers: Collection[str] = ()) -> bytes:
    """One sheet, header row frozen; cells of the `numbers` columns are written as numbers (what
    Excel users type and sort), every other text is escaped."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("sites")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    numeric = [header in numbers for header in headers]
    for row in rows:
        sheet.append(
            [_number(v) if is_number and v else escape(v) for v, is_number in zip(row, numeric, strict=True)]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def write_table(
    fmt: str, headers: list[str], rows: Iterable[list[str]], numbers: Collection[str] = ()
) -> bytes:
    """The rows (strings) as a CSV or XLSX file."""
    return write_xlsx(headers, rows, numbers) if fmt == "xlsx" else write_csv(headers, rows)
