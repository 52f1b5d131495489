"""Load `heritage/demo/sites/*.toml` (format in FORMAT.md) through the site services."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heritage.demo.units import demo_unit_name, ensure_demo_units
from heritage.places.names import load_place_names
from heritage.review.editing import create
from heritage.sites.models import Site
from heritage.sites.values import site_values
from heritage.trails.demo import load_demo_trails

DEMO_DIR = Path(__file__).parent / "sites"
CSV_PATH = Path(__file__).parent / "quang-ninh-sites.csv"


def database_is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Site))


def read_demo_files(directory: Path = DEMO_DIR) -> list[dict]:
    return [tomllib.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.toml"))]


def site_fields(record: dict) -> dict:
    """The site fields a demo record sets (everything but texts, slug and kind), as `SiteValues` holds them."""
    fields: dict = {
        "province": record.get("province", "Quảng Ninh"),
        "district": record.get("district"),
        "commune": record.get("commune"),
        "sources": [{"title": s.get("title", ""), "url": s["url"]} for s in record.get("sources", [])],
        "part_of": record.get("part_of"),
        "unit": demo_unit_name(record["kind"], record.get("district")),
    }
    if record.get("heritage_types"):
        fields["heritage_types"] = list(record["heritage_types"])
    location = record.get("location")
    if location:
        fields.update(
            latitude=float(location["latitude"]),
            longitude=float(location["longitude"]),
            location_precision=location.get("precision", "approximate"),
            location_radius_m=location.get("radius_m"),
        )
    ranking = record.get("ranking")
    if ranking:
        fields.update(
            ranking=ranking.get("level", "none"),
            ranking_decision=ranking.get("decision_number"),
            ranking_date=ranking.get("decision_date"),
            ranking_year=ranking.get("year"),
        )
    marker = record.get("border_marker")
    if marker:
        fields.update(
            marker_number=str(marker["number"]),
            marker_type=marker.get("marker_type"),
            marker_role=marker.get("role"),
            elevation_m=marker.get("elevation_m"),
            border_gate=marker.get("border_gate"),
        )
    red = record.get("red_address")
    if red:
        fields.update(event_date=red.get("event_date"), event_period=red.get("event_period"))
    return fields


def load_demo(session: Session, directory: Path = DEMO_DIR) -> list[Site]:
    """Create every demo site, published, and the place names its pages show; callers commit.

    The sites go through the same checks and services as the back office's (author: the system),
    complexes before their parts. Each site's plaque code is derived from its slug, so a fresh
    install always gets the same codes (README quotes one); a code already taken moves on to the
    next one of the sequence.
    """
    records = read_demo_files(directory)
    load_place_names(session)
    ensure_demo_units(session)
    sites = []
    for record in sorted(records, key=lambda r: r.get("part_of") is not None):
        # A field the kind does not have is an error here as in a form: nothing is dropped quietly.
        values = site_values(record["kind"], texts=record["text"], **site_fields(record))
        sites.append(
            create(session, None, values, slug=record["slug"], publish=True, code_seed=record["slug"])
        )
    load_demo_trails(session)
    order = {r["slug"]: i for i, r in enumerate(records)}
    return sorted(sites, key=lambda site: order[site.slug])
