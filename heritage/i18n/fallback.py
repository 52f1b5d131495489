"""Where a missing text comes from: requested language, then FALLBACK_LANGUAGES in order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


def fallback_chain(requested: str, fallbacks: list[str]) -> list[str]:
    """`zh` with fallbacks [en, vi] -> [zh, en, vi]; no language twice."""
    chain = [requested]
    for lang in fallbacks:
        if lang not in chain:
            chain.append(lang)
    return chain


def pick_text(texts: Mapping[str, T], chain: list[str]) -> tuple[str, T] | None:
    """The first language in the chain that has a text, with that text; None if none has."""
    for lang in chain:
        text = texts.get(lang)
        if text is not None:
            return lang, text
    # A site always has its Vietnamese text in practice; this keeps a page for odd data.
    for lang, text in texts.items():
        return lang, text
    return None
