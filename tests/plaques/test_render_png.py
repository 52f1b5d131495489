"""render_png.py: exact pixel size and DPI, black-on-white QR, decodes with zxing-cpp."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from heritage.plaques.designs import KINDS, parse_size
from heritage.plaques.guidance import sample_content
from heritage.plaques.layout import layout
from heritage.plaques.payload import PlaqueError
from heritage.plaques.render_png import draw_layout, pixel_size, render_png

BASE = "https://disan.quangninh.gov.vn"
URL = "HTTPS://DISAN.QUANGNINH.GOV.VN/Q/7KQ2X"


def content(kind="heritage_relic", ec="H"):
    return sample_content(kind, BASE, error_correction=ec)


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def decode(img: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(img)]


def logo_png() -> bytes:
    img = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse((4, 4, 116, 116), fill="#B3121B")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize(
    "size_name, dpi, pixels",
    [
        ("plaque", 600, (2362, 3543)),
        ("sticker", 600, (1181, 1181)),
        ("sticker", 300, (591, 591)),
        ("150x100mm", 150, (886, 591)),
    ],
)
def test_png_has_exact_pixel_size_and_dpi(size_name, dpi, pixels):
    img = open_png(render_png(content(), parse_size(size_name), dpi=dpi))
    assert img.size == pixels == pixel_size(parse_size(size_name), dpi)
    assert tuple(round(v) for v in img.info["dpi"]) == (dpi, dpi)


def test_png_page_includes_bleed_and_slug():
    img = open_png(render_png(content(), parse_size("plaque", bleed_mm=3, crop_marks=True), dpi=254))
    assert img.size == (1220, 1720)  # (100 + 2*3 + 2*8) mm at 10 px/mm


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size_name", ["sticker", "plaque", "150x100mm"])
def test_png_decodes_to_the_url(kind, size_name):
    img = open_png(render_png(content(kind), parse_size(size_name), dpi=300))
    assert decode(img) == [URL]


def test_png_decodes_at_level_q():
    res = zxingcpp.read_barcodes(open_png(render_png(content(ec="Q"), parse_size("plaque"), dpi=200)))
    assert [r.text for r in res] == [URL] and res[0].ec_level == "Q"


def test_qr_area_is_only_black_and_white():
    lay = layout(content("red_address"), parse_size("plaque"))
    img = draw_layout(lay, 300)
    k = 300 / 25.4
    o = lay.qr.outer
    crop = img.convert("RGB").crop(
        (round(o.x * k), round(o.y * k), round((o.x + o.w) * k), round((o.y + o.h) * k))
    )
    assert {c for _, c in crop.getcolors(1 << 16)} == {(0, 0, 0), (255, 255, 255)}


def test_quiet_zone_is_white_in_pixels():
    lay = layout(content(), parse_size("sticker"))
    img = draw_layout(lay, 600).convert("RGB")
    k = 600 / 25.4
    q = lay.qr
    ring = [
        (q.x - 3.5 * q.module, q.y + 10 * q.module),  # left quiet zone
        (q.x + 10 * q.module, q.y - 3.5 * q.module),  # top
        (q.x + (q.n + 3.5) * q.module, q.y + 10 * q.module),  # right
        (q.x + 10 * q.module, q.y + (q.n + 3.5) * q.module),  # bottom
    ]
    for x, y in ring:
        assert img.getpixel((round(x * k), round(y * k))) == (255, 255, 255)


def test_logo_is_drawn_and_still_decodes():
    with_logo = open_png(render_png(content(), parse_size("plaque"), dpi=300, logo=logo_png()))
    assert decode(with_logo) == [URL]
    lay = layout(content(), parse_size("plaque"))
    k = 300 / 25.4
    cx = round((lay.logo_box.x + lay.logo_box.w / 2) * k)
    cy = round((lay.logo_box.y + lay.logo_box.h / 2) * k)
    r, g, b = with_logo.convert("RGB").getpixel((cx, cy))[:3]
    assert abs(r - 0xB3) < 8 and g < 40 and b < 40  # the logo's red, centred on the code


def test_bad_logo_dpi_and_level_raise_plaque_error():
    with pytest.raises(PlaqueError, match="logo"):
        render_png(content(), parse_size("plaque"), dpi=72, logo=b"not an image")
    with pytest.raises(PlaqueError, match="error correction"):
        render_png(content(ec="M"), parse_size("plaque"), dpi=72, logo=logo_png())
    with pytest.raises(PlaqueError, match="DPI"):
        render_png(content(), parse_size("plaque"), dpi=10)
    with pytest.raises(PlaqueError, match="lower DPI"):
        render_png(content(), parse_size("2000x1500mm"), dpi=600)
