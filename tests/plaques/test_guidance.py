"""guidance.py: module size, the 10:1 scan distance and the small-module warning, for the presets.

Preset numbers are read from the renderer's layout, so the tests check agreement with it plus plain arithmetic.
"""

from __future__ import annotations

import pytest

from heritage.plaques import guidance
from heritage.plaques.designs import SIZE_PRESETS, parse_size
from heritage.plaques.layout import layout


def test_module_size_counts_the_quiet_zone():
    # Version 4: 33 modules + 2 x 4 quiet zone = 41 modules across.
    assert guidance.module_size_mm(41.0, 33) == pytest.approx(1.0)
    assert guidance.module_size_mm(41.0, 33, quiet_zone=0) == pytest.approx(41 / 33)


def test_scan_distance_is_ten_code_widths():
    g = guidance.from_qr_width(41.0, 33)
    assert g.code_width_mm == pytest.approx(33.0)
    assert g.scan_distance_mm == pytest.approx(330.0)


def test_warning_only_under_point_eight_mm():
    assert guidance.from_qr_width(0.79 * 41, 33).warning is not None
    assert "0.79 mm" in guidance.from_qr_width(0.79 * 41, 33).warning
    assert guidance.from_qr_width(0.80 * 41, 33).warning is None


def test_presets_match_the_renderer_layout():
    content = guidance.sample_content()
    for name, size in SIZE_PRESETS.items():
        g = guidance.for_size(name)
        qr = layout(content, size).qr
        assert g.modules == qr.n == 33  # version 4 at level H for the production URL
        assert g.module_mm == pytest.approx(qr.module)
        assert g.qr_width_mm == pytest.approx(41 * qr.module)
        assert g.scan_distance_mm == pytest.approx(10 * 33 * qr.module)
        assert (g.warning is None) == (qr.module >= 0.8)


def test_sticker_modules_are_about_point_seven_to_point_nine_mm():
    # A 50 mm sticker: the code square is at most the sticker, so modules < 50/41 = 1.22 mm;
    # the layout gives it well over half the side, so > 0.6 mm. Scan distance is a few tens of cm.
    g = guidance.for_size("sticker")
    assert 0.6 < g.module_mm < 50 / 41
    assert 150 < g.scan_distance_mm < 400


def test_larger_plaques_give_larger_modules_and_no_warning():
    by_size = {g.size: g for g in guidance.preset_guidance()}
    assert by_size["plaque"].module_mm > by_size["sticker"].module_mm
    assert by_size["sign"].module_mm > by_size["plaque"].module_mm
    for name in ("plaque", "sign", "a4"):
        assert by_size[name].module_mm > 1.5 and by_size[name].warning is None


def test_custom_size_and_table():
    g = guidance.for_size(parse_size("30x30mm"))
    assert g.module_mm < 0.8 and g.warning
    text = guidance.format_guidance([g, guidance.for_size("sign")])
    assert text.splitlines()[0].split()[:2] == ["size", "plaque"]
    assert "warning (30x30mm)" in text
    assert text.splitlines()[-1] == guidance.CITATION
    assert "10:1" in guidance.CITATION and "https://" in guidance.CITATION
