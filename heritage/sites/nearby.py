"""The listed sites closest to a point: a bounding-box prefilter on the (latitude, longitude)
index, widened until it provably holds the nearest ones, then exact haversine distances."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, load_only, selectinload

from heritage.places.geo import EARTH_RADIUS_M, bearing_deg, bounding_box, compass_point, haversine_m
from heritage.sites.models import Site, SiteText
from heritage.sites.visibility import LISTED

FIRST_RADIUS_M = 5_000
HALF_EARTH_M = 3.15 * EARTH_RADIUS_M  # past this every point on earth is inside


@dataclass(frozen=True)
class NearbySite:
    site: Site
    distance_m: float
    bearing: float

    @property
    def direction(self) -> str:
        return compass_point(self.bearing)


def _in_box(lat: float, lon: float, radius_m: float):
    box = bounding_box(lat, lon, radius_m)
    stmt = select(Site.id, Site.latitude, Site.longitude).where(
        Site.state.in_(LISTED), Site.latitude.between(box.south, box.north)
    )
    if box.west is not None:
        stmt = stmt.where(Site.longitude.between(box.west, box.east))
    else:
        stmt = stmt.where(Site.longitude.is_not(None))
    return stmt


def nearest_sites(session: Session, lat: float, lon: float, limit: int, langs: list[str]) -> list[NearbySite]:
    """Up to `limit` listed sites with coordinates, nearest first, texts in `langs` preloaded.

    The box starts at 5 km and quadruples until it holds `limit` sites all within its radius:
    only then can no site outside the box be nearer than the last one kept.
    """
    radius = FIRST_RADIUS_M
    while True:
        rows = session.execute(_in_box(lat, lon, radius)).all()
        ranked = sorted(
            ((haversine_m(lat, lon, r.latitude, r.longitude), r) for r in rows), key=lambda p: (p[0], p[1].id)
        )[:limit]
        if (len(ranked) == limit and ranked[-1][0] <= radius) or radius >= HALF_EARTH_M:
            break
        radius *= 4
    if not ranked:
        return []
    loaded = session.scalars(
        select(Site)
        .where(Site.id.in_([r.id for _d, r in ranked]))
        .options(
            load_only(Site.id, Site.kind, Site.slug, Site.state, Site.latitude, Site.longitude),
            selectinload(Site.texts.and_(SiteText.lang.in_(langs))).load_only(
                SiteText.lang, SiteText.name, SiteText.summary
            ),
        )
    )
    by_id = {s.id: s for s in loaded}
    return [NearbySite(by_id[r.id], d, bearing_deg(lat, lon, r.latitude, r.longitude)) for d, r in ranked]


def count_without_location(session: Session) -> int:
    """Listed sites a "nearby" answer cannot place: no latitude or no longitude yet."""
    return (
        session.scalar(
            select(func.count(Site.id)).where(
                Site.state.in_(LISTED), or_(Site.latitude.is_(None), Site.longitude.is_(None))
            )
        )
        or 0
    )
