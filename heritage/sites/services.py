"""Create, edit, rename, publish and archive sites. Callers commit; these only flush.

The back office and the CLI call the same functions; nothing here knows about HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from heritage.accounts.models import Unit
from heritage.errors import InvalidValues, ValidationError
from heritage.sites import markdown
from heritage.sites.codes import issue_code, normalise_code, seeded_codes
from heritage.sites.collation import sort_key
from heritage.sites.fields import FieldType, SiteValues, fields_for, model_value
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
from heritage.sites.values import check_values, site_id_for_slug

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
    values: SiteValues,
    *,
    state: PublicationState = PublicationState.draft,
    slug: str | None = None,
    default_lang: str = "vi",
    code_seed: str | None = None,
    code: str | None = None,
    code_check: Callable[[str], bool] | None = None,
) -> Site:
    """A new site with a fresh plaque code; the slug comes from the default-language name.

    `values` are checked as a form's would be (InvalidValues names every bad one). This writes the
    row only: the back office goes through `heritage.review.editing.create`, which also records
    who did it. `code_seed` (demo data only) makes the code reproducible: see `codes.seeded_codes`.
    `code` issues exactly that code (an import keeping the codes already on plaques); one ever
    issued here before is refused, since a code never opens two sites. `code_check` approves a
    fresh code (`plaques.robust_codes.code_check`: its symbol survives weathering).
    """
    values = check_values(values, session=session, default_lang=default_lang)
    site = SITE_CLASSES[values.kind](state=PublicationState(state), version=1)
    site.slug = unique_slug(session, slug or values.texts[default_lang]["name"])
    code = (
        _given_code(session, code)
        if code
        else issue_code(
            session, candidates=seeded_codes(code_seed) if code_seed else None, acceptable=code_check
        )
    )
    site.plaque_code = code.code
    _write(session, site, values)
    session.add(site)
    session.flush()
    code.site_id = site.id
    return site


def _given_code(session: Session, raw: str) -> PlaqueCode:
    code = normalise_code(raw)
    if code is None:
        raise InvalidValues({"code": _l("A plaque code is 5 letters and digits, for example 7KQ2X.")})
    if session.get(PlaqueCode, code) is not None:
        raise InvalidValues({"code": _l("The plaque code %(code)s is already issued.", code=code)})
    row = PlaqueCode(code=code)
    session.add(row)
    session.flush()
    return row


def apply_values(session: Session, site: Site, values: SiteValues, default_lang: str = "vi") -> None:
    """Make the site's row and texts say exactly `values` (checked first); a language absent from
    `values` is removed. The kind cannot change: a new kind is a new site with its own plaque."""
    if SiteKind(values.kind) != site.kind:
        raise InvalidValues({"kind": _l("The kind of a site cannot change.")})
    values = check_values(values, session=session, default_lang=default_lang, site_id=site.id)
    _write(session, site, values)
    session.flush()


def _write(session: Session, site: Site, values: SiteValues) -> None:
    for f in fields_for(values.kind):
        if f.per_language:
            continue
        value = values.fields.get(f.name)
        # The relationships, not the ids: `read_values` reads them back at once.
        if f.type == FieldType.site:
            site.part_of = session.get(Site, site_id_for_slug(session, value)) if value else None
        elif f.type == FieldType.unit:
            site.unit = session.scalar(select(Unit).where(Unit.name == value)) if value else None
        else:
            setattr(site, f.name, model_value(f, value))
    for lang in [lang for lang in site.texts if lang not in values.texts]:
        del site.texts[lang]
    for lang, text in values.texts.items():
        set_text(
            site,
            lang,
            name=text.get("name") or "",
            summary=text.get("summary") or "",
            body=text.get("body") or "",
            event=text.get("event"),
        )


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
    """The site for a slug and whether the slug is an old one (so the caller redirects). A public
    page reads its site through heritage.web.page_site instead (plain values, one statement)."""
    site = session.scalars(select(Site).where(Site.slug == slug)).one_or_none()
    if site is not None:
        return site, False
    redirect = session.get(SlugRedirect, slug)
    if redirect is not None:
        return session.get(Site, redirect.site_id), True
    return None, False


def render_stories_again(session: Session, batch: int = 2000) -> int:
    """Render every text's stored story HTML and mention key again from its body and name; the
    number of texts that changed. For after a change to the Markdown renderer, the sanitiser or
    mention_form (heritage/sites/markdown.py, or an upgrade of markdown-it-py or nh3): pages show
    the stored values, rendered when each text was written."""
    texts = SiteText.__table__
    columns = (texts.c.id, texts.c.name, texts.c.body, texts.c.body_html, texts.c.mention_key)
    store = (
        update(texts)
        .where(texts.c.id == bindparam("text_id"))
        .values(body_html=bindparam("new_html"), mention_key=bindparam("new_key"))
    )
    changed, last = 0, 0
    while rows := session.execute(
        select(*columns).where(texts.c.id > last).order_by(texts.c.id).limit(batch)
    ).all():
        fresh = [
            (i, markdown.render_markdown(body or ""), markdown.mention_key(name or ""))
            for i, name, body, *_ in rows
        ]
        stale = [
            {"text_id": i, "new_html": html, "new_key": key}
            for (i, html, key), row in zip(fresh, rows, strict=True)
            if (html, key) != (row.body_html, row.mention_key)
        ]
        if stale:
            session.execute(store, stale)
        changed += len(stale)
        last = rows[-1].id
    return changed
