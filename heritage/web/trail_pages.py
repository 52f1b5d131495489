"""Trail pages: the list of trails and one trail with its stops, the distance of each leg and
the total. Thin: parse, call heritage.trails, render."""

from __future__ import annotations

from flask import Blueprint, abort, g, make_response, render_template, url_for

from heritage.db import reads_only
from heritage.extensions import db
from heritage.i18n.web import content_chain
from heritage.sites.markdown import render_markdown
from heritage.trails import legs, queries
from heritage.web.language_prefix import use_language_prefix
from heritage.web.maps import same_page_in
from heritage.web.presenters import shown_text

bp = Blueprint("trails", __name__)
use_language_prefix(bp)


@bp.context_processor
def _page_context():
    return {"alternate_url": same_page_in}


@bp.get("/<lang:lang>/trails")
@reads_only
def trail_list():
    chain = content_chain(g.lang)
    trails = queries.listed_trails(db.session, chain)
    cards = []
    for trail in trails:
        stops = queries.shown_stops(trail)
        cards.append((trail, shown_text(trail, g.lang, chain), len(stops), legs.walk(stops)))
    return render_template("visitor/trail_list.html", cards=cards)


@bp.get("/<lang:lang>/trails/<slug>")
@reads_only
def trail_page(slug: str):
    response = trail_page_response(slug, g.lang)
    if response is None:
        abort(404)
    return response


def trail_page_response(slug: str, lang: str):
    """The trail page in `lang`, or None for a trail visitors may not see. Also the answer to a
    scan of the trail's own plaque (heritage.web.visitor.scan)."""
    chain = content_chain(lang)
    trail = queries.listed_trail(db.session, slug, chain)
    if trail is None:
        return None
    stops = queries.shown_stops(trail)
    shown = shown_text(trail, lang, chain)
    html = render_template(
        "visitor/trail_page.html",
        trail=trail,
        shown=shown,
        intro_html=render_markdown(shown.text.body) if shown.text else "",
        stops=[(site, shown_text(site, lang, chain)) for site in stops],
        walk=legs.walk(stops),
        # Also rendered for a scan URL: the language links keep to this trail.
        alternate_url=lambda other: url_for("trails.trail_page", lang=other, slug=trail.slug),
    )
    response = make_response(html)
    if trail.plaque_code:
        # The service worker files the page under the plaque URL too: a later scan opens offline.
        response.headers["Heritage-Plaque-Code"] = trail.plaque_code
    return response
