"""One code size per plaque size: the QR symbol is measured on the rendered PNG and PDF pixels
(its dark edges, divided by its module count) for the shortest and the longest demo names.
"""

from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import pytest
from PIL import Image

from heritage.plaques import guidance
from heritage.plaques.decoding import measure_symbol, rasterise_pdf
from heritage.plaques.designs import SIZE_PRESETS, make_content, parse_size
from heritage.plaques.layout import layout
from heritage.plaques.render_pdf import render_pdf
from heritage.plaques.render_png import render_png

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://disan.quangninh.gov.vn"
DPI = 150  # >= 5 px per module on the sticker; the symbol's edges are exact pixels either way


def demo_names() -> list[dict[str, str]]:
    """Each demo site's names by language, read from the demo files (zh/ko where present)."""
    out = []
    for path in sorted((ROOT / "heritage/demo/sites").glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        out.append({lang: t["name"] for lang, t in data.get("text", {}).items() if t.get("name")})
    return out


def extreme_contents():
    """The shortest and the longest names the demo has, in every language, on one plaque each."""
    names = demo_names()

    def pick(lang, longest):
        found = [n[lang] for n in names if lang in n]
        return (max if longest else min)(found, key=len) if found else ""

    out = []
    for longest in (False, True):
        extras = tuple((lang, pick(lang, longest)) for lang in ("zh", "ko") if pick(lang, longest))
        out.append(
            make_content(
                BASE,
                "7KQ2X",
                "border_marker",
                pick("vi", longest),
                pick("en", longest),
                "Ban Quản lý di tích và danh thắng Quảng Ninh, Sở Văn hóa, Thể thao và Du lịch"
                if longest
                else "UBND",
                extra_names=extras,
            )
        )
    return out


def measured(image: Image.Image):
    found = measure_symbol(image)
    assert found is not None, "no QR found on the rendered plaque"
    return found


SIZES = [*SIZE_PRESETS, "120x80mm"]


@pytest.mark.parametrize("size_name", SIZES)
def test_png_and_pdf_codes_have_one_size_whatever_the_name(size_name):
    size = parse_size(size_name)
    short, long = extreme_contents()
    assert len(long.name_vi) > 3 * len(short.name_vi)
    boxes = []
    for content in (short, long):
        png = measured(Image.open(io.BytesIO(render_png(content, size, dpi=DPI))))
        (pdf_page,) = rasterise_pdf(render_pdf(content, size), dpi=DPI)
        pdf = measured(pdf_page)
        # The same pixels in both formats (PDFium's rounding may differ by one pixel).
        assert max(abs(a - b) for a, b in zip(png.box, pdf.box, strict=True)) <= 1
        boxes.append((png, pdf))
    (short_png, short_pdf), (long_png, long_pdf) = boxes
    assert short_png.box == long_png.box, "the code moved or changed size with the name"
    assert max(abs(a - b) for a, b in zip(short_pdf.box, long_pdf.box, strict=True)) <= 1
    # Each edge is a whole pixel, so a side may be off by up to two pixels (one per edge).
    one_pixel = 2 * 25.4 / DPI / short_png.modules
    assert short_png.module_mm(DPI) == pytest.approx(long_png.module_mm(DPI), abs=one_pixel)
    assert short_pdf.module_mm(DPI) == pytest.approx(long_png.module_mm(DPI), abs=one_pixel)
    # and what is measured is what the layout promised
    assert short_png.module_mm(DPI) == pytest.approx(layout(short, size).qr.module, abs=one_pixel)


def readme_module_table() -> dict[str, float]:
    text = (ROOT / "README.md").read_text("utf-8")
    rows = re.findall(r"^\| (\w+) [^|]*\| ([\d.]+) mm \|", text, re.M)
    return {name.lower(): float(mm) for name, mm in rows}


def test_readme_module_table_holds_for_every_demo_site():
    table = readme_module_table()
    assert set(table) == set(SIZE_PRESETS)
    for preset, size in SIZE_PRESETS.items():
        modules = set()
        for names in demo_names():
            extras = tuple((lang, names[lang]) for lang in ("zh", "ko") if lang in names)
            content = make_content(
                BASE, "7KQ2X", "heritage_relic", names["vi"], names.get("en", ""), "UBND", extra_names=extras
            )
            modules.add(round(layout(content, size).qr.module, 6))
        assert len(modules) == 1, (preset, modules)
        assert modules.pop() == pytest.approx(table[preset], abs=0.005)
        assert guidance.for_size(size).module_mm == pytest.approx(table[preset], abs=0.005)
