"""Site stories are Markdown; pages get sanitised HTML (no raw HTML, no scripts, safe links)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from html import unescape

import nh3
from markdown_it import MarkdownIt
from markupsafe import escape

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br", "code"}
# Built once: nh3.clean() builds the same sanitiser from these sets on every call (a third of
# its time on a story).
_sanitiser = nh3.Cleaner(
    tags=_ALLOWED_TAGS,
    attributes={"a": {"href", "title"}},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener nofollow",
)


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> str:
    # Raw HTML is escaped by markdown-it; nh3 still whitelists tags in case that ever changes.
    html = _md.render(text or "")
    # Story headings start at h2: the page's h1 is the site's name.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return _sanitiser.clean(html)


_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
# Where a link must not go: inside a link already, or in a heading.
_NO_LINK_TAGS = {"a", "h2", "h3", "h4"}
# An aside in brackets that holds a word, not a number: "(An Hưng đình)", "（白藤江木桩）", "(Surprise)";
# "Cột mốc 1368 (3)" keeps its "(3)", which is part of the marker's number.
_ASIDE = re.compile(r"\s*[(（][^()（）]*[^\W\d_][^()（）]*[)）]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


@lru_cache(maxsize=4096)  # a pure function of the name; a district's names recur on every page
def mention_form(name: str) -> str:
    """How a story names a site: without its asides ("Sửng Sốt (Surprise) Cave" -> "Sửng Sốt Cave")."""
    return " ".join(_ASIDE.sub("", name).split())


def mention_key(name: str) -> str:
    """What a story must hold (case-folded) to name a site called `name`: stored per text."""
    return mention_form(name).casefold()


def _mention_pattern(forms: list[str]) -> re.Pattern:
    # Latin-script names start and end at a word boundary; Chinese and Korean run on (particles,
    # no spaces). The start's check is written once per group of names, not once per name: the
    # same pattern, four times faster on a story naming six sites. Names that could match at one
    # place share their first character, so they share a group, where the longest still wins.
    groups: dict[str, list[str]] = {}
    for form in sorted(forms, key=len, reverse=True):  # the longest name wins an overlap
        left = "" if _CJK.match(form[0]) else r"(?<!\w)"
        right = "" if _CJK.match(form[-1]) else r"(?!\w)"
        groups.setdefault(left, []).append(f"{re.escape(form)}{right}")
    return re.compile(
        "|".join(f"{left}(?:{'|'.join(names)})" for left, names in groups.items()), re.IGNORECASE
    )


def link_mentions(
    html: str, targets: list[tuple[str, str]], make_url: Callable[[str], str] | None = None
) -> str:
    """Link the first mention of each (name, url) in sanitised story HTML to that url.

    Matches whole names, case-insensitively ("đình Trung Bản" names "Đình Trung Bản"), in text
    only: never inside a tag, an existing link or a heading. Text is unescaped before matching
    and escaped again, so names with "&" or quotes match and nothing unsafe is produced.
    With `make_url`, targets are (name, key) and make_url(key) is called only for a name the
    story holds: a page has up to 200 candidates and names a few.
    """
    if not html:
        return html
    # A name can match only if its case-folded form is in the case-folded text (folding is per
    # character): the pattern is built from the few names that pass, not from every candidate.
    text = unescape(html).casefold()
    urls: dict[str, str] = {}
    for name, url in targets:
        form = mention_form(name)
        key = form.casefold()
        if key not in urls and key in text and len(form) >= (2 if _CJK.search(form) else 4):
            urls[key] = make_url(url) if make_url else url
    if not urls:
        return html
    pattern = _mention_pattern(list(urls))
    linked: set[str] = set()
    blocked = 0
    out = []
    for piece in _TAG.split(html):
        if piece.startswith("<"):
            tag = _TAG_NAME.match(piece)
            if tag and tag.group(2).lower() in _NO_LINK_TAGS:
                blocked = max(0, blocked + (-1 if tag.group(1) else 1))
            out.append(piece)
            continue
        if blocked > 0 or not piece.strip():
            out.append(piece)
            continue
        text = unescape(piece)
        pos, rebuilt, changed = 0, [], False
        for match in pattern.finditer(text):
            url = urls.get(match.group(0).casefold())
            if url is None or url in linked:
                continue
            linked.add(url)
            changed = True
            rebuilt.append(str(escape(text[pos : match.start()])))
            rebuilt.append(f'<a href="{escape(url)}">{escape(match.group(0))}</a>')
            pos = match.end()
        out.append("".join(rebuilt) + str(escape(text[pos:])) if changed else piece)
    return "".join(out)
