"""The JSON API: one envelope everywhere, responses valid against the served OpenAPI document."""

import jsonschema
import pytest
from openapi_spec_validator import validate

from heritage.sites.models import LocationPrecision


@pytest.fixture
def spec(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)  # a valid OpenAPI 3.1 document
    return document


def check(spec, payload, schema_name):
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    jsonschema.validate(
        payload, schema, cls=jsonschema.Draft202012Validator, format_checker=jsonschema.FormatChecker()
    )


@pytest.fixture
def sites(make_site):
    return [
        make_site(
            "Đình Trung Bản",
            texts={"en": {"name": "Trung Ban communal house", "summary": "Hall."}},
            latitude=20.9,
            longitude=106.8,
            location_precision=LocationPrecision.approximate,
            location_radius_m=6000,
        ),
        make_site("Yên Tử", kind="scenic_spot"),
        make_site("Chùa Nháp", state="draft"),
    ]


def test_list_in_language_with_fallback_and_pagination(client, spec, sites):
    response = client.get("/api/v1/sites?lang=en&per_page=1")
    body = response.get_json()
    check(spec, body, "SiteList")
    assert body["meta"] == {"page": 1, "per_page": 1, "total": 2, "pages": 2}
    first = body["data"][0]
    assert (
        first["slug"] == "dinh-trung-ban"
        and first["name"] == "Trung Ban communal house"
        and not first["is_fallback"]
    )
    assert first["location"] == {
        "latitude": 20.9,
        "longitude": 106.8,
        "precision": "approximate",
        "radius_m": 6000,
    }
    assert first["scan_url"] == f"https://disan.quangninh.gov.vn/Q/{sites[0].plaque_code}"
    second = client.get("/api/v1/sites?lang=en&per_page=1&page=2").get_json()
    check(spec, second, "SiteList")
    assert (
        second["data"][0]["name"] == "Yên Tử"
        and second["data"][0]["is_fallback"]
        and second["data"][0]["lang"] == "vi"
    )
    assert second["data"][0]["location"] is None and second["data"][0]["precision"] == "unknown"


def test_one_site_with_all_languages(client, spec, sites):
    body = client.get("/api/v1/sites/dinh-trung-ban").get_json()
    check(spec, body, "SiteOne")
    assert set(body["data"]["texts"]) == {"vi", "en"}
    assert set(body["data"]["page_urls"]) == {"vi", "en", "zh", "ko"}


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/sites?lang=fr", 400),
        ("/api/v1/sites?per_page=0", 400),
        ("/api/v1/sites?per_page=abc", 400),
        ("/api/v1/sites?per_page=1000", 400),
        ("/api/v1/sites?kind=castle", 400),
        ("/api/v1/sites/no-such-site", 404),
        ("/api/v1/sites/chua-nhap", 404),
        ("/api/v1/nothing", 404),
    ],
)
def test_errors_share_the_envelope(client, spec, sites, url, status):
    response = client.get(url)
    assert response.status_code == status
    check(spec, response.get_json(), "Error")


def test_every_api_route_is_documented(app, spec):
    routes = {
        rule.rule.replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    routes.discard("/api/v1/openapi.json")
    assert routes == set(spec["paths"])


def test_wrong_method_is_405_envelope(client, spec):
    response = client.post("/api/v1/sites")
    assert response.status_code == 405
    check(spec, response.get_json(), "Error")
