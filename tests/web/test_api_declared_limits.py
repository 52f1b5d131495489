"""The API's detail schema takes each field's limits from the one declaration (sites/fields.py)."""

from __future__ import annotations

import jsonschema

from heritage.sites.fields import BY_NAME, SOURCES_MAX
from heritage.web.openapi import schemas


def test_detail_limits_are_the_declarations():
    all_schemas = schemas(["vi", "en"])
    detail, text = all_schemas["SiteDetail"]["properties"], all_schemas["SiteText"]["properties"]
    location = all_schemas["Location"]["properties"]
    assert text["name"]["maxLength"] == BY_NAME["name"].max_length == 300
    assert text["body"]["maxLength"] == BY_NAME["body"].max_length
    assert text["summary"] == {"type": "string", "maxLength": 300}  # always a string, as before
    assert detail["district"] == {"type": ["string", "null"], "maxLength": BY_NAME["district"].max_length}
    assert detail["ranking"]["properties"]["year"]["maximum"] == BY_NAME["ranking_year"].maximum
    assert "null" not in detail["ranking"]["properties"]["level"]["enum"]
    assert detail["sources"]["maxItems"] == SOURCES_MAX
    assert detail["heritage_types"]["items"]["enum"] == [c.value for c in BY_NAME["heritage_types"].choices]
    assert location["radius_m"]["maximum"] == BY_NAME["location_radius_m"].maximum


def test_every_demo_site_holds_to_the_declared_limits(client, demo_sites):
    document = client.get("/api/v1/openapi.json").get_json()
    schema = {"$ref": "#/components/schemas/SiteOne", "components": document["components"]}
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for site in demo_sites:
        body = client.get(f"/api/v1/sites/{site.slug}").get_json()
        errors = [e.message for e in validator.iter_errors(body)]
        assert errors == [], (site.slug, errors[:3])
