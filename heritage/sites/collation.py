"""Alphabetical order as a reader of each language expects it, from ICU (CLDR) collation.

A text's sort key is computed once, when the text is set, and stored: both databases then order
names by comparing bytes, identically, and an index serves the list at any size.
"""

from __future__ import annotations

from functools import lru_cache

import icu


@lru_cache(maxsize=32)
def _collator(lang: str) -> icu.Collator:
    # Vietnamese: Đ after D, ă/â after a, tones a secondary difference (they never scatter a
    # name); Chinese: pinyin; Korean: Hangul order. An unknown code gets the root order.
    return icu.Collator.createInstance(icu.Locale(lang))


def sort_key(lang: str, name: str) -> bytes:
    """Bytes that order `name` among other names of language `lang` (compare bytewise)."""
    return bytes(_collator(lang).getSortKey(name))
