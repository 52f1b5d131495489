"""'Open in maps' links: one builder, fitted to the page's language, shown on site pages."""

from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from heritage.sites.models import LocationPrecision
from heritage.web.maps_links import map_links


def _by_service(links):
    return {link.service: link.url for link in links}


def test_vietnamese_and_english_pages_get_the_phone_map_and_google(app):
    for lang in ("vi", "en"):
        links = map_links(21.5269, 107.9669, "Cột mốc 1369", lang)
        assert [link.service for link in links] == ["geo", "google"]
    urls = _by_service(links)
    assert urls["geo"].startswith("geo:21.5269,107.9669?q=21.5269,107.9669(")
    assert unquote(urls["geo"].split("(", 1)[1].rstrip(")")) == "Cột mốc 1369"
    google = urlsplit(urls["google"])
    assert google.netloc == "www.google.com" and parse_qs(google.query) == {
        "api": ["1"],
        "query": ["21.5269,107.9669"],
    }


def test_chinese_pages_offer_amap_with_gps_coordinates(app):
    links = map_links(21.5269, 107.9669, "1369号界碑", "zh")
    assert [link.service for link in links] == ["geo", "amap", "google"]
    amap = urlsplit(_by_service(links)["amap"])
    query = parse_qs(amap.query)
    assert amap.netloc == "uri.amap.com" and amap.path == "/marker"
    # Amap takes longitude first, and must be told our coordinates are WGS-84 (not GCJ-02).
    assert query["position"] == ["107.9669,21.5269"] and query["coordinate"] == ["wgs84"]
    assert query["name"] == ["1369号界碑"]


def test_korean_pages_offer_kakao_map(app):
    links = map_links(20.9278, 106.8514, "쩐흥다오 사원, 옌장", "ko")
    assert [link.service for link in links] == ["geo", "kakao", "google"]
    kakao = _by_service(links)["kakao"]
    assert kakao.startswith("https://map.kakao.com/link/map/")
    name, lat, lon = unquote(kakao.rsplit("/", 1)[1]).rsplit(",", 2)
    assert (name, lat, lon) == ("쩐흥다오 사원  옌장", "20.9278", "106.8514")


def test_no_coordinates_no_links(app):
    assert map_links(None, 107.0, "x", "vi") == [] and map_links(21.0, None, "x", "zh") == []


@pytest.mark.parametrize(("lang", "service"), [("zh", "uri.amap.com"), ("ko", "map.kakao.com"), ("vi", None)])
def test_site_page_shows_the_links_for_its_language(client, make_site, lang, service):
    site = make_site(
        "Cột mốc 1369",
        kind="border_marker",
        marker_number="1369",
        latitude=21.5269,
        longitude=107.9669,
        location_precision=LocationPrecision.approximate,
        location_radius_m=3000,
    )
    html = client.get(f"/{lang}/sites/{site.slug}").get_data(as_text=True)
    assert 'href="geo:21.5269,107.9669' in html and "https://www.google.com/maps/search/" in html
    for other in ("uri.amap.com", "map.kakao.com"):
        assert (other in html) == (other == service)
    assert f"/{lang}/nearby?lat=21.52690&amp;lon=107.96690" in html


def test_site_without_coordinates_has_no_map_links(client, make_site):
    site = make_site("Đình Trà Cổ")
    html = client.get(f"/vi/sites/{site.slug}").get_data(as_text=True)
    assert "geo:" not in html and "google.com/maps" not in html
