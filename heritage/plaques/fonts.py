"""Font files for plaques: finds the Noto fonts at run time and measures text with them.
Contract: font_file(role) -> FontFile; text_width(); split_by_font(); glyph outlines for SVG.

The fonts come from Debian packages (fonts-noto-core, fonts-noto-mono, fonts-noto-cjk), never
from git; see FONTS.md. HERITAGE_FONT_DIR (os.pathsep-separated) overrides the search path.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont

from .payload import PlaqueError

FONT_DIR_ENV = "HERITAGE_FONT_DIR"
DEFAULT_FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
)
INSTALL_HINT = (
    "install the Debian packages listed in scripts/system-packages.txt "
    "(apt-get install fonts-noto-core fonts-noto-mono fonts-noto-cjk), "
    f"or point {FONT_DIR_ENV} at a folder holding the files named in heritage/plaques/FONTS.md"
)


@dataclass(frozen=True)
class FontSpec:
    """One typographic role: the file to look for, its index in a .ttc, and its CSS family."""

    filename: str
    index: int
    family: str
    weight: int


# Roles, not families, are what the layout asks for; CJK regions are separate faces of one .ttc.
ROLES: dict[str, FontSpec] = {
    "sans": FontSpec("NotoSans-Regular.ttf", 0, "Noto Sans", 400),
    "sans-bold": FontSpec("NotoSans-Bold.ttf", 0, "Noto Sans", 700),
    "mono": FontSpec("NotoSansMono-Regular.ttf", 0, "Noto Sans Mono", 400),
    "mono-bold": FontSpec("NotoSansMono-Bold.ttf", 0, "Noto Sans Mono", 700),
    "zh": FontSpec("NotoSansCJK-Regular.ttc", 2, "Noto Sans CJK SC", 400),
    "ko": FontSpec("NotoSansCJK-Regular.ttc", 1, "Noto Sans CJK KR", 400),
}
# Where a character is missing from a role's font, try these (e.g. a Hán-Nôm name in sans).
FALLBACKS = ("zh", "ko")
CSS_FALLBACK = {"sans": "sans-serif", "mono": "monospace"}


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int
    spec: FontSpec


_lock = threading.Lock()
_font_dirs: tuple[str, ...] | None = None


def set_font_dirs(dirs: list[str] | tuple[str, ...] | None) -> None:
    """Use these folders (searched recursively) instead of $HERITAGE_FONT_DIR / the defaults."""
    global _font_dirs
    with _lock:
        _font_dirs = tuple(dirs) if dirs else None
        _find.cache_clear()
        font_metrics.cache_clear()
        glyph_outline.cache_clear()
        _em_width.cache_clear()
        split_by_font.cache_clear()


def font_dirs() -> tuple[str, ...]:
    if _font_dirs:
        return _font_dirs
    env = os.environ.get(FONT_DIR_ENV, "").strip()
    if env:
        return tuple(p for p in env.split(os.pathsep) if p)
    return DEFAULT_FONT_DIRS


@lru_cache(maxsize=32)
def _find(filename: str, dirs: tuple[str, ...]) -> Path | None:
    for d in dirs:
        root = Path(d).expanduser()
        if (root / filename).is_file():
            return root / filename
        if root.is_dir():
            for hit in sorted(root.rglob(filename)):
                if hit.is_file():
                    return hit
    return None


def font_file(role: str) -> FontFile:
    """Return the font file for a role, or raise PlaqueError naming the install step."""
    spec = ROLES[role]
    dirs = font_dirs()
    path = _find(spec.filename, dirs)
    if path is None:
        raise PlaqueError(
            f"Font {spec.filename} ({spec.family}) not found in {', '.join(dirs)}: {INSTALL_HINT}."
        )
    return FontFile(path, spec.index, spec)


def check_fonts() -> dict[str, Path]:
    """Resolve every role now (e.g. at app start or in a health check); raises PlaqueError."""
    return {role: font_file(role).path for role in ROLES}


@dataclass(frozen=True)
class FontMetrics:
    """What layout needs from a font: advances per character and vertical metrics, in em."""

    role: str
    advances: dict[int, float]  # code point -> advance width in em
    glyph_names: dict[int, str]
    ascender: float
    descender: float  # negative
    cap_height: float
    upem: int


@lru_cache(maxsize=16)
def font_metrics(role: str) -> FontMetrics:
    ff = font_file(role)
    # lazy=True: only cmap/hmtx are read; the big CJK CFF table stays on disk until drawn.
    tt = TTFont(ff.path, fontNumber=ff.index, lazy=True)
    upem = tt["head"].unitsPerEm
    cmap = tt.getBestCmap()
    hmtx = tt["hmtx"].metrics
    advances = {cp: hmtx[name][0] / upem for cp, name in cmap.items()}
    os2 = tt["OS/2"]
    cap = getattr(os2, "sCapHeight", 0) or int(0.7 * upem)
    return FontMetrics(
        role=role,
        advances=advances,
        glyph_names=dict(cmap),
        ascender=os2.sTypoAscender / upem,
        descender=os2.sTypoDescender / upem,
        cap_height=cap / upem,
        upem=upem,
    )


def normalize_text(text: str) -> str:
    """NFC, so Vietnamese uses precomposed letters (ệ, ở) that need no shaping engine."""
    return unicodedata.normalize("NFC", " ".join(str(text).split()))


def covers(role: str, ch: str) -> bool:
    return ord(ch) in font_metrics(role).advances or ch in " \u00a0"


def text_width(text: str, role: str, size: float) -> float:
    """Width of text set in role at size (em, in any unit), without kerning (all renderers)."""
    return size * _em_width(text, role)


@lru_cache(maxsize=65536)
def _em_width(text: str, role: str) -> float:
    # Cached: layout measures the same words many times while it wraps and shrinks.
    adv = font_metrics(role).advances
    return sum(adv.get(ord(ch), 0.5) for ch in text)


def _is_hangul(ch: str) -> bool:
    cp = ord(ch)
    return 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F


@lru_cache(maxsize=16384)
def split_by_font(text: str, role: str) -> tuple[tuple[str, str], ...]:
    """Split text into (segment, role) runs: characters the role's font lacks go to a CJK face."""
    out: list[tuple[str, str]] = []
    for ch in text:
        use = role
        if not covers(role, ch):
            # Hangul in the KR face (Korean glyph forms); Han and the rest in the SC face.
            order = FALLBACKS[::-1] if _is_hangul(ch) else FALLBACKS
            use = next((fb for fb in order if covers(fb, ch)), role)
        if out and out[-1][1] == use:
            out[-1] = (out[-1][0] + ch, use)
        else:
            out.append((ch, use))
    return tuple(out)


