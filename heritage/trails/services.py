"""Create trails and put their stops in order. Callers commit; these only flush.

The demo loader calls them today; the back office's trail editor will call the same functions.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.errors import ValidationError
from heritage.plaques.robust_codes import current_code_check
from heritage.sites.codes import issue_code
from heritage.sites.models import PublicationState, Site
from heritage.sites.slugs import slugify
from heritage.trails.models import Trail, TrailStop, TrailText

SUMMARY_MAX = 300


def set_trail_text(trail: Trail, lang: str, *, name: str, summary: str = "", body: str = "") -> TrailText:
    name, summary = (name or "").strip(), (summary or "").strip()
    if not name:
        raise ValidationError("A trail needs a name.", field="name")
    if len(summary) > SUMMARY_MAX:
        raise ValidationError(
            f"The summary is {len(summary)} characters; at most {SUMMARY_MAX} are allowed.", field="summary"
        )
    text = trail.texts.get(lang)
    if text is None:
        text = TrailText(lang=lang)
        trail.texts[lang] = text
    text.name, text.summary, text.body = name, summary, (body or "").strip()
    return text


def create_trail(
    session: Session,
    slug: str,
    texts: dict[str, dict],
    sites: list[Site],
    state: PublicationState = PublicationState.draft,
    code_candidates: Iterator[str] | None = None,
    unit_id: int | None = None,
) -> Trail:
    """A trail through `sites` in that order, with a text per language ({"vi": {"name": ...}}),
    and a plaque code of its own (the first free one of `code_candidates`, else random) whose
    symbol survives weathering (`plaques.robust_codes`)."""
    clean = slugify(slug)
    if not clean:
        raise ValidationError("The slug needs at least one letter or digit.", field="slug")
    if session.scalar(select(Trail.id).where(Trail.slug == clean)) is not None:
        raise ValidationError(f"A trail with the slug {clean!r} exists already.", field="slug")
    if "vi" not in texts:
        raise ValidationError("A trail needs its Vietnamese text.", field="texts")
    code = issue_code(session, candidates=code_candidates, acceptable=current_code_check())
    trail = Trail(slug=clean, state=state, plaque_code=code.code, unit_id=unit_id)
    for lang, fields in texts.items():
        set_trail_text(trail, lang, **fields)
    trail.stops = [TrailStop(site=site, position=n) for n, site in enumerate(sites, start=1)]
    session.add(trail)
    session.flush()
    return trail


def reorder_stops(session: Session, trail: Trail, stop_ids: list[int]) -> list[TrailStop]:
    """Put the trail's stops in the order of `stop_ids`, which must name each stop exactly once."""
    by_id = {stop.id: stop for stop in trail.stops}
    if sorted(stop_ids) != sorted(by_id):
        raise ValidationError("A new order must list every stop of the trail exactly once.", field="stops")
    for position, stop_id in enumerate(stop_ids, start=1):
        by_id[stop_id].position = position
    session.flush()
    session.expire(trail, ["stops"])  # reload in the new order
    return trail.stops
