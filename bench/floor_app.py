"""The app with the cold site page taken apart, for bench/cold_page_floor.py (never deployed).

`gunicorn bench.floor_app:app` from the repository root. Each route answers with the same bytes,
a copy of the real page taken at its first request, and does one more part of the real page's work:

- /floor/fixed/<slug>: nothing (the app's own request machinery: request id, log line, metrics,
  security headers, the reads_only session that is never opened);
- /floor/site/<slug>: the page's site statement (heritage.web.page_site);
- /floor/statements/<slug>: that and the statement of the sites its story may mention.

Against /vi/sites/<slug> with PAGE_CACHE_SECONDS=0, what is left is the rendering.
"""

from __future__ import annotations

from html import unescape

from flask import Response, abort

from app import app
from heritage.db import reads_only
from heritage.extensions import db
from heritage.sites.linked import mention_candidates
from heritage.web.page_site import page_site

_COPIES: dict[str, bytes] = {}


def _copy(slug: str) -> bytes:
    if slug not in _COPIES:
        with app.test_client() as client:
            answer = client.get(f"/vi/sites/{slug}")
        if answer.status_code != 200:
            abort(404)
        _COPIES[slug] = answer.get_data()
    return _COPIES[slug]


def _answer(slug: str) -> Response:
    return Response(_copy(slug), mimetype="text/html")


@app.get("/floor/fixed/<slug>")
@reads_only
def floor_fixed(slug: str):
    return _answer(slug)


@app.get("/floor/site/<slug>")
@reads_only
def floor_site(slug: str):
    _copy(slug)
    page_site(db.session, slug)
    return _answer(slug)


@app.get("/floor/statements/<slug>")
@reads_only
def floor_statements(slug: str):
    _copy(slug)
    site = page_site(db.session, slug)
    text = site.texts.get("vi")
    if text is not None and text.body_html:
        mention_candidates(db.session, site, "vi", unescape(text.body_html).casefold())
    return _answer(slug)
