"""The back office's trail editor: check a whole form first, then write through the services.

Every check runs before anything is written, and all problems come back at once (InvalidValues,
keyed by form field: "name_vi", "summary_en", "stops"...), so a bad form writes nothing.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.accounts.models import User
from heritage.accounts.scope import can_act_on, scope_of
from heritage.errors import InvalidValues
from heritage.sites.models import PublicationState, Site
from heritage.sites.slugs import slugify
from heritage.trails.models import Trail, TrailStop
from heritage.trails.services import SUMMARY_MAX, create_trail, set_trail_text

NAME_MAX = 300  # the column's length
BODY_MAX = 20_000
STOPS_MAX = 100


def check_texts(form: dict[str, str], langs: list[str], errors: dict[str, str]) -> dict[str, dict]:
    """{lang: {name, summary, body}} for each language the form fills; vi must have a name."""
    texts = {}
    for lang in langs:
        name = (form.get(f"name_{lang}") or "").strip()
        summary = (form.get(f"summary_{lang}") or "").strip()
        body = (form.get(f"body_{lang}") or "").strip()
        if len(name) > NAME_MAX:
            errors[f"name_{lang}"] = _("At most %(n)d characters.", n=NAME_MAX)
        if len(summary) > SUMMARY_MAX:
            errors[f"summary_{lang}"] = _("At most %(n)d characters.", n=SUMMARY_MAX)
        if len(body) > BODY_MAX:
            errors[f"body_{lang}"] = _("At most %(n)d characters.", n=BODY_MAX)
        if not name and (summary or body):
            errors[f"name_{lang}"] = _("Give a name in this language, or leave all its fields empty.")
        if name:
            texts[lang] = {"name": name, "summary": summary, "body": body}
    if "vi" not in texts and "name_vi" not in errors:
        errors["name_vi"] = _("A trail needs a Vietnamese name.")
    return texts


def can_edit_trail(user: User | None, trail: Trail) -> bool:
    """Editors keep their own unit's trails; a province-wide trail (no unit) is kept by editors
    with wide scope and admins, who keep every trail."""
    scope = scope_of(user)
    return scope.every_site or (trail.unit_id is not None and scope.unit_id == trail.unit_id)


def trail_unit_id(user: User) -> int | None:
    """The unit a new trail belongs to: its creator's; none (province-wide) for wide scope."""
    return None if scope_of(user).every_site else user.unit_id


def check_stops(
    session: Session, user: User, lines: str, errors: dict[str, str], trail: Trail | None = None
) -> list[Site]:
    """The sites named one slug per line, in order. Each must be published and one the user may
    act on; a site already on the trail may stay even if it is another unit's (its editor put it
    there), but nobody adds another unit's site."""
    slugs = [line.strip().strip("/") for line in (lines or "").splitlines() if line.strip()]
    if len(slugs) > STOPS_MAX:
        errors["stops"] = _("At most %(n)d stops.", n=STOPS_MAX)
        return []
    found = {site.slug: site for site in session.scalars(select(Site).where(Site.slug.in_(slugs)))}
    already = {stop.site_id for stop in trail.stops} if trail is not None else set()
    problems, sites = [], []
    for slug in slugs:
        site = found.get(slug)
        if site is None:
            problems.append(_("There is no site %(slug)s.", slug=slug))
        elif site.id not in already and not can_act_on(user, site):
            problems.append(_("The site %(slug)s is another unit's.", slug=slug))
        elif site.state != PublicationState.published:
            problems.append(_("The site %(slug)s is not published.", slug=slug))
        else:
            sites.append(site)
    if problems:
        errors["stops"] = " ".join(problems)
    return sites


def new_trail(session: Session, user: User, form: dict[str, str], langs: list[str]) -> Trail:
    errors: dict[str, str] = {}
    texts = check_texts(form, langs, errors)
    sites = check_stops(session, user, form.get("stops", ""), errors)
    slug = slugify(texts["vi"]["name"]) if "vi" in texts else ""
    if "vi" in texts and not slug:
        errors["name_vi"] = _("The name needs at least one letter or digit.")
    elif slug and session.scalar(select(Trail.id).where(Trail.slug == slug)) is not None:
        errors["name_vi"] = _("A trail with the address %(slug)s exists already.", slug=slug)
    if errors:
        raise InvalidValues(errors)
    return create_trail(session, slug, texts, sites, unit_id=trail_unit_id(user))


def update_trail(session: Session, user: User, trail: Trail, form: dict[str, str], langs: list[str]) -> None:
    """New texts and stops. A language left empty loses its text; the slug never changes."""
    errors: dict[str, str] = {}
    texts = check_texts(form, langs, errors)
    sites = check_stops(session, user, form.get("stops", ""), errors, trail)
    if errors:
        raise InvalidValues(errors)
    for lang, fields in texts.items():
        set_trail_text(trail, lang, **fields)
    for lang in [lang for lang in trail.texts if lang in langs and lang not in texts]:
        del trail.texts[lang]
    set_stops(session, trail, sites)


def set_stops(session: Session, trail: Trail, sites: list[Site]) -> None:
    trail.stops = [TrailStop(site=site, position=n) for n, site in enumerate(sites, start=1)]
    session.flush()
    session.expire(trail, ["stops"])


def move_stop(session: Session, trail: Trail, index: int, delta: int) -> None:
    """Swap stop `index` (0-based) with its neighbour; a move past either end does nothing."""
    stops = list(trail.stops)
    other = index + delta
    if not (0 <= index < len(stops) and 0 <= other < len(stops)):
        return
    stops[index], stops[other] = stops[other], stops[index]
    for position, stop in enumerate(stops, start=1):
        stop.position = position
    session.flush()
    session.expire(trail, ["stops"])


def set_state(trail: Trail, publish: bool) -> None:
    trail.state = PublicationState.published if publish else PublicationState.draft
