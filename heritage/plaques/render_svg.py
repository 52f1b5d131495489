"""SVG rendering of a plaque layout: exact size in mm, QR as one vector path, text outlined.
Contract: render_svg(content, size, logo=None, *, outline_text=True) -> SVG text (UTF-8 str).

By default every text is converted to glyph outlines (fontTools), so the file needs no fonts
on the sign maker's machine; the same texts stay in a hidden <text> layer (font-family set)
for search, accessibility and editing. outline_text=False makes that <text> layer the visible
one instead (smaller file, but it then depends on the viewer having Noto fonts).
"""

from __future__ import annotations

import base64
import io
from xml.sax.saxutils import escape, quoteattr

from fontTools.pens.svgPathPen import SVGPathPen
from fontTools.pens.transformPen import TransformPen

from . import fonts
from .designs import PlaqueContent, PlaqueSize
from .layout import Layout, TextRun, dark_runs, layout
from .render_png import load_logo, logo_inner


def _n(v: float) -> str:
    """Compact number: 0.001 mm is far below any print or cutter resolution."""
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def _qr_path(lay: Layout, with_logo: bool) -> str:
    qr, m = lay.qr, lay.qr.module
    parts = []
    for r, c0, length in dark_runs(lay, with_logo):
        x0, x1 = qr.x + c0 * m, qr.x + (c0 + length) * m
        y0, y1 = qr.y + r * m, qr.y + (r + 1) * m
        # Absolute corners from the same formula on both sides: neighbours share exact edges.
        parts.append(f"M{_n(x0)} {_n(y0)}H{_n(x1)}V{_n(y1)}H{_n(x0)}Z")
    return "".join(parts)


def _outline(run: TextRun) -> str:
    """Glyph outlines of one text run as path data in page mm (y down)."""
    metrics = fonts.font_metrics(run.role)
    scale = run.size / metrics.upem
    pen = SVGPathPen(None, ntos=_n)
    x = run.x
    for ch in run.text:
        ops = fonts.glyph_outline(run.role, ch)
        if ops:
            tpen = TransformPen(pen, (scale, 0, 0, -scale, x, run.y))
            for op, args in ops:
                getattr(tpen, op)(*args)
        x += metrics.advances.get(ord(ch), 0.5) * run.size
    return pen.getCommands()


def _text_el(run: TextRun) -> str:
    spec = fonts.ROLES[run.role]
    attrs = (
        f'x="{_n(run.x)}" y="{_n(run.y)}" font-size="{_n(run.size)}" '
        f"font-family={quoteattr(fonts.css_family(run.role))} "
        f'font-weight="{spec.weight}" fill="{run.fill}" xml:space="preserve"'
    )
    lang = {"zh": ' xml:lang="zh-Hans"', "ko": ' xml:lang="ko"'}.get(run.role, "")
    return f"<text {attrs}{lang}>{escape(run.text)}</text>"


def _logo_el(lay: Layout, logo: bytes) -> str:
    pic = load_logo(logo, lay)
    buf = io.BytesIO()
    pic.save(buf, "PNG")
    x, y, side = logo_inner(lay)
    b = lay.logo_box
    href = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<g id="logo"><rect x="{_n(b.x)}" y="{_n(b.y)}" width="{_n(b.w)}" '
        f'height="{_n(b.h)}" fill="#FFFFFF"/><image x="{_n(x)}" y="{_n(y)}" '
        f'width="{_n(side)}" height="{_n(side)}" preserveAspectRatio="xMidYMid meet" '
        f'href="{href}"/></g>'
    )


def svg_from_layout(lay: Layout, logo: bytes | None = None, outline_text: bool = True) -> str:
    c = lay.content
    w, h = lay.page_w, lay.page_h
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{_n(w)}mm" '
        f'height="{_n(h)}mm" viewBox="0 0 {_n(w)} {_n(h)}">',
        f"<title>{escape(c.code)} – {escape(fonts.normalize_text(c.name_vi))}</title>",
        f"<desc>QR: {escape(c.url)} (error correction {c.error_correction}, version "
        f"{lay.qr.version}); size {_n(lay.size.width_mm)}×{_n(lay.size.height_mm)} mm, "
        f"bleed {_n(lay.size.bleed_mm)} mm</desc>",
        '<g id="background">',
    ]
    for b in lay.boxes:
        rx = f' rx="{_n(b.radius)}"' if b.radius else ""
        out.append(
            f'<rect x="{_n(b.x)}" y="{_n(b.y)}" width="{_n(b.w)}" height="{_n(b.h)}"{rx} fill="{b.fill}"/>'
        )
    out.append("</g>")
    out.append(
        f'<path id="qr" fill="#000000" fill-rule="nonzero" shape-rendering="crispEdges" '
        f'd="{_qr_path(lay, logo is not None)}"/>'
    )
    if logo is not None:
        out.append(_logo_el(lay, logo))
    if outline_text:
        out.append('<g id="text-outlines">')
        for run in lay.texts:
            d = _outline(run)
            if d:
                out.append(f'<path aria-label={quoteattr(run.text)} fill="{run.fill}" d="{d}"/>')
        out.append("</g>")
    # The same texts as real <text>: hidden when outlined (sign makers can switch it on).
    hidden = ' display="none"' if outline_text else ""
    out.append(f'<g id="text"{hidden}>')
    out.extend(_text_el(run) for run in lay.texts)
    out.append("</g>")
    if lay.crop_marks:
        out.append('<g id="crop-marks" stroke="#000000" stroke-width="0.1" fill="none">')
        for x0, y0, x1, y1 in lay.crop_marks:
            out.append(f'<line x1="{_n(x0)}" y1="{_n(y0)}" x2="{_n(x1)}" y2="{_n(y1)}"/>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_svg(
    content: PlaqueContent,
    size: PlaqueSize,
    logo: bytes | None = None,
    *,
    outline_text: bool = True,
) -> str:
    """Render one plaque as a self-contained SVG document."""
    return svg_from_layout(layout(content, size), logo, outline_text)
