"""The map's sites in the area a visitor looks at: the listed sites with coordinates inside a
bounding box, one by one when there are few enough, else counted on a grid whose cells shrink as
the visitor zooms in. The answer stays small whether the province has 30 sites or 100,000.

The grid is anchored at (-180, -90), not at the box, so a cluster stays put while the map pans.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session, load_only, selectinload

from heritage.sites.models import Site, SiteText
from heritage.sites.visibility import LISTED

MAX_POINTS = 300  # sites drawn one by one; past this the area is clustered
CELLS_PER_TILE = 4  # grid cells across one 256 px map tile: clusters about 64 px apart
MAX_CELLS_ACROSS = 32  # a huge box at a deep zoom still answers with at most 32 x 32 cells
MAX_ZOOM = 22


@dataclass(frozen=True)
class Box:
    west: float
    south: float
    east: float
    north: float

    @property
    def span(self) -> float:
        return max(self.east - self.west, self.north - self.south)


WORLD = Box(-180.0, -90.0, 180.0, 90.0)


@dataclass(frozen=True)
class Cluster:
    count: int
    latitude: float  # the mean position of its sites: where they are, not the cell's centre
    longitude: float
    bounds: Box  # zooming to it shows every one of its sites


@dataclass(frozen=True)
class AreaSites:
    sites: list[Site]  # drawn one by one (alone in their cell, or the area is small enough)
    clusters: list[Cluster]
    total: int  # listed located sites in the box
    bounds: Box | None  # their extent


def zoom_for(box: Box) -> int:
    """The zoom at which the box spans about four tiles, for callers that give no zoom."""
    if box.span <= 0:
        return MAX_ZOOM
    return max(0, min(MAX_ZOOM, int(math.log2(360 / box.span)) + 2))


def cell_degrees(zoom: int, box: Box) -> float:
    return max(360 / (2**zoom * CELLS_PER_TILE), box.span / MAX_CELLS_ACROSS)


def _in_box(box: Box) -> list:
    return [
        Site.state.in_(LISTED),
        Site.latitude.between(box.south, box.north),
        Site.longitude.between(box.west, box.east),
    ]


def _marker_sites(session: Session, where: list, langs: list[str]) -> list[Site]:
    return list(
        session.scalars(
            select(Site)
            .where(*where)
            .order_by(Site.slug)
            .options(
                load_only(
                    Site.id,
                    Site.kind,
                    Site.slug,
                    Site.state,
                    Site.latitude,
                    Site.longitude,
                    Site.location_precision,
                    Site.location_radius_m,
                ),
                selectinload(Site.texts.and_(SiteText.lang.in_(langs))).load_only(
                    SiteText.lang, SiteText.name
                ),
            )
        )
    )


def _floor(dialect: str):
    """floor() of a non-negative number: PostgreSQL's integer cast rounds, SQLite's truncates (and
    SQLite has floor() only when built with its maths functions)."""
    if dialect == "sqlite":
        return lambda value: cast(value, Integer)
    return func.floor


def sites_in_area(
    session: Session, box: Box, zoom: int, langs: list[str], max_points: int | None = None
) -> AreaSites:
    max_points = MAX_POINTS if max_points is None else max_points
    where = _in_box(box)
    extent = session.execute(
        select(
            func.count(Site.id),
            func.min(Site.longitude),
            func.min(Site.latitude),
            func.max(Site.longitude),
            func.max(Site.latitude),
        ).where(*where)
    ).one()
    total = extent[0]
    bounds = Box(*extent[1:]) if total else None
    if total <= max_points:
        return AreaSites(_marker_sites(session, where, langs), [], total, bounds)

    cell = cell_degrees(zoom, box)
    floor = _floor(session.get_bind().dialect.name)
    column, row = floor((Site.longitude + 180) / cell), floor((Site.latitude + 90) / cell)
    cells = session.execute(
        select(
            func.count(Site.id),
            func.avg(Site.latitude),
            func.avg(Site.longitude),
            func.min(Site.longitude),
            func.min(Site.latitude),
            func.max(Site.longitude),
            func.max(Site.latitude),
            func.min(Site.id),
        )
        .where(*where)
        .group_by(column, row)
    ).all()
    alone = [c[7] for c in cells if c[0] == 1]
    sites = _marker_sites(session, [Site.id.in_(alone)], langs) if alone else []
    clusters = [
        Cluster(count=c[0], latitude=float(c[1]), longitude=float(c[2]), bounds=Box(c[3], c[4], c[5], c[6]))
        for c in cells
        if c[0] > 1
    ]
    clusters.sort(key=lambda c: (-c.count, c.latitude, c.longitude))
    return AreaSites(sites, clusters, total, bounds)
