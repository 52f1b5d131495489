"""The map page, "nearby" and the "open in maps" links of a site page. Thin: parse, call
heritage.sites.nearby, render. Leaflet loads on the map page only."""

from __future__ import annotations

from flask import Blueprint, g, make_response, render_template, request, url_for
from flask_babel import lazy_pgettext

from heritage.db import reads_only
from heritage.extensions import db
from heritage.i18n.web import content_chain
from heritage.places.geo import parse_coordinate
from heritage.sites import nearby
from heritage.sites.models import SiteKind
from heritage.web.language_prefix import use_language_prefix
from heritage.web.maps_links import map_links
from heritage.web.presenters import shown_text
from heritage.web.security import allows_map_tiles

bp = Blueprint("maps", __name__)
# The same /<lang>/ handling as the other visitor pages.
use_language_prefix(bp)

NEARBY_LIMIT = 10

# i18n: compass directions, as short as on a compass rose
COMPASS_LABELS = {
    "N": lazy_pgettext("compass", "N"),
    "NE": lazy_pgettext("compass", "NE"),
    "E": lazy_pgettext("compass", "E"),
    "SE": lazy_pgettext("compass", "SE"),
    "S": lazy_pgettext("compass", "S"),
    "SW": lazy_pgettext("compass", "SW"),
    "W": lazy_pgettext("compass", "W"),
    "NW": lazy_pgettext("compass", "NW"),
}


def same_page_in(lang: str) -> str:
    """This page in another language, keeping its query (nearby's coordinates)."""
    args = {k: v for k, v in request.args.items() if k in ("lat", "lon")}
    return url_for(request.endpoint, lang=lang, **(request.view_args or {}), **args)


@bp.context_processor
def _page_context():
    return {"alternate_url": same_page_in}


@bp.app_context_processor
def _open_in_maps():
    # Site pages call it from their "open in maps" include.
    return {"map_links": map_links}


@bp.get("/<lang:lang>/map")
@allows_map_tiles
def map_page():
    return render_template("visitor/map.html", kinds=list(SiteKind))


@bp.get("/<lang:lang>/nearby")
@reads_only
def nearby_page():
    lat_raw, lon_raw = request.args.get("lat"), request.args.get("lon")
    if lat_raw is None and lon_raw is None:
        return render_template("visitor/nearby.html", results=None, lat="", lon="")
    try:
        lat, lon = parse_coordinate(lat_raw, 90), parse_coordinate(lon_raw, 180)
    except ValueError:
        page = render_template(
            "visitor/nearby.html", results=None, lat=lat_raw or "", lon=lon_raw or "", bad=True
        )
        return make_response(page, 400)
    chain = content_chain(g.lang)
    found = nearby.nearest_sites(db.session, lat, lon, NEARBY_LIMIT, chain)
    results = [(n, shown_text(n.site, g.lang, chain), COMPASS_LABELS[n.direction]) for n in found]
    response = make_response(
        render_template(
            "visitor/nearby.html",
            results=results,
            lat=lat_raw,
            lon=lon_raw,
            without_location=nearby.count_without_location(db.session),
        )
    )
    # A position is personal: never kept by a shared cache (nor in the page cache).
    response.headers["Cache-Control"] = "private, no-store"
    return response
