"""Text fitting for the plaque layout: lines of font runs, word wrap and shrink-to-fit.
Contract: Line (segments + size) measured with fonts.text_width; wrap() and fit() return Lines.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from . import fonts


@dataclass(frozen=True)
class Line:
    """One printed line: (text, role) segments set at one size (em in mm) and colour."""

    segments: tuple[tuple[str, str], ...]
    size: float
    fill: str
    slot: str

    @property
    def width(self) -> float:
        return sum(fonts.text_width(t, r, self.size) for t, r in self.segments)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.segments)


def line(text: str, role: str, size: float, fill: str, slot: str) -> Line:
    """A line in one role, with characters its font lacks moved to a CJK face."""
    return Line(tuple(fonts.split_by_font(fonts.normalize_text(text), role)), size, fill, slot)


def mixed(parts: list[tuple[str, str]], size: float, fill: str, slot: str) -> Line:
    """A line made of several (text, role) parts, e.g. Chinese · Korean."""
    segs: list[tuple[str, str]] = []
    for text, role in parts:
        # NFC only: separators made of spaces must survive (normalize_text would drop them).
        segs.extend(fonts.split_by_font(unicodedata.normalize("NFC", text), role))
    return Line(tuple(segs), size, fill, slot)


def fit(ln: Line, max_w: float, min_size: float) -> Line:
    """Shrink a line until it fits max_w (never below min_size; then it may overflow)."""
    w = ln.width
    if w <= max_w or w == 0:
        return ln
    size = max(min_size, ln.size * max_w / w * 0.999)
    return Line(ln.segments, size, ln.fill, ln.slot)


def _greedy(words: list[str], role: str, size: float, max_w: float) -> list[str]:
    lines: list[str] = []
    cur = ""
    for word in words:
        trial = f"{cur} {word}" if cur else word
        if cur and fonts.text_width(trial, role, size) > max_w:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines


def _tokens(text: str, role: str, size: float, max_w: float) -> list[str]:
    """Words, with a parenthesis kept whole when it fits a line: "(cửa khẩu Móng Cái)" must
    not break as "(cửa / khẩu"."""
    out: list[str] = []
    for part in re.split(r"(\([^()]*\))", text):
        part = part.strip()
        if not part:
            continue
        if part.startswith("(") and fonts.text_width(part, role, size) <= max_w:
            out.append(part)
        else:
            out.extend(part.split(" "))
    return out


@lru_cache(maxsize=4096)
def wrap(
    text: str,
    role: str,
    size: float,
    fill: str,
    slot: str,
    max_w: float,
    max_lines: int,
    min_size: float,
) -> tuple[Line, ...]:
    """Word-wrap text into at most max_lines lines, shrinking the size (to min_size) if needed.

    Balanced: once the line count is known, the width is narrowed so the lines come out
    even (a long name over two half-full lines reads better than a full line and a widow).
    """
    text = fonts.normalize_text(text)
    if not text:
        return ()
    s = size
    while True:
        words = _tokens(text, role, s, max_w)
        lines = _greedy(words, role, s, max_w)
        widest = max(fonts.text_width(t, role, s) for t in lines)
        if (len(lines) <= max_lines and widest <= max_w) or s <= min_size:
            break
        s = max(min_size, s * 0.94)
    if len(lines) > 1:
        lo, hi = max_w * 0.5, max_w
        for _ in range(12):  # bisect the narrowest width that keeps the same line count
            mid = (lo + hi) / 2
            if len(_greedy(words, role, s, mid)) <= len(lines):
                hi = mid
            else:
                lo = mid
        lines = _greedy(words, role, s, hi)
    out = [line(t, role, s, fill, slot) for t in lines]
    # Still too long at the minimum size: squeeze each line rather than overflow the plaque.
    return tuple(fit(ln, max_w, min_size * 0.7) for ln in out)


# Capitals and digits only (the code) need no room for accents or descenders.
LEADING = {"code": 1.02, "url": 1.15}


def line_height(ln: Line) -> float:
    return ln.size * LEADING.get(ln.slot, 1.25)


def baseline_in(ln: Line, top: float, height: float) -> float:
    """Baseline that centres the line's capitals (about 0.72 em) in a box of this height."""
    return top + height / 2 + 0.36 * ln.size
