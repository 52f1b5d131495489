"""What "save for offline" downloads for a trail or a district: its pages, the files they load and
their photos (every rendition, the phone keeps the one it shows) and recordings, with the bytes
each costs. Read by static/js/offline-pack.js before it asks, so the visitor sees the size first.

Sizes are measured, not estimated: each page and file is requested through the app with the
phone's own Accept-Encoding and Accept-Language, and its body counted as it would travel (the page
cache makes this cheap); photos and recordings are counted from their stored size.
"""

from __future__ import annotations

import contextvars
import gzip
from dataclasses import dataclass

import brotli
from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.test import Client
from werkzeug.wrappers import Response as PlainResponse

from heritage.db import reads_only
from heritage.extensions import db
from heritage.i18n.fallback import fallback_chain
from heritage.media.serving import public_media_file
from heritage.places.names import place_names
from heritage.sites import queries as site_queries
from heritage.trails import queries as trail_queries
from heritage.web.api import ApiError, error_response, lang_arg
from heritage.web.page_parts import page_parts
from heritage.web.presenters import shown_text

bp = Blueprint("offline_packs", __name__, url_prefix="/api/v1/offline-packs")
bp.register_error_handler(ApiError, lambda e: error_response(e.status, e.code, e.message))

# A district pack stops here: a phone's storage and a slow link both run out long before 100k.
MAX_PACK_SITES = 60
MEDIA_PREFIX = "/media/"


@dataclass(frozen=True)
class PackPlan:
    kind: str  # "trail" or "district"
    key: str  # the pack's name on the phone: kind/id/lang
    name: str
    page: str  # the page the pack is saved from
    pages: list[str]  # every page, that one first
    sites_included: int
    sites_total: int


def _chain(lang: str) -> list[str]:
    return fallback_chain(lang, list(current_app.config["FALLBACK_LANGUAGES"]))


def trail_plan(slug: str, lang: str) -> PackPlan | None:
    chain = _chain(lang)
    trail = trail_queries.listed_trail(db.session, slug, chain)
    if trail is None:
        return None
    stops = trail_queries.shown_stops(trail)
    shown = shown_text(trail, lang, chain)
    page = url_for("trails.trail_page", lang=lang, slug=trail.slug)
    # A loop comes back to a site: its page is saved once.
    site_pages = list(dict.fromkeys(url_for("visitor.site_page", lang=lang, slug=s.slug) for s in stops))
    return PackPlan(
        kind="trail",
        key=f"trail/{trail.slug}/{lang}",
        name=shown.text.name if shown.text else trail.slug,
        page=page,
        pages=[page, *site_pages],
        sites_included=len(stops),
        sites_total=len(stops),
    )


def district_plan(district: str, lang: str) -> PackPlan | None:
    """The district's list pages and its sites' pages, the first MAX_PACK_SITES in list order."""
    chain, per_page = _chain(lang), current_app.config["SITES_PER_PAGE"]
    sites, lists, number, total = [], [], 1, 0
    while len(sites) < MAX_PACK_SITES:
        found = site_queries.list_sites(
            db.session, langs=chain, page=number, per_page=per_page, district=district
        )
        total = found.total
        if not found.items:
            break
        lists.append(
            url_for("visitor.site_list", lang=lang, district=district, page=number if number > 1 else None)
        )
        sites.extend(found.items[: MAX_PACK_SITES - len(sites)])
        if number >= found.pages:
            break
        number += 1
    if not sites:
        return None
    return PackPlan(
        kind="district",
        key=f"district/{district}/{lang}",
        name=place_names(db.session, [district], lang).get(district, district),
        page=lists[0],
        pages=[*lists, *(url_for("visitor.site_page", lang=lang, slug=s.slug) for s in sites)],
        sites_included=len(sites),
        sites_total=total,
    )


def _fetch_all(paths: list[str]) -> dict[str, PlainResponse]:
    """Each path requested through the app as the phone would, in a context of its own so the inner
    requests get their own app context (g, database session) instead of sharing this one's."""
    app = current_app._get_current_object()
    headers = {
        name: request.headers[name]
        for name in ("Accept-Encoding", "Accept-Language")
        if name in request.headers
    }
    base_url = request.host_url

    def fetch() -> dict[str, PlainResponse]:
        client = Client(app, PlainResponse)
        return {path: client.get(path, headers=headers, base_url=base_url) for path in paths}

    return contextvars.Context().run(fetch)


def _text(response: PlainResponse) -> str:
    body, encoding = response.get_data(), response.headers.get("Content-Encoding", "")
    if encoding == "br":
        body = brotli.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8")


def _media_bytes(path: str) -> int | None:
    media = public_media_file(db.session, path[len(MEDIA_PREFIX) :])
    return media.size if media is not None else None


def measure(plan: PackPlan) -> dict:
    pages, files, photos, seen_photos = [], [], [], set()
    answers = _fetch_all(plan.pages)
    wanted_files: list[str] = []
    for path in plan.pages:
        answer = answers[path]
        if answer.status_code in (404, 410):
            continue  # unpublished since the plan was made: nothing to save
        if answer.status_code != 200:
            raise ApiError(503, "unavailable", "A page of this pack cannot be read now: try again later.")
        pages.append({"url": path, "bytes": len(answer.get_data())})
        parts = page_parts(_text(answer))
        wanted_files.extend(f for f in parts.files if f not in wanted_files)
        for group in parts.photos:
            key = tuple(r.url for r in group)
            if key in seen_photos:
                continue
            seen_photos.add(key)
            renditions = [
                {"url": r.url, "bytes": size, "type": r.media_type, "width": r.width}
                for r in group
                if (size := _media_bytes(r.url)) is not None
            ]
            if renditions:
                photos.append(renditions)
    static = _fetch_all([f for f in wanted_files if not f.startswith(MEDIA_PREFIX)])
    for path in wanted_files:
        if path.startswith(MEDIA_PREFIX):
            size = _media_bytes(path)
        else:
            size = len(static[path].get_data()) if static[path].status_code == 200 else None
        if size is not None:
            files.append({"url": path, "bytes": size})
    return {"pages": pages, "files": files, "photos": photos}


def _answer(plan: PackPlan | None, lang: str, missing: str):
    if plan is None:
        raise ApiError(404, "not_found", missing)
    data = {
        "kind": plan.kind,
        "key": plan.key,
        "name": plan.name,
        "lang": lang,
        "page": plan.page,
        **measure(plan),
    }
    meta = {"sites": plan.sites_included, "sites_total": plan.sites_total, "max_sites": MAX_PACK_SITES}
    response = jsonify({"ok": True, "data": data, "meta": meta})
    # Sizes depend on the encodings the phone accepts; the same for every phone that sends the same.
    response.headers["Cache-Control"] = "public, max-age=300"
    response.vary.update(["Accept-Encoding", "Accept-Language"])
    return response


@bp.get("/trails/<slug>")
@reads_only
def trail_pack(slug: str):
    lang = lang_arg()
    return _answer(trail_plan(slug, lang), lang, "No published trail has this slug.")


@bp.get("/districts/<district>")
@reads_only
def district_pack(district: str):
    lang = lang_arg()
    return _answer(district_plan(district, lang), lang, "No published site lies in this district.")
