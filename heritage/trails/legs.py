"""Walking a trail: the distance of each leg between consecutive stops, and the total.

Stops without coordinates break a leg (its distance is unknown, and the total says "at least").
Most demo coordinates are approximate centroids, so a leg is marked approximate whenever one of
its ends is, and two stops closer than their uncertainty are "in the same area", not "0 km".
"""

from __future__ import annotations

from dataclasses import dataclass

from heritage.places.geo import haversine_m
from heritage.sites.models import LocationPrecision, Site


@dataclass(frozen=True)
class Leg:
    metres: float | None  # None: one end has no coordinates yet
    approximate: bool
    same_area: bool  # both ends approximate and closer than their uncertainty


@dataclass(frozen=True)
class Walk:
    legs: list[Leg | None]  # one per stop; None before the first stop
    total_m: float
    complete: bool  # every leg's distance is known
    approximate: bool


def _located(site: Site) -> bool:
    return site.latitude is not None and site.longitude is not None


def leg_between(a: Site, b: Site) -> Leg:
    if not (_located(a) and _located(b)):
        return Leg(None, False, False)
    metres = haversine_m(a.latitude, a.longitude, b.latitude, b.longitude)
    radii = [s.location_radius_m or 0 for s in (a, b) if s.location_precision != LocationPrecision.surveyed]
    # Closer than the smaller uncertainty: the figure says nothing about which way or how far.
    return Leg(metres, bool(radii), bool(radii) and metres < min(radii))


def walk(sites: list[Site]) -> Walk:
    legs: list[Leg | None] = [None]
    for previous, current in zip(sites, sites[1:], strict=False):
        legs.append(leg_between(previous, current))
    known = [leg for leg in legs[1:] if leg is not None]
    return Walk(
        legs=legs,
        total_m=sum(leg.metres for leg in known if leg.metres is not None),
        complete=all(leg.metres is not None for leg in known),
        approximate=any(leg.approximate for leg in known),
    )
