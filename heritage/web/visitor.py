"""Visitor pages and the permanent scan URL. Parse, call a service, render; nothing more."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from html import unescape
from urllib.parse import urlsplit

from babel import Locale
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from werkzeug.http import http_date

from heritage.analytics.scans import record_scan, visitor_of
from heritage.db import reads_only
from heritage.extensions import db
from heritage.i18n.template_gettext import bound_gettext
from heritage.i18n.web import (
    LANG_COOKIE,
    content_chain,
    negotiate_request,
    supported_languages,
    wants_traditional_chinese,
)
from heritage.media.models import MediaKind
from heritage.ops.content_version import request_version
from heritage.pagination import Page, clamp_page
from heritage.places.names import address_line, place_names
from heritage.sites import linked, queries
from heritage.sites.codes import normalise_code
from heritage.sites.markdown import link_mentions
from heritage.sites.models import HeritageType, PublicationState, SiteKind
from heritage.sites.search import MAX_QUERY_CHARS, QueryTooLong, parse_query
from heritage.sites.services import scan_target, site_for_slug
from heritage.sites.visibility import is_viewable, shown_parent
from heritage.trails.queries import trail_for_code
from heritage.web import formatting
from heritage.web.compression import MIN_SIZE as COMPRESS_MIN_SIZE
from heritage.web.compression import choose_encoding, compress_body
from heritage.web.labels import (
    HERITAGE_TYPE_LABELS,
    KIND_EXPLANATIONS,
    KIND_LABELS,
    MARKER_ROLE_LABELS,
    MARKER_TYPE_LABELS,
    PRECISION_LABELS,
    RANKING_LABELS,
    translated,
)
from heritage.web.language_prefix import use_language_prefix
from heritage.web.links import choose_language_url, link_with_query, site_page_url, site_url
from heritage.web.media import narration_view, photo_gallery, shown_media_kinds, tour_view
from heritage.web.page_site import page_site
from heritage.web.presenters import public_url, shown_text
from heritage.web.scan_fast_path import SCAN_CACHE_CONTROL, SCAN_VARY
from heritage.web.seo import site_meta
from heritage.web.trail_pages import trail_page_response

bp = Blueprint("visitor", __name__)

ONE_YEAR = 365 * 24 * 3600
# Browsers and shared caches may keep a public page but ask (ETag) before each use: an editor's
# publish is never hidden behind a copy someone else holds.
PUBLIC_REVALIDATE = "public, no-cache"


use_language_prefix(bp)


@bp.app_url_value_preprocessor
def _fresh_page_state(endpoint, values):
    # g outlives a request when an app context was already pushed (tests, CLI): start clean.
    g.pop("site_slug", None)


def alternate_url(lang: str) -> str:
    """This page in another language (the list keeps its search and filters)."""
    endpoint = request.endpoint
    if g.get("site_slug"):
        return site_page_url(lang, g.site_slug)
    if endpoint in ("visitor.site_list", "visitor.site_page"):
        args = dict(request.view_args or {})
        if endpoint == "visitor.site_list":
            args.update({k: v for k, v in request.args.items() if k in ("q", "kind", "district", "page")})
        return url_for(endpoint, lang=lang, **args)
    return url_for("visitor.site_list", lang=lang)


@bp.app_context_processor
def _language_context():
    locale = str(get_locale())
    return {
        "languages": supported_languages(),
        "language_name": language_name,
        "page_lang": getattr(g, "lang", None),
        "alternate_url": alternate_url,
        "choose_language_url": choose_language_url,
        "link_with_query": link_with_query,
        "kind_label": translated(KIND_LABELS, locale).get,
        "ranking_label": translated(RANKING_LABELS, locale).get,
        "heritage_type_label": lambda value: HERITAGE_TYPE_LABELS.get(HeritageType(value), value),
        "precision_label": translated(PRECISION_LABELS, locale).get,
        "marker_type_label": translated(MARKER_TYPE_LABELS, locale).get,
        "marker_role_label": translated(MARKER_ROLE_LABELS, locale).get,
        "kind_explanation": translated(KIND_EXPLANATIONS, locale).get,
        "format_distance": lambda metres: formatting.distance(metres, _page_locale()),
        "format_height": lambda metres: formatting.height(metres, _page_locale()),
        "heritage_types_text": lambda values: formatting.word_list(
            [HERITAGE_TYPE_LABELS.get(HeritageType(v), v) for v in values], _page_locale()
        ),
    }


def _page_locale() -> str:
    return getattr(g, "lang", None) or current_app.config["DEFAULT_LANGUAGE"]


@lru_cache(maxsize=256)  # a pure function of two codes; every page names its 4-5 languages
def language_name(code: str, in_lang: str | None = None) -> str:
    """`en` -> "English" (its own name), or its name in `in_lang` ("Tiếng Anh")."""
    name = Locale.parse(code).get_display_name(in_lang or code) or code
    return name[:1].upper() + name[1:]


def _uncached(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def home():
    response = redirect(url_for("visitor.site_list", lang=negotiate_request().lang), 302)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return _uncached(response)


@bp.get("/robots.txt")
def robots():
    # Crawlers following plaque URLs would count as scans; the pages themselves are welcome.
    body = "User-agent: *\nDisallow: /q/\nDisallow: /Q/\nDisallow: /lang/\nAllow: /\n"
    body += f"\nSitemap: {public_url('seo.sitemap')}\n"
    response = make_response(body)
    response.mimetype = "text/plain"
    return response


@bp.get("/healthz")
def healthz():
    return {"ok": True}


@bp.get("/lang/<choice>")
def choose_language(choice: str):
    """The language switcher: remember the choice, then go back to the page in that language."""
    if choice not in supported_languages():
        abort(404)
    target = request.args.get("next", "")
    if not _is_local_path(target):
        target = url_for("visitor.site_list", lang=choice)
    response = _uncached(redirect(target, 303))
    response.set_cookie(
        LANG_COOKIE,
        choice,
        max_age=ONE_YEAR,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["HERITAGE_ENV"] == "production",
    )
    return response


def _is_local_path(target: str) -> bool:
    """A path on this site only: never an open redirect (`//host`, `/\\host`), never a control
    character (CR/LF cannot go into a Location header)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)


