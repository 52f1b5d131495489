"""Create, edit, rename, publish and archive sites. Callers commit; these only flush.

The back office and the CLI call the same functions; nothing here knows about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.errors import ValidationError
from heritage.sites.codes import issue_code, seeded_codes
from heritage.sites.collation import sort_key
from heritage.sites.models import (
    SITE_CLASSES,
    PlaqueCode,
    PublicationState,
    Site,
    SiteKind,
    SiteText,
    SlugRedirect,
)
from heritage.sites.slugs import search_key, slugify

SUMMARY_MAX = 300


def set_text(
    site: Site,
    lang: str,
    *,
    name: str,
    summary: str = "",
    body: str = "",
    event: str | None = None,
) -> SiteText:
    """Add or replace the site's text in one language."""
    name = (name or "").strip()
    summary = (summary or "").strip()
    if not name:
        raise ValidationError("A site needs a name.", field="name")
    if len(summary) > SUMMARY_MAX:
        raise ValidationError(
            f"The summary is {len(summary)} characters; at most {SUMMARY_MAX} are allowed.",
            field="summary",
        )
    text = site.texts.get(lang)
    if text is None:
        text = SiteText(lang=lang)
        site.texts[lang] = text
    text.name, text.summary, text.body = name, summary, (body or "").strip()
    text.event = (event or "").strip() or None
    text.search_key = search_key(name, summary)
    text.name_key = search_key(name)
    text.sort_key = sort_key(lang, name)
    return text


def unique_slug(session: Session, wanted: str, site_id: int | None = None) -> str:
    """`wanted`, or `wanted-2`, `-3`... when taken by another site or an old slug."""
    base = slugify(wanted)
    if not base:
        raise ValidationError("The slug needs at least one letter or digit.", field="slug")
    candidate, n = base, 1
    while _slug_taken(session, candidate, site_id):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _slug_taken(session: Session, slug: str, site_id: int | None) -> bool:
    owner = session.scalar(select(Site.id).where(Site.slug == slug))
    if owner is not None and owner != site_id:
        return True
    old_owner = session.scalar(select(SlugRedirect.site_id).where(SlugRedirect.old_slug == slug))
    return old_owner is not None and old_owner != site_id


def create_site(
    session: Session,
    kind: SiteKind | str,
    texts: dict[str, dict],
    slug: str | None = None,
    default_lang: str = "vi",
    code_seed: str | None = None,
    **fields,
) -> Site:
    """A new site of `kind` with a fresh plaque code; the slug comes from the default-language name.

    `code_seed` (demo data only) makes the code reproducible: see `codes.seeded_codes`.
    """
    try:
        kind = SiteKind(kind)
    except ValueError:
        raise ValidationError(f"Unknown site kind: {kind!r}.", field="kind") from None
    if default_lang not in texts:
        raise ValidationError("A site needs its name in the default language.", field="name")
    site = SITE_CLASSES[kind](**fields)
    site.slug = unique_slug(session, slug or texts[default_lang]["name"])
    code = issue_code(session, candidates=seeded_codes(code_seed) if code_seed else None)
    site.plaque_code = code.code
    for lang, text in texts.items():
        set_text(site, lang, **text)
    session.add(site)
    session.flush()
    code.site_id = site.id
    return site


def rename_slug(session: Session, site: Site, new_slug: str) -> str:
    """Change the slug; the old one keeps working as a permanent redirect."""
    new_slug = unique_slug(session, new_slug, site_id=site.id)
    if new_slug == site.slug:
        return new_slug
    stale = session.get(SlugRedirect, new_slug)  # taking back one of its own old slugs
    if stale is not None:
        session.delete(stale)
    session.add(SlugRedirect(old_slug=site.slug, site_id=site.id))
    site.slug = new_slug
    session.flush()
    return new_slug


@dataclass(frozen=True)
class ScanTarget:
    """What a scan needs to know about a code, in one narrow query (no full Site row)."""

    code: str
    site_id: int | None
    slug: str | None  # None: the code's site row is gone
    state: PublicationState | None


def scan_target(session: Session, code: str) -> ScanTarget | None:
    """The code's site, slug and state, or None for a code never issued."""
    row = session.execute(
        select(PlaqueCode.code, PlaqueCode.site_id, Site.slug, Site.state)
        .outerjoin(Site, Site.id == PlaqueCode.site_id)
        .where(PlaqueCode.code == code)
    ).first()
    return ScanTarget(*row) if row else None


def site_for_slug(session: Session, slug: str) -> tuple[Site | None, bool]:
    """The site for a slug and whether the slug is an old one (so the caller redirects)."""
    site = session.scalar(select(Site).where(Site.slug == slug))
    if site is not None:
        return site, False
    redirect = session.get(SlugRedirect, slug)
    if redirect is not None:
        return session.get(Site, redirect.site_id), True
    return None, False
