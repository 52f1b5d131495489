"""Text fitting for the plaque layout: lines of font runs, word wrap and shrink-to-fit.
Contract: Line (segments + size) measured with fonts.text_width; set_block(copies, w, h) fits
texts into a fixed area (smaller type, more lines, then shortened forms) and returns Lines.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from . import fonts, wording


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
    return Line(tuple(fonts.split_by_font(wording.plaque_text(text), role)), size, fill, slot)


def mixed(parts: list[tuple[str, str]], size: float, fill: str, slot: str) -> Line:
    """A line made of several (text, role) parts, e.g. Chinese · Korean."""
    segs: list[tuple[str, str]] = []
    for text, role in parts:
        # NFC only: separators made of spaces must survive (normalize_text would drop them).
        segs.extend(fonts.split_by_font(wording.modern_tone_marks(unicodedata.normalize("NFC", text)), role))
    return Line(tuple(segs), size, fill, slot)


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
    """Unbreakable units: a parenthesis when it fits a line ("(cửa khẩu Móng Cái)" must not
    break as "(cửa / khẩu"), a name (wording.name_tokens) when it fits, else its words, never
    cutting a protected name such as "Hồ Chí Minh"."""
    out: list[str] = []
    for part in re.split(r"(\([^()]*\))", text):
        part = part.strip()
        if not part:
            continue
        if part.startswith("(") and fonts.text_width(part, role, size) <= max_w:
            out.append(part)
            continue
        for group in wording.name_tokens(part):
            joined = " ".join(group)
            if len(group) == 1 or fonts.text_width(joined, role, size) <= max_w:
                out.append(joined)
            else:
                out.extend(" ".join(span) for span in wording.protected_spans(group))
    return out


# Line spacing in em. Capitals and digits only (the code) need no room for accents or descenders.
LEADING = {"code": 1.02, "url": 1.15}
DEFAULT_LEADING = 1.25


def leading(slot: str) -> float:
    return LEADING.get(slot, DEFAULT_LEADING)


def line_height(ln: Line) -> float:
    return ln.size * leading(ln.slot)


def baseline_in(ln: Line, top: float, height: float) -> float:
    """Baseline that centres the line's capitals (about 0.72 em) in a box of this height."""
    return top + height / 2 + 0.36 * ln.size


@dataclass(frozen=True)
class Copy:
    """One text to set in a fixed area: its nominal and smallest size and how many lines it
    may take. parts are (text, role) pairs set on one line (e.g. 下龙湾 · 하롱베이)."""

    parts: tuple[tuple[str, str], ...]
    size: float
    min_size: float
    fill: str
    slot: str
    max_lines: int = 1


def _forms(copy: Copy) -> list[tuple[tuple[str, str], ...]]:
    """The copy as written, then ever shorter: gloss removed, a part dropped, words cut."""
    first_text, first_role = copy.parts[0]
    forms = [copy.parts]
    if len(copy.parts) > 1:
        forms.append(copy.parts[:1])
    forms += [((short, first_role),) for short in wording.shortened(first_text)]
    return forms


def _set(copy: Copy, parts, size: float, width: float) -> list[Line] | None:
    """The copy's lines at this size, or None if it needs more lines than allowed."""
    if len(parts) > 1:
        ln = mixed(list(parts), size, copy.fill, copy.slot)
        return [ln] if ln.width <= width else None
    text, role = parts[0]
    if copy.max_lines == 1:
        ln = line(text, role, size, copy.fill, copy.slot)
        return [ln] if ln.width <= width else None
    words = _tokens(wording.plaque_text(text), role, size, width)
    rows = _greedy(words, role, size, width)
    if len(rows) > copy.max_lines or max(fonts.text_width(r, role, size) for r in rows) > width:
        return None
    return [line(r, role, size, copy.fill, copy.slot) for r in rows]


def _try(copies, forms, scale: float, width: float, height: float) -> list[list[Line]] | None:
    out = []
    for copy, parts in zip(copies, forms, strict=True):
        lines = _set(copy, parts, max(copy.min_size, copy.size * scale), width)
        if lines is None:
            return None
        out.append(lines)
    return out if sum(line_height(ln) for ls in out for ln in ls) <= height + 1e-9 else None


def set_block(copies: list[Copy], width: float, height: float) -> list[list[Line]]:
    """Fit texts into a fixed area: smaller type and more lines first, then shortened forms
    of the least important copy (the last) and so on up. The area never grows; the result
    is a list of lines per copy (empty when even the shortest form does not fit)."""
    copies = [c for c in copies if c.parts and c.parts[0][0].strip()]
    forms = [c.parts for c in copies]
    smallest = min((c.min_size / c.size for c in copies), default=1.0)
    scales = [1.0]
    while scales[-1] > smallest:
        scales.append(max(smallest, scales[-1] * 0.94))
    for index in [None, *range(len(copies) - 1, -1, -1)]:
        options = [None] if index is None else _forms(copies[index])
        for option in options:
            if index is not None:
                forms[index] = option
            if _try(copies, forms, scales[-1], width, height) is None:
                continue
            for scale in scales:  # the largest type that fits
                found = _try(copies, forms, scale, width, height)
                if found is not None:
                    return [_balanced(ls, width, f) for ls, f in zip(found, forms, strict=True)]
        if index is not None:  # cutting this one alone is not enough: keep its mild form only
            forms[index] = [o for o in options if not o[-1][0].endswith("…")][-1]
    return [[] for _ in copies]


def _balanced(lines: list[Line], width: float, parts) -> list[Line]:
    """Even out a multi-line copy: a long name over two half-full lines, not a widow."""
    if len(lines) < 2:
        return lines
    first = lines[0]
    text, role = parts[0]
    text = wording.plaque_text(text)
    words = _tokens(text, role, first.size, width)
    lo, hi = width * 0.5, width
    for _ in range(12):
        mid = (lo + hi) / 2
        if len(_greedy(words, role, first.size, mid)) <= len(lines):
            hi = mid
        else:
            lo = mid
    return [line(r, role, first.size, first.fill, first.slot) for r in _greedy(words, role, first.size, hi)]
