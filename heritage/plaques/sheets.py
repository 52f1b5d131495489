"""Print sheets: many plaques of one size imposed on A4/A3 pages, with gutters and cut marks.
Contract: render_sheet_pdf(contents, size, sheet="A4"|"A3", progress=None) -> PDF bytes.

One FPDF document and one FontBook for the whole run (fonts parsed and subset once), plaques
in reading order, cut marks in the page margin on every cut line of an occupied cell (a last,
part-filled page marks no empty slot), a slug line per page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .designs import PlaqueContent, PlaqueSize
from .layout import layout
from .payload import PlaqueError
from .render_pdf import FontBook, draw_layout, new_pdf

SHEETS = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
SHEET_MARGIN = 10.0  # most office and digital presses cannot print closer to the edge
MIN_GUTTER = 4.0
MARK_OFFSET, MARK_LEN = 1.5, 5.0


@dataclass(frozen=True)
class SheetGrid:
    sheet_w: float
    sheet_h: float
    cols: int
    rows: int
    x0: float  # left edge of the first cell (bleed included)
    y0: float
    cell_w: float
    cell_h: float
    gutter: float

    @property
    def per_page(self) -> int:
        return self.cols * self.rows

    def cell_origin(self, i: int) -> tuple[float, float]:
        r, c = divmod(i % self.per_page, self.cols)
        return self.x0 + c * (self.cell_w + self.gutter), self.y0 + r * (self.cell_h + self.gutter)


def sheet_grid(size: PlaqueSize, sheet: str = "A4") -> SheetGrid:
    """The grid that fits most plaques on the sheet, portrait or landscape, centred."""
    key = str(sheet).upper()
    if key not in SHEETS:
        raise PlaqueError(f"Sheet {sheet!r} is not one of {', '.join(SHEETS)}.")
    cw, ch = size.width_mm + 2 * size.bleed_mm, size.height_mm + 2 * size.bleed_mm
    # Bleeds of neighbours must not overlap, and a blade needs room between two cuts.
    gutter = max(MIN_GUTTER, 2 * size.bleed_mm + 2)
    best = None
    for sw, sh in (SHEETS[key], SHEETS[key][::-1]):
        cols = int((sw - 2 * SHEET_MARGIN + gutter) // (cw + gutter))
        rows = int((sh - 2 * SHEET_MARGIN + gutter) // (ch + gutter))
        if best is None or cols * rows > best[2] * best[3]:
            best = (sw, sh, cols, rows)
    sw, sh, cols, rows = best
    if cols * rows == 0:
        raise PlaqueError(
            f"A {size.width_mm:g}×{size.height_mm:g} mm plaque does not fit on {key} with "
            f"{SHEET_MARGIN:g} mm margins; print it on its own page (render_pdf) instead."
        )
    used_w = cols * cw + (cols - 1) * gutter
    used_h = rows * ch + (rows - 1) * gutter
    return SheetGrid(sw, sh, cols, rows, (sw - used_w) / 2, (sh - used_h) / 2, cw, ch, gutter)


Line = tuple[float, float, float, float]


def cut_mark_lines(g: SheetGrid, bleed: float, count: int) -> list[Line]:
    """Marks in the page margin, in line with every trim edge of the first `count` cells of
    a page, for guillotine cutting: rows and columns that hold no plaque get none."""
    count = min(count, g.per_page)
    cols, rows = min(g.cols, count), -(-count // g.cols)
    top = g.y0 - MARK_OFFSET - bleed
    bottom = g.y0 + rows * (g.cell_h + g.gutter) - g.gutter + MARK_OFFSET + bleed
    left = g.x0 - MARK_OFFSET - bleed
    right = g.x0 + cols * (g.cell_w + g.gutter) - g.gutter + MARK_OFFSET + bleed
    lines: list[Line] = []
    for c in range(cols):
        x = g.x0 + c * (g.cell_w + g.gutter) + bleed
        for xe in (x, x + g.cell_w - 2 * bleed):
            lines.append((xe, top, xe, top - MARK_LEN))
            lines.append((xe, bottom, xe, bottom + MARK_LEN))
    for r in range(rows):
        y = g.y0 + r * (g.cell_h + g.gutter) + bleed
        for ye in (y, y + g.cell_h - 2 * bleed):
            lines.append((left, ye, left - MARK_LEN, ye))
            lines.append((right, ye, right + MARK_LEN, ye))
    return lines


def render_sheet_pdf(
    contents: list[PlaqueContent],
    size: PlaqueSize,
    sheet: str = "A4",
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Impose plaques (all of one size) on as many sheets as needed; one PDF."""
    if not contents:
        raise PlaqueError("No plaques to print.")
    g = sheet_grid(size, sheet)
    # Crop marks belong to the sheet, not to each cell; the cell keeps its bleed.
    cell = PlaqueSize(size.name, size.width_mm, size.height_mm, size.bleed_mm, False)
    total = len(contents)
    pages = (total + g.per_page - 1) // g.per_page
    pdf = new_pdf(g.sheet_w, g.sheet_h, f"{total} plaques {size.width_mm:g}×{size.height_mm:g} mm")
    layouts = [layout(content, cell) for content in contents]
    slug = f"0123456789/ ·–×mm{''.join(c.code for c in contents)}"
    book = FontBook(pdf, [*((t.text, t.role) for lay in layouts for t in lay.texts), (slug, "sans")])
    for i, (content, lay) in enumerate(zip(contents, layouts, strict=True)):
        if i % g.per_page == 0:
            pdf.add_page()
            pdf.set_draw_color(0, 0, 0)
            pdf.set_line_width(0.1)
            for x0, y0, x1, y1 in cut_mark_lines(g, size.bleed_mm, total - i):
                pdf.line(x0, y0, x1, y1)
            last = min(total, i + g.per_page) - 1
            book.use("sans", 2.2)
            pdf.set_text_color(80, 80, 80)
            pdf.text(
                SHEET_MARGIN,
                g.sheet_h - SHEET_MARGIN / 2,
                f"{i // g.per_page + 1}/{pages} · {size.width_mm:g}×{size.height_mm:g} mm"
                f" · {content.code}–{contents[last].code} · {g.cols}×{g.rows}",
            )
        dx, dy = g.cell_origin(i)
        draw_layout(pdf, book, lay, dx, dy)
        if progress is not None:
            progress(i + 1, total)
    return bytes(pdf.output())
