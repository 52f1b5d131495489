"""Choose the visitor's language: explicit ?lang=, then the saved cookie, then Accept-Language.

Plain functions of strings, so the whole matrix is tested without a request.
"""

from __future__ import annotations

from dataclasses import dataclass

# Chinese tags that mean Traditional script. We serve Simplified until a zh-Hant text exists,
# and the page says so.
_TRADITIONAL_CHINESE = {"zh-tw", "zh-hk", "zh-mo", "zh-hant"}


@dataclass(frozen=True)
class Choice:
    lang: str
    # Why this language: "explicit", "cookie", "header" or "default". Kept for tests and logs.
    source: str
    # The visitor asked for Traditional Chinese and gets Simplified.
    wanted_traditional: bool = False


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """Tags with their q-values, best first; ties keep the header's order. Malformed parts skipped."""
    if not header:
        return []
    entries: list[tuple[str, float, int]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag or len(tag) > 35:
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        if 0 < quality <= 1:
            entries.append((tag, quality, position))
    entries.sort(key=lambda e: (-e[1], e[2]))
    return [(tag, quality) for tag, quality, _ in entries]


def _match(tag: str, supported: list[str]) -> tuple[str | None, bool]:
    """The supported language for one tag (`zh-Hant-TW` -> zh, traditional)."""
    tag = tag.lower()
    if tag in supported:
        return tag, False
    primary = tag.split("-")[0]
    if primary == "zh" and "zh" in supported:
        parts = tag.split("-")
        traditional = any(f"zh-{p}" in _TRADITIONAL_CHINESE for p in parts[1:])
        return "zh", traditional
    if primary in supported:
        return primary, False
    return None, False


def negotiate(
    supported: list[str],
    default: str,
    explicit: str | None = None,
    cookie: str | None = None,
    accept_language: str | None = None,
) -> Choice:
    """The chain: explicit, cookie, every Accept-Language tag in q-order, then the default."""
    for value, source in ((explicit, "explicit"), (cookie, "cookie")):
        if value:
            lang, traditional = _match(value.strip(), supported)
            if lang:
                return Choice(lang, source, traditional)
    for tag, _quality in parse_accept_language(accept_language):
        if tag == "*":
            continue
        lang, traditional = _match(tag, supported)
        if lang:
            return Choice(lang, "header", traditional)
    return Choice(default, "default")
