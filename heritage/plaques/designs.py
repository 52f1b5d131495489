"""What a plaque says and how big it is: PlaqueContent, PlaqueSize, presets, colours per kind.
Contract: parse_size("plaque" | "120x80mm") -> PlaqueSize; make_content(...) -> PlaqueContent;
contrast_ratio(a, b) (WCAG). The layout itself is layout.compute_layout (it imports this module).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .payload import ERROR_CORRECTION, QR_ALPHANUMERIC, PlaqueError, normalize_code

# The four kinds of site, and a trail: its plaque stands at its start and opens the trail page.
KINDS = ("heritage_relic", "red_address", "border_marker", "scenic_spot", "trail")

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


# Every label keeps WCAG contrast >= 4.5:1 on its band (tests/plaques/test_print_rules.py):
# the red address's red and the scenic teal are a shade darker than the brand colours for that.
KIND_STYLES = {
    "heritage_relic": KindStyle(
        "DI TÍCH LỊCH SỬ – VĂN HÓA", "HISTORICAL & CULTURAL RELIC", "#7A1F12", "#D9A441", "#F6EEDF"
    ),
    "red_address": KindStyle("ĐỊA CHỈ ĐỎ", "RED ADDRESS", "#A30F18", "#FFCD00", "#FBEAEA"),
    "border_marker": KindStyle(
        "CỘT MỐC BIÊN GIỚI", "NATIONAL BORDER MARKER", "#1B3A2F", "#8FB8DE", "#E7EFEA"
    ),
    "scenic_spot": KindStyle("DANH LAM THẮNG CẢNH", "SCENIC LANDMARK", "#004E57", "#7CC6E8", "#E3F2F3"),
    # The trail purple of the visitor pages (.k-trail), a shade deeper for the gold label.
    "trail": KindStyle("TUYẾN THAM QUAN DI SẢN", "HERITAGE TRAIL", "#4B2E7A", "#F2D27A", "#EEE9F5"),
}
INK = "#111111"  # near-black body text
QR_DARK = "#000000"  # pure black modules, on pure white
WHITE = "#FFFFFF"
MIN_CONTRAST = 4.5  # WCAG AA for normal text; plaques are read from a distance in sunlight
# Languages whose site name may be printed under the Vietnamese and English names.
EXTRA_NAME_LANGUAGES = ("zh", "ko")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #RRGGBB colours (1 to 21)."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


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
    # (language, name) pairs printed on one line under the names, e.g. (("zh", "下龙湾"),).
    extra_names: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        for language, _name in self.extra_names:
            if language not in EXTRA_NAME_LANGUAGES:
                raise PlaqueError(f"Extra plaque names must be in {', '.join(EXTRA_NAME_LANGUAGES)}.")
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
    extra_names: tuple[tuple[str, str], ...] = (),
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
        extra_names=tuple((lang, name) for lang, name in extra_names if name and name.strip()),
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