@bp.get("/q/<code>")
@bp.get("/Q/<code>")
def scan(code: str):
    """A plaque was scanned: count it (no personal data) and answer with the story itself."""
    choice = negotiate_request()
    g.lang = choice.lang
    canonical = normalise_code(code)
    targets = current_app.extensions["heritage.scan_targets"]
    version = request_version()
    target = targets.get(canonical, version) if canonical else None
    if target is None and canonical:
        target = scan_target(db.session, canonical)
        # End the read before writing: SQLite cannot turn a read transaction into a write once
        # another worker has committed meanwhile ("database is locked" at once, no busy wait).
        db.session.commit()
        if target is not None:
            targets.put(canonical, target, version)
    if target is None:
        return _uncached(make_response(render_template("visitor/unknown_code.html", code=code), 404))
    response = _scan_answer(target, choice.lang)
    # Counted once its answer is ready: a scan whose page failed (the database restarting) got an
    # error, not a count. HEAD is what link checkers and chat previews send: answered, never
    # counted. A client over SCAN_LIMIT_PER_MINUTE still gets its page, without adding to the count.
    if request.method != "HEAD":
        _end_transaction()  # SQLite: end the page's reads before writing (see above)
        address = request.remote_addr
        record_scan(
            db.session,
            code=target.code,
            site_id=target.site_id,
            lang=choice.lang,
            visitor=visitor_of(target.code, address, request.user_agent.string),
            client=address or "unknown",
        )
        _end_transaction()
    return response


def _end_transaction() -> None:
    # A buffered scan of a cached page (the usual case) opens no session: nothing to commit.
    if db.session.registry.has() and db.session().in_transaction():
        db.session.commit()


def _scan_answer(target, lang: str):
    """The answer to a scan of a known code: the site's page, a trail's, or why there is none."""
    if target.site_id is None:
        # Not a site's code: a trail's own plaque opens the trail page, answered like a site's.
        trail = trail_for_code(db.session, target.code)
        page = trail_page_response(trail.slug, lang) if trail is not None else None
        if page is not None:
            page.headers["Cache-Control"] = SCAN_CACHE_CONTROL
            page.headers["Vary"] = SCAN_VARY
            page.headers["Content-Location"] = url_for("trails.trail_page", lang=lang, slug=trail.slug)
            return page
        if trail is not None:
            page = render_template("visitor/unknown_code.html", code=target.code, not_ready=True)
            return _uncached(make_response(page, 404))
    if target.slug is None or not is_viewable(target.state):
        page = render_template(
            "visitor/unknown_code.html", code=target.code, not_ready=target.slug is not None
        )
        return _uncached(make_response(page, 410 if target.slug is None else 404))
    # The page itself, not a redirect: on one bar of signal a redirect costs a whole round trip.
    # Our script puts the canonical URL in the address bar; shared caches never keep this answer.
    page = _site_page(lang, target.slug, lang == "zh" and wants_traditional_chinese())
    if not isinstance(page, RenderedPage):
        return _uncached(page)
    response = _page_response(page, revalidated=False)  # nothing keeps it
    response.headers["Cache-Control"] = SCAN_CACHE_CONTROL
    response.headers["Vary"] = SCAN_VARY
    response.headers["Content-Location"] = url_for("visitor.site_page", lang=lang, slug=page.slug)
    return response


