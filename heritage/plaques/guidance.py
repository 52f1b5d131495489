"""Scan-distance guidance for a plaque size: module size, expected scanning distance, small-module warning.

Numbers come from the renderer's layout(content, size): module = QR width / (modules + 2 x quiet zone).
"""

from __future__ import annotations

from dataclasses import dataclass

from heritage.plaques.designs import SIZE_PRESETS, PlaqueContent, PlaqueSize, make_content, parse_size
from heritage.plaques.layout import layout
from heritage.plaques.payload import QUIET_ZONE

MIN_MODULE_MM = 0.8  # below this, phones need to come very close and wear blurs modules together
DISTANCE_PER_CODE_WIDTH = 10  # the 10:1 distance-to-size rule (see CITATION)
CITATION = (
    "Expected scanning distance ≈ 10 × code width: the 10:1 distance-to-size rule of thumb used by QR"
    " print guides, e.g. https://farqr.com/the-optimal-qr-code-scanning-distance-for-mobile-devices"
    " (for a phone with autofocus in good light; not part of ISO/IEC 18004)."
)
# Used when the caller has no site at hand: the default host and a code, as printed in production.
SAMPLE_BASE_URL = "https://disan.quangninh.gov.vn"


@dataclass(frozen=True)
class Guidance:
    size: str
    plaque_mm: tuple[float, float]
    modules: int  # symbol side in modules, quiet zone excluded
    qr_width_mm: float  # symbol + quiet zone: the white square the code needs
    code_width_mm: float  # the symbol alone
    module_mm: float
    scan_distance_mm: float
    warning: str | None


def module_size_mm(qr_width_mm: float, modules: int, quiet_zone: int = QUIET_ZONE) -> float:
    """Module side for a QR printed `qr_width_mm` wide, quiet zone included."""
    return qr_width_mm / (modules + 2 * quiet_zone)


def scan_distance_mm(code_width_mm: float) -> float:
    # The symbol width, not the quiet zone: the conservative reading of "code width".
    return DISTANCE_PER_CODE_WIDTH * code_width_mm


def small_module_warning(module_mm: float) -> str | None:
    if module_mm >= MIN_MODULE_MM:
        return None
    return (
        f"Modules are {module_mm:.2f} mm, under {MIN_MODULE_MM} mm: phones must come very close and a few"
        " years of weathering will blur them together. Use a larger plaque size."
    )


def from_qr_width(
    qr_width_mm: float,
    modules: int,
    *,
    quiet_zone: int = QUIET_ZONE,
    size: str = "",
    plaque_mm: tuple[float, float] = (0.0, 0.0),
) -> Guidance:
    """Guidance for a QR square `qr_width_mm` wide (quiet zone included) of `modules` modules."""
    module = module_size_mm(qr_width_mm, modules, quiet_zone)
    code_width = module * modules
    return Guidance(
        size,
        plaque_mm,
        modules,
        qr_width_mm,
        code_width,
        module,
        scan_distance_mm(code_width),
        small_module_warning(module),
    )


def sample_content(
    kind: str = "heritage_relic", base_url: str = SAMPLE_BASE_URL, error_correction: str = "H"
) -> PlaqueContent:
    """A realistic plaque (long Vietnamese name, production host) for guidance without a site."""
    return make_content(
        base_url,
        "7KQ2X",
        kind,
        "Đình Trung Bản",
        "Trung Ban communal house",
        "Ban Quản lý di tích thị xã Quảng Yên",
        error_correction,
    )


def for_size(size: PlaqueSize | str, content: PlaqueContent | None = None) -> Guidance:
    """Guidance read from the renderer's layout, so it matches what is printed."""
    size = parse_size(size)
    placement = layout(content or sample_content(), size).qr
    width = (placement.n + 2 * placement.quiet_zone) * placement.module
    return from_qr_width(
        width,
        placement.n,
        quiet_zone=placement.quiet_zone,
        size=size.name,
        plaque_mm=(size.width_mm, size.height_mm),
    )


def preset_guidance(content: PlaqueContent | None = None) -> list[Guidance]:
    return [for_size(size, content) for size in SIZE_PRESETS.values()]


def _distance(mm: float) -> str:
    return f"{mm / 10:.0f} cm" if mm < 1000 else f"{mm / 1000:.1f} m"


def format_guidance(rows: list[Guidance]) -> str:
    """A plain-text table, one line per size, warnings under it and the rule's citation last."""
    header = ["size", "plaque mm", "QR mm", "module mm", "scan up to"]
    body = [
        [
            g.size,
            f"{g.plaque_mm[0]:g}x{g.plaque_mm[1]:g}",
            f"{g.qr_width_mm:.1f}",
            f"{g.module_mm:.2f}",
            _distance(g.scan_distance_mm),
        ]
        for g in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() for line in [header, *body]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += [f"warning ({g.size}): {g.warning}" for g in rows if g.warning]
    lines.append(CITATION)
    return "\n".join(lines)
