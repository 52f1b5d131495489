"""What a print shop checks: safe zone, nothing on the cut line, marks only where plaques are,
unbroken names, contrast, one spelling per plaque, Chinese names on border markers, file mode."""

from __future__ import annotations

import io
import os
import stat

import pytest
from PIL import Image

from heritage.plaques import fonts
from heritage.plaques.decoding import rasterise_pdf
from heritage.plaques.designs import (
    KIND_STYLES,
    KINDS,
    MIN_CONTRAST,
    contrast_ratio,
    make_content,
    parse_size,
)
from heritage.plaques.frame import SAFE_MM
from heritage.plaques.layout import background_at, layout
from heritage.plaques.render_pdf import render_pdf
from heritage.plaques.render_png import render_png
from heritage.plaques.sheets import cut_mark_lines, render_sheet_pdf, sheet_grid
from heritage.plaques.verify import atomic_write, verified

BASE = "https://disan.quangninh.gov.vn"
LONG_VI = "Khu lưu niệm Chủ tịch Hồ Chí Minh trên đảo Cô Tô, tỉnh Quảng Ninh (cột mốc và bến tàu)"
LONG_EN = "President Hồ Chí Minh Memorial Site on Cô Tô Island, Quảng Ninh province (wharf and marker)"
ZH = "姑苏岛胡志明主席纪念区（Khu lưu niệm Chủ tịch Hồ Chí Minh trên đảo Cô Tô）"


def content(kind="heritage_relic", vi=LONG_VI, en=LONG_EN, unit="Sở Văn hoá, Thể thao và Du lịch Quảng Ninh"):
    return make_content(BASE, "7KQ2X", kind, vi, en, unit, extra_names=(("zh", ZH),))


DPI = 100  # 3 mm = 12 px: enough to see any ink in the safe zone


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("size_name", ["sticker", "plaque", "150x100mm"])
def test_without_bleed_nothing_is_printed_within_3mm_of_the_trim(kind, size_name):
    # Measured on the raster: colour bands and text alike keep off the 3 mm ring inside the cut.
    image = Image.open(io.BytesIO(render_png(content(kind), parse_size(size_name), dpi=DPI))).convert("RGB")
    ring = round(SAFE_MM * DPI / 25.4) - 1  # one pixel of rounding at the ring's inner edge
    w, h = image.size
    for box in ((0, 0, w, ring), (0, h - ring, w, h), (0, 0, ring, h), (w - ring, 0, w, h)):
        assert image.crop(box).getextrema() == ((255, 255),) * 3, (size_name, box)


@pytest.mark.parametrize("kind", KINDS)
def test_with_bleed_there_is_no_line_on_the_cut_and_text_keeps_3mm_inside(kind):
    size = parse_size("plaque", bleed_mm=3)
    lay = layout(content(kind), size)
    image = Image.open(io.BytesIO(render_png(content(kind), size, dpi=DPI))).convert("RGB")
    k = DPI / 25.4
    left, top = round(3 * k), round(3 * k)
    right, bottom = round((3 + 100) * k), round((3 + 150) * k)
    # Just outside and just inside each cut line print the same colour: no frame, no rule.
    for y in range(top + 2, bottom - 2, 5):
        assert image.getpixel((left - 2, y)) == image.getpixel((left + 2, y)), y
        assert image.getpixel((right + 1, y)) == image.getpixel((right - 3, y)), y
    for x in range(left + 2, right - 2, 5):
        assert image.getpixel((x, top - 2)) == image.getpixel((x, top + 2)), x
        assert image.getpixel((x, bottom + 1)) == image.getpixel((x, bottom - 3)), x
    t = lay.trim
    for run in lay.texts:
        metrics = fonts.font_metrics(run.role)
        width = fonts.text_width(run.text, run.role, run.size)
        assert run.x >= t.x + SAFE_MM and run.x + width <= t.x + t.w - SAFE_MM, run
        assert run.y - metrics.ascender * run.size >= t.y + SAFE_MM, run
        assert run.y - metrics.descender * run.size <= t.y + t.h - SAFE_MM, run


