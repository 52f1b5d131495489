"""designs.py / layout.py / fonts.py: sizes, content checks, and the shared mm layout.

The layout is what all three renderers draw, so its promises are tested here once: quiet zone,
texts inside the trim and off the QR, code always present, logo budget, bleed and crop marks.
"""

from __future__ import annotations

import pytest

from heritage.plaques import fonts
from heritage.plaques.designs import (
    KIND_STYLES,
    KINDS,
    SIZE_PRESETS,
    PlaqueContent,
    PlaqueSize,
    make_content,
    parse_size,
)
from heritage.plaques.layout import DROP_ORDER, dark_runs, layout
from heritage.plaques.payload import PlaqueError

BASE = "https://disan.quangninh.gov.vn"
LONG_VI = "Nơi thành lập Chi bộ Đảng đầu tiên khu mỏ Quảng Ninh (Di tích lịch sử mỏ than Mạo Khê)"
LONG_EN = (
    "Site of the first Communist Party cell of the Quảng Ninh mining area (Mạo Khê coal mine historic site)"
)


def content(kind="heritage_relic", vi="Đình Trung Bản", en="Trung Ban communal house", ec="H"):
    return make_content(BASE, "7KQ2X", kind, vi, en, "Ban Quản lý di tích thị xã Quảng Yên", ec)


@pytest.mark.parametrize(
    "text, w, h",
    [
        ("sticker", 50, 50),
        ("plaque", 100, 150),
        ("SIGN", 200, 300),
        ("a4", 210, 297),
        ("120x80mm", 120, 80),
        ("120 x 80", 120, 80),
        ("12x8cm", 120, 80),
        ("120×80 mm", 120, 80),
        ("99,5x60", 99.5, 60),
    ],
)
def test_parse_size(text, w, h):
    size = parse_size(text)
    assert (size.width_mm, size.height_mm) == (w, h)


@pytest.mark.parametrize(
    "text", ["", "huge", "120x", "x80", "-5x80", "10x10mm", "5000x3000", "400x50mm", "1e3x80"]
)
def test_parse_size_rejects(text):
    with pytest.raises(PlaqueError):
        parse_size(text)


def test_presets_and_page_size_with_bleed_and_crop_marks():
    assert {k: (v.width_mm, v.height_mm) for k, v in SIZE_PRESETS.items()} == {
        "sticker": (50, 50),
        "plaque": (100, 150),
        "sign": (200, 300),
        "a4": (210, 297),
    }
    size = parse_size("plaque", bleed_mm=3)
    assert (size.page_width_mm, size.page_height_mm) == (106, 156)
    marked = parse_size("plaque", bleed_mm=3, crop_marks=True)
    assert marked.margin_mm == 11 and marked.page_width_mm == 122
    with pytest.raises(PlaqueError):
        PlaqueSize("x", 100, 150, bleed_mm=20)


def test_content_is_checked():
    with pytest.raises(PlaqueError, match="kind"):
        content(kind="temple")
    with pytest.raises(PlaqueError, match="upper case"):
        PlaqueContent("7KQ2X", "https://x/q/7KQ2X", "heritage_relic", "A", "B", "C", "x/q/7KQ2X")
    with pytest.raises(PlaqueError, match="Error correction"):
        content(ec="Z")
    with pytest.raises(PlaqueError, match="Vietnamese name"):
        content(vi="  ")


def _text_box(run):
    w = fonts.text_width(run.text, run.role, run.size)
    return run.x, run.y - 0.8 * run.size, run.x + w, run.y + 0.25 * run.size


def _overlaps(a, b):
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


SIZES = [
    "sticker",
    "plaque",
    "sign",
    "a4",
    "150x100mm",
    "60x90mm",
    "80x80mm",
    "120x40mm",
    "30x30mm",
    "297x210mm",
]


@pytest.mark.parametrize("size_name", SIZES)
@pytest.mark.parametrize("kind", KINDS)
def test_layout_keeps_texts_inside_and_off_the_qr(size_name, kind):
    size = parse_size(size_name, bleed_mm=3)
    lay = layout(content(kind, LONG_VI, LONG_EN), size)
    t, q = lay.trim, lay.qr.outer
    qbox = (q.x, q.y, q.x + q.w, q.y + q.h)
    assert t.x - 1e-6 <= q.x and q.x + q.w <= t.x + t.w + 1e-6
    assert t.y - 1e-6 <= q.y and q.y + q.h <= t.y + t.h + 1e-6
    for run in lay.texts:
        box = _text_box(run)
        assert t.x - 0.01 <= box[0] and box[2] <= t.x + t.w + 0.01, run
        assert t.y - 0.01 <= box[1] and box[3] <= t.y + t.h + 0.01, run
        assert not _overlaps(box, qbox), run
        assert run.size >= 1.6 or run.slot == "code", run
    for box in lay.boxes:
        if box.slot in ("code_box", "header", "footer", "stripe"):
            assert not _overlaps((box.x, box.y, box.x + box.w, box.y + box.h), qbox), box
    assert [r.text for r in lay.texts if r.slot == "code"] == ["7KQ2X"]
    assert set(lay.dropped) <= set(DROP_ORDER)


