"""PDF rendering of a plaque layout with fpdf2: vector QR, embedded font subsets, exact mm page.
Contract: render_pdf(content, size, logo=None) -> PDF bytes; draw_layout() is reused by sheets.

Page = trim size + 2 x bleed (+ 2 x 8 mm slug when crop marks are on); TrimBox and BleedBox
are then written so print shops and imposition tools find the cut.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable

from fpdf import FPDF

from . import fonts
from .designs import PlaqueContent, PlaqueSize
from .layout import Layout, dark_runs, layout
from .render_png import load_logo, logo_inner

MM_TO_PT = 72 / 25.4

# fpdf2 logs a warning per font when it subsets; nothing a plaque user can act on.
logging.getLogger("fpdf.output").setLevel(logging.ERROR)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


class FontBook:
    """Registers each font role in one FPDF document, once, limited to the characters it draws.

    texts are (text, role) pairs that may be drawn: a superset is fine, since only drawn glyphs
    are embedded. unicode_range keeps fpdf2 from indexing all 44,000 CJK code points, and the
    per-role character set keys the cached CJK pre-subset (fonts.pdf_font_file).
    """

    def __init__(self, pdf: FPDF, texts: Iterable[tuple[str, str]]):
        self.pdf = pdf
        self.chars: dict[str, set[str]] = {}
        for text, role in texts:
            # Same split as the layout's, so fallback CJK characters land in the CJK role.
            for seg, seg_role in fonts.split_by_font(text, role):
                self.chars.setdefault(seg_role, {" "}).update(seg)
        self.added: set[str] = set()

    @classmethod
    def for_layouts(cls, pdf: FPDF, layouts: Iterable[Layout]) -> FontBook:
        return cls(pdf, ((t.text, t.role) for lay in layouts for t in lay.texts))

    def use(self, role: str, size_mm: float) -> None:
        family = f"plaque-{role}"
        if role not in self.added:
            chars = frozenset(self.chars.get(role, {" "}))
            ff = fonts.pdf_font_file(role, chars)
            self.pdf.add_font(
                family,
                "",
                str(ff.path),
                collection_font_number=ff.index,
                unicode_range=sorted(ord(ch) for ch in chars),
            )
            self.added.add(role)
        self.pdf.set_font(family, size=size_mm * MM_TO_PT)


def new_pdf(width_mm: float, height_mm: float, title: str) -> FPDF:
    pdf = FPDF(unit="mm", format=(width_mm, height_mm))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.set_title(title)
    pdf.set_creator("heritage.plaques")
    pdf.set_lang("vi")
    return pdf


def draw_layout(pdf: FPDF, book: FontBook, lay: Layout, dx: float = 0, dy: float = 0, logo=None) -> None:
    """Draw one layout on the current page with its page origin at (dx, dy) mm."""
    colour = None
    for b in lay.boxes:
        if b.fill != colour:
            pdf.set_fill_color(*_rgb(b.fill))
            colour = b.fill
        if b.radius > 0:
            pdf.rect(
                dx + b.x,
                dy + b.y,
                b.w,
                b.h,
                style="F",
                round_corners=True,
                corner_radius=b.radius,
            )
        else:
            pdf.rect(dx + b.x, dy + b.y, b.w, b.h, style="F")
    qr, m = lay.qr, lay.qr.module
    pdf.set_fill_color(0, 0, 0)
    for r, c0, length in dark_runs(lay, with_logo=logo is not None):
        # Runs of modules, not single modules: ~3x fewer rectangles, same picture.
        pdf.rect(dx + qr.x + c0 * m, dy + qr.y + r * m, length * m, m, style="F")
    if logo is not None:
        pic = load_logo(logo, lay)
        x, y, side = logo_inner(lay)
        pdf.image(pic, x=dx + x, y=dy + y, w=side, h=side, keep_aspect_ratio=True)
    colour = None
    for t in lay.texts:
        book.use(t.role, t.size)
        if t.fill != colour:
            pdf.set_text_color(*_rgb(t.fill))
            colour = t.fill
        pdf.text(dx + t.x, dy + t.y, t.text)
    if lay.crop_marks:
        pdf.set_draw_color(0, 0, 0)
        pdf.set_line_width(0.1)
        for x0, y0, x1, y1 in lay.crop_marks:
            pdf.line(dx + x0, dy + y0, dx + x1, dy + y1)


def set_print_boxes(data: bytes, trim: tuple[float, float, float, float], bleed: float) -> bytes:
    """Add TrimBox/BleedBox (fpdf2 writes only MediaBox); trim = (x, y, w, h) in mm, top-left."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import RectangleObject

    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        ph = float(page.mediabox.height)
        x, y, w, h = (v * MM_TO_PT for v in trim)
        b = bleed * MM_TO_PT
        # PDF y grows upwards: convert from the layout's top-left origin.
        page.trimbox = RectangleObject((x, ph - y - h, x + w, ph - y))
        page.bleedbox = RectangleObject((x - b, ph - y - h - b, x + w + b, ph - y + b))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_pdf(content: PlaqueContent, size: PlaqueSize, logo: bytes | None = None) -> bytes:
    """Render one plaque as a one-page vector PDF with subset-embedded fonts."""
    lay = layout(content, size)
    pdf = new_pdf(lay.page_w, lay.page_h, f"{content.code} – {fonts.normalize_text(content.name_vi)}")
    pdf.set_subject(content.url)
    pdf.add_page()
    draw_layout(pdf, FontBook.for_layouts(pdf, [lay]), lay, logo=logo)
    data = bytes(pdf.output())
    if size.bleed_mm or size.crop_marks:
        t = lay.trim
        data = set_print_boxes(data, (t.x, t.y, t.w, t.h), size.bleed_mm)
    return data
