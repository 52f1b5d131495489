"""sheets.py: many plaques per A4/A3 page, every code decodes, progress is reported, fast."""

from __future__ import annotations

import io
import random

import pytest
from pypdf import PdfReader

from heritage.plaques.designs import KINDS, make_content, parse_size
from heritage.plaques.payload import PlaqueError
from heritage.plaques.sheets import SHEETS, render_sheet_pdf, sheet_grid
from heritage.sites.codes import ALPHABET

BASE = "https://disan.quangninh.gov.vn"
PT = 72 / 25.4


def contents(n: int, seed: int = 7):
    rnd = random.Random(seed)
    codes = set()
    while len(codes) < n:
        codes.add("".join(rnd.choice(ALPHABET) for _ in range(5)))
    return [
        make_content(BASE, code, KINDS[i % 4], f"Di tích số {i}", f"Site {i}", "Sở Văn hoá Quảng Ninh")
        for i, code in enumerate(sorted(codes))
    ]


def decode_pages(data: bytes, dpi: int = 200) -> list[str]:
    import pypdfium2 as pdfium
    import zxingcpp

    doc = pdfium.PdfDocument(data)
    found = []
    try:
        for i in range(len(doc)):
            found += [r.text for r in zxingcpp.read_barcodes(doc[i].render(scale=dpi / 72).to_pil())]
    finally:
        doc.close()
    return found


def test_grid_fits_most_plaques_and_rejects_what_does_not_fit():
    assert sheet_grid(parse_size("sticker"), "A4").per_page == 15
    assert sheet_grid(parse_size("plaque"), "A4").per_page == 2  # landscape A4
    assert sheet_grid(parse_size("plaque"), "A4").sheet_w == 297
    assert sheet_grid(parse_size("plaque"), "A3").per_page == 4
    assert sheet_grid(parse_size("sign"), "A3").per_page == 1
    with pytest.raises(PlaqueError, match="does not fit"):
        sheet_grid(parse_size("sign"), "A4")
    with pytest.raises(PlaqueError, match="Sheet"):
        sheet_grid(parse_size("sticker"), "Letter")


def test_grid_cells_do_not_overlap_and_stay_on_the_sheet():
    for size in (parse_size("sticker", bleed_mm=3), parse_size("60x40mm"), parse_size("plaque")):
        for sheet in SHEETS:
            g = sheet_grid(size, sheet)
            xs = [g.cell_origin(i) for i in range(g.per_page)]
            assert min(x for x, _ in xs) >= 10 - 1e-6 and min(y for _, y in xs) >= 10 - 1e-6
            assert max(x for x, _ in xs) + g.cell_w <= g.sheet_w - 10 + 1e-6
            assert max(y for _, y in xs) + g.cell_h <= g.sheet_h - 10 + 1e-6
            assert g.gutter >= 2 * size.bleed_mm + 2 or g.gutter >= 4


def test_sticker_sheet_decodes_every_code_and_reports_progress():
    items = contents(40)
    calls = []
    data = render_sheet_pdf(items, parse_size("sticker"), "A4", progress=lambda d, t: calls.append((d, t)))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3  # 15 + 15 + 10
    page = reader.pages[0]
    assert float(page.mediabox.width) == pytest.approx(210 * PT, abs=0.01)
    assert float(page.mediabox.height) == pytest.approx(297 * PT, abs=0.01)
    assert calls[-1] == (40, 40) and [d for d, _ in calls] == list(range(1, 41))
    assert sorted(decode_pages(data)) == sorted(c.url for c in items)


def test_sheet_text_is_extractable_and_fonts_embedded():
    items = contents(4)
    data = render_sheet_pdf(items, parse_size("plaque", bleed_mm=3), "A3")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        text = doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
    for c in items:
        assert c.code in text and c.name_vi in text
    assert "扫码收听故事" in text and "스캔하여 이야기 듣기" in text
    for ref in reader.pages[0]["/Resources"]["/Font"].values():
        fd = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in fd or "/FontFile3" in fd
    assert sorted(decode_pages(data, 150)) == sorted(c.url for c in items)


def test_empty_or_bad_sheet_raises():
    with pytest.raises(PlaqueError):
        render_sheet_pdf([], parse_size("sticker"), "A4")
    with pytest.raises(PlaqueError):
        render_sheet_pdf(contents(1), parse_size("sticker"), "B5")


def test_many_stickers_fill_as_many_pages_as_needed():
    """15 stickers fit an A4 page: 31 take three pages. (Speed is bench/plaques.py's job: a
    1,000-sticker sheet is timed there, never asserted in a test on a shared machine.)"""
    data = render_sheet_pdf(contents(31, seed=11), parse_size("sticker"), "A4")
    assert len(PdfReader(io.BytesIO(data)).pages) == 3
