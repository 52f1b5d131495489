"""Nearby: nearest listed sites first, with distance and direction, from a bounding-box query
that stays on an index; sites without coordinates counted; bad coordinates a clear 400."""

import random
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, text

from heritage.places.geo import haversine_m
from heritage.sites.models import LocationPrecision, PlaqueCode, Site
from heritage.sites.nearby import _in_box, nearest_sites


def _at(make_site, name, lat, lon, **kw):
    return make_site(name, latitude=lat, longitude=lon, location_precision=LocationPrecision.surveyed, **kw)


@pytest.fixture
def places(make_site):
    return {
        "here": _at(make_site, "Đình Gần", 21.0, 107.0, texts={"zh": {"name": "近亭"}}),
        "north_east": _at(make_site, "Chùa Đông Bắc", 21.02, 107.02, kind="scenic_spot"),
        "west": _at(make_site, "Miếu Tây", 21.0, 106.9),
        "far_south": _at(make_site, "Đền Xa", 20.0, 107.0),
        "draft": _at(make_site, "Nháp Gần", 21.001, 107.001, state="draft"),
        "archived": _at(make_site, "Lưu Trữ Gần", 21.002, 107.0, state="archived"),
        "unknown_1": make_site("Chưa Đo Một"),
        "unknown_2": make_site("Chưa Đo Hai"),
    }


def test_api_lists_nearest_first_with_distance_and_direction(client, places):
    body = client.get("/api/v1/nearby?lat=21.0&lon=107.0&limit=10&lang=zh").get_json()
    assert body["ok"]
    slugs = [s["slug"] for s in body["data"]]
    # Drafts and archived sites are never listed, however close; unknown locations are counted.
    assert slugs == [places[k].slug for k in ("here", "north_east", "west", "far_south")]
    assert body["meta"] == {"limit": 10, "without_location": 2}
    first, ne, west, south = body["data"]
    assert first["distance_m"] == 0 and first["name"] == "近亭" and not first["is_fallback"]
    assert ne["direction"] == "NE" and ne["distance_m"] == pytest.approx(3030, rel=0.01)
    assert west["direction"] == "W" and west["distance_m"] == pytest.approx(10_383, rel=0.01)
    assert south["direction"] == "S" and south["distance_m"] == pytest.approx(111_195, rel=0.001)
    assert ne["is_fallback"] and ne["lang"] == "vi"


