"""How words are spelled and kept together on a plaque: one orthography, names never broken.
Contract: plaque_text(s) -> NFC text in modern tone placement; name_tokens(s) -> wrap units;
shortened(s) -> shorter forms of a name, best first.
"""

from __future__ import annotations

import re
import unicodedata

# Vietnamese has two ways of placing the tone on oa, oe and uy without a final consonant:
# "hoá" (old) and "hóa" (modern, the Ministry of Education's 2018 rule). One plaque must not
# mix them ("VĂN HOÁ" beside "Văn hóa"), so every text is set in the modern form.
_TONES = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
_OLD_STYLE = re.compile(rf"(?<![qQ])([oO][aAeE]|[uU][yY])([{_TONES}])(?![\w])")


def modern_tone_marks(text: str) -> str:
    """ "hoá" -> "hóa", "khoẻ" -> "khỏe", "thuý" -> "thúy"; "quý" and "hoán" are left alone."""
    decomposed = unicodedata.normalize("NFD", text)
    fixed = _OLD_STYLE.sub(lambda m: m.group(1)[0] + m.group(2) + m.group(1)[1], decomposed)
    return unicodedata.normalize("NFC", fixed)


def plaque_text(text: str) -> str:
    """Whitespace collapsed, NFC, modern tone placement: the one spelling a plaque prints."""
    return modern_tone_marks(unicodedata.normalize("NFC", " ".join(str(text).split())))


# Names that must never break across lines, even where the capitalisation rule below would
# not catch them (a name after a lower-case word, or inside a longer capitalised run).
PROTECTED_NAMES = (
    "Hồ Chí Minh",
    "Quảng Ninh",
    "Hạ Long",
    "Móng Cái",
    "Bạch Đằng",
    "Vân Đồn",
    "Cô Tô",
    "Yên Tử",
    "Uông Bí",
    "Quảng Yên",
    "Cẩm Phả",
    "Bình Liêu",
    "Mạo Khê",
    "Hồng Gai",
    "Đông Triều",
    "Trần Hưng Đạo",
    "Trà Cổ",
    "Hoành Mô",
    "Việt Nam",
)
_PROTECTED = tuple(plaque_text(n).split(" ") for n in PROTECTED_NAMES)


def _capitalised(word: str) -> bool:
    letters = word.lstrip("(\"'“‘")
    return bool(letters) and letters[0].isupper()


def name_tokens(text: str) -> list[list[str]]:
    """Groups of words to keep on one line: protected names, then runs of capitalised
    syllables ("Đình Trà Cổ", "Hồ Chí Minh"), as a Vietnamese name is a run of capitals.
    A caller that cannot fit a run may split it, but never inside a protected name."""
    words = plaque_text(text).split(" ") if text.strip() else []
    groups: list[list[str]] = []
    i = 0
    while i < len(words):
        run = [words[i]]
        if _capitalised(words[i]) and not words[i].endswith((")", ",", ".", ";", ":")):
            j = i + 1
            while j < len(words) and _capitalised(words[j]) and not words[j].startswith("("):
                run.append(words[j])
                j += 1
                if words[j - 1].endswith((")", ",", ".", ";", ":")):
                    break
        groups.append(run)
        i += len(run)
    return groups


def protected_spans(words: list[str]) -> list[list[str]]:
    """Split a run of words into pieces that never cut a protected name."""
    out: list[list[str]] = []
    i = 0
    while i < len(words):
        for name in _PROTECTED:
            bare = [w.strip("()\"'“”‘’,.;:") for w in words[i : i + len(name)]]
            if bare == name:
                out.append(words[i : i + len(name)])
                i += len(name)
                break
        else:
            out.append([words[i]])
            i += 1
    return out


_PARENTHESIS = re.compile(r"\s*[(（]([^()（）]*)[)）]")


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\uf900" <= ch <= "\ufaff"


def without_parentheses(text: str, *, latin_only: bool = False) -> str:
    """The name without its bracketed glosses: "Mốc 1369 (cửa khẩu Móng Cái)" -> "Mốc 1369".
    A bracket without letters ("1368(3)") is part of the name and stays. With latin_only, only
    glosses in Latin letters go: "茶古亭（Đình Trà Cổ）" -> "茶古亭", "（芒街国际口岸）" stays."""

    def drop(match: re.Match) -> str:
        inner = match.group(1)
        if not any(ch.isalpha() for ch in inner):
            return match.group(0)
        if latin_only and any(_is_cjk(ch) for ch in inner):
            return match.group(0)
        return ""

    return " ".join(_PARENTHESIS.sub(drop, text).split())


def shortened(text: str) -> list[str]:
    """Shorter forms of a name, longest first: without the gloss, then cut at a word with "…"."""
    text = plaque_text(text)
    forms = []
    bare = without_parentheses(text)
    if bare and bare != text:
        forms.append(bare)
    words = (bare or text).split(" ")
    for n in range(len(words) - 1, 0, -1):
        forms.append(" ".join(words[:n]).rstrip(",;:–-") + "…")
    if len(words) == 1:  # Chinese has no spaces: cut at a character instead
        forms += [words[0][:n] + "…" for n in range(len(words[0]) - 1, 1, -1)]
    return forms
