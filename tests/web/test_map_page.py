"""The map page and its GeoJSON: every listed site with coordinates, valid against the served
OpenAPI document; Leaflet and the tile host on the map page only."""

import jsonschema
import pytest
from openapi_spec_validator import validate

from heritage.sites.models import LocationPrecision

TILES = "https://tile.openstreetmap.org"


@pytest.fixture
def spec(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    return document


def check(spec, payload, schema_name):
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    jsonschema.validate(
        payload, schema, cls=jsonschema.Draft202012Validator, format_checker=jsonschema.FormatChecker()
    )


@pytest.fixture
def sites(make_site):
    located = {"latitude": 21.5269, "longitude": 107.9669}
    return {
        "marker": make_site(
            "Cột mốc 1369",
            kind="border_marker",
            marker_number="1369",
            texts={"zh": {"name": "1369号界碑"}},
            location_precision=LocationPrecision.approximate,
            location_radius_m=3000,
            **located,
        ),
        "surveyed": make_site(
            "Đền Cửa Ông", latitude=21.0269, longitude=107.37, location_precision=LocationPrecision.surveyed
        ),
        "nowhere": make_site("Đình Trà Cổ"),
        "draft": make_site("Nháp", state="draft", **located),
        "archived": make_site("Lưu trữ", state="archived", **located),
    }


def test_geojson_lists_listed_sites_with_coordinates(client, spec, sites):
    body = client.get("/api/v1/map?lang=zh").get_json()
    check(spec, body, "SiteMap")
    features = {f["properties"]["slug"]: f for f in body["data"]["features"]}
    assert set(features) == {sites["marker"].slug, sites["surveyed"].slug}
    assert body["meta"] == {
        "total": 2,
        "without_location": 1,
        "clustered": False,
        "bounds": [107.37, 21.0269, 107.9669, 21.5269],
    }
    marker = features[sites["marker"].slug]
    assert marker["geometry"] == {"type": "Point", "coordinates": [107.9669, 21.5269]}
    assert marker["properties"] == {
        "slug": sites["marker"].slug,
        "kind": "border_marker",
        "name": "1369号界碑",
        "lang": "zh",
        "is_fallback": False,
        "precision": "approximate",
        "radius_m": 3000,
        "page_path": f"/zh/sites/{sites['marker'].slug}",
    }
    temple = features[sites["surveyed"].slug]["properties"]
    assert temple["name"] == "Đền Cửa Ông" and temple["is_fallback"] and temple["lang"] == "vi"


def test_geojson_by_area_and_clustered_past_the_limit(client, spec, sites, make_site, monkeypatch):
    from heritage.sites import map_area

    border = client.get("/api/v1/map?bbox=107.9,21.5,108.0,21.6&zoom=12").get_json()
    check(spec, border, "SiteMap")
    # Two opposite corners in either order: the same box.
    assert client.get("/api/v1/map?bbox=108.0,21.6,107.9,21.5&zoom=12").get_json() == border
    assert [f["properties"]["slug"] for f in border["data"]["features"]] == [sites["marker"].slug]
    assert border["meta"]["total"] == 1
    for n in range(3):
        make_site(
            f"Mốc {n}",
            latitude=21.5269 + n * 1e-4,
            longitude=107.9669,
            kind="border_marker",
            marker_number=f"9{n}",
        )
    monkeypatch.setattr(map_area, "MAX_POINTS", 2)
    body = client.get("/api/v1/map?lang=en&bbox=106,20,109,22&zoom=9").get_json()
    check(spec, body, "SiteMap")
    clusters = [f for f in body["data"]["features"] if f["properties"].get("cluster")]
    singles = [f for f in body["data"]["features"] if not f["properties"].get("cluster")]
    assert [c["properties"]["count"] for c in clusters] == [4]
    assert [s["properties"]["slug"] for s in singles] == [sites["surveyed"].slug]
    assert body["meta"]["clustered"] is True and body["meta"]["total"] == 5
    west, south, east, north = clusters[0]["properties"]["bbox"]
    assert west == east == 107.9669 and south == 21.5269 and north == pytest.approx(21.5271)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("bbox=1,2,3", "bad_bbox"),
        ("bbox=107,21,108,91", "bad_bbox"),
        ("bbox=a,b,c,d", "bad_bbox"),
        ("zoom=23", "bad_zoom"),
        ("zoom=-1", "bad_zoom"),
        ("zoom=", "bad_zoom"),
    ],
)
def test_geojson_bad_area_is_400(client, spec, sites, query, code):
    response = client.get(f"/api/v1/map?{query}")
    assert response.status_code == 400
    check(spec, response.get_json(), "Error")
    assert response.get_json()["error"]["code"] == code


def test_geojson_bad_language_is_400(client, spec, sites):
    response = client.get("/api/v1/map?lang=fr")
    assert response.status_code == 400
    check(spec, response.get_json(), "Error")


def test_nearby_answer_matches_the_document(client, spec, sites):
    body = client.get("/api/v1/nearby?lat=21.5&lon=107.9&limit=5&lang=en").get_json()
    check(spec, body, "NearbyList")
    assert [s["slug"] for s in body["data"]][0] == sites["marker"].slug


def test_map_page_loads_leaflet_and_allows_only_the_tile_host(client, sites):
    response = client.get("/vi/map")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for path in (
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet.markercluster/leaflet.markercluster.js",
        "js/map.js",
    ):
        assert f"/static/{path}" in html
    assert 'data-sites="/api/v1/map?lang=vi"' in html
    assert "<noscript>" in html and 'href="/vi/"' in html  # the list, without JavaScript
    csp = response.headers["Content-Security-Policy"]
    assert f"img-src 'self' data: {TILES};" in csp and "script-src 'self';" in csp


@pytest.mark.parametrize("path", ["/vi/", "/vi/nearby", "/vi/trails", "/api/v1/map"])
def test_other_pages_keep_the_strict_policy(client, sites, path):
    assert TILES not in client.get(path).headers["Content-Security-Policy"]


def test_site_page_loads_no_leaflet_and_no_tiles(client, sites):
    response = client.get(f"/vi/sites/{sites['marker'].slug}")
    html = response.get_data(as_text=True)
    assert "leaflet" not in html.lower() and "map.js" not in html
    assert TILES not in response.headers["Content-Security-Policy"]


def test_map_page_legend_names_every_kind_with_a_shape(client, sites):
    html = client.get("/en/map").get_data(as_text=True)
    for kind, label in [
        ("heritage_relic", "Heritage relic"),
        ("red_address", "Red address"),
        ("border_marker", "Border marker"),
        ("scenic_spot", "Scenic spot"),
    ]:
        assert f'<span class="pin pin-{kind}" aria-hidden="true"></span>{label}' in html


def test_vendor_files_are_served_with_their_licences(client):
    for path in (
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/LICENSE",
        "vendor/leaflet.markercluster/leaflet.markercluster.js",
        "vendor/leaflet.markercluster/MIT-LICENCE.txt",
    ):
        response = client.get(f"/static/{path}")
        assert response.status_code == 200, path
        response.close()


@pytest.mark.parametrize("path", ["/vi/map", "/vi/nearby", "/vi/trails"])
def test_language_switcher_keeps_the_page(client, sites, path):
    html = client.get(path).get_data(as_text=True)
    page = path.split("/", 2)[2]
    assert f'href="/lang/zh?next=/zh/{page}"' in html


def test_map_data_may_be_kept_but_is_revalidated(client, sites):
    first = client.get("/api/v1/map")
    assert first.headers["Cache-Control"] == "public, no-cache"  # an edit shows at once
    again = client.get("/api/v1/map", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
