"""Link previews and search: Open Graph / Twitter tags and schema.org data for a site page, and
the sitemap. Every URL here is absolute on PUBLIC_BASE_URL, never the request's Host: pages are
cached and shared, so a client's Host must never end up in them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from flask import Blueprint, abort, current_app, make_response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from heritage.extensions import db
from heritage.i18n.web import supported_languages
from heritage.sites.models import Site
from heritage.sites.visibility import LISTED
from heritage.web import links
from heritage.web.presenters import public_url

bp = Blueprint("seo", __name__)

# Open Graph wants a territory; these are the regions our readers' texts are written for.
OG_LOCALES = {"vi": "vi_VN", "en": "en_US", "zh": "zh_CN", "ko": "ko_KR"}
DEFAULT_IMAGE = "icons/icon-512.png"
# The sitemap protocol's limit per file; above it /sitemap.xml becomes an index of pages.
SITEMAP_MAX_URLS = 50_000


@dataclass(frozen=True)
class SiteMeta:
    title: str
    description: str
    url: str
    locale: str
    alternate_locales: list[str]
    image: str
    has_photo: bool
    json_ld: Markup


def site_meta(
    site: Site, shown, lang: str, photos: list, locality: str | None, region: str | None
) -> SiteMeta:
    """What a link preview and a search engine read about a site page in `lang`."""
    text = shown.text
    name = text.name if text else site.slug
    description = (text.summary or "") if text else ""
    url = links.site_url(lang, site.slug, external=True)
    # The first photo's JPEG (every preview reader takes JPEG); photo URLs are relative paths.
    image = links.public(photos[0].src if photos else links.link("static", filename=DEFAULT_IMAGE))
    data: dict = {
        "@context": "https://schema.org",
        "@type": ["TouristAttraction", "LandmarksOrHistoricalBuildings"],
        "name": name,
        "url": url,
        "inLanguage": shown.lang,
        "image": image,
    }
    if description:
        data["description"] = description
    if site.latitude is not None and site.longitude is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": site.latitude, "longitude": site.longitude}
    if locality or region:
        address = {"@type": "PostalAddress", "addressCountry": "VN"}
        if locality:
            address["addressLocality"] = locality
        if region:
            address["addressRegion"] = region
        data["address"] = address
    others = [code for code in supported_languages() if code != lang and code in site.texts]
    return SiteMeta(
        title=name,
        description=description,
        url=url,
        locale=OG_LOCALES.get(lang, lang),
        alternate_locales=[OG_LOCALES.get(code, code) for code in others],
        image=image,
        has_photo=bool(photos),
        json_ld=json_ld(data),
    )


def json_ld(data: dict) -> Markup:
    """JSON for a <script type="application/ld+json"> block. Every "<" is written as \\u003c, so
    no "</script>" (nor "<!--", which changes how the HTML parser reads script text) closes it."""
    return Markup(json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"))


# ---- sitemap -------------------------------------------------------------------------------


def _url_groups() -> list[tuple[str, dict[str, str], str | None]]:
    """(endpoint, url values, lastmod) for every page a search engine should know, one per
    page in each language: the lists, then every listed site."""
    groups: list[tuple[str, dict[str, str], str | None]] = [
        ("visitor.site_list", {}, None),
        ("trails.trail_list", {}, None),
    ]
    sites = db.session.scalars(
        select(Site).where(Site.state.in_(LISTED)).order_by(Site.id).options(selectinload(Site.texts))
    )
    for site in sites:
        changed = site.updated_at
        if changed is not None and changed.tzinfo is None:
            changed = changed.replace(tzinfo=UTC)  # SQLite hands back naive UTC
        groups.append(("visitor.site_page", {"slug": site.slug}, changed.isoformat() if changed else None))
    return groups


def _entries() -> list[str]:
    languages = supported_languages()
    default = current_app.config["DEFAULT_LANGUAGE"]
    entries = []
    for endpoint, values, lastmod in _url_groups():
        urls = {code: public_url(endpoint, lang=code, **values) for code in languages}
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang={quoteattr(code)} href={quoteattr(href)}/>'
            for code, href in [*urls.items(), ("x-default", urls[default])]
        )
        modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        for code in languages:
            entries.append(f"<url><loc>{xml_escape(urls[code])}</loc>{modified}{alternates}</url>")
    return entries


def _xml(body: str):
    response = make_response('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n")
    response.mimetype = "application/xml"
    return response


@bp.get("/sitemap.xml")
def sitemap():
    entries = _entries()
    pages = -(-len(entries) // SITEMAP_MAX_URLS)
    if pages <= 1:
        return _urlset(entries)
    items = "".join(
        f"<sitemap><loc>{xml_escape(public_url('seo.sitemap_page', page=n))}</loc></sitemap>"
        for n in range(1, pages + 1)
    )
    return _xml(f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>')


@bp.get("/sitemap-<int:page>.xml")
def sitemap_page(page: int):
    entries = _entries()
    chunk = entries[(page - 1) * SITEMAP_MAX_URLS : page * SITEMAP_MAX_URLS] if page >= 1 else []
    if not chunk or len(entries) <= SITEMAP_MAX_URLS:
        abort(404)  # one file only: /sitemap.xml is the urlset itself
    return _urlset(chunk)


def _urlset(entries: list[str]):
    return _xml(
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">' + "".join(entries) + "</urlset>"
    )
