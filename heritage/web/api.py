"""JSON API v1. Every answer has one envelope: {"ok": true, "data": ..., "meta": ...} or
{"ok": false, "error": {"code": ..., "message": ...}}. Read-only, but for the scans a phone queued offline."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider

from heritage.analytics.scans import record_scan, visitor_of
from heritage.db import reads_only
from heritage.extensions import csrf, db
from heritage.i18n.fallback import fallback_chain
from heritage.i18n.web import supported_languages
from heritage.pagination import Page
from heritage.places.geo import parse_coordinate
from heritage.sites import map_area, nearby, queries
from heritage.sites.codes import normalise_code
from heritage.sites.models import Site, SiteKind
from heritage.sites.search import QueryTooLong, parse_query
from heritage.sites.services import scan_target, site_for_slug
from heritage.sites.visibility import is_viewable
from heritage.web.openapi import MAX_NEARBY, MAX_PAGE, openapi_document
from heritage.web.presenters import page_url, scan_url, shown_text

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# No cookie-authenticated writes here yet; token-authenticated writes will follow. The one
# anonymous write (offline scans) checks the request's Origin instead.
csrf.exempt(bp)


class RequestJSON(DefaultJSONProvider):
    """Flask's JSON, where a body nested past Python's recursion limit ("[[[[…") is malformed
    JSON like any other (a ValueError, so `get_json` answers 400) instead of a RecursionError."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str):
    response = jsonify({"ok": False, "error": {"code": code, "message": message}})
    response.status_code = status
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.code, error.message)


def lang_arg() -> str:
    # Absent means the default; present must be one of the document's enum (`lang=` is not).
    lang = request.args.get("lang", current_app.config["DEFAULT_LANGUAGE"])
    if lang not in supported_languages():
        raise ApiError(400, "bad_language", f"lang must be one of: {', '.join(supported_languages())}.")
    return lang


