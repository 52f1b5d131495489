"""Distances and directions on the earth's surface, and the bounding box that keeps a "nearest
sites" query on an index. Plain functions: degrees in, metres out."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG); haversine is within 0.5 % of the ellipsoid
COMPASS_POINTS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from the first point to the second, 0-360 degrees clockwise from north."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dlmb = math.radians(lon2 - lon1)
    x = math.sin(dlmb) * math.cos(phi2)
    y = math.cos(phi1) * math.sin(phi2) - math.sin(phi1) * math.cos(phi2) * math.cos(dlmb)
    return (math.degrees(math.atan2(x, y)) + 360) % 360


def compass_point(bearing: float) -> str:
    """One of the eight points ("NE"); each covers 45 degrees centred on its direction."""
    return COMPASS_POINTS[int(((bearing % 360) + 22.5) // 45) % 8]


@dataclass(frozen=True)
class Box:
    south: float
    north: float
    west: float | None  # None: every longitude (near a pole, or across the antimeridian)
    east: float | None


def bounding_box(lat: float, lon: float, radius_m: float) -> Box:
    """The smallest latitude/longitude box holding every point within `radius_m` of (lat, lon)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    south, north = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    if south <= -90 or north >= 90:
        return Box(south, north, None, None)
    # The box must hold the widest parallel it crosses, the one nearest a pole.
    widest = max(abs(south), abs(north))
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * math.cos(math.radians(widest))))
    west, east = lon - dlon, lon + dlon
    if dlon >= 180 or west < -180 or east > 180:
        return Box(south, north, None, None)
    return Box(south, north, west, east)


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")


def parse_coordinate(raw: str | None, bound: float) -> float:
    """A latitude (bound 90) or longitude (bound 180) as typed or sent: a plain decimal number
    within ±bound. Raises ValueError for anything else (empty, `nan`, `1,5`, out of range)."""
    raw = (raw or "").strip()
    if len(raw) > 40 or not _NUMBER.fullmatch(raw):
        raise ValueError(raw)
    value = float(raw)
    if not -bound <= value <= bound:
        raise ValueError(raw)
    return value
