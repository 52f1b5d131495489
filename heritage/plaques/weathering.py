"""Seeded, reproducible damage for raster plaques, and the robustness report built on it.

Same image + same seed -> same pixels; damage is sized in QR modules and never tuned to the decoder.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

from heritage.plaques.decoding import Box, decode_barcodes, flatten, locate

# A phone frame, not the print file: 1080p with the code filling about a quarter of the width
# gives ~6 px per module. Damage is applied there, because that is what a scanner app sees.
MODULE_PX = 6
# Everything below is in module units so the cases mean the same on a sticker and on an A4 plaque.
# Blur sizes are fixed by physics, not by the decoder: at sigma 0.5 module an isolated module's
# centre keeps only 46 % of its contrast (below a binariser's 50 % cut: the camera has lost focus);
# at sigma 0.3 module it keeps 82 % (soft edges, every module still resolvable: "moderate").
BLUR_SIGMA_MODULES = 0.5
MODERATE_BLUR_SIGMA_MODULES = 0.3
BLOB_FRACTION = 0.12  # opaque grime / bird mess: H is rated for ~30% codewords, ~16% area in practice
BLOB_SMALL_FRACTION = 0.06  # the "moderate weathering" a logo plaque must still survive
# Blob centre as a fraction of the symbol: lower-right quadrant, over data codewords, clear of the
# three finder patterns (they span 0..0.24 of the symbol), mostly clear of a centred logo (so logo
# and blob damage add up), and over the version-4 alignment pattern, as real dirt would be. Fixed.
BLOB_CENTRE = (0.72, 0.72)
BLOB_GREY = 35  # dark, opaque
FADE_DARK, FADE_LIGHT = 153, 240  # black ink faded to 60 % grey (X11 gray60) on off-white
JPEG_QUALITY = 15
TILT_DEGREES = 20.0
CAMERA_DISTANCE_CODE_WIDTHS = 3.0  # a phone held close: stronger keystone than at the 10:1 limit
CONTEXT_MODULES = 8  # plaque kept around the symbol in the camera frame (quiet zone + clutter)


@dataclass(frozen=True)
class Case:
    name: str
    passed: bool
    detail: str = ""
    margin: float | None = None  # unused error correction after the damage (zxing "UEC"), 0..1


# --- single kinds of damage (all take and return a greyscale image) ---


def blur(image: Image.Image, sigma_px: float) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius=sigma_px))


def blob_polygon(box: Box, fraction: float, seed: int, centre=BLOB_CENTRE) -> list[tuple[float, float]]:
    """An irregular blob whose area is exactly `fraction` of the symbol box (before rasterising)."""
    left, top, right, bottom = box
    width, height = right - left, bottom - top
    cx, cy = left + centre[0] * width, top + centre[1] * height
    rng = random.Random(seed)
    count = 24
    # +-15 % radius wobble: irregular like a real splash, but small enough to stay off the finders.
    radii = [1.0 + 0.15 * (2 * rng.random() - 1) for _ in range(count)]
    angles = [2 * math.pi * i / count for i in range(count)]
    unit = [(r * math.cos(a), r * math.sin(a)) for r, a in zip(radii, angles, strict=True)]
    unit_area = 0.5 * abs(
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(unit, unit[1:] + unit[:1], strict=True))
    )
    scale = math.sqrt(fraction * width * height / unit_area)
    return [(cx + scale * x, cy + scale * y) for x, y in unit]


def blob(image: Image.Image, box: Box, fraction: float, seed: int = 0) -> Image.Image:
    out = image.copy()
    ImageDraw.Draw(out).polygon(blob_polygon(box, fraction, seed), fill=BLOB_GREY)
    return out


def fade(image: Image.Image, dark: int = FADE_DARK, light: int = FADE_LIGHT) -> Image.Image:
    """Linear contrast loss: black maps to `dark`, white to `light`."""
    lut = [round(dark + (light - dark) * v / 255) for v in range(256)]
    return image.point(lut)


def jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting; 8x8 only, so no numpy needed."""
    n = len(rhs)
    rows = [row[:] + [value] for row, value in zip(matrix, rhs, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(n):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][n] / rows[i][i] for i in range(n)]