@bp.get("/<lang:lang>/")
@reads_only
def site_list():
    lang = g.lang
    kind = request.args.get("kind") or None
    if kind not in (None, *[k.value for k in SiteKind]):
        kind = None
    district = request.args.get("district") or None
    query = (request.args.get("q") or "").strip()
    status, problem, search = 200, None, None
    try:
        search = parse_query(query)
    except QueryTooLong:
        status, query = 400, query[:MAX_QUERY_CHARS]
        problem = _("Your search is too long: at most %(limit)d characters.", limit=MAX_QUERY_CHARS)
    if query and search is None and not problem:  # only punctuation or symbols: nothing matches
        problem = _("There are no letters or numbers to search for in “%(query)s”.", query=query)
    slug = _slug_for_typed_code(search.code) if search is not None and search.code else None
    if slug:  # a plaque code typed into the box: straight to its site (no scan is counted)
        return _uncached(redirect(url_for("visitor.site_page", lang=lang, slug=slug), 302))
    per_page = current_app.config["SITES_PER_PAGE"]
    if problem:
        page = Page(items=[], page=1, per_page=per_page, total=0)
    else:
        page = queries.list_sites(
            db.session,
            langs=content_chain(lang),
            page=clamp_page(request.args.get("page")),
            per_page=per_page,
            search=search,
            kind=kind,
            district=district,
        )
    cards = [(site, shown_text(site, lang, content_chain(lang))) for site in page.items]
    html = render_template(
        "visitor/site_list.html",
        page=page,
        cards=cards,
        query=query,
        problem=problem,
        kind=kind,
        district=district,
        districts=_district_choices(lang),
        kinds=list(SiteKind),
    )
    return html, status


def _district_choices(lang: str) -> list[tuple[str, str]]:
    """(value the filter sends: the Vietnamese form, label in the page's language)."""
    districts = queries.districts(db.session)
    names = place_names(db.session, districts, lang)
    return [(district, names.get(district, district)) for district in districts]


def _slug_for_typed_code(code: str) -> str | None:
    """The page a code opens, as a scan would: none for a draft or a removed site."""
    target = scan_target(db.session, code)
    if target is None or not is_viewable(target.state):
        return None
    return target.slug


@bp.get("/<lang:lang>/sites/<slug>")
@reads_only
def site_page(slug: str):
    lang = g.lang
    page = _site_page(lang, slug, lang == "zh" and wants_traditional_chinese())
    if not isinstance(page, RenderedPage):
        return page  # a redirect or an error: never cached
    response = _page_response(page)
    response.headers["Vary"] = "Accept-Language"
    response.headers["Cache-Control"] = PUBLIC_REVALIDATE
    # Revalidation costs a 304 of a few hundred bytes instead of the page.
    return response.make_conditional(request)


@dataclass(frozen=True)
class RenderedPage:
    html: str
    slug: str
    code: str
    updated_at: datetime | None

    # Worked out once per rendered page, not on every answer the page cache gives.
    @cached_property
    def body(self) -> bytes:
        return self.html.encode("utf-8")

    @cached_property
    def etag(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:20]

    @cached_property
    def last_modified(self) -> str | None:
        return http_date(self.updated_at) if self.updated_at is not None else None

    @cached_property
    def _encoded(self) -> dict[str, bytes]:
        return {}

    def body_for(self, accept_encoding: str, app=None) -> tuple[bytes, str | None]:
        """(the body to send, its Content-Encoding or None) for this Accept-Encoding, by
        Flask-Compress's rules. Compressed once per cached page rather than per request:
        compressing a page costs more than answering it from the cache."""
        algorithm = choose_encoding(accept_encoding) if len(self.body) >= COMPRESS_MIN_SIZE else None
        if algorithm is None:
            return self.body, None
        body = self._encoded.get(algorithm)
        if body is None:
            body = self._encoded[algorithm] = compress_body(self.body, algorithm, app)
        return body, algorithm


def _page_response(page: RenderedPage, revalidated: bool = True) -> Response:
    """The page's response, compressed as the client accepts; `revalidated=False` leaves out
    ETag and Last-Modified (the scan answer, which nothing keeps)."""
    # Never a partial answer compressed: a Range's byte offsets name the uncompressed page.
    accept_encoding = "" if "Range" in request.headers else request.headers.get("Accept-Encoding", "")
    body, algorithm = page.body_for(accept_encoding)
    response = Response(body, mimetype="text/html")
    if algorithm:
        response.headers["Content-Encoding"] = algorithm
    if revalidated:
        # Flask-Compress's strong validator per encoding, as for any response it compresses.
        response.set_etag(f"{page.etag}:{algorithm}" if algorithm else page.etag)
        if page.last_modified is not None:
            response.headers["Last-Modified"] = page.last_modified
    # Lets the service worker file this page under its plaque URL too (a later offline scan).
    response.headers["Heritage-Plaque-Code"] = page.code
    return response


