"""Where each part of a plaque goes, decided from its size alone: no site's text is read here.
Contract: plan_frame(size) -> Frame. The QR square, the bands and the text areas are therefore
the same for every site at one size; texts are then fitted into their areas (layout.py).

Arrangements: "portrait" (header band, QR, calls to action, code box, footer band) and
"landscape" (header band, QR left, calls to action and code box right, footer band). Type is
first reduced 15 %; if the QR would still get less than about half the short side (72 % on a
50 mm sticker), optional parts are left out in DROP_ORDER, and so is any part whose type would
be under MIN_TEXT_MM. A 50x50 mm sticker thus keeps only the QR, the short URL and the code.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .designs import PlaqueSize
from .textfit import leading

# Least useful first; the QR and the code text are never dropped. The name in Chinese/Korean
# goes after the English one: border-marker plaques are read from both sides of the border.
DROP_ORDER = (
    "cta_asia",
    "cta_en",
    "name_en",
    "name_asia",
    "kind_label",
    "managing_unit",
    "cta_vi",
    "name_vi",
    "url",
)
HEADER_SLOTS = ("kind_label", "name_vi", "name_en", "name_asia")
CTA_SLOTS = ("cta_vi", "cta_en", "cta_asia")
# Type sizes at scale 1 (a 100 mm wide plaque), as em in mm; line spacing is textfit.leading.
NOMINAL_EM = {
    "kind_label": 2.6,
    "name_vi": 5.6,
    "name_en": 3.4,
    "name_asia": 3.2,
    "managing_unit": 2.8,
    "cta_vi": 4.0,
    "cta_en": 3.2,
    "cta_asia": 3.2,
    "url": 3.4,
    "code": 8.5,
}
MIN_TEXT_MM = 1.6  # em size, about 4.5 pt: the smallest optional text worth printing
URL_MIN_MM, CODE_MIN_MM = 2.2, 5.0  # the typed forms stay legible even on a sticker
SAFE_MM = 3.0  # every text, and every colour when there is no bleed, keeps this inside the trim
QUIET_EDGE_MM = 1.0  # the QR's white quiet zone may come this close to the trim


@dataclass(frozen=True)
class Area:
    """A rectangle in mm from the page's top-left corner."""

    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class Page:
    """The plaque as a print designer sets it up (mm): trim, bleed, type scale and margins."""

    size: PlaqueSize
    type_scale: float  # mm of type per nominal mm (1.0 on a 100 mm wide portrait plaque)

    @property
    def trim(self) -> Area:
        o = self.size.margin_mm
        return Area(o, o, self.size.width_mm, self.size.height_mm)

    @property
    def text_margin(self) -> float:
        """Trim edge to text: the safe zone plus the band's own padding."""
        return SAFE_MM + max(1.0, 2.5 * self.type_scale)

    @property
    def measure(self) -> float:
        """Width of a full-width line of text."""
        return self.size.width_mm - 2 * self.text_margin

    @property
    def band_pad(self) -> float:
        return max(1.0, 1.8 * self.type_scale)

    @property
    def code_box_pad(self) -> float:
        return 1.4 * self.type_scale

    def em(self, slot: str) -> float:
        """The slot's nominal type size on this page, with the typed forms' minimums."""
        size = NOMINAL_EM[slot] * self.type_scale
        return max(size, {"url": URL_MIN_MM, "code": CODE_MIN_MM}.get(slot, 0.0))


@dataclass(frozen=True)
class Frame:
    """Every area of one plaque size. Bands are given inside the trim; the renderer-facing
    layout stretches them into the bleed when there is one, else keeps them SAFE_MM inside."""

    page: Page
    arrangement: str
    kept: tuple[str, ...]
    dropped: tuple[str, ...]
    qr_square: Area  # the white square: symbol plus 4-module quiet zone
    code_box: Area
    header_band: Area | None = None
    kind_label_area: Area | None = None
    names_area: Area | None = None
    stripe: Area | None = None
    footer_band: Area | None = None
    footer_text_area: Area | None = None
    cta_area: Area | None = None
    fits: bool = True

    @property
    def text_align(self) -> str:
        return "left" if self.arrangement.startswith("landscape") else "center"


def lines_height(page: Page, slots, kept) -> float:
    return sum(page.em(s) * leading(s) for s in slots if s in kept)


def code_box_height(page: Page, kept) -> float:
    pad = page.code_box_pad
    url = page.em("url") * leading("url") if "url" in kept else 0.0
    return 2 * pad + url + page.em("code") * leading("code")


@dataclass(frozen=True)
class Bands:
    """The coloured header (kind label, names) and footer (managing unit) of one size, and the
    body left between them for the QR, the calls to action and the code box."""

    body_top: float
    body_bottom: float
    header_band: Area | None = None
    kind_label_area: Area | None = None
    names_area: Area | None = None
    stripe: Area | None = None
    footer_band: Area | None = None
    footer_text_area: Area | None = None

    def areas(self) -> dict[str, Area | None]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("body_")}


