"""What a plaque says and how big it is: PlaqueContent, PlaqueSize, presets, colours per kind.
Contract: parse_size("plaque" | "120x80mm") -> PlaqueSize; layout(content, size) -> Layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .payload import ERROR_CORRECTION, QR_ALPHANUMERIC, PlaqueError, normalize_code

if TYPE_CHECKING:
    from .layout import Layout

KINDS = ("heritage_relic", "red_address", "border_marker", "scenic_spot")

# Call to action, in the four languages visitors to Quảng Ninh read most.
CALL_TO_ACTION = {
    "vi": "Quét để nghe câu chuyện",
    "en": "Scan to hear the story",
    "zh": "扫码收听故事",
    "ko": "스캔하여 이야기 듣기",
}


@dataclass(frozen=True)
class KindStyle:
    """Colours of a kind. They go on the header/footer bands only: the QR stays black on white."""

    label_vi: str
    label_en: str
    primary: str  # header and footer bands
    accent: str  # thin stripe under the header, kind label
    tint: str  # light background of the code box


KIND_STYLES = {
    "heritage_relic": KindStyle(
        "DI TÍCH LỊCH SỬ – VĂN HOÁ", "HISTORICAL & CULTURAL RELIC", "#7A1F12", "#D9A441", "#F6EEDF"
    ),
    "red_address": KindStyle("ĐỊA CHỈ ĐỎ", "RED ADDRESS", "#B3121B", "#FFCD00", "#FBEAEA"),
    "border_marker": KindStyle(
        "CỘT MỐC BIÊN GIỚI", "NATIONAL BORDER MARKER", "#1B3A2F", "#8FB8DE", "#E7EFEA"
    ),
    "scenic_spot": KindStyle("DANH LAM THẮNG CẢNH", "SCENIC LANDMARK", "#00606B", "#7CC6E8", "#E3F2F3"),
}
INK = "#111111"  # near-black body text
QR_DARK = "#000000"  # pure black modules, on pure white
WHITE = "#FFFFFF"


@dataclass(frozen=True)
class PlaqueContent:
    """Everything printed on one plaque. url is the QR payload (see payload.plaque_url)."""

    code: str
    url: str
    kind: str
    name_vi: str
    name_en: str
    managing_unit: str
    short_url_text: str
    error_correction: str = "H"

    def __post_init__(self) -> None:
        normalize_code(self.code)
        if self.kind not in KINDS:
            raise PlaqueError(f"Plaque kind {self.kind!r} is not one of {', '.join(KINDS)}.")
        if self.error_correction not in ERROR_CORRECTION:
            raise PlaqueError("Error correction must be H (outdoor default) or Q (indoor).")
        if not self.url or any(ch not in QR_ALPHANUMERIC for ch in self.url):
            raise PlaqueError(f"QR URL {self.url!r} must be upper case (use plaque_url()).")
        if not str(self.name_vi).strip():
            raise PlaqueError("A plaque needs the site's Vietnamese name.")


def make_content(
    public_base_url: str,
    code: str,
    kind: str,
    name_vi: str,
    name_en: str,
    managing_unit: str,
    error_correction: str = "H",
) -> PlaqueContent:
    """Build PlaqueContent from the app's settings: URL and short URL derived from the code."""
    from .payload import plaque_url, short_url_text

    return PlaqueContent(
        code=normalize_code(code),
        url=plaque_url(public_base_url, code),
        kind=kind,
        name_vi=name_vi,
        name_en=name_en,
        managing_unit=managing_unit,
        short_url_text=short_url_text(public_base_url, code),
        error_correction=error_correction,
    )


CROP_MARK_SLUG_MM = 8.0  # room outside the bleed for crop marks
MIN_SIDE_MM = 30.0  # below this a version 4-5 code has < 0.6 mm modules with its code text
MAX_SIDE_MM = 2000.0
MAX_RATIO = 4.0


@dataclass(frozen=True)
class PlaqueSize:
    """Finished (trim) size in mm; bleed is added on every side; crop marks add a slug."""

    name: str
    width_mm: float
    height_mm: float
    bleed_mm: float = 0
    crop_marks: bool = False

    def __post_init__(self) -> None:
        if not (MIN_SIDE_MM <= self.width_mm <= MAX_SIDE_MM) or not (
            MIN_SIDE_MM <= self.height_mm <= MAX_SIDE_MM
        ):
            raise PlaqueError(
                f"Plaque size {self.width_mm:g}×{self.height_mm:g} mm is out of range: each side "
                f"must be {MIN_SIDE_MM:g}–{MAX_SIDE_MM:g} mm."
            )
        ratio = max(self.width_mm, self.height_mm) / min(self.width_mm, self.height_mm)
        if ratio > MAX_RATIO:
            raise PlaqueError(
                f"Plaque size {self.width_mm:g}×{self.height_mm:g} mm is too elongated "
                f"(at most {MAX_RATIO:g}:1) to hold a QR code and its texts."
            )
        if not 0 <= self.bleed_mm <= 10:
            raise PlaqueError("Bleed must be between 0 and 10 mm (3 mm is usual).")

    @property
    def margin_mm(self) -> float:
        """Distance from the page edge to the trim edge."""
        return self.bleed_mm + (CROP_MARK_SLUG_MM if self.crop_marks else 0)

    @property
    def page_width_mm(self) -> float:
        return self.width_mm + 2 * self.margin_mm

    @property
    def page_height_mm(self) -> float:
        return self.height_mm + 2 * self.margin_mm


SIZE_PRESETS = {
    "sticker": PlaqueSize("sticker", 50, 50),
    "plaque": PlaqueSize("plaque", 100, 150),
    "sign": PlaqueSize("sign", 200, 300),
    "a4": PlaqueSize("a4", 210, 297),
}

_SIZE_RE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(?:mm)?\s*[x×*]\s*(\d+(?:[.,]\d+)?)\s*(mm|cm)?\s*$", re.I)


def parse_size(text: str, *, bleed_mm: float = 0, crop_marks: bool = False) -> PlaqueSize:
    """Parse a preset name ("sticker", "plaque", "sign", "a4") or "WxHmm" / "WxHcm"."""
    if isinstance(text, PlaqueSize):
        return text
    key = str(text).strip().lower()
    if key in SIZE_PRESETS:
        p = SIZE_PRESETS[key]
        return PlaqueSize(p.name, p.width_mm, p.height_mm, bleed_mm, crop_marks)
    m = _SIZE_RE.match(key)
    if not m:
        raise PlaqueError(
            f"Unknown plaque size {text!r}: use {', '.join(SIZE_PRESETS)} or width x height "
            "in mm, e.g. 120x80mm."
        )
    unit = 10.0 if (m.group(3) or "").lower() == "cm" else 1.0
    w = float(m.group(1).replace(",", ".")) * unit
    h = float(m.group(2).replace(",", ".")) * unit
    return PlaqueSize(f"{w:g}x{h:g}mm", w, h, bleed_mm, crop_marks)


def layout(content: PlaqueContent, size: PlaqueSize) -> Layout:
    """Compute the one layout (mm positions, fonts, colours) all three renderers draw."""
    from .layout import compute_layout  # layout.py imports this module's dataclasses

    return compute_layout(content, size)
