"""Read side of trails for visitor pages: only listed trails, and on them only listed stops."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from heritage.sites.models import Site, SiteText
from heritage.sites.visibility import LISTED, is_listed
from heritage.trails.models import Trail, TrailStop, TrailText


def listed_trails(session: Session, langs: list[str]) -> list[Trail]:
    return list(
        session.scalars(
            select(Trail)
            .where(Trail.state.in_(LISTED))
            .order_by(Trail.slug)
            .options(
                selectinload(Trail.texts.and_(TrailText.lang.in_(langs))),
                selectinload(Trail.stops).selectinload(TrailStop.site),
            )
        )
    )


def listed_trail(session: Session, slug: str, langs: list[str]) -> Trail | None:
    return session.scalar(
        select(Trail)
        .where(Trail.slug == slug, Trail.state.in_(LISTED))
        .options(
            selectinload(Trail.texts.and_(TrailText.lang.in_(langs))),
            selectinload(Trail.stops)
            .selectinload(TrailStop.site)
            .selectinload(Site.texts.and_(SiteText.lang.in_(langs))),
        )
    )


def trail_for_code(session: Session, code: str) -> Trail | None:
    """The trail whose plaque has this code, whatever its state (the caller decides what shows)."""
    return session.scalar(select(Trail).where(Trail.plaque_code == code))


def shown_stops(trail: Trail) -> list[Site]:
    """The trail's sites in order, leaving out any a visitor may not see (a draft, an archive)."""
    return [stop.site for stop in trail.stops if is_listed(stop.site.state)]