def plan_bands(page: Page, kept) -> Bands:
    """Header band, stripe and footer band, stacked from the trim edges. Without a band, the
    body may reach QUIET_EDGE_MM from the top (white quiet zone) and SAFE_MM from the bottom."""
    trim, pad, scale = page.trim, page.band_pad, page.type_scale
    x, width = trim.x + page.text_margin, page.measure
    body_top, body_bottom = trim.y + QUIET_EDGE_MM, trim.bottom - SAFE_MM
    header = label = names = stripe = footer = footer_text = None
    if any(s in kept for s in HEADER_SLOTS):
        y = trim.y + SAFE_MM + pad
        label_h = lines_height(page, ["kind_label"], kept)
        if label_h:
            label = Area(x, y, width, label_h)
            y += label_h + 0.8 * scale
        names_h = lines_height(page, ["name_vi", "name_en", "name_asia"], kept)
        names = Area(x, y, width, names_h)
        band_bottom = y + names_h + pad
        header = Area(trim.x, trim.y, trim.w, band_bottom - trim.y)
        stripe = Area(trim.x, band_bottom, trim.w, 0.8 * scale)
        body_top = band_bottom + 0.8 * scale
    if "managing_unit" in kept:
        # Room for two lines at the smallest size, or one at the nominal size.
        text_h = max(page.em("managing_unit"), 2 * MIN_TEXT_MM) * leading("managing_unit")
        top = trim.bottom - SAFE_MM - pad - text_h - pad
        footer = Area(trim.x, top, trim.w, trim.bottom - top)
        footer_text = Area(x, top + pad, width, text_h)
        body_bottom = top
    return Bands(body_top, body_bottom, header, label, names, stripe, footer, footer_text)


def min_qr_square(width: float, height: float) -> float:
    """Smallest acceptable QR (with quiet zone): half the short side, more on small plaques."""
    s = min(width, height)
    return s * (0.52 + 0.2 * min(1.0, max(0.0, (100 - s) / 50)))


def _portrait(page: Page, kept, dropped) -> Frame:
    size, trim, scale = page.size, page.trim, page.type_scale
    bands = plan_bands(page, kept)
    top, bottom = bands.body_top, bands.body_bottom
    cta_h = lines_height(page, CTA_SLOTS, kept)
    code_h = code_box_height(page, kept)
    # The quiet zone is white space already: no gap above the QR, little below it.
    gaps = [0.1, 0.2 if cta_h else 0.0, 1.0, 0.6]
    min_gap = max(0.8, 1.5 * scale)
    room = bottom - top - cta_h - code_h
    qr_side = min(size.width_mm - 2 * QUIET_EDGE_MM, room - min_gap * sum(gaps), 0.86 * size.width_mm)
    spare = (room - qr_side) / sum(gaps)
    y = top + spare * gaps[0]
    qr = Area(trim.x + (trim.w - qr_side) / 2, y, qr_side, qr_side)
    y += qr_side + spare * gaps[1]
    inner = size.width_mm - 2 * page.text_margin
    cta = Area(trim.x + page.text_margin, y, inner, cta_h) if cta_h else None
    y += cta_h + spare * gaps[2]
    code = Area(trim.x + (trim.w - inner) / 2, y, inner, code_h)
    fits = qr_side >= min_qr_square(size.width_mm, size.height_mm)
    return Frame(page, "portrait", kept, dropped, qr, code, cta_area=cta, fits=fits, **bands.areas())


def _landscape(page: Page, kept, dropped) -> Frame:
    size, trim, scale = page.size, page.trim, page.type_scale
    bands = plan_bands(page, kept)
    top, bottom = bands.body_top, bands.body_bottom
    gap = max(1.5, 3 * scale)
    qr_side = min(bottom - top - 0.6 * gap, 0.58 * size.width_mm)
    qx = trim.x + max(QUIET_EDGE_MM, page.text_margin - 4 * qr_side / 45)  # quiet zone may use the margin
    col_x = qx + qr_side + gap * 0.5
    col_w = trim.x + trim.w - page.text_margin - col_x
    cta_h = lines_height(page, CTA_SLOTS, kept)
    code_h = code_box_height(page, kept)
    col_h = cta_h + (gap if cta_h else 0) + code_h
    y = top + (bottom - top - col_h) / 2
    cta = Area(col_x, y, col_w, cta_h) if cta_h else None
    code = Area(col_x, y + cta_h + (gap if cta_h else 0), col_w, code_h)
    qr = Area(qx, top + (bottom - top - qr_side) / 2, qr_side, qr_side)
    fits = (
        col_h <= bottom - top
        and qr_side >= 0.9 * min_qr_square(size.width_mm, size.height_mm)
        and col_w >= 18 * scale
    )
    return Frame(page, "landscape", kept, dropped, qr, code, cta_area=cta, fits=fits, **bands.areas())


def plan_frame(size: PlaqueSize) -> Frame:
    """The frame of a plaque size: the first that fits, dropping optional parts in order."""
    landscape = size.width_mm / size.height_mm >= 1.15
    arrange = _landscape if landscape else _portrait
    base = min(size.height_mm, size.width_mm / 1.3) if landscape else min(size.width_mm, size.height_mm / 1.3)
    dropped: list[str] = []
    while True:
        for reduction in (1.0, 0.85):  # type may shrink by 15 % before a part is left out
            page = Page(size, reduction * base / 100)
            # A part whose type would be too small to read is noise: leave it out.
            tiny = [s for s in DROP_ORDER if s not in dropped and page.em(s) < MIN_TEXT_MM]
            gone = dropped + tiny
            kept = tuple(s for s in (*DROP_ORDER, "code") if s not in gone)
            frame = arrange(page, kept, tuple(gone))
            if frame.fits:
                break
        left = [s for s in DROP_ORDER if s not in gone]
        if frame.fits or not left:
            suffix = "-compact" if gone else ""
            return replace(frame, arrangement=frame.arrangement + suffix)
        dropped = gone + left[:1]
