"""Distances, directions, the bounding box and coordinate parsing, against known figures."""

import math
import random

import pytest

from heritage.places.geo import bearing_deg, bounding_box, compass_point, haversine_m, parse_coordinate


def test_haversine_known_distances():
    # One degree of latitude is 111.19 km on the mean sphere; Hà Nội to Hạ Long about 124 km.
    assert haversine_m(0, 0, 1, 0) == pytest.approx(111_195, rel=1e-4)
    assert haversine_m(21.0285, 105.8542, 20.9517, 107.0700) == pytest.approx(126_400, rel=0.01)
    assert haversine_m(20.9, 107.2, 20.9, 107.2) == 0


@pytest.mark.parametrize(
    ("to", "bearing", "point"),
    [
        ((1, 0), 0, "N"),
        ((1, 1), 45, "NE"),
        ((0, 1), 90, "E"),
        ((-1, 1), 135, "SE"),
        ((-1, 0), 180, "S"),
        ((-1, -1), 225, "SW"),
        ((0, -1), 270, "W"),
        ((1, -1), 315, "NW"),
    ],
)
def test_bearing_and_compass_point(to, bearing, point):
    b = bearing_deg(0, 0, *to)
    assert b == pytest.approx(bearing, abs=0.5)
    assert compass_point(b) == point


def test_compass_point_boundaries():
    assert compass_point(22.4) == "N" and compass_point(22.5) == "NE" and compass_point(337.5) == "N"
    assert compass_point(359.9) == "N" and compass_point(360) == "N"


def test_bounding_box_holds_every_point_within_the_radius():
    rng = random.Random(7)
    for lat, lon, radius in [(21.0, 107.3, 5_000), (60.0, 10.0, 80_000), (-45.0, 170.0, 300_000)]:
        box = bounding_box(lat, lon, radius)
        for _ in range(2000):
            # Points on the circle itself, in every direction: the hardest case for the box.
            angle = rng.uniform(0, 2 * math.pi)
            d = radius / 6_371_008.8
            phi1, lmb1 = math.radians(lat), math.radians(lon)
            phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(angle))
            lmb2 = lmb1 + math.atan2(
                math.sin(angle) * math.sin(d) * math.cos(phi1), math.cos(d) - math.sin(phi1) * math.sin(phi2)
            )
            p_lat, p_lon = math.degrees(phi2), math.degrees(lmb2)
            assert box.south - 1e-9 <= p_lat <= box.north + 1e-9
            assert box.west - 1e-9 <= p_lon <= box.east + 1e-9


def test_bounding_box_gives_up_longitude_near_a_pole_and_across_the_antimeridian():
    assert bounding_box(89.9, 0, 50_000).west is None
    assert bounding_box(0, 179.99, 10_000).west is None


@pytest.mark.parametrize(
    ("raw", "value"), [("21.0285", 21.0285), ("-90", -90.0), (" 107.37 ", 107.37), ("1e1", 10.0)]
)
def test_parse_coordinate_accepts_plain_numbers(raw, value):
    assert parse_coordinate(raw, 180) == value


@pytest.mark.parametrize(
    "raw", [None, "", "abc", "nan", "inf", "21,03", "91", "1e308", "9" * 50, "0x10", "--1"]
)
def test_parse_coordinate_refuses_the_rest(raw):
    with pytest.raises(ValueError):
        parse_coordinate(raw, 90)