@lru_cache(maxsize=4)
def _ttfont(role: str) -> TTFont:
    ff = font_file(role)
    return TTFont(ff.path, fontNumber=ff.index, lazy=True)


@lru_cache(maxsize=8192)
def glyph_outline(role: str, ch: str) -> tuple[tuple, ...]:
    """The outline of one character as recorded pen operations in font units (cached)."""
    name = font_metrics(role).glyph_names.get(ord(ch))
    if name is None:
        return ()
    with _lock:  # fontTools lazy tables are not thread-safe while decompiling
        glyphs = _ttfont(role).getGlyphSet()
        # Decomposing: Vietnamese letters are composites (base + accent) in Noto's glyf table.
        pen = DecomposingRecordingPen(glyphs)
        glyphs[name].draw(pen)
    return tuple(pen.value)


PRESUBSET_BYTES = 2_000_000  # fonts above this (the CJK .ttc, ~19 MB) are cut down first


def pdf_font_file(role: str, chars: frozenset[str]) -> FontFile:
    """The font file to give the PDF library: for the big CJK faces, a cached subset.

    fpdf2 parses and subsets the whole font for every document (~0.6 s per CJK face); a
    subset holding just these characters, made once per process and kept in the temp
    folder, cuts that to a few ms. The PDF still gets its own subset of this subset.
    """
    ff = font_file(role)
    if ff.path.stat().st_size < PRESUBSET_BYTES:
        return ff
    try:
        return FontFile(_presubset(ff.path, ff.index, "".join(sorted(chars))), 0, ff.spec)
    except OSError:  # read-only temp folder: slower, but the PDF is the same
        return ff


@lru_cache(maxsize=64)
def _presubset(path: Path, index: int, text: str) -> Path:
    from fontTools import subset

    st = path.stat()
    key = hashlib.sha1(f"{path}|{st.st_mtime_ns}|{index}|{text}".encode()).hexdigest()[:20]
    folder = Path(tempfile.gettempdir()) / f"heritage-plaque-fonts-{os.getuid()}"
    out = folder / f"{path.stem}-{index}-{key}.otf"
    if out.is_file():
        return out
    folder.mkdir(parents=True, exist_ok=True)
    opts = subset.Options()
    opts.name_IDs, opts.name_languages = ["*"], ["*"]  # keep the names the PDF shows
    opts.notdef_outline = True
    opts.layout_features = []  # no shaping is used, see normalize_text
    tt = TTFont(path, fontNumber=index, lazy=True)
    sub = subset.Subsetter(opts)
    sub.populate(text=text)
    sub.subset(tt)
    tmp = out.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tt.save(tmp)
    os.replace(tmp, out)  # atomic: another worker may be writing the same subset
    return out


def css_family(role: str) -> str:
    spec = ROLES[role]
    generic = CSS_FALLBACK.get(role.split("-")[0], "sans-serif")
    return f"'{spec.family}', {generic}"
