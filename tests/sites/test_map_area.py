"""The map's sites by area: only the box, each site while few, clusters on a fixed grid past that."""

import math
from dataclasses import astuple

import pytest

from heritage.sites.map_area import WORLD, Box, cell_degrees, sites_in_area, zoom_for
from heritage.sites.models import LocationPrecision

HA_LONG = Box(106.9, 20.8, 107.2, 21.1)


def _cell_centre(value: float, origin: float, cell: float) -> float:
    return (math.floor((value - origin) / cell) + 0.5) * cell + origin


# The middle of the zoom-12 grid cell around (20.95, 107.07): four sites within 0.002 degrees of it.
CELL = cell_degrees(12, HA_LONG)
LAT, LON = _cell_centre(20.95, -90, CELL), _cell_centre(107.07, -180, CELL)


@pytest.fixture
def places(make_site):
    def at(name, lat, lon, **kw):
        return make_site(
            name, latitude=lat, longitude=lon, location_precision=LocationPrecision.surveyed, **kw
        )

    return {
        # Four close together in Hạ Long, one apart in the same box, one in Móng Cái far away.
        "a": at("Đền A", LAT - 0.002, LON - 0.002),
        "b": at("Đền B", LAT - 0.001, LON - 0.001),
        "c": at("Đền C", LAT + 0.001, LON + 0.001),
        "d": at("Đền D", LAT + 0.002, LON + 0.002),
        "apart": at("Chùa Xa", 21.09, 106.91),
        "mong_cai": at("Mốc Móng Cái", 21.52, 107.96),
        "draft": at("Nháp", LAT, LON, state="draft"),
        "nowhere": make_site("Chưa có vị trí"),
    }


def test_only_listed_sites_inside_the_box(session, places):
    found = sites_in_area(session, HA_LONG, 12, ["vi"])
    assert {s.slug for s in found.sites} == {places[k].slug for k in ("a", "b", "c", "d", "apart")}
    assert found.total == 5 and found.clusters == []
    assert astuple(found.bounds) == pytest.approx((106.91, LAT - 0.002, LON + 0.002, 21.09))
    everywhere = sites_in_area(session, WORLD, 0, ["vi"])
    assert everywhere.total == 6


def test_past_the_limit_close_sites_cluster_and_a_lone_site_stays_a_site(session, places):
    found = sites_in_area(session, HA_LONG, 12, ["vi"], max_points=3)
    assert [s.slug for s in found.sites] == [places["apart"].slug]
    [cluster] = found.clusters
    assert cluster.count == 4
    assert astuple(cluster.bounds) == pytest.approx((LON - 0.002, LAT - 0.002, LON + 0.002, LAT + 0.002))
    assert cluster.latitude == pytest.approx(LAT) and cluster.longitude == pytest.approx(LON)
    assert found.total == 5 and len(found.sites) + sum(c.count for c in found.clusters) == 5


def test_zooming_in_splits_a_cluster(session, places):
    street = Box(LON - 0.01, LAT - 0.01, LON + 0.01, LAT + 0.01)
    close_up = sites_in_area(session, street, 18, ["vi"], max_points=3)
    assert close_up.clusters == []
    assert sorted(s.slug for s in close_up.sites) == sorted(places[k].slug for k in "abcd")


def test_the_grid_does_not_move_with_the_box(session, places):
    wider = Box(106.8, 20.7, 107.3, 21.2)
    one = sites_in_area(session, HA_LONG, 12, ["vi"], max_points=3).clusters
    other = sites_in_area(session, wider, 12, ["vi"], max_points=3).clusters
    assert one == other


def test_cells_shrink_with_zoom_but_never_past_32_across():
    assert cell_degrees(10, HA_LONG) == 360 / (2**10 * 4)
    assert cell_degrees(20, WORLD) == 360 / 32
    assert zoom_for(WORLD) == 2 and zoom_for(HA_LONG) == 12
