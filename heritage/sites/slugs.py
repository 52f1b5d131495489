"""ASCII slugs and search keys from Vietnamese text ("Đình Trung Bản" -> "dinh-trung-ban")."""

from __future__ import annotations

import re
import unicodedata

_NON_ASCII_WORD = re.compile(r"[^a-z0-9]+")
_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case without diacritics; đ/Đ become d (Unicode does not decompose them).

    Recomposed afterwards so Hangul syllables and CJK stay whole and searchable.
    """
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


def slugify(text: str, max_length: int = 80) -> str:
    slug = _NON_ASCII_WORD.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-")


def search_key(*parts: str | None) -> str:
    """What search matches against: folded words separated by single spaces."""
    words: list[str] = []
    for part in parts:
        if part:
            words.extend(_NON_WORD.sub(" ", fold(part)).split())
    return " ".join(words)
