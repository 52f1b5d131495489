"""render_svg.py: exact mm size, QR as one vector path, texts outlined and kept, decodes."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from heritage.plaques.designs import KINDS, parse_size
from heritage.plaques.guidance import sample_content
from heritage.plaques.layout import dark_runs, layout
from heritage.plaques.render_svg import render_svg
from heritage.plaques.verify import decode, rasterise_svg

BASE = "https://disan.quangninh.gov.vn"
URL = "HTTPS://DISAN.QUANGNINH.GOV.VN/Q/7KQ2X"
NS = {"s": "http://www.w3.org/2000/svg"}


def content(kind="heritage_relic", ec="H"):
    return sample_content(kind, BASE, error_correction=ec)


def rasterise(svg: str, dpi: int = 300) -> Image.Image:
    """A real SVG renderer (Cairo, through the verification module)."""
    return rasterise_svg(svg, dpi)


@pytest.mark.parametrize(
    "size, w, h",
    [
        (parse_size("plaque"), "100", "150"),
        (parse_size("sticker"), "50", "50"),
        (parse_size("plaque", bleed_mm=3), "106", "156"),
        (parse_size("120x80mm"), "120", "80"),
    ],
)
def test_svg_has_exact_physical_size_and_mm_viewbox(size, w, h):
    root = ET.fromstring(render_svg(content(), size))
    assert root.get("width") == f"{w}mm" and root.get("height") == f"{h}mm"
    assert root.get("viewBox") == f"0 0 {w} {h}"


def test_qr_is_one_vector_path_and_nothing_raster():
    svg = render_svg(content(), parse_size("plaque"))
    root = ET.fromstring(svg)
    assert root.findall(".//s:image", NS) == [] and "data:image" not in svg
    qr = root.findall(".//s:path[@id='qr']", NS)
    assert len(qr) == 1 and qr[0].get("fill") == "#000000"
    # One closed rectangle per run of dark modules, nothing else in it.
    d = qr[0].get("d")
    lay = layout(content(), parse_size("plaque"))
    assert d.count("Z") == len(dark_runs(lay, with_logo=False))
    assert re.fullmatch(r"(M[\d.]+ [\d.]+H[\d.]+V[\d.]+H[\d.]+Z)+", d)


def test_texts_are_outlined_and_kept_as_text_with_font_family():
    svg = render_svg(content(), parse_size("plaque"))
    root = ET.fromstring(svg)
    outlines = root.findall(".//s:g[@id='text-outlines']/s:path", NS)
    labels = {p.get("aria-label") for p in outlines}
    assert {"Đình Trung Bản", "扫码收听故事", "스캔하여 이야기 듣기", "7KQ2X"} <= labels
    assert all(p.get("d") for p in outlines)
    layer = root.find(".//s:g[@id='text']", NS)
    assert layer.get("display") == "none"
    texts = {t.text: t for t in layer.findall("s:text", NS)}
    assert "Noto Sans CJK SC" in texts["扫码收听故事"].get("font-family")
    assert "Noto Sans CJK KR" in texts["스캔하여 이야기 듣기"].get("font-family")
    assert "Noto Sans" in texts["Đình Trung Bản"].get("font-family")
    assert "Noto Sans Mono" in texts["7KQ2X"].get("font-family")
    # Self-contained: no external references of any kind.
    assert "href" not in svg and "@font-face" not in svg and "url(" not in svg


def test_outline_text_false_makes_the_text_layer_visible():
    root = ET.fromstring(render_svg(content(), parse_size("plaque"), outline_text=False))
    assert root.find(".//s:g[@id='text-outlines']", NS) is None
    assert root.find(".//s:g[@id='text']", NS).get("display") is None


def test_crop_marks_are_drawn():
    root = ET.fromstring(render_svg(content(), parse_size("plaque", bleed_mm=3, crop_marks=True)))
    assert len(root.findall(".//s:g[@id='crop-marks']/s:line", NS)) == 8


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size_name", ["sticker", "plaque", "150x100mm"])
def test_svg_decodes_after_rasterising(kind, size_name):
    img = rasterise(render_svg(content(kind), parse_size(size_name)), dpi=200)
    assert decode(img) == [URL]


def test_outlined_text_is_visible_when_rasterised():
    """The outlines really draw: the code box area is not blank."""
    size = parse_size("plaque")
    lay = layout(content(), size)
    code = next(r for r in lay.texts if r.slot == "code")
    img = rasterise(render_svg(content(), size), dpi=100)
    k = 100 / 25.4
    box = (
        round(code.x * k),
        round((code.y - code.size * 0.7) * k),
        round((code.x + 20) * k),
        round(code.y * k),
    )
    assert img.crop(box).getextrema()[0] < 60


def test_logo_is_embedded_only_when_given():
    import base64

    from PIL import ImageDraw

    img = Image.new("RGB", (64, 64), "white")
    ImageDraw.Draw(img).rectangle((8, 8, 56, 56), fill="#B3121B")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    svg = render_svg(content(), parse_size("plaque"), logo=buf.getvalue())
    root = ET.fromstring(svg)
    images = root.findall(".//s:g[@id='logo']/s:image", NS)
    assert len(images) == 1
    assert base64.b64decode(images[0].get("href").split(",", 1)[1])[:4] == b"\x89PNG"
    assert decode(rasterise(svg, dpi=200)) == [URL]
