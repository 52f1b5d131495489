"""The one declaration of a site's editable fields: parsing, limits, and the lossless round trip."""

from __future__ import annotations

import jsonschema
import pytest

from heritage.demo.loader import load_demo
from heritage.places.names import known_places
from heritage.sites.fields import (
    BY_NAME,
    FIELDS,
    SiteValues,
    changed,
    clean,
    columns,
    fields_for,
    read_values,
)

LANGS = ["vi", "en", "zh", "ko"]


def as_row(values: SiteValues) -> dict[str, str]:
    """What a form or a spreadsheet holds for these values: strings only."""
    row = {}
    for f in fields_for(values.kind):
        if f.per_language:
            for lang, text in values.texts.items():
                row[f.column(lang)] = f.format(text.get(f.name))
        else:
            row[f.column()] = f.format(values.fields.get(f.name))
    return row


def test_every_demo_site_survives_format_then_clean(app, session):
    """Whatever a site holds comes back unchanged through strings: export/import and forms lose nothing."""
    sites = load_demo(session)
    session.commit()
    slugs = {s.slug for s in sites}
    assert len(sites) == 33
    for site in sites:
        before = read_values(site)
        result = clean(site.kind, as_row(before), LANGS, site_slugs=slugs.__contains__)
        assert result.ok, (site.slug, result.errors)
        assert changed(before, result.values) == [], site.slug


def test_every_problem_is_named_by_column():
    raw = {
        "name_vi": "",
        "summary_en": "x" * 301,
        "latitude": "21,03",
        "longitude": "107.1",
        "ranking": "world",
        "ranking_date": "19/08/1945",
        "ranking_year": "12a",
        "location_radius_m": "-5",
        "sources": "just words",
    }
    result = clean("heritage_relic", raw, LANGS)
    assert set(result.errors) == {
        "name_vi",
        "summary_en",
        "name_en",
        "latitude",
        "ranking",
        "ranking_date",
        "ranking_year",
        "location_radius_m",
        "sources",
    }
    assert "301" in result.errors["summary_en"]


def test_a_field_of_another_kind_with_a_value_is_refused_not_dropped():
    result = clean("heritage_relic", {"name_vi": "Đình", "marker_number": "1369"}, LANGS)
    assert list(result.errors) == ["marker_number"]
    assert clean("heritage_relic", {"name_vi": "Đình", "marker_number": ""}, LANGS).ok


def test_border_markers_need_their_number():
    assert "marker_number" in clean("border_marker", {"name_vi": "Mốc 1369"}, LANGS).errors
    assert clean("border_marker", {"name_vi": "Mốc 1369", "marker_number": "1369"}, LANGS).ok


def test_coordinates_come_in_pairs_and_within_bounds():
    assert "longitude" in clean("scenic_spot", {"name_vi": "A", "latitude": "21"}, LANGS).errors
    assert (
        "latitude"
        in clean("scenic_spot", {"name_vi": "A", "latitude": "91", "longitude": "107"}, LANGS).errors
    )
    good = clean("scenic_spot", {"name_vi": "A", "latitude": "20.91", "longitude": "107.18"}, LANGS)
    assert good.ok and good.values.fields["latitude"] == 20.91


def test_references_and_districts_are_checked_when_lookups_are_given():
    raw = {"name_vi": "A", "part_of": "nowhere", "unit": "Nobody", "district": "TP Hà Nội"}
    result = clean(
        "heritage_relic",
        raw,
        LANGS,
        site_slugs=lambda s: False,
        unit_names=lambda n: False,
        districts=known_places("district"),
    )
    assert set(result.errors) == {"part_of", "unit", "district"}
    assert "TP Hạ Long" in known_places("district")


def test_unknown_kind_is_an_error_not_a_crash():
    assert clean("castle", {"name_vi": "A"}, LANGS).errors == {"kind": "Unknown kind of site."}


@pytest.mark.parametrize("f", FIELDS, ids=lambda f: f.name)
def test_each_json_schema_is_valid_and_accepts_a_parsed_value(f):
    jsonschema.Draft202012Validator.check_schema(f.json_schema())
    samples = {
        "text": "Đình",
        "markdown": "Một\n\nHai",
        "integer": "10",
        "date": "1945-08-19",
        "sources": "Sách | https://example.org/a",
        "site": "dinh-a",
        "unit": "Đoàn",
        "coordinate": "21.5",
        "choice": None,
        "choices": None,
    }
    raw = samples[f.type.value] if f.choices is None else next(iter(f.choices)).value
    if f.minimum is not None and f.type.value == "integer":
        raw = str(f.minimum)
    jsonschema.validate(f.parse(raw), f.json_schema())


def test_columns_follow_the_declaration_order():
    cols = columns("border_marker", ["vi", "en"])
    assert cols[:4] == ["name_vi", "name_en", "summary_vi", "summary_en"]
    assert "marker_number" in cols and "ranking" not in cols and "event_vi" not in cols
    assert BY_NAME["body"].max_length == 20_000
