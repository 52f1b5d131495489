"""Turn a Site into what a page or the API shows in one language, with the fallback made explicit."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from heritage.i18n.fallback import pick_text
from heritage.sites.models import Site, SiteText
from heritage.web import links


@dataclass(frozen=True)
class ShownText:
    text: SiteText | None
    lang: str  # the language the text is actually in
    requested: str

    @property
    def is_fallback(self) -> bool:
        return self.text is not None and self.lang != self.requested


def shown_text(site: Site, requested: str, chain: list[str]) -> ShownText:
    picked = pick_text(site.texts, chain)
    if picked is None:
        return ShownText(None, requested, requested)
    lang, text = picked
    return ShownText(text, lang, requested)


def scan_url(code: str) -> str:
    """The printed form: the public host, upper case, as on the plaque."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/Q/{code}"


def public_url(endpoint: str, **values) -> str:
    """An absolute link on the public host. Built from PUBLIC_BASE_URL, never from the request's
    Host or X-Forwarded-Host: a cached page or API answer must not carry a client's host."""
    return current_app.config["PUBLIC_BASE_URL"] + url_for(endpoint, **values)


def template_url_for(endpoint: str, **values) -> str:
    """Templates' `url_for`: relative as usual; `_external=True` means the public host. Built
    through heritage.web.links: each distinct link once per process, a site's page by its slug."""
    external = values.pop("_external", False)
    if endpoint == "visitor.site_page" and values.keys() == {"lang", "slug"}:
        return links.site_url(values["lang"], values["slug"], external)
    url = links.link(endpoint, **values)
    return links.public(url) if external else url


def page_url(site: Site, lang: str, external: bool = False) -> str:
    return links.site_url(lang, site.slug, external)
