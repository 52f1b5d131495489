"""Site stories are Markdown; pages get sanitised HTML (no raw HTML, no scripts, safe links)."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "br", "code"}


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> str:
    # Raw HTML is escaped by markdown-it; nh3 still whitelists tags in case that ever changes.
    html = _md.render(text or "")
    # Story headings start at h2: the page's h1 is the site's name.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
    )