def test_last_sheet_page_marks_only_the_cells_it_fills():
    size = parse_size("sticker")
    grid = sheet_grid(size, "A4")
    assert grid.cols > 1 and grid.rows > 1
    lines = cut_mark_lines(grid, 0, 1)  # one sticker on the last page
    x0, y0 = grid.cell_origin(0)
    xs = {round(x, 6) for line in lines for x in (line[0], line[2]) if line[0] == line[2]}
    ys = {round(y, 6) for line in lines for y in (line[1], line[3]) if line[1] == line[3]}
    assert xs == {round(x0, 6), round(x0 + grid.cell_w, 6)}
    assert ys == {round(y0, 6), round(y0 + grid.cell_h, 6)}
    assert len(cut_mark_lines(grid, 0, grid.per_page)) == 4 * (grid.cols + grid.rows)
    # And on the rendered page: nothing at all in the margin beside the empty columns and rows.
    contents = [content("scenic_spot", "Hang Đầu Gỗ", "Dau Go cave")] * (grid.per_page + 1)
    last = rasterise_pdf(render_sheet_pdf(contents, size, "A4"), dpi=50)[-1]
    k = 50 / 25.4
    right_of_first_cell = round((x0 + grid.cell_w + 3) * k)
    below_first_cell = round((y0 + grid.cell_h + 3) * k)
    top_margin = last.crop((right_of_first_cell, 0, last.width, round(y0 * k) - 1))
    left_margin = last.crop((0, below_first_cell, round(x0 * k) - 1, last.height - round(12 * k)))
    assert top_margin.getextrema()[0] > 200 and left_margin.getextrema()[0] > 200


def test_names_never_break_inside_a_person_or_place_name():
    for size_name in ("plaque", "60x90mm", "80x80mm", "sign"):
        lay = layout(content(), parse_size(size_name))
        for slot in ("name_vi", "name_en"):
            lines = [r.text for r in lay.texts if r.slot == slot]
            assert lines, (size_name, slot)
            for name in ("Hồ Chí Minh", "Quảng Ninh", "Cô Tô"):
                if name in " ".join(lines):
                    assert any(name in line for line in lines), (size_name, lines)


@pytest.mark.parametrize("bleed", [0, 3])
@pytest.mark.parametrize("size_name", ["plaque", "sticker", "150x100mm", "a4"])
def test_every_label_has_contrast_4_5_on_its_background(size_name, bleed):
    for kind in KINDS:
        lay = layout(content(kind), parse_size(size_name, bleed_mm=bleed))
        for run in lay.texts:
            middle = run.y - 0.35 * run.size
            background = background_at(lay, run.x + 0.1, middle)
            assert contrast_ratio(run.fill, background) >= MIN_CONTRAST, (kind, run, background)
    # The design's own pairs too, so a new colour cannot slip in unused by this plaque.
    for style in KIND_STYLES.values():
        assert contrast_ratio(style.accent, style.primary) >= MIN_CONTRAST


def test_one_spelling_per_word_on_one_plaque():
    lay = layout(content("heritage_relic"), parse_size("plaque"))
    words = {w.strip(",.·–()").lower() for run in lay.texts for w in run.text.split()}
    assert "hóa" in words and "hoá" not in words  # header "VĂN HÓA", footer "Văn hóa"


def test_border_marker_shows_its_chinese_name_and_still_decodes():
    marker = make_content(
        BASE,
        "7KQ2X",
        "border_marker",
        "Cột mốc 1369",
        "Border marker 1369",
        "Đồn Biên phòng Móng Cái",
        extra_names=(("zh", "1369号界碑（芒街国际口岸）（cửa khẩu Móng Cái）"),),
    )
    lay = layout(marker, parse_size("plaque"))
    asia = "".join(r.text for r in lay.texts if r.slot == "name_asia")
    assert asia == "1369号界碑（芒街国际口岸）"  # the Vietnamese gloss is already printed above it
    verified(render_pdf(marker, parse_size("plaque")), marker.url)


def test_extra_names_follow_the_setting_and_border_markers_always_show_chinese(make_site):
    from heritage.plaques.production import extra_names

    zh, ko = {"zh": {"name": "下龙湾"}}, {"ko": {"name": "하롱베이"}}
    bay = make_site("Vịnh Hạ Long", kind="scenic_spot", texts={**zh, **ko})
    marker = make_site("Mốc 1378", kind="border_marker", marker_number="1378", texts=zh)
    assert extra_names(bay, ["zh"]) == (("zh", "下龙湾"),)
    assert extra_names(bay, ["zh", "ko"]) == (("zh", "下龙湾"), ("ko", "하롱베이"))
    assert extra_names(bay, []) == ()
    assert extra_names(marker, []) == (("zh", "下龙湾"),)


def test_files_are_written_with_ordinary_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        path = atomic_write(tmp_path / "plaque.pdf", b"%PDF-1.4")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
