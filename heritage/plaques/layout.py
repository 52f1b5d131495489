"""The one plaque layout, in mm from the page's top-left, that PNG, SVG and PDF all draw.
Contract: compute_layout(content, size) -> Layout (boxes, text runs, QR placement, logo area);
layout() is the same function under its short name.

The areas come from frame.plan_frame(size), which never sees the site: the QR's size and place
are fixed per size. Here the texts are fitted into those areas (textfit.set_block: smaller type,
more lines, then a shortened name), and the bands are coloured into the bleed, or kept
frame.SAFE_MM inside the trim when there is none, so no colour and no rule meets the cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import textfit as tf
from .designs import CALL_TO_ACTION, INK, KIND_STYLES, WHITE, PlaqueContent, PlaqueSize
from .frame import DROP_ORDER, MIN_TEXT_MM, SAFE_MM, Area, Frame, plan_frame
from .payload import QUIET_ZONE, frozen_matrix, qr_version
from .wording import without_parentheses

__all__ = ["DROP_ORDER", "SAFE_MM", "Box", "Layout", "QrPlacement", "TextRun", "compute_layout", "layout"]

# Measured with `flask heritage plaques --check`: above ~2% of the symbol a centre logo makes an
# H-level plaque fail weathering cases (blur, 12% blob) that the plain plaque survives, so the
# logo gate would refuse it. At Q there is no error correction to spare for a logo at all.
LOGO_MAX_FRACTION = {"H": 0.02, "Q": 0.0, "M": 0.0, "L": 0.0}
CROP_MARK_LEN = 5.0
CROP_MARK_OFFSET = 2.0


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str
    radius: float = 0.0
    slot: str = ""


@dataclass(frozen=True)
class TextRun:
    """Text in one font role; x is its left edge and y its baseline, in mm."""

    text: str
    x: float
    y: float
    size: float  # em size in mm (points = size * 72 / 25.4)
    role: str
    fill: str
    slot: str


@dataclass(frozen=True)
class QrPlacement:
    x: float  # top-left corner of module (0, 0), quiet zone excluded
    y: float
    module: float
    matrix: tuple[tuple[bool, ...], ...]
    version: int
    error_correction: str
    quiet_zone: int = QUIET_ZONE

    @property
    def n(self) -> int:
        return len(self.matrix)

    @property
    def outer(self) -> Box:
        """The white square of symbol plus quiet zone."""
        q = self.quiet_zone * self.module
        side = (self.n + 2 * self.quiet_zone) * self.module
        return Box(self.x - q, self.y - q, side, side, WHITE, slot="qr_quiet_zone")


@dataclass(frozen=True)
class Layout:
    content: PlaqueContent
    size: PlaqueSize
    page_w: float
    page_h: float
    trim: Box
    boxes: tuple[Box, ...]
    texts: tuple[TextRun, ...]
    qr: QrPlacement
    logo_box: Box  # where a logo goes (white pad included), centred on the symbol
    logo_modules: tuple[int, int]  # (first row/column, count) of modules under the logo
    logo_fraction: float  # logo_box area / symbol area (quiet zone excluded)
    crop_marks: tuple[tuple[float, float, float, float], ...]
    arrangement: str
    dropped: tuple[str, ...] = field(default=())


def dark_runs(layout: Layout, with_logo: bool) -> list[tuple[int, int, int]]:
    """Horizontal runs (row, first column, length) of dark modules; the logo area left out."""
    start, k = layout.logo_modules if with_logo else (0, 0)
    runs = []
    for r, row in enumerate(layout.qr.matrix):
        c, n = 0, len(row)
        while c < n:
            skip = start <= r < start + k and start <= c < start + k
            if row[c] and not skip:
                c0 = c
                while c < n and row[c] and not (start <= r < start + k and start <= c < start + k):
                    c += 1
                runs.append((r, c0, c - c0))
            else:
                c += 1
    return runs


def _mix(a: str, b: str, t: float) -> str:
    ca = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    cb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(ca, cb, strict=True))


def _place(texts: list[TextRun], lines: list[tf.Line], area: Area, align: str) -> None:
    """Stack lines centred vertically in area, aligned left or centred in its width."""
    y = area.y + (area.h - sum(tf.line_height(ln) for ln in lines)) / 2
    for ln in lines:
        h = tf.line_height(ln)
        base = tf.baseline_in(ln, y, h)
        cx = area.x + (area.w - ln.width) / 2 if align == "center" else area.x
        for text, role in ln.segments:
            texts.append(TextRun(text, cx, base, ln.size, role, ln.fill, ln.slot))
            cx += tf.fonts.text_width(text, role, ln.size)
        y += h


# Smallest type a copy may shrink to (em, mm); the typed forms may go a little below the rest.
SMALLEST_EM = {"code": 3.0, "url": 1.7}


def _copy(frame: Frame, slot: str, parts, fill: str, lines: int = 1, smallest: float = 0.0) -> tf.Copy:
    """A text for textfit: nominal size from the frame, never under MIN_TEXT_MM (or
    `smallest` x type scale, which keeps a name from shrinking far below its neighbours)."""
    nominal = frame.page.em(slot)
    floor = max(SMALLEST_EM.get(slot, MIN_TEXT_MM), smallest * frame.page.type_scale)
    return tf.Copy(tuple(parts), nominal, min(floor, nominal), fill, slot, lines)


def _asia_parts(content: PlaqueContent) -> list[tuple[str, str]]:
    """Chinese and Korean names on one line, without a Vietnamese gloss in brackets (the
    Vietnamese name is printed just above); their own brackets stay until shortening."""
    parts: list[tuple[str, str]] = []
    for language, name in content.extra_names:
        if parts:
            parts.append(("  ·  ", "sans"))
        parts.append((without_parentheses(name, latin_only=True) or name, language))
    return parts


def _texts(frame: Frame, content: PlaqueContent) -> list[TextRun]:
    style = KIND_STYLES[content.kind]
    light = _mix(style.primary, WHITE, 0.82)
    kept, align, out = set(frame.kept), frame.text_align, []

    def fill(area, copies, how=align):
        copies = [cp for cp in copies if cp.slot in kept]
        if area is None or not copies:
            return
        _place(out, [ln for ls in tf.set_block(copies, area.w, area.h) for ln in ls], area, how)

    label = f"{style.label_vi}  ·  {style.label_en}"
    fill(frame.kind_label_area, [_copy(frame, "kind_label", [(label, "sans-bold")], style.accent)])
    names = [
        _copy(frame, "name_vi", [(content.name_vi, "sans-bold")], WHITE, 3, 2.8),
        _copy(frame, "name_en", [(content.name_en, "sans")], light, 2, 2.0),
        _copy(frame, "name_asia", _asia_parts(content), light, 1, 2.0),
    ]
    fill(frame.names_area, [n for n in names if n.parts])
    unit = _copy(frame, "managing_unit", [(content.managing_unit, "sans")], light, 2)
    fill(frame.footer_text_area, [unit], "center")
    cta = CALL_TO_ACTION
    fill(
        frame.cta_area,
        [
            _copy(frame, "cta_vi", [(cta["vi"], "sans-bold")], INK),
            _copy(frame, "cta_en", [(cta["en"], "sans")], "#333333"),
            _copy(frame, "cta_asia", [(cta["zh"], "zh"), ("  ·  ", "sans"), (cta["ko"], "ko")], "#333333"),
        ],
    )
    box, pad = frame.code_box, frame.page.code_box_pad
    inside = Area(box.x + pad, box.y + pad, box.w - 2 * pad, box.h - 2 * pad)
    code = [
        _copy(frame, "url", [(content.short_url_text, "mono")], "#333333"),
        _copy(frame, "code", [(content.code, "mono-bold")], INK),
    ]
    if not content.short_url_text:
        code = code[1:]
    fill(inside, code, "center")
    return out


def _colour(area: Area, size: PlaqueSize, fill: str, slot: str) -> Box:
    """A band's colour: into the bleed when there is one (a cut a little off still meets
    colour), else SAFE_MM inside the trim (a cut a little off never meets it)."""
    o, b = size.margin_mm, size.bleed_mm
    left, right = o, o + size.width_mm
    top, bottom = o, o + size.height_mm
    grow = b if b > 0 else -SAFE_MM

    def edge(value: float, trim_edge: float, outward: float) -> float:
        return trim_edge + outward * grow if abs(value - trim_edge) < 1e-6 else value

    x0 = edge(area.x, left, -1)
    x1 = edge(area.x + area.w, right, 1)
    y0 = edge(area.y, top, -1)
    y1 = edge(area.bottom, bottom, 1)
    return Box(x0, y0, x1 - x0, y1 - y0, fill, slot=slot)


def _crop_marks(size: PlaqueSize) -> tuple[tuple[float, float, float, float], ...]:
    if not size.crop_marks:
        return ()
    o, W, H = size.margin_mm, size.width_mm, size.height_mm
    d = size.bleed_mm + CROP_MARK_OFFSET  # outside the bleed, so no mark prints on the plaque
    marks = []
    for x in (o, o + W):
        for y, s in ((o, -1), (o + H, 1)):
            marks.append((x, y + s * d, x, y + s * (d + CROP_MARK_LEN)))
    for y in (o, o + H):
        for x, s in ((o, -1), (o + W, 1)):
            marks.append((x + s * d, y, x + s * (d + CROP_MARK_LEN), y))
    return tuple(marks)


def compute_layout(content: PlaqueContent, size: PlaqueSize) -> Layout:
    fr = plan_frame(size)
    matrix = frozen_matrix(content.url, content.error_correction)
    version = qr_version(content.url, content.error_correction)
    n = len(matrix)
    square = fr.qr_square
    module = square.w / (n + 2 * QUIET_ZONE)
    qr = QrPlacement(
        square.x + QUIET_ZONE * module,
        square.y + QUIET_ZONE * module,
        module,
        matrix,
        version,
        content.error_correction,
    )
    # Logo: the largest centred square of whole modules within the EC level's budget.
    k = int((LOGO_MAX_FRACTION[content.error_correction] ** 0.5) * n)
    k -= (k - n) % 2  # same parity as n, so the square sits exactly on the centre
    k = max(k, 0)
    start = (n - k) // 2
    logo_box = Box(qr.x + start * module, qr.y + start * module, k * module, k * module, WHITE)
    st = KIND_STYLES[content.kind]
    o, b = size.margin_mm, size.bleed_mm
    bands = [
        _colour(area, size, fill, slot)
        for area, fill, slot in (
            (fr.header_band, st.primary, "header"),
            (fr.stripe, st.accent, "stripe"),
            (fr.footer_band, st.primary, "footer"),
        )
        if area is not None
    ]
    cb = fr.code_box
    code_box = Box(cb.x, cb.y, cb.w, cb.h, st.tint, 1.6 * fr.page.type_scale, "code_box")
    page = Box(o - b, o - b, size.width_mm + 2 * b, size.height_mm + 2 * b, WHITE, slot="background")
    return Layout(
        content=content,
        size=size,
        page_w=size.page_width_mm,
        page_h=size.page_height_mm,
        trim=Box(o, o, size.width_mm, size.height_mm, WHITE),
        boxes=(page, *bands, code_box, qr.outer),
        texts=tuple(_texts(fr, content)),
        qr=qr,
        logo_box=logo_box,
        logo_modules=(start, k),
        logo_fraction=(k * k) / (n * n),
        crop_marks=_crop_marks(size),
        arrangement=fr.arrangement,
        dropped=fr.dropped,
    )


layout = compute_layout


def background_at(lay: Layout, x: float, y: float) -> str:
    """The colour printed under a point: the last box drawn there (what a text sits on)."""
    fill = WHITE
    for box in lay.boxes:
        if box.x <= x <= box.x + box.w and box.y <= y <= box.y + box.h:
            fill = box.fill
    return fill