def test_quiet_zone_is_four_white_modules_and_qr_is_black():
    lay = layout(content(), parse_size("plaque"))
    q = lay.qr
    assert q.quiet_zone == 4
    assert q.outer.w == pytest.approx((q.n + 8) * q.module)
    assert q.outer.fill == "#FFFFFF" and lay.boxes[-1] == q.outer  # drawn last: nothing covers it
    assert q.version == 4 and q.n == 33


def test_sticker_keeps_qr_url_and_code_and_says_what_it_dropped():
    lay = layout(content(), SIZE_PRESETS["sticker"])
    slots = {r.slot for r in lay.texts}
    assert slots == {"url", "code"}
    assert {"name_vi", "name_en", "cta_vi", "cta_asia", "managing_unit"} <= set(lay.dropped)
    assert lay.qr.outer.w >= 0.7 * 50  # QR dominant
    assert lay.qr.module >= 0.8


def test_plaque_shows_everything_in_four_languages():
    lay = layout(content(), SIZE_PRESETS["plaque"])
    text = " ".join(r.text for r in lay.texts)
    for s in (
        "Đình Trung Bản",
        "Trung Ban communal house",
        "Quét để nghe câu chuyện",
        "Scan to hear the story",
        "扫码收听故事",
        "스캔하여 이야기 듣기",
        "disan.quangninh.gov.vn/q/7KQ2X",
        "7KQ2X",
        "Ban Quản lý",
    ):
        assert s in text
    assert lay.dropped == ()
    assert {r.role for r in lay.texts if "扫" in r.text} == {"zh"}
    assert {r.role for r in lay.texts if "스" in r.text} == {"ko"}


def test_landscape_custom_size_puts_the_qr_left_of_the_texts():
    lay = layout(content(), parse_size("150x100mm"))
    assert lay.arrangement.startswith("landscape")
    code = next(r for r in lay.texts if r.slot == "code")
    assert code.x > lay.qr.outer.x + lay.qr.outer.w


def test_every_character_has_a_glyph_in_its_font():
    lay = layout(content("red_address", LONG_VI, LONG_EN), SIZE_PRESETS["a4"])
    for run in lay.texts:
        assert all(fonts.covers(run.role, ch) for ch in run.text), run


def test_colours_by_kind_only_outside_the_qr():
    for kind in KINDS:
        lay = layout(content(kind), SIZE_PRESETS["plaque"])
        fills = {b.fill for b in lay.boxes}
        assert KIND_STYLES[kind].primary in fills
        assert lay.qr.outer.fill == "#FFFFFF"


@pytest.mark.parametrize("ec, limit", [("H", 0.02)])
def test_logo_area_is_centred_and_within_budget(ec, limit):
    lay = layout(content(ec=ec), SIZE_PRESETS["plaque"])
    start, k = lay.logo_modules
    assert 0 < lay.logo_fraction <= limit
    assert start * 2 + k == lay.qr.n  # centred on whole modules
    runs = dark_runs(lay, with_logo=True)
    assert not any(start <= r < start + k and c0 < start + k and c0 + n > start for r, c0, n in runs)


def test_bleed_extends_the_bands_and_crop_marks_stay_outside_it():
    size = parse_size("plaque", bleed_mm=3, crop_marks=True)
    lay = layout(content(), size)
    header = next(b for b in lay.boxes if b.slot == "header")
    assert header.x == pytest.approx(size.margin_mm - 3) and header.w == pytest.approx(106)
    assert len(lay.crop_marks) == 8
    bleed = (lay.trim.x - 3, lay.trim.y - 3, lay.trim.x + 103, lay.trim.y + 153)
    for x0, y0, x1, y1 in lay.crop_marks:
        assert not _overlaps(
            (min(x0, x1) - 1e-3, min(y0, y1) - 1e-3, max(x0, x1) + 1e-3, max(y0, y1) + 1e-3), bleed
        )


def test_missing_fonts_name_the_install_step(tmp_path):
    try:
        fonts.set_font_dirs([str(tmp_path)])
        with pytest.raises(PlaqueError, match="fonts-noto-core") as err:
            fonts.font_file("sans")
        assert "HERITAGE_FONT_DIR" in str(err.value)
    finally:
        fonts.set_font_dirs(None)
    assert fonts.check_fonts()["zh"].name == "NotoSansCJK-Regular.ttc"
