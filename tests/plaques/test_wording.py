"""wording.py and textfit.set_block: one orthography, names kept whole, any name length fits."""

from __future__ import annotations

import pytest

from heritage.plaques import fonts
from heritage.plaques.designs import SIZE_PRESETS, make_content, parse_size
from heritage.plaques.layout import layout
from heritage.plaques.wording import modern_tone_marks, name_tokens, shortened


@pytest.mark.parametrize(
    "old, new",
    [
        ("VĂN HOÁ", "VĂN HÓA"),
        ("Văn hoá", "Văn hóa"),
        ("khoẻ", "khỏe"),
        ("Thuỷ", "Thủy"),
        ("Hoà Bình", "Hòa Bình"),
        ("quý", "quý"),  # qu + y: the tone is on y in both styles
        ("hoán", "hoán"),  # a final consonant: the tone is on a in both styles
    ],
)
def test_modern_tone_placement(old, new):
    assert modern_tone_marks(old) == new


def test_capitalised_runs_and_protected_names_are_kept_together():
    groups = name_tokens("Khu lưu niệm Chủ tịch Hồ Chí Minh trên đảo Cô Tô")
    assert ["Hồ", "Chí", "Minh"] in groups and ["Cô", "Tô"] in groups
    assert shortened("Cột mốc 1369 (cửa khẩu Móng Cái)")[0] == "Cột mốc 1369"
    assert shortened("下龙湾风景名胜区")[0] == "下龙湾风景名胜…"  # no spaces: cut at a character


def test_any_cjk_name_length_fits_its_band_and_leaves_the_code_alone():
    base = make_content(
        "https://disan.quangninh.gov.vn", "7KQ2X", "border_marker", "Mốc 1378", "Marker", "UBND"
    )
    huge = make_content(
        "https://disan.quangninh.gov.vn",
        "7KQ2X",
        "border_marker",
        "Mốc 1378",
        "Marker",
        "UBND",
        extra_names=(("zh", "沙尾岬" * 60), ("ko", "사비곶 " * 40)),
    )
    for size in [*SIZE_PRESETS.values(), parse_size("120x80mm")]:
        plain, long = layout(base, size), layout(huge, size)
        assert long.qr == plain.qr
        runs = [r for r in long.texts if r.slot == "name_asia"]
        if "name_asia" in long.dropped:
            continue
        # Korean left out first, then the Chinese name cut with "…": never a wider band.
        assert [r.role for r in runs] == ["zh"] and runs[0].text.endswith("…"), runs
        right = max(r.x + fonts.text_width(r.text, r.role, r.size) for r in runs)
        assert right <= size.margin_mm + size.width_mm - 3.0 + 1e-6