def perspective_coefficients(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    """PIL PERSPECTIVE coefficients that map output points `dst` back to input points `src`."""
    matrix, rhs = [], []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        matrix.append([u, v, 1, 0, 0, 0, -u * x, -v * x])
        rhs.append(x)
        matrix.append([0, 0, 0, u, v, 1, -u * y, -v * y])
        rhs.append(y)
    return _solve(matrix, rhs)


def tilt(image: Image.Image, box: Box, degrees: float = TILT_DEGREES) -> Image.Image:
    """The plaque turned `degrees` about its vertical axis, seen by a pinhole camera 3 code widths away."""
    width, height = image.size
    cx, cy = width / 2, height / 2
    distance = CAMERA_DISTANCE_CODE_WIDTHS * (box[2] - box[0])
    theta = math.radians(degrees)
    corners = [(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)]
    projected = []
    for x, y in corners:
        dx, dy = x - cx, y - cy
        depth = distance + dx * math.sin(theta)
        projected.append((cx + dx * math.cos(theta) * distance / depth, cy + dy * distance / depth))
    coeffs = perspective_coefficients(corners, projected)
    return image.transform(
        image.size, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=255
    )


# --- the camera view and the named cases ---


def camera_view(image: Image.Image, box: Box, modules: int) -> tuple[Image.Image, Box]:
    """Crop around the symbol and resample to MODULE_PX per module; returns the new symbol box."""
    image = flatten(image)
    module = (box[2] - box[0]) / modules
    pad = CONTEXT_MODULES * module
    crop = (
        max(0, round(box[0] - pad)),
        max(0, round(box[1] - pad)),
        min(image.width, round(box[2] + pad)),
        min(image.height, round(box[3] + pad)),
    )
    scale = MODULE_PX / module
    size = (max(1, round((crop[2] - crop[0]) * scale)), max(1, round((crop[3] - crop[1]) * scale)))
    # BOX averages each output pixel over its footprint, like a sensor pixel does.
    view = image.crop(crop).resize(size, Image.Resampling.BOX if scale < 1 else Image.Resampling.BICUBIC)
    new_box = tuple(round((v - o) * scale) for v, o in zip(box, crop[:2] * 2, strict=True))
    return view, new_box  # type: ignore[return-value]


Damage = Callable[[Image.Image, Box, int], Image.Image]
SIGMA_PX = BLUR_SIGMA_MODULES * MODULE_PX


def moderate(image: Image.Image, box: Box, seed: int) -> Image.Image:
    """The weathering a centre logo must leave room for (verify.check_logo): soft focus + a 6% blob."""
    return blob(blur(image, MODERATE_BLUR_SIGMA_MODULES * MODULE_PX), box, BLOB_SMALL_FRACTION, seed)


MODERATE: Damage = moderate
CASES: dict[str, Damage] = {
    "clean": lambda im, box, seed: im,
    "blur": lambda im, box, seed: blur(im, SIGMA_PX),
    "blob 12%": lambda im, box, seed: blob(im, box, BLOB_FRACTION, seed),
    "faded": lambda im, box, seed: fade(im),
    "jpeg q15": lambda im, box, seed: jpeg(im),
    "tilt 20°": lambda im, box, seed: tilt(im, box),
    "sun": lambda im, box, seed: blur(fade(im), SIGMA_PX),
    "soft+blob 6%": moderate,
}


def weather(
    image: Image.Image, case: str | Damage, box: Box, modules: int, seed: int = 0
) -> tuple[Image.Image, Box]:
    """Camera view of `image` with one named case (or a damage function) applied."""
    view, view_box = camera_view(image, box, modules)
    damage = CASES[case] if isinstance(case, str) else case
    return damage(view, view_box, seed), view_box


def survives(
    image: Image.Image, expected_url: str, damage: str | Damage, box: Box, modules: int, seed: int = 0
) -> Case:
    damaged, _ = weather(image, damage, box, modules, seed)
    found = decode_barcodes(damaged)
    texts = [b.text for b in found]
    name = damage if isinstance(damage, str) else getattr(damage, "__name__", "damage")
    if texts == [expected_url]:
        return Case(name, True, "decodes", float(found[0].extra.get("UEC", 0.0)))
    return Case(name, False, f"decoded {texts!r}" if texts else "no code found")


def robustness_report(
    image: Image.Image,
    expected_url: str,
    qr_box: Box | None = None,
    *,
    modules: int | None = None,
    seed: int = 0,
) -> list[Case]:
    """Every case in CASES, in order. `qr_box` is the symbol (no quiet zone) in image pixels."""
    if qr_box is None or modules is None:
        located = locate(image)
        if located is None:
            return [Case(name, False, "clean plaque does not decode") for name in CASES]
        qr_box = qr_box or located[0]
        modules = modules or located[1]
    return [survives(image, expected_url, name, qr_box, modules, seed) for name in CASES]


# --- the --check table ---

LEGEND = (
    "Legend: one row per plaque (site code) and size. 'module mm' is measured on the rendered PNG\n"
    "(the symbol's dark edges found on the pixels, divided by its module count), not read from the\n"
    "layout. Each later column is one kind of damage, applied in a 6 px/module camera view and\n"
    "decoded again by zxing-cpp: clean (no damage), blur (focus lost, sigma 0.5 module), blob 12%\n"
    "(opaque grime over 12% of the symbol), faded (black printed as 60% grey on off-white), jpeg q15\n"
    "(a phone's heavy compression), tilt 20° (plaque seen from the side), sun (faded and blurred),\n"
    "soft+blob 6% (the weathering a logo must leave room for). 'ok NN%' = decoded to exactly the\n"
    "plaque's URL with NN% of the error-correction budget still unused (zxing's UEC: 'ok 0%' still\n"
    "reads, but any more damage would not); FAIL = not decoded, or decoded to another text."
)


@dataclass(frozen=True)
class Row:
    kind: str
    size: str
    module_mm: float | None
    cases: list[Case]
    code: str = ""


@dataclass(frozen=True)
class Sample:
    kind: str
    size: str
    image: Image.Image
    url: str
    qr_box: Box | None = None  # None: found by decoding the clean image
    modules: int | None = None
    module_mm: float | None = None
    code: str = ""


def robustness_table(samples: Iterable[Sample], seed: int = 0) -> list[Row]:
    return [
        Row(
            s.kind,
            s.size,
            s.module_mm,
            robustness_report(s.image, s.url, s.qr_box, modules=s.modules, seed=seed),
            s.code,
        )
        for s in samples
    ]


def rendered_samples(
    contents=None, sizes=None, *, dpi: int = 600, logo: bytes | None = None
) -> Iterator[Sample]:
    """Real render_png plaques (`contents`, else one sample site per kind) x sizes (else presets).

    The symbol box and module are measured on the rendered pixels (decoding.measure_symbol).
    300 dpi is enough: damage happens in the 6 px/module camera view, and 300 dpi gives >= 6 px for
    any module >= 0.51 mm, at a quarter of 600 dpi's cost.
    """
    # Imported here: the renderer needs fonts, and weathering itself works on any image.
    from heritage.plaques.decoding import measure_symbol
    from heritage.plaques.designs import KINDS, SIZE_PRESETS, parse_size
    from heritage.plaques.guidance import sample_content
    from heritage.plaques.render_png import render_png

    for content in contents or [sample_content(kind) for kind in KINDS]:
        for size in [parse_size(s) for s in (sizes or SIZE_PRESETS)]:
            image = Image.open(io.BytesIO(render_png(content, size, dpi=dpi, logo=logo)))
            found = measure_symbol(image)
            kind = content.kind + (" + logo" if logo else "")
            if found is None:  # the clean plaque does not decode: every case will say so
                yield Sample(kind, size.name, image, content.url, code=content.code)
                continue
            module = found.module_mm(dpi)
            yield Sample(kind, size.name, image, content.url, found.box, found.modules, module, content.code)


def _cell(case: Case) -> str:
    if not case.passed:
        return "FAIL"
    return f"ok {round(100 * case.margin)}%" if case.margin is not None else "ok"


def smallest_modules(rows: list[Row]) -> dict[str, float]:
    """The smallest measured module per size, in the order the sizes first appear."""
    out: dict[str, float] = {}
    for row in rows:
        if row.module_mm is not None:
            out[row.size] = min(out.get(row.size, row.module_mm), row.module_mm)
    return out


def format_table(rows: list[Row], *, legend: bool = False) -> str:
    """Plain-text table; each cell is `ok NN%` (error correction still unused) or FAIL."""
    names = [case.name for case in rows[0].cases] if rows else list(CASES)
    coded = any(row.code for row in rows)
    header = [*(["code"] if coded else []), "kind", "size", "module mm", *names]
    body = [
        [
            *([row.code] if coded else []),
            row.kind,
            row.size,
            "-" if row.module_mm is None else f"{row.module_mm:.2f}",
            *map(_cell, row.cases),
        ]
        for row in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(str(v).ljust(w) for v, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    failed = sum(not case.passed for row in rows for case in row.cases)
    lines.append(f"{len(rows)} plaques, {failed} failing cases" + ("" if failed else ": all survive"))
    smallest = smallest_modules(rows)
    if smallest:
        lines.append(
            "Smallest module per size: " + ", ".join(f"{size} {mm:.2f} mm" for size, mm in smallest.items())
        )
    if legend:
        lines += ["", LEGEND]
    return "\n".join(lines)


def check_table(contents=None, sizes=None, *, dpi: int = 300, logo: bytes | None = None) -> str:
    """The `--check` report: `contents` (else a sample per kind) x sizes, plus the same with `logo`."""
    rows = robustness_table(rendered_samples(contents, sizes, dpi=dpi))
    if logo is not None:
        rows += robustness_table(rendered_samples(contents, sizes, dpi=dpi, logo=logo))
    return format_table(rows, legend=True)
