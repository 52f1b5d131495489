"""The one plaque layout, in mm from the page's top-left, that PNG, SVG and PDF all draw.
Contract: compute_layout(content, size) -> Layout (boxes, text runs, QR placement, logo area).

Arrangements: "portrait" (header band, QR, calls to action, code box, footer band),
"landscape" (header band, QR left, texts right, footer band). Texts first shrink 15 %; when
the QR would still get less than about half the short side (72 % on a 50 mm sticker), optional
texts are dropped in DROP_ORDER, and any text under MIN_TEXT_MM or wider than the plaque is
dropped too (all recorded in Layout.dropped). A coloured frame replaces the bands once no band
text is left. A 50x50 mm sticker thus keeps only the QR, the short URL and the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import textfit as tf
from .designs import CALL_TO_ACTION, INK, KIND_STYLES, WHITE, PlaqueContent, PlaqueSize
from .payload import QUIET_ZONE, frozen_matrix, qr_version

# Least useful first; the QR and the code text are never dropped.
DROP_ORDER = (
    "cta_asia",
    "cta_en",
    "name_en",
    "kind_label",
    "managing_unit",
    "cta_vi",
    "name_vi",
    "url",
)
HEAD_SLOTS = {"kind_label", "name_vi", "name_en", "managing_unit"}
# Measured with `flask heritage plaques --check`: above ~2% of the symbol a centre logo makes an
# H-level plaque fail weathering cases (blur, 12% blob) that the plain plaque survives, so the
# logo gate would refuse it. At Q there is no error correction to spare for a logo at all.
LOGO_MAX_FRACTION = {"H": 0.02, "Q": 0.0, "M": 0.0, "L": 0.0}
MIN_TEXT_MM = 1.6  # em size, about 4.5 pt: the smallest optional text worth printing
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


class _Plan:
    """Accumulates boxes and text runs while one arrangement is tried."""

    def __init__(self) -> None:
        self.boxes: list[Box] = []
        self.texts: list[TextRun] = []

    def place(self, lines: list[tf.Line], x: float, top: float, w: float, align: str) -> float:
        """Stack lines from top in a column of width w; return the bottom."""
        y = top
        for ln in lines:
            h = tf.line_height(ln)
            base = tf.baseline_in(ln, y, h)
            lw = ln.width
            cx = x + (w - lw) / 2 if align == "center" else x
            for text, role in ln.segments:
                self.texts.append(TextRun(text, cx, base, ln.size, role, ln.fill, ln.slot))
                cx += tf.fonts.text_width(text, role, ln.size)
            y += h
        return y


def _height(lines: list[tf.Line]) -> float:
    return sum(tf.line_height(ln) for ln in lines)


def _texts(c: PlaqueContent, u: float, w: float, drop: set[str]) -> dict[str, list[tf.Line]]:
    """Every optional text as wrapped lines for a column of width w at scale u (mm per %)."""
    st = KIND_STYLES[c.kind]
    light = _mix(st.primary, WHITE, 0.82)
    cta = CALL_TO_ACTION
    make = {
        "kind_label": lambda: [
            tf.fit(
                tf.line(f"{st.label_vi}  ·  {st.label_en}", "sans-bold", 2.6 * u, st.accent, "kind_label"),
                w,
                1.6,
            )
        ],
        # Two lines at up to 22 % smaller before a third: long names must not eat the QR.
        "name_vi": lambda: tf.wrap(
            c.name_vi, "sans-bold", 6.2 * u, WHITE, "name_vi", w, 2, max(2.4, 4.8 * u)
        ),
        "name_en": lambda: tf.wrap(c.name_en, "sans", 3.8 * u, light, "name_en", w, 2, 2.0),
        "managing_unit": lambda: tf.wrap(c.managing_unit, "sans", 2.8 * u, light, "managing_unit", w, 2, 1.7),
        "cta_vi": lambda: [tf.fit(tf.line(cta["vi"], "sans-bold", 4.4 * u, INK, "cta_vi"), w, 2.0)],
        "cta_en": lambda: [tf.fit(tf.line(cta["en"], "sans", 3.7 * u, "#333333", "cta_en"), w, 1.9)],
        "cta_asia": lambda: [
            tf.fit(
                tf.mixed(
                    [(cta["zh"], "zh"), ("  ·  ", "sans"), (cta["ko"], "ko")], 3.5 * u, "#333333", "cta_asia"
                ),
                w,
                1.9,
            )
        ],
    }
    # Only what is kept is measured: the drop search calls this up to 18 times per plaque.
    return {k: (list(f()) if k not in drop else []) for k, f in make.items()}


def _code_lines(c: PlaqueContent, u: float, w: float, drop: set[str]) -> list[tf.Line]:
    out = []
    if "url" not in drop and c.short_url_text:
        # At least 2.2 mm: on a sticker u is small, but the URL may use the box's full width.
        url = tf.line(c.short_url_text, "mono", max(3.4 * u, 2.2), "#333333", "url")
        out.append(tf.fit(url, w, 1.7))
    # The code is what people type when the QR is worn: big, but never wider than the box.
    out.append(tf.fit(tf.line(c.code, "mono-bold", max(11 * u, 5.0), INK, "code"), w, 3.0))
    return out


def _bands(p: _Plan, c, t, ox, oy, W, H, b, u, w, align) -> tuple[float, float, float]:
    """Draw header band, stripe and footer band (or a frame); return (top, bottom, frame)."""
    st = KIND_STYLES[c.kind]
    head = t["kind_label"] + t["name_vi"] + t["name_en"]
    foot = t["managing_unit"]
    if not head and not foot:
        f = max(1.5, 3.5 * u)
        # Frame mode: colour all round, white inside (bleed takes the colour).
        p.boxes.append(Box(ox - b, oy - b, W + 2 * b, H + 2 * b, st.primary, slot="frame"))
        p.boxes.append(Box(ox + f, oy + f, W - 2 * f, H - 2 * f, WHITE, 1.2 * u, "panel"))
        return oy + f, oy + H - f, f
    pad, x = 3.6 * u, ox + (W - w) / 2
    # Without a band on one side, keep a plain margin there (the code box must not touch the edge).
    top, bottom = oy + 0.5 * pad, oy + H - pad
    if head:
        hh = 2 * pad + _height(head) + (0.8 * u if t["kind_label"] else 0)
        p.boxes.append(Box(ox - b, oy - b, W + 2 * b, hh + b, st.primary, slot="header"))
        y = p.place(t["kind_label"], x, oy + pad, w, align)
        y += 0.8 * u if t["kind_label"] else 0
        p.place(t["name_vi"] + t["name_en"], x, y, w, align)
        stripe = 1.2 * u
        p.boxes.append(Box(ox - b, oy + hh, W + 2 * b, stripe, st.accent, slot="stripe"))
        top = oy + hh + stripe
    if foot:
        fh = 2 * 0.7 * pad + _height(foot)
        p.boxes.append(Box(ox - b, oy + H - fh, W + 2 * b, fh + b, st.primary, slot="footer"))
        p.place(foot, x, oy + H - fh + 0.7 * pad, w, "center")
        bottom = oy + H - fh
    return top, bottom, 0.0


def _code_box(p: _Plan, c, lines, x, y, w, u) -> None:
    pad = 1.6 * u
    h = 2 * pad + _height(lines)
    p.boxes.append(Box(x, y, w, h, KIND_STYLES[c.kind].tint, 1.6 * u, "code_box"))
    p.place(lines, x + pad, y + pad, w - 2 * pad, "center")


def _min_qr(W: float, H: float) -> float:
    """Smallest acceptable QR (with quiet zone): half the short side, more on small plaques."""
    s = min(W, H)
    return s * (0.52 + 0.2 * min(1.0, max(0.0, (100 - s) / 50)))


def _portrait(c, size, drop, n, scale) -> tuple[_Plan, Box, bool]:
    W, H, b, o = size.width_mm, size.height_mm, size.bleed_mm, size.margin_mm
    u = scale * min(W, H / 1.3) / 100
    m = max(2.0, 5 * u)
    t = _texts(c, u, W - 2 * m, drop)
    p = _Plan()
    top, bottom, f = _bands(p, c, t, o, o, W, H, b, u, W - 2 * m, "center")
    inner = W - 2 * max(m, f + 1.5 * u)
    code = _code_lines(c, u, inner - 3.2 * u, drop)
    ctas = t["cta_vi"] + t["cta_en"] + t["cta_asia"]
    code_h = 3.2 * u + _height(code)
    gaps = [0.4, 0.8 if ctas else 0.0, 1.0, 0.6]  # above QR, QR-CTA, CTA-code, below code
    min_gap = max(0.8, 2.0 * u)
    room = bottom - top - _height(ctas) - code_h
    q = min(W - 2 * (f + 1.0 * u), room - min_gap * sum(gaps), 0.86 * W)
    ok = q >= _min_qr(W, H)
    spare = (room - q) / sum(gaps)
    y = top + spare * gaps[0]
    qbox = Box(o + (W - q) / 2, y, q, q, WHITE)
    y += q + spare * gaps[1]
    y = p.place(ctas, o + m, y, W - 2 * m, "center") + spare * gaps[2]
    _code_box(p, c, code, o + (W - inner) / 2, y, inner, u)
    return p, qbox, ok


def _landscape(c, size, drop, n, scale) -> tuple[_Plan, Box, bool]:
    W, H, b, o = size.width_mm, size.height_mm, size.bleed_mm, size.margin_mm
    u = scale * min(H, W / 1.3) / 100
    m = max(2.0, 5 * u)
    t = _texts(c, u, W - 2 * m, drop)
    p = _Plan()
    top, bottom, f = _bands(p, c, t, o, o, W, H, b, u, W - 2 * m, "left")
    gap = max(1.5, 3 * u)
    q = min(bottom - top - 2 * (gap if f == 0 else 0.6 * u), 0.58 * W)
    quiet = QUIET_ZONE * q / (n + 2 * QUIET_ZONE)
    qx = o + max(m - quiet, f + 0.6 * u)  # the white quiet zone may reach into the margin
    col_x = qx + q + gap * 0.5
    col_w = o + W - max(m, f + 1.5 * u) - col_x
    t = _texts(c, u, col_w, drop | HEAD_SLOTS)  # the column holds the calls to action only
    ctas = t["cta_vi"] + t["cta_en"] + t["cta_asia"]
    code = _code_lines(c, u, col_w - 3.2 * u, drop)
    code_h = 3.2 * u + _height(code)
    col_h = _height(ctas) + (gap if ctas else 0) + code_h
    ok = col_h <= bottom - top - gap and q >= 0.9 * _min_qr(W, H) and col_w >= 18 * u
    y = top + (bottom - top - col_h) / 2
    y = p.place(ctas, col_x, y, col_w, "left") + (gap if ctas else 0)
    _code_box(p, c, code, col_x, y, col_w, u)
    qbox = Box(qx, top + (bottom - top - q) / 2, q, q, WHITE)
    return p, qbox, ok


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


def _overflows(t: TextRun, size: PlaqueSize) -> bool:
    right = t.x + tf.fonts.text_width(t.text, t.role, t.size)
    return t.x < size.margin_mm - 0.01 or right > size.margin_mm + size.width_mm + 0.01


def compute_layout(content: PlaqueContent, size: PlaqueSize) -> Layout:
    matrix = frozen_matrix(content.url, content.error_correction)
    version = qr_version(content.url, content.error_correction)
    n = len(matrix)
    landscape = size.width_mm / size.height_mm >= 1.15
    arrange = _landscape if landscape else _portrait
    dropped: list[str] = []
    while True:
        # Texts may shrink by 15 % before the next one is dropped.
        for scale in (1.0, 0.85):
            plan, qbox, ok = arrange(content, size, set(dropped), n, scale)
            if ok:
                break
        left = [s for s in DROP_ORDER if s not in dropped]
        # A text too small to read is noise: drop it rather than print it.
        bad = {t.slot for t in plan.texts if t.size < MIN_TEXT_MM or _overflows(t, size)}
        tiny = [s for s in left if s in bad]
        if (ok and not tiny) or not left:
            break
        dropped.extend(tiny if ok else left[:1])
    module = qbox.w / (n + 2 * QUIET_ZONE)
    qr = QrPlacement(
        qbox.x + QUIET_ZONE * module,
        qbox.y + QUIET_ZONE * module,
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
    o = size.margin_mm
    return Layout(
        content=content,
        size=size,
        page_w=size.page_width_mm,
        page_h=size.page_height_mm,
        trim=Box(o, o, size.width_mm, size.height_mm, WHITE),
        boxes=(
            Box(
                o - size.bleed_mm,
                o - size.bleed_mm,
                size.width_mm + 2 * size.bleed_mm,
                size.height_mm + 2 * size.bleed_mm,
                WHITE,
                slot="background",
            ),
            *plan.boxes,
            qr.outer,
        ),
        texts=tuple(plan.texts),
        qr=qr,
        logo_box=logo_box,
        logo_modules=(start, k),
        logo_fraction=(k * k) / (n * n),
        crop_marks=_crop_marks(size),
        arrangement=("landscape" if landscape else "portrait") + ("-compact" if dropped else ""),
        dropped=tuple(dropped),
    )
