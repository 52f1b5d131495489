"""weathering.py: damage is reproducible, honestly sized and placed, and level H beats level M.

Images come straight from `qrcode` (version 4, same URL) so H and M differ only in error correction.
"""

from __future__ import annotations

import qrcode
from PIL import Image, ImageDraw

from heritage.plaques import weathering
from heritage.plaques.weathering import CASES, Case, Row, Sample

URL = "HTTPS://DISAN.QUANGNINH.GOV.VN/Q/7KQ2X"
BOX = 23
MODULES = 33
SYMBOL = (4 * BOX, 4 * BOX, 4 * BOX + MODULES * BOX, 4 * BOX + MODULES * BOX)


def qr_image(level: str = "H") -> Image.Image:
    qr = qrcode.QRCode(
        version=4, error_correction=getattr(qrcode.constants, f"ERROR_CORRECT_{level}"), box_size=BOX
    )
    qr.add_data(URL)
    qr.make(fit=False)
    return qr.make_image().get_image().convert("L")


def by_name(cases: list[Case]) -> dict[str, Case]:
    return {case.name: case for case in cases}


def test_locate_finds_the_symbol_box_and_module_count():
    assert weathering.locate(qr_image()) == (SYMBOL, MODULES)


def test_every_case_is_deterministic():
    image = qr_image()
    for name in CASES:
        first, box = weathering.weather(image, name, SYMBOL, MODULES, seed=7)
        again, _ = weathering.weather(image, name, SYMBOL, MODULES, seed=7)
        assert first.tobytes() == again.tobytes(), name
        assert box == weathering.weather(image, name, SYMBOL, MODULES, seed=8)[1]


def test_seed_changes_the_blob_shape_but_not_its_area():
    one = weathering.blob_polygon(SYMBOL, 0.12, seed=1)
    two = weathering.blob_polygon(SYMBOL, 0.12, seed=2)
    assert one != two


def covered_fraction(fraction: float, seed: int = 0) -> tuple[float, tuple[int, int, int, int]]:
    mask = Image.new("1", qr_image().size, 0)
    ImageDraw.Draw(mask).polygon(weathering.blob_polygon(SYMBOL, fraction, seed), fill=1)
    inside = mask.crop(SYMBOL)
    return sum(inside.get_flattened_data()) / (inside.width * inside.height), mask.getbbox()


def test_blob_covers_twelve_percent_of_the_symbol():
    for seed in range(5):
        covered, _ = covered_fraction(0.12, seed)
        assert abs(covered - 0.12) < 0.005


def test_blob_sits_over_data_modules_clear_of_the_finder_patterns():
    # Finder pattern + separator: 8x8 modules in three corners. The blob must not touch them,
    # or the test would measure "finder destroyed" rather than error-correction capacity.
    for seed in range(5):
        _, (left, top, right, bottom) = covered_fraction(0.12, seed)
        to_module = lambda px: (px - SYMBOL[0]) / BOX  # noqa: E731
        assert to_module(left) > 8 and to_module(top) > 8  # clear of all three finders
        assert to_module(right) < MODULES and to_module(bottom) < MODULES  # inside the symbol


def test_fade_maps_black_and_white_to_the_faded_greys():
    faded = weathering.fade(qr_image())
    assert faded.getextrema() == (weathering.FADE_DARK, weathering.FADE_LIGHT)


def test_perspective_coefficients_map_output_corners_back_to_input_corners():
    src = [(0.0, 0.0), (100.0, 0.0), (100.0, 100.0), (0.0, 100.0)]
    dst = [(5.0, 10.0), (95.0, 0.0), (95.0, 100.0), (5.0, 90.0)]
    a, b, c, d, e, f, g, h = weathering.perspective_coefficients(src, dst)
    for (x, y), (u, v) in zip(src, dst, strict=True):
        w = g * u + h * v + 1
        assert abs((a * u + b * v + c) / w - x) < 1e-6
        assert abs((d * u + e * v + f) / w - y) < 1e-6


def test_h_survives_every_case():
    report = weathering.robustness_report(qr_image("H"), URL)
    assert [case.name for case in report] == list(CASES)
    assert all(case.passed for case in report), report


def test_h_survives_damage_that_m_does_not():
    h = by_name(weathering.robustness_report(qr_image("H"), URL))
    m = by_name(weathering.robustness_report(qr_image("M"), URL))
    assert h["clean"].passed and m["clean"].passed
    assert h["blob 12%"].passed and not m["blob 12%"].passed
    assert h["blur"].passed and not m["blur"].passed
    # Wherever M survives, H does too.
    assert all(h[name].passed for name in m if m[name].passed)


def test_undecodable_plaque_fails_every_case():
    report = weathering.robustness_report(Image.new("L", (300, 300), 255), URL)
    assert not any(case.passed for case in report)


def test_wrong_url_fails():
    report = weathering.robustness_report(qr_image(), URL.replace("7KQ2X", "7KQ2Y"))
    assert not any(case.passed for case in report)


def test_table_formats_rows():
    rows = weathering.robustness_table(
        [
            Sample("plain", "H test", qr_image("H"), URL, module_mm=1.23),
            Sample("plain", "M test", qr_image("M"), URL, SYMBOL, MODULES),
        ]
    )
    assert isinstance(rows[0], Row) and all(c.passed for c in rows[0].cases)
    text = weathering.format_table(rows)
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["kind", "size", "module"]
    assert "1.23" in lines[2] and "FAIL" in lines[3] and "FAIL" not in lines[2]
    assert lines[-2].startswith("2 plaques,") and "failing" in lines[-2]
    assert lines[-1] == "Smallest module per size: H test 1.23 mm"
    assert "ok NN%" in weathering.format_table(rows, legend=True)  # the legend explains the cells


def test_rendered_plaques_survive_every_case_without_a_logo():
    # Real render_png output (header bands, texts, code box around the QR), not a bare code.
    from heritage.plaques.guidance import sample_content

    contents = [sample_content("border_marker"), sample_content("red_address")]
    samples = list(weathering.rendered_samples(contents, ["sticker", "plaque"], dpi=300))
    assert [(s.kind, s.size) for s in samples][:2] == [
        ("border_marker", "sticker"),
        ("border_marker", "plaque"),
    ]
    for sample in samples:
        # Measured on the pixels, and the same symbol zxing finds (its corners are within a pixel).
        (left, top, right, bottom), modules = weathering.locate(sample.image)
        assert modules == sample.modules == 33
        assert max(abs(a - b) for a, b in zip((left, top, right, bottom), sample.qr_box, strict=True)) <= 1
        assert sample.code == "7KQ2X" and sample.module_mm > 0.8
    rows = weathering.robustness_table(samples)
    assert all(case.passed for row in rows for case in row.cases), weathering.format_table(rows)
