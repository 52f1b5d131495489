"""render_pdf.py: exact page size in points, embedded font subsets, extractable text, decodes."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from heritage.plaques.designs import KINDS, parse_size
from heritage.plaques.guidance import sample_content
from heritage.plaques.render_pdf import render_pdf

BASE = "https://disan.quangninh.gov.vn"
URL = "HTTPS://DISAN.QUANGNINH.GOV.VN/Q/7KQ2X"
PT = 72 / 25.4
NEEDLES = [
    "Đình Trung Bản",
    "扫码收听故事",
    "스캔하여 이야기 듣기",
    "Quét để nghe câu chuyện",
    "7KQ2X",
    "disan.quangninh.gov.vn/q/7KQ2X",
    "Ban Quản lý di tích thị xã Quảng Yên",
]


def content(kind="heritage_relic", ec="H"):
    return sample_content(kind, BASE, error_correction=ec)


@pytest.fixture(scope="module")
def plaque_pdf() -> bytes:
    return render_pdf(content(), parse_size("plaque"))


def _decode_pdf(data: bytes, dpi: int = 200) -> list[str]:
    import pypdfium2 as pdfium
    import zxingcpp

    doc = pdfium.PdfDocument(data)
    try:
        img = doc[0].render(scale=dpi / 72).to_pil()
    finally:
        doc.close()
    return [r.text for r in zxingcpp.read_barcodes(img)]


@pytest.mark.parametrize(
    "size, w_mm, h_mm",
    [
        (parse_size("plaque"), 100, 150),
        (parse_size("sticker"), 50, 50),
        (parse_size("sign"), 200, 300),
        (parse_size("plaque", bleed_mm=3), 106, 156),
        (parse_size("120x80mm"), 120, 80),
    ],
)
def test_page_size_in_points_is_the_mm_size_plus_bleed(size, w_mm, h_mm):
    page = PdfReader(io.BytesIO(render_pdf(content(), size))).pages[0]
    assert float(page.mediabox.width) == pytest.approx(w_mm * PT, abs=0.01)
    assert float(page.mediabox.height) == pytest.approx(h_mm * PT, abs=0.01)


def test_trim_and_bleed_boxes_with_crop_marks():
    page = PdfReader(
        io.BytesIO(render_pdf(content(), parse_size("plaque", bleed_mm=3, crop_marks=True)))
    ).pages[0]
    assert float(page.mediabox.width) == pytest.approx(122 * PT, abs=0.01)
    assert float(page.trimbox.width) == pytest.approx(100 * PT, abs=0.01)
    assert float(page.trimbox.height) == pytest.approx(150 * PT, abs=0.01)
    assert float(page.trimbox.left) == pytest.approx(11 * PT, abs=0.01)
    assert float(page.bleedbox.width) == pytest.approx(106 * PT, abs=0.01)


def test_every_font_is_an_embedded_subset(plaque_pdf):
    fonts = PdfReader(io.BytesIO(plaque_pdf)).pages[0]["/Resources"]["/Font"]
    names = set()
    for ref in fonts.values():
        font = ref.get_object()
        names.add(str(font["/BaseFont"]).split("+", 1)[-1])
        assert "+" in str(font["/BaseFont"])  # subset tag
        for desc in font["/DescendantFonts"]:
            fd = desc.get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in fd or "/FontFile3" in fd
    assert {"NotoSans", "NotoSansBold", "NotoSansCJKSC", "NotoSansCJKKR", "NotoSansMonoBold"} <= names


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdffonts_reports_all_embedded(plaque_pdf, tmp_path):
    path = tmp_path / "p.pdf"
    path.write_bytes(plaque_pdf)
    lines = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert len(lines) >= 5
    for line in lines:
        emb, sub, uni = line.split()[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdftotext_extracts_the_exact_strings(plaque_pdf, tmp_path):
    path = tmp_path / "p.pdf"
    path.write_bytes(plaque_pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for needle in NEEDLES:
        assert needle in text


def test_pdfium_extracts_the_exact_strings(plaque_pdf):
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(plaque_pdf)
    try:
        text = doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
    for needle in NEEDLES:
        assert needle in text


def test_qr_is_vector_no_images(plaque_pdf):
    page = PdfReader(io.BytesIO(plaque_pdf)).pages[0]
    assert "/XObject" not in page["/Resources"] or not page["/Resources"]["/XObject"]
    assert len(page.images) == 0


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size_name", ["sticker", "plaque", "150x100mm"])
def test_pdf_decodes_after_rasterising(kind, size_name):
    assert _decode_pdf(render_pdf(content(kind), parse_size(size_name))) == [URL]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_decodes_with_poppler_too(plaque_pdf, tmp_path):
    import zxingcpp
    from PIL import Image

    path = tmp_path / "p.pdf"
    path.write_bytes(plaque_pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "p")], check=True
    )
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(tmp_path / "p.png"))] == [URL]


def test_logo_pdf_still_decodes():
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (64, 64), "white")
    ImageDraw.Draw(img).ellipse((4, 4, 60, 60), fill="#00606B")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    data = render_pdf(content(), parse_size("plaque"), logo=buf.getvalue())
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 1
    assert _decode_pdf(data) == [URL]