def test_limit_cuts_the_list(client, places):
    body = client.get("/api/v1/nearby?lat=21.0&lon=107.0&limit=2").get_json()
    assert [s["slug"] for s in body["data"]] == [places["here"].slug, places["north_east"].slug]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "lat=21",
        "lon=107",
        "lat=abc&lon=107",
        "lat=91&lon=107",
        "lat=21&lon=181",
        "lat=nan&lon=1",
        "lat=21,0&lon=107",
        "lat=21&lon=107&limit=0",
        "lat=21&lon=107&limit=51",
        "lat=21&lon=107&lang=fr",
    ],
)
def test_bad_coordinates_are_a_clear_400(client, places, query):
    response = client.get(f"/api/v1/nearby?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["ok"] is False and body["error"]["message"]


def test_nearest_matches_brute_force_and_only_reads_a_box(session, make_site):
    rng = random.Random(11)
    sites = [
        _at(make_site, f"Điểm {n}", rng.uniform(20.5, 21.6), rng.uniform(106.5, 108.1)) for n in range(60)
    ]
    for lat, lon, limit in [(21.0, 107.3, 5), (20.6, 106.6, 12), (21.5, 108.0, 1), (10.0, 100.0, 3)]:
        found = nearest_sites(session, lat, lon, limit, ["vi"])
        expected = sorted(sites, key=lambda s: (haversine_m(lat, lon, s.latitude, s.longitude), s.id))[:limit]
        assert [n.site.id for n in found] == [s.id for s in expected]
        assert [round(n.distance_m, 3) for n in found] == sorted(round(n.distance_m, 3) for n in found)
    # The first box (5 km) around a point holds a few sites, not all of them.
    assert len(session.execute(_in_box(21.0, 107.3, 5_000)).all()) < 10


def _many_sites(session, count: int) -> None:
    """`count` published sites spread over Quảng Ninh, written in bulk (no services: only rows)."""
    rng = random.Random(3)
    now = datetime.now(UTC)
    session.execute(insert(PlaqueCode), [{"code": f"Z{n:04d}", "issued_at": now} for n in range(count)])
    session.execute(
        insert(Site.__table__),
        [
            {
                "kind": "heritage_relic",
                "slug": f"bulk-{n}",
                "plaque_code": f"Z{n:04d}",
                "state": "published",
                "province": "Quảng Ninh",
                "latitude": rng.uniform(20.7, 21.7),
                "longitude": rng.uniform(106.4, 108.1),
                "location_precision": "surveyed",
                "ranking": "none",
                "heritage_types": [],
                "sources": [],
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ],
    )
    session.execute(text("ANALYZE sites"))


def test_box_query_uses_the_coordinates_index(session, app):
    # With statistics over a few thousand located sites, each planner picks the box index itself.
    _many_sites(session, 3000)
    stmt = _in_box(21.0, 107.3, 5_000)
    compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
    explain = "EXPLAIN QUERY PLAN" if session.get_bind().dialect.name == "sqlite" else "EXPLAIN"
    plan = " ".join(str(row) for row in session.execute(text(f"{explain} {compiled}")))
    assert "ix_sites_state_latitude_longitude" in plan, plan


def test_nearby_page_lists_with_locale_distance_and_direction(client, places):
    html = client.get("/vi/nearby?lat=21.0&lon=107.0").get_data(as_text=True)
    assert (
        html.index("Đình Gần") < html.index("Chùa Đông Bắc") < html.index("Miếu Tây") < html.index("Đền Xa")
    )
    assert "Nháp Gần" not in html and "Lưu Trữ Gần" not in html
    assert "3,0 km" in html and "10 km" in html  # Vietnamese decimal comma
    zh = client.get("/zh/nearby?lat=21.0&lon=107.0").get_data(as_text=True)
    assert "3.0公里" in zh and "东北" in zh


def test_nearby_page_counts_sites_without_location(client, places):
    html = client.get("/en/nearby?lat=21.0&lon=107.0").get_data(as_text=True)
    assert "2 sites have no location yet" in html


def test_nearby_page_without_coordinates_offers_the_button_and_the_form(client, places):
    response = client.get("/ko/nearby")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="locate"' in html and "/static/js/nearby.js" in html
    assert 'name="lat"' in html and 'name="lon"' in html
    assert "<script>" not in html  # the CSP forbids inline script


@pytest.mark.parametrize("query", ["lat=abc&lon=107", "lat=95&lon=107", "lat=21", "lat=&lon="])
def test_nearby_page_bad_coordinates_is_400_with_a_message(client, places, query):
    response = client.get(f"/en/nearby?{query}")
    assert response.status_code == 400
    assert "Latitude must be a number from -90 to 90" in response.get_data(as_text=True)


def test_nearby_page_is_never_cached_by_shared_caches(client, places):
    response = client.get("/vi/nearby?lat=21.0&lon=107.0")
    assert "no-store" in response.headers["Cache-Control"]


def test_every_compass_point_has_a_label_in_every_language(app):
    from flask_babel import force_locale

    from heritage.places.geo import COMPASS_POINTS
    from heritage.web.maps import COMPASS_LABELS

    assert set(COMPASS_LABELS) == set(COMPASS_POINTS)
    with app.test_request_context():
        for lang in ("zh", "ko", "vi"):
            with force_locale(lang):
                labels = {point: str(COMPASS_LABELS[point]) for point in COMPASS_POINTS}
            assert len(set(labels.values())) == 8 and labels["NE"] != "NE", (lang, labels)