def _whole_number_arg(name: str, default: int, maximum: int) -> int:
    """An integer query parameter exactly as the OpenAPI document states it: digits only (no
    `1_0`, `+1`, spaces or `null`), from 1 to `maximum`; anything else is a clear 400."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if (
        not (raw.isascii() and raw.isdigit() and len(raw) <= len(str(maximum)))
        or not 1 <= int(raw) <= maximum
    ):
        raise ApiError(400, f"bad_{name}", f"{name} must be a whole number from 1 to {maximum}.")
    return int(raw)


def _location(site: Site) -> dict | None:
    if site.latitude is None or site.longitude is None:
        return None
    return {
        "latitude": site.latitude,
        "longitude": site.longitude,
        "precision": site.location_precision.value,
        "radius_m": site.location_radius_m,
    }


def _site_fields(site: Site) -> dict:
    """What every API answer says about a site, whatever the language."""
    return {
        "code": site.plaque_code,
        "slug": site.slug,
        "kind": site.kind.value,
        "state": site.state.value,
        "location": _location(site),
        "precision": site.location_precision.value,
        "scan_url": scan_url(site.plaque_code),
    }


def site_summary(site: Site, lang: str) -> dict:
    shown = shown_text(site, lang, fallback_chain(lang, list(current_app.config["FALLBACK_LANGUAGES"])))
    return {
        **_site_fields(site),
        "name": shown.text.name if shown.text else None,
        "summary": shown.text.summary if shown.text else None,
        "lang": shown.lang,
        "is_fallback": shown.is_fallback,
        "page_url": page_url(site, lang, external=True),
    }


def site_detail(site: Site) -> dict:
    return {
        **_site_fields(site),
        "district": site.district,
        "commune": site.commune,
        "province": site.province,
        "ranking": {
            "level": site.ranking.value,
            "decision": site.ranking_decision,
            "date": site.ranking_date.isoformat() if site.ranking_date else None,
            "year": site.ranking_year,
        },
        "heritage_types": list(site.heritage_types or []),
        "sources": list(site.sources or []),
        "texts": {
            lang: {"name": t.name, "summary": t.summary, "body": t.body, "event": t.event}
            for lang, t in sorted(site.texts.items())
        },
        "page_urls": {lang: page_url(site, lang, external=True) for lang in supported_languages()},
    }


@bp.get("/sites")
@reads_only
def list_sites():
    lang = lang_arg()
    kind = request.args.get("kind")  # as lang: `kind=` is not a kind
    if kind is not None and kind not in {k.value for k in SiteKind}:
        raise ApiError(400, "bad_kind", f"kind must be one of: {', '.join(k.value for k in SiteKind)}.")
    per_page = _whole_number_arg("per_page", 50, current_app.config["API_MAX_PER_PAGE"])
    query = request.args.get("q")
    try:
        search = parse_query(query)
    except QueryTooLong as error:
        raise ApiError(400, "query_too_long", error.message) from None
    page_number = _whole_number_arg("page", 1, MAX_PAGE)
    if search is None and query and query.strip():
        # Only punctuation or symbols: nothing to search for, so nothing matches (listing every
        # site would read as matches).
        page = Page(items=[], page=page_number, per_page=per_page, total=0)
    else:
        page = queries.list_sites(
            db.session,
            langs=fallback_chain(lang, list(current_app.config["FALLBACK_LANGUAGES"])),
            page=page_number,
            per_page=per_page,
            search=search,
            kind=kind,
            district=request.args.get("district") or None,
        )
    return jsonify(
        {
            "ok": True,
            "data": [site_summary(site, lang) for site in page.items],
            "meta": {"page": page.page, "per_page": page.per_page, "total": page.total, "pages": page.pages},
        }
    )


@bp.get("/sites/<slug>")
@reads_only
def get_site(slug: str):
    site, _old = site_for_slug(db.session, slug)
    if site is None or not is_viewable(site.state):
        raise ApiError(404, "not_found", "No published site has this slug.")
    return jsonify({"ok": True, "data": site_detail(site), "meta": {}})


def _coordinate_arg(name: str, bound: int) -> float:
    try:
        return parse_coordinate(request.args.get(name), bound)
    except ValueError:
        raise ApiError(
            400, f"bad_{name}", f"{name} must be a decimal number from -{bound} to {bound}, e.g. 21.0285."
        ) from None


def _bbox_arg() -> map_area.Box:
    raw = request.args.get("bbox")
    if raw is None:
        return map_area.WORLD
    parts = raw.split(",")
    try:
        if len(parts) != 4:
            raise ValueError(raw)
        lons = sorted((parse_coordinate(parts[0], 180), parse_coordinate(parts[2], 180)))
        lats = sorted((parse_coordinate(parts[1], 90), parse_coordinate(parts[3], 90)))
    except ValueError:
        raise ApiError(
            400,
            "bad_bbox",
            "bbox must be west,south,east,north in decimal degrees (longitude -180 to 180, latitude -90 to 90).",
        ) from None
    # Two opposite corners in either order name the same box (none crosses the antimeridian here).
    return map_area.Box(lons[0], lats[0], lons[1], lats[1])


def _zoom_arg(box: map_area.Box) -> int:
    raw = request.args.get("zoom")
    if raw is None:
        return map_area.zoom_for(box)
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 2) or int(raw) > map_area.MAX_ZOOM:
        raise ApiError(400, "bad_zoom", f"zoom must be a whole number from 0 to {map_area.MAX_ZOOM}.")
    return int(raw)


def _site_feature(site: Site, lang: str, chain: list[str]) -> dict:
    shown = shown_text(site, lang, chain)
    return {
        "type": "Feature",
        # GeoJSON order: longitude first (RFC 7946).
        "geometry": {"type": "Point", "coordinates": [site.longitude, site.latitude]},
        "properties": {
            "slug": site.slug,
            "kind": site.kind.value,
            "name": shown.text.name if shown.text else site.slug,
            "lang": shown.lang,
            "is_fallback": shown.is_fallback,
            "precision": site.location_precision.value,
            "radius_m": site.location_radius_m,
            "page_path": page_url(site, lang),
        },
    }


def _cluster_feature(cluster: map_area.Cluster) -> dict:
    b = cluster.bounds
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [cluster.longitude, cluster.latitude]},
        "properties": {"cluster": True, "count": cluster.count, "bbox": [b.west, b.south, b.east, b.north]},
    }


@bp.get("/map")
@reads_only
def map_sites():
    """The listed sites with coordinates in `bbox` as GeoJSON: each site when there are at most
    map_area.MAX_POINTS, else clusters on a grid fitted to `zoom` (sites alone in a cell stay sites)."""
    lang = lang_arg()
    box = _bbox_arg()
    zoom = _zoom_arg(box)
    chain = fallback_chain(lang, list(current_app.config["FALLBACK_LANGUAGES"]))
    found = map_area.sites_in_area(db.session, box, zoom, chain)
    features = [_site_feature(site, lang, chain) for site in found.sites]
    features += [_cluster_feature(cluster) for cluster in found.clusters]
    bounds = found.bounds
    meta = {
        "total": found.total,
        "without_location": nearby.count_without_location(db.session),
        "clustered": bool(found.clusters),
        "bounds": [bounds.west, bounds.south, bounds.east, bounds.north] if bounds else None,
    }
    response = jsonify(
        {"ok": True, "data": {"type": "FeatureCollection", "features": features}, "meta": meta}
    )
    # The same for every visitor, and changed only by editors: kept, but revalidated like a page.
    response.headers["Cache-Control"] = "public, no-cache"
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/nearby")
@reads_only
def nearby_sites():
    """The listed sites nearest a point, with distance and compass direction from it."""
    lang = lang_arg()
    lat, lon = _coordinate_arg("lat", 90), _coordinate_arg("lon", 180)
    limit = _whole_number_arg("limit", 10, MAX_NEARBY)
    chain = fallback_chain(lang, list(current_app.config["FALLBACK_LANGUAGES"]))
    found = nearby.nearest_sites(db.session, lat, lon, limit, chain)
    data = [
        {
            "slug": n.site.slug,
            "kind": n.site.kind.value,
            **_shown_name(n.site, lang, chain),
            "distance_m": round(n.distance_m, 1),
            "bearing_deg": round(n.bearing, 1),
            "direction": n.direction,
            "page_url": page_url(n.site, lang, external=True),
        }
        for n in found
    ]
    meta = {"limit": limit, "without_location": nearby.count_without_location(db.session)}
    return jsonify({"ok": True, "data": data, "meta": meta})


def _shown_name(site: Site, lang: str, chain: list[str]) -> dict:
    shown = shown_text(site, lang, chain)
    return {
        "name": shown.text.name if shown.text else None,
        "lang": shown.lang,
        "is_fallback": shown.is_fallback,
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(supported_languages(), current_app.config["API_MAX_PER_PAGE"]))


_SCAN_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _same_origin() -> bool:
    """A browser always sends Origin with a POST: it must be this site (the host Flask already
    checked against TRUSTED_HOSTS, or the public one). Forms elsewhere cannot count scans."""
    origin = request.headers.get("Origin", "")
    parts = urlsplit(origin)
    allowed = {request.host_url.rstrip("/"), current_app.config["PUBLIC_BASE_URL"]}
    return bool(parts.scheme and parts.netloc) and f"{parts.scheme}://{parts.netloc}" in allowed


@bp.post("/scans")
def queued_scan():
    """A scan made with no signal, sent once by the service worker when the network returns.
    Counted like a scan of the plaque URL (same limit per address), once per client-made id."""
    if not _same_origin():
        raise ApiError(403, "bad_origin", "Scans are accepted from this site's own pages only.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_body", 'Send a JSON object: {"id", "code", "lang"}.')
    scan_id, code, lang = body.get("id"), body.get("code"), body.get("lang")
    if not isinstance(scan_id, str) or not _SCAN_ID.match(scan_id) or uuid.UUID(scan_id).version != 4:
        raise ApiError(400, "bad_id", "id must be a random UUID (version 4) in lower case.")
    if lang not in supported_languages():
        raise ApiError(400, "bad_language", f"lang must be one of: {', '.join(supported_languages())}.")
    canonical = normalise_code(code) if isinstance(code, str) else None
    target = scan_target(db.session, canonical) if canonical else None
    db.session.commit()  # end the read before the write (SQLite; see visitor.scan)
    if target is None:
        raise ApiError(404, "not_found", "No plaque has this code.")
    counted = False
    try:
        first = current_app.extensions["heritage.scan_receipts"].first_time(scan_id)
    except Exception:  # noqa: BLE001 - without the record a resend could count twice: try later
        current_app.logger.warning("scan receipts storage unavailable", exc_info=True)
        raise ApiError(503, "unavailable", "Try again later.") from None
    if first and current_app.extensions["heritage.scan_limit"].counts(request.remote_addr):
        visitor = visitor_of(target.code, request.remote_addr, request.user_agent.string)
        record_scan(db.session, code=target.code, site_id=target.site_id, lang=lang, visitor=visitor)
        db.session.commit()
        counted = True
    return jsonify(
        {"ok": True, "data": {"id": scan_id, "counted": counted, "duplicate": not first}, "meta": {}}
    )
