"""Trails: created and reordered by the services, legs and totals, pages in every language."""

import pytest

from heritage.errors import ValidationError
from heritage.places.geo import haversine_m
from heritage.sites.models import LocationPrecision
from heritage.trails.legs import walk
from heritage.trails.services import create_trail, reorder_stops


def _surveyed(make_site, name, lat, lon, **kw):
    return make_site(name, latitude=lat, longitude=lon, location_precision=LocationPrecision.surveyed, **kw)


@pytest.fixture
def stops(make_site):
    return [
        _surveyed(make_site, "Đền Một", 21.0, 107.0),
        _surveyed(make_site, "Miếu Hai", 21.01, 107.0),
        _surveyed(make_site, "Đình Ba", 21.01, 107.02),
    ]


@pytest.fixture
def trail(session, stops):
    trail = create_trail(
        session,
        "duong-thu",
        texts={"vi": {"name": "Đường thử", "summary": "Ba điểm."}, "zh": {"name": "试行路线"}},
        sites=stops,
        state="published",
    )
    session.commit()
    return trail


def test_create_keeps_the_order_and_reorder_changes_it(session, trail, stops):
    assert [s.site.slug for s in trail.stops] == [s.slug for s in stops]
    ids = [s.id for s in trail.stops]
    reorder_stops(session, trail, [ids[2], ids[0], ids[1]])
    session.commit()
    assert [(s.site.slug, s.position) for s in trail.stops] == [
        (stops[2].slug, 1),
        (stops[0].slug, 2),
        (stops[1].slug, 3),
    ]


def test_reorder_must_name_every_stop_once(session, trail):
    ids = [s.id for s in trail.stops]
    for bad in ([ids[0], ids[1]], [ids[0], ids[0], ids[1]], [*ids, 999_999]):
        with pytest.raises(ValidationError):
            reorder_stops(session, trail, bad)


def test_create_refuses_a_taken_slug_and_a_missing_vietnamese_text(session, trail, stops):
    with pytest.raises(ValidationError):
        create_trail(session, "duong-thu", texts={"vi": {"name": "x"}}, sites=stops)
    with pytest.raises(ValidationError):
        create_trail(session, "khac", texts={"en": {"name": "x"}}, sites=stops)


def test_legs_and_total(stops, make_site):
    result = walk(stops)
    first = haversine_m(21.0, 107.0, 21.01, 107.0)
    second = haversine_m(21.01, 107.0, 21.01, 107.02)
    assert result.legs[0] is None
    assert result.legs[1].metres == pytest.approx(first) and result.legs[2].metres == pytest.approx(second)
    assert result.total_m == pytest.approx(first + second) and result.complete and not result.approximate


def test_missing_location_breaks_a_leg_and_the_total_is_at_least(stops, make_site):
    nowhere = make_site("Đình Chưa Đo")
    result = walk([stops[0], nowhere, stops[1]])
    assert result.legs[1].metres is None and result.legs[2].metres is None
    assert result.total_m == 0 and not result.complete


def test_two_stops_at_one_approximate_point_are_in_the_same_area(make_site):
    a, b = (
        make_site(
            n,
            latitude=20.9,
            longitude=106.8,
            location_precision=LocationPrecision.approximate,
            location_radius_m=3000,
        )
        for n in ("Một", "Hai")
    )
    leg = walk([a, b]).legs[1]
    assert leg.same_area and leg.approximate and leg.metres == 0


def test_trail_page_shows_stops_in_order_with_distances(client, trail, stops):
    html = client.get("/vi/trails/duong-thu").get_data(as_text=True)
    assert html.index("Đền Một") < html.index("Miếu Hai") < html.index("Đình Ba")
    assert "1,1 km" in html and "2,1 km" in html  # each leg, Vietnamese decimal comma
    assert "3,2 km" in html  # the total
    zh = client.get("/zh/trails/duong-thu").get_data(as_text=True)
    assert "试行路线" in zh and "1.1公里" in zh


def test_trail_page_leaves_out_hidden_stops_and_falls_back_openly(client, session, trail, stops, make_site):
    draft = _surveyed(make_site, "Nháp Giữa", 21.005, 107.0, state="draft")
    trail2 = create_trail(
        session,
        "co-nhap",
        texts={"vi": {"name": "Có nháp"}},
        sites=[stops[0], draft, stops[1]],
        state="published",
    )
    session.commit()
    html = client.get(f"/en/trails/{trail2.slug}").get_data(as_text=True)
    assert "Nháp Giữa" not in html and "Đền Một" in html and "Miếu Hai" in html
    assert 'lang="vi"' in html  # the Vietnamese name is marked up as such on the English page


def test_draft_trail_and_unknown_slug_are_404(client, session, stops, trail):
    create_trail(session, "ban-nhap", texts={"vi": {"name": "Bản nháp"}}, sites=stops)
    session.commit()
    assert client.get("/vi/trails/ban-nhap").status_code == 404
    assert client.get("/vi/trails/khong-co").status_code == 404
    assert "Bản nháp" not in client.get("/vi/trails").get_data(as_text=True)


def test_trail_list_links_each_listed_trail(client, trail):
    html = client.get("/ko/trails").get_data(as_text=True)
    assert 'href="/ko/trails/duong-thu"' in html


def test_demo_trails_are_loaded_with_their_stops(client, demo_sites):
    html = client.get("/vi/trails").get_data(as_text=True)
    assert 'href="/vi/trails/bach-dang-quang-yen"' in html and 'href="/vi/trails/mong-cai-border"' in html
    bach_dang = client.get("/zh/trails/bach-dang-quang-yen").get_data(as_text=True)
    assert "广安白藤江之路" in bach_dang and bach_dang.count('class="stop-number"') == 7
    mong_cai = client.get("/ko/trails/mong-cai-border").get_data(as_text=True)
    assert "몽까이 국경 길" in mong_cai and mong_cai.count('class="stop-number"') == 4
    for lang in ("vi", "en", "zh", "ko"):
        for slug in ("bach-dang-quang-yen", "mong-cai-border"):
            page = client.get(f"/{lang}/trails/{slug}").get_data(as_text=True)
            assert 'role="note"' not in page, (lang, slug)  # written in every language
