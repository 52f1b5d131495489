"""Trail pages: the list of trails and one trail with its stops, the distance of each leg and
the total. Thin: parse, call heritage.trails, render."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template

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
def trail_list():
    chain = content_chain(g.lang)
    trails = queries.listed_trails(db.session, chain)
    cards = []
    for trail in trails:
        stops = queries.shown_stops(trail)
        cards.append((trail, shown_text(trail, g.lang, chain), len(stops), legs.walk(stops)))
    return render_template("visitor/trail_list.html", cards=cards)


@bp.get("/<lang:lang>/trails/<slug>")
def trail_page(slug: str):
    chain = content_chain(g.lang)
    trail = queries.listed_trail(db.session, slug, chain)
    if trail is None:
        abort(404)
    stops = queries.shown_stops(trail)
    shown = shown_text(trail, g.lang, chain)
    return render_template(
        "visitor/trail_page.html",
        trail=trail,
        shown=shown,
        intro_html=render_markdown(shown.text.body) if shown.text else "",
        stops=[(site, shown_text(site, g.lang, chain)) for site in stops],
        walk=legs.walk(stops),
    )
