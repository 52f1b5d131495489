"""Turn a Site into what a page or the API shows in one language, with the fallback made explicit."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for

from heritage.i18n.fallback import pick_text
from heritage.sites.models import Site, SiteText


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


def page_url(site: Site, lang: str, external: bool = False) -> str:
    return url_for("visitor.site_page", lang=lang, slug=site.slug, _external=external)
