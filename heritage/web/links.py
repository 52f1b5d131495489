"""Links that pages build again and again, each built by Flask's `url_for` once per process.

A site page asks for about twenty URLs, and `url_for` costs 6-10 µs each (the rule's defaults,
converters and quoting): a tenth of a cold page's render (bench/cold_page.py). Most of them repeat
on every page (the manifest, the list, the map) and are remembered whole. A site's own page URL
differs per site: it is its language's prefix, built once, plus the slug, which needs no quoting
when it holds only unreserved characters (every slug we make); any other slug goes through
`url_for` as before. A test compares each with `url_for` itself.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlencode

from flask import current_app, g, request, url_for

# RFC 3986's unreserved characters: never percent-encoded in a path segment.
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]+\Z")
# What Werkzeug leaves unquoted in a query string it builds (werkzeug.urls._urlencode).
_QUERY_SAFE = "!$'()*,/:;?@"


@lru_cache(maxsize=4096)
def _built(_script_root: str, _lang: str | None, endpoint: str, values: tuple) -> str:
    # The request's script root and language are part of the key: url_for adds both.
    return url_for(endpoint, **dict(values))


def link(endpoint: str, **values) -> str:
    """url_for(endpoint, **values), relative, remembered for the process."""
    try:
        key = tuple(sorted(values.items()))
        hash(key)
    except TypeError:  # a list of values for one query argument: built each time
        return url_for(endpoint, **values)
    return _built(request.script_root, getattr(g, "lang", None), endpoint, key)


def site_page_url(lang: str, slug: str) -> str:
    """url_for("visitor.site_page", lang=lang, slug=slug)."""
    if not _UNRESERVED.match(slug):
        return url_for("visitor.site_page", lang=lang, slug=slug)
    return link("visitor.site_page", lang=lang, slug="-")[:-1] + slug


def link_with_query(endpoint: str, query: dict[str, str], **values) -> str:
    """url_for(endpoint, **values, **query) where `query` holds the values that go into the query
    string and differ from page to page: the rest is remembered, the query encoded as Werkzeug does."""
    return link(endpoint, **values) + "?" + urlencode(query, safe=_QUERY_SAFE)


def choose_language_url(choice: str, next_path: str) -> str:
    """url_for("visitor.choose_language", choice=choice, next=next_path): the language switcher."""
    return link_with_query("visitor.choose_language", {"next": next_path}, choice=choice)


def public(url: str) -> str:
    """A relative link made absolute on PUBLIC_BASE_URL, never the request's Host: pages are
    cached and shared, so a client's Host must never end up in them."""
    return current_app.config["PUBLIC_BASE_URL"] + url


def site_url(lang: str, slug: str, external: bool = False) -> str:
    """A site's page in `lang`, relative or (external) on the public host."""
    url = site_page_url(lang, slug)
    return public(url) if external else url
