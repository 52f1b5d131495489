"""Reading and writing spreadsheet files: encodings, limits, formulas, zip bombs, CSV injection."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest

from heritage.bulk.sheets import (
    CHUNK,
    MAX_CELL,
    Limits,
    SheetError,
    TooLarge,
    escape,
    read_table,
    spool,
    unescape,
    write_csv,
    write_xlsx,
)

LIMITS = Limits(max_bytes=1_000_000, max_rows=100)


def read_csv(text: str | bytes, limits: Limits = LIMITS):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return read_table(io.BytesIO(data), "sites.csv", limits)


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_utf8_with_or_without_bom_reads_the_same():
    text = "kind,name_vi\r\nheritage_relic,Đình Trung Bản\r\n"
    plain, with_bom = read_csv(text), read_csv(b"\xef\xbb\xbf" + text.encode())
    assert plain.headers == with_bom.headers == ["kind", "name_vi"]
    assert plain.rows == with_bom.rows == [(2, {"kind": "heritage_relic", "name_vi": "Đình Trung Bản"})]


def test_semicolons_from_a_vietnamese_excel_are_understood():
    table = read_csv('kind;name_vi;latitude\nscenic_spot;"Vịnh; Hạ Long";20,91\n')
    assert table.rows == [(2, {"kind": "scenic_spot", "name_vi": "Vịnh; Hạ Long", "latitude": "20,91"})]


def test_a_windows_1258_file_gets_a_message_saying_how_to_save_it():
    data = "kind,name_vi\nheritage_relic,Chùa Long Tiên\n".encode("cp1258")
    with pytest.raises(SheetError) as refused:
        read_csv(data)
    assert "Line 2 is not UTF-8" in refused.value.message
    assert "CSV UTF-8" in refused.value.message
    with pytest.raises(SheetError, match="UTF-16"):
        read_csv("kind,name_vi\n".encode("utf-16"))


def test_empty_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers():
    table = read_csv("kind,name_vi\n,\nscenic_spot,Yên Tử\n\n")
    assert table.rows == [(3, {"kind": "scenic_spot", "name_vi": "Yên Tử"})]


def test_a_value_without_a_column_name_and_an_overlong_cell_are_problems():
    table = read_csv(f"kind,,name_vi\nscenic_spot,lost,{'x' * (MAX_CELL + 1)},stray\n")
    assert [(p.row, p.column) for p in table.problems] == [(2, "B"), (2, "name_vi"), (2, "D")]


def test_too_many_rows_is_refused():
    with pytest.raises(SheetError, match="More than 2 rows"):
        read_csv("kind,name_vi\n" + "scenic_spot,A\n" * 3, Limits(max_bytes=10_000, max_rows=2))


def test_escape_prefixes_every_formula_start_and_unescape_takes_exactly_that_back():
    for value in ['=HYPERLINK("http://x")', "+1", "-5.2", "@SUM(A1)", "\tx", "\rx", "'quoted", "''"]:
        assert escape(value).startswith("'")
        assert unescape(escape(value)) == value
    assert escape("Đình") == "Đình" and escape("") == ""


def test_csv_export_escapes_injection_and_reads_back_unchanged():
    values = ["=1+1", "+84 203", "- a list item", "@x", "'apostrophe", "plain", "line\nbreak"]
    data = write_csv(["kind", "name_vi"], [["scenic_spot", value] for value in values])
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig")
    assert "\r\nscenic_spot,'=1+1\r\n" in lines and "scenic_spot,'- a list item" in lines
    assert [cells["name_vi"] for _n, cells in read_csv(data).rows] == values


def test_xlsx_export_writes_texts_never_formulas_and_numbers_as_numbers():
    data = write_xlsx(
        ["kind", "name_vi", "latitude"], [["scenic_spot", "=1+1", "-20.5"]], numbers={"latitude"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    name, latitude = sheet["B2"], sheet["C2"]
    assert name.data_type == "s" and name.value == "'=1+1"
    assert latitude.data_type == "n" and latitude.value == -20.5
    table = read_table(io.BytesIO(data), "sites.xlsx", LIMITS)
    assert table.rows == [(2, {"kind": "scenic_spot", "name_vi": "=1+1", "latitude": "-20.5"})]


def test_xlsx_formulas_are_refused_cell_by_cell():
    data = xlsx(
        [
            ["kind", "name_vi", "sources"],
            ["scenic_spot", "Yên Tử", '=HYPERLINK("http://evil.example","click")'],
            ["scenic_spot", "=A1", ""],
        ]
    )
    table = read_table(io.BytesIO(data), "sites.xlsx", LIMITS)
    assert [(p.row, p.column) for p in table.problems] == [(2, "sources"), (3, "name_vi")]
    assert "HYPERLINK" in table.problems[0].message and "values only" in table.problems[0].message
    assert table.rows[0][1]["sources"] == ""  # the formula's text never reaches a field


def test_xlsx_cells_typed_by_excel_become_the_strings_the_fields_read():
    data = xlsx(
        [
            ["kind", "name_vi", "latitude", "location_radius_m", "ranking_date", "ranking_year"],
            ["heritage_relic", "Đình", 21.0345, 120.0, datetime(1994, 3, 1), 1994],
            ["heritage_relic", "Chùa", 21, None, date(2001, 2, 3), None],
        ]
    )
    rows = read_table(io.BytesIO(data), "sites.xlsx", LIMITS).rows
    assert rows[0][1] == {
        "kind": "heritage_relic",
        "name_vi": "Đình",
        "latitude": "21.0345",
        "location_radius_m": "120",
        "ranking_date": "1994-03-01",
        "ranking_year": "1994",
    }
    assert rows[1][1]["latitude"] == "21" and rows[1][1]["ranking_date"] == "2001-02-03"


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_parsing():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr(
            "xl/worksheets/sheet1.xml", b"<" + b" " * 5_000_000
        )  # 5 MB of one byte: a few KB zipped
    assert len(out.getvalue()) < 50_000
    with pytest.raises(TooLarge, match="unpacks to too much"):
        read_table(io.BytesIO(out.getvalue()), "bomb.xlsx", Limits(max_bytes=100_000, max_rows=10))


def test_broken_and_misnamed_files_get_a_clear_message():
    with pytest.raises(SheetError, match="damaged"):
        read_table(io.BytesIO(b"PK\x03\x04 not really a zip"), "a.xlsx", LIMITS)
    with pytest.raises(SheetError, match="rename it to .xlsx"):
        read_table(io.BytesIO(xlsx([["kind"]])), "a.csv", LIMITS)
    with pytest.raises(SheetError, match="not an .xlsx"):
        read_table(io.BytesIO(b"kind,name_vi\n"), "a.xlsx", LIMITS)
    with pytest.raises(SheetError, match="Save the spreadsheet as .xlsx"):
        read_table(io.BytesIO(b""), "old.xls", LIMITS)
    with pytest.raises(SheetError, match=".csv or .xlsx"):
        read_table(io.BytesIO(b""), "sites.pdf", LIMITS)


class CountingStream:
    """A 50 MB upload that is never held in memory: bytes are made as they are read, and counted."""

    def __init__(self, size: int) -> None:
        self.size, self.served = size, 0

    def read(self, n: int = -1) -> bytes:
        n = self.size - self.served if n < 0 else min(n, self.size - self.served)
        self.served += n
        return b"a" * n


def test_a_50_mb_file_is_refused_after_reading_just_past_the_limit():
    stream = CountingStream(50_000_000)
    with pytest.raises(TooLarge) as refused:
        spool(stream, 1_000_000)
    assert refused.value.status == 413 and "at most 1 MB" in refused.value.message
    assert stream.served <= 1_000_000 + CHUNK


def test_spool_keeps_a_file_within_the_limit_and_its_hash():
    import hashlib

    upload = spool(io.BytesIO(b"kind,name_vi\n"), 100)
    assert upload.size == 13 and upload.sha256 == hashlib.sha256(b"kind,name_vi\n").hexdigest()
    assert upload.read() == b"kind,name_vi\n"