def _site_page(lang: str, slug: str, traditional_note: bool):
    """The rendered page from the page cache (rendered on a miss), or the response to send instead."""
    pages = current_app.extensions["heritage.pages"]
    version = request_version()
    page = pages.get((lang, slug, traditional_note), version)
    if page is None:
        page = _render_site_page(lang, slug, traditional_note)
        if isinstance(page, RenderedPage):
            pages.put((lang, slug, traditional_note), page, version)
    return page


def _render_site_page(lang: str, slug: str, traditional_note: bool):
    """The page's HTML, or the redirect/404 response to send instead."""
    site = page_site(db.session, slug)
    if site is None:  # an old slug (redirected to the current one), or none
        renamed, is_old_slug = site_for_slug(db.session, slug)
        if renamed is None or not is_old_slug or not is_viewable(renamed.state):
            abort(404)
        return redirect(url_for("visitor.site_page", lang=lang, slug=renamed.slug), 301)
    if not is_viewable(site.state):
        abort(404)
    chain = content_chain(lang)
    shown = shown_text(site, lang, chain)
    archived = site.state == PublicationState.archived
    related = queries.related_sites(db.session, site, chain) if archived or site.part_of_id else []
    components = linked.component_sites(db.session, site, chain) if not site.part_of_id else []
    places = place_names(db.session, [site.commune, site.district, site.province, site.border_gate], lang)
    g.site_slug = site.slug  # the language switcher links to this site, also from a scan URL
    # Most of 100,000 sites have no media: the kinds held come with the site's row (a subquery),
    # not three empty queries, nor one more statement.
    media = shown_media_kinds(db.session, site)
    photos = photo_gallery(site, lang) if MediaKind.photo in media else []
    html = render_template(
        "visitor/site_page.html",
        site=site,
        shown=shown,
        body_html=_story_html(site, shown, lang),
        archived=archived,
        related=[(r, shown_text(r, lang, chain)) for r in related],
        components=[(c, shown_text(c, lang, chain)) for c in components],
        place=address_line([places.get(p) for p in (site.commune, site.district, site.province)], lang),
        border_gate=places.get(site.border_gate),
        event_when=formatting.event_when(
            site.event_date, site.event_period, shown.text.event if shown.text else None, lang
        ),
        part_of=_shown_pair(_parent(site, related), lang, chain),
        photos=photos,
        tour=tour_view(site, lang) if MediaKind.panorama in media else None,
        meta=site_meta(
            site,
            shown,
            lang,
            photos,
            locality=places.get(site.commune) or places.get(site.district),
            region=places.get(site.province),
        ),
        show_traditional_note=traditional_note,
        # A recording in the language the story is shown in (the story is its transcript).
        narration=narration_view(site, shown.lang) if shown.text and MediaKind.narration in media else None,
        narration_url=None,
        site_url=site_url,
        # The language switcher's links (this page in each language), from the same URLs.
        alternate_url=lambda code: site_url(code, site.slug),
        # `_` and friends bound to this request's catalogue once (heritage.i18n.template_gettext).
        **bound_gettext(get_translations()),
    )
    shown_sites = [site, *related, *components]
    # SQLite hands back naive datetimes (stored in UTC), PostgreSQL aware ones.
    changed = [
        s.updated_at if s.updated_at.tzinfo else s.updated_at.replace(tzinfo=UTC)
        for s in shown_sites
        if s.updated_at is not None
    ]
    return RenderedPage(html, site.slug, site.plaque_code, max(changed) if changed else None)


def _parent(site, related: list):
    """The complex shown as "Part of": its card when it is among the related sites (it comes first
    when published), else the complex itself when it has a public page."""
    if site.part_of_id is None:
        return None
    card = next((r for r in related if r.id == site.part_of_id), None)
    return card or shown_parent(db.session, site)


def _shown_pair(site, lang: str, chain: list[str]):
    """(site, its text in the page's language chain), or None: the one fallback path for names."""
    return (site, shown_text(site, lang, chain)) if site is not None else None


def _story_html(site, shown, lang: str) -> str:
    """The story as HTML, the first mention of each other site linked to its page."""
    if not shown.text:
        return ""
    html = shown.text.body_html  # rendered and sanitised when the body was written
    if not html:
        return html
    # Names are matched in the story's own language (a fallback text names sites in its language).
    story = unescape(html).casefold()
    return link_mentions(
        html,
        linked.mention_candidates(db.session, site, shown.lang, story),
        lambda slug: site_url(lang, slug),
    )
