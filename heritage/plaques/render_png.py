"""PNG rendering of a plaque layout with Pillow, at a given DPI (written into the file).
Contract: render_png(content, size, dpi=600, logo=None) -> PNG bytes, pixel size = mm * dpi / 25.4.
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageColor, ImageDraw, ImageFont

from . import fonts
from .designs import PlaqueContent, PlaqueSize
from .layout import Layout, dark_runs, layout
from .payload import PlaqueError

MAX_PIXELS = 200_000_000  # a 2 m sign at 600 dpi would need ~3 GB; ask for a lower DPI instead


def pixel_size(size: PlaqueSize, dpi: int) -> tuple[int, int]:
    """The PNG's exact pixel size for a plaque size (page, bleed and slug included)."""
    return round(size.page_width_mm * dpi / 25.4), round(size.page_height_mm * dpi / 25.4)


@lru_cache(maxsize=64)
def _pil_font(role: str, px: float) -> ImageFont.FreeTypeFont:
    ff = fonts.font_file(role)
    # BASIC layout: same advances as the PDF and SVG (no shaping; text is NFC, so none needed).
    return ImageFont.truetype(str(ff.path), size=px, index=ff.index, layout_engine=ImageFont.Layout.BASIC)


def load_logo(logo: bytes, lay: Layout) -> Image.Image:
    """Open logo bytes (PNG/JPEG/WebP) as RGBA, or raise PlaqueError."""
    if lay.logo_fraction <= 0:
        raise PlaqueError("A logo needs error correction H or Q; this plaque uses a lower level.")
    try:
        img = Image.open(io.BytesIO(logo))
        img.load()
    except Exception as exc:  # Pillow raises many types for bad data
        raise PlaqueError(f"The logo is not a readable PNG or JPEG image ({exc}).") from exc
    return img.convert("RGBA")


def logo_inner(lay: Layout) -> tuple[float, float, float]:
    """(x, y, side) in mm of the logo picture: the logo box minus one module of white pad."""
    pad = lay.qr.module
    return lay.logo_box.x + pad, lay.logo_box.y + pad, max(0.0, lay.logo_box.w - 2 * pad)


def draw_layout(lay: Layout, dpi: int, logo: bytes | None = None) -> Image.Image:
    """Rasterise a layout into an RGB image (used by render_png and by tests)."""
    w, h = pixel_size(lay.size, dpi)
    if w * h > MAX_PIXELS:
        raise PlaqueError(
            f"{lay.size.width_mm:g}×{lay.size.height_mm:g} mm at {dpi} dpi is {w}×{h} pixels; "
            "use a lower DPI or the PDF/SVG for large signs."
        )
    k = dpi / 25.4

    def px(mm: float) -> int:
        return round(mm * k)

    # A palette image: a plaque has a handful of flat colours, and a palette PNG encodes ~5x
    # faster than RGB. Text is then drawn without anti-aliasing, which a 600 dpi print master
    # does not need (the printer's screen is binary anyway). A logo needs full colour.
    ink = _Palette(lay) if logo is None else None
    img = Image.new("RGB", (w, h), "#FFFFFF") if ink is None else ink.new_image((w, h))
    d = ImageDraw.Draw(img)
    colour = (lambda c: c) if ink is None else ink.index
    for b in lay.boxes:
        xy = (px(b.x), px(b.y), px(b.x + b.w) - 1, px(b.y + b.h) - 1)
        if b.radius > 0:
            d.rounded_rectangle(xy, radius=px(b.radius), fill=colour(b.fill))
        else:
            d.rectangle(xy, fill=colour(b.fill))
    qr = lay.qr
    # Module edges are rounded from mm, so neighbouring modules share an edge: no seams.
    for r, c0, length in dark_runs(lay, with_logo=logo is not None):
        x0, x1 = px(qr.x + c0 * qr.module), px(qr.x + (c0 + length) * qr.module)
        y0, y1 = px(qr.y + r * qr.module), px(qr.y + (r + 1) * qr.module)
        d.rectangle((x0, y0, x1 - 1, y1 - 1), fill=colour("#000000"))
    if logo is not None:
        pic = load_logo(logo, lay)
        x, y, side = logo_inner(lay)
        pic.thumbnail((max(1, px(side)), max(1, px(side))), Image.Resampling.LANCZOS)
        ox = px(x) + (px(side) - pic.width) // 2
        oy = px(y) + (px(side) - pic.height) // 2
        img.paste(pic, (ox, oy), pic)
    for t in lay.texts:
        font = _pil_font(t.role, round(t.size * k, 1))
        adv = fonts.font_metrics(t.role).advances
        x = t.x
        # Glyph by glyph at the layout's (unhinted) advances: FreeType's hinted advances drift
        # a few pixels per line, and the PNG must match the SVG and PDF exactly.
        for ch in t.text:
            if not ch.isspace():
                d.text((x * k, t.y * k), ch, font=font, fill=colour(t.fill), anchor="ls")
            x += adv.get(ord(ch), 0.5) * t.size
    for x0, y0, x1, y1 in lay.crop_marks:
        d.line((px(x0), px(y0), px(x1), px(y1)), fill=colour("#000000"), width=max(1, round(0.1 * k)))
    return img


class _Palette:
    """The layout's flat colours as palette indices (white first, so the page starts white)."""

    def __init__(self, lay: Layout) -> None:
        colours = ["#FFFFFF", "#000000", *(b.fill for b in lay.boxes), *(t.fill for t in lay.texts)]
        self._index = {c.upper(): i for i, c in enumerate(dict.fromkeys(c.upper() for c in colours))}

    def index(self, colour: str) -> int:
        return self._index[colour.upper()]

    def new_image(self, size: tuple[int, int]) -> Image.Image:
        img = Image.new("P", size, 0)
        flat = [channel for c in self._index for channel in ImageColor.getrgb(c)]
        img.putpalette(flat)
        return img


def render_png(content: PlaqueContent, size: PlaqueSize, dpi: int = 600, logo: bytes | None = None) -> bytes:
    """Render one plaque as PNG bytes with its DPI recorded (pHYs)."""
    if not 72 <= int(dpi) <= 2400:
        raise PlaqueError("DPI must be between 72 and 2400.")
    img = draw_layout(layout(content, size), int(dpi), logo)
    buf = io.BytesIO()
    # compress_level 3 saves in half the time of the default 6 for files ~45 % larger: these
    # are print masters, rendered on request, where time matters more than bytes.
    img.save(buf, "PNG", dpi=(dpi, dpi), compress_level=3)
    return buf.getvalue()
