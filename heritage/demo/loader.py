"""Load `heritage/demo/sites/*.toml` (format in FORMAT.md) through the site services."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from heritage.demo.units import assign_demo_units
from heritage.places.names import load_place_names
from heritage.sites.models import (
    LocationPrecision,
    MarkerRole,
    MarkerType,
    PublicationState,
    Ranking,
    Site,
)
from heritage.sites.services import create_site
from heritage.trails.demo import load_demo_trails

DEMO_DIR = Path(__file__).parent / "sites"
CSV_PATH = Path(__file__).parent / "quang-ninh-sites.csv"


def database_is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Site))


def read_demo_files(directory: Path = DEMO_DIR) -> list[dict]:
    return [tomllib.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.toml"))]


def site_fields(record: dict) -> dict:
    """The Site columns a demo record sets (everything but texts, slug and kind)."""
    fields: dict = {
        "province": record.get("province", "Quảng Ninh"),
        "district": record.get("district"),
        "commune": record.get("commune"),
        "heritage_types": list(record.get("heritage_types", [])),
        "sources": [{"title": s.get("title", ""), "url": s["url"]} for s in record.get("sources", [])],
        "state": PublicationState.published,
    }
    location = record.get("location")
    if location:
        fields.update(
            latitude=float(location["latitude"]),
            longitude=float(location["longitude"]),
            location_precision=LocationPrecision(location.get("precision", "approximate")),
            location_radius_m=location.get("radius_m"),
        )
    else:
        fields["location_precision"] = LocationPrecision.unknown
    ranking = record.get("ranking")
    if ranking:
        fields.update(
            ranking=Ranking(ranking.get("level", "none")),
            ranking_decision=ranking.get("decision_number"),
            ranking_date=ranking.get("decision_date"),
            ranking_year=ranking.get("year"),
        )
    marker = record.get("border_marker")
    if marker:
        fields.update(
            marker_number=str(marker["number"]),
            marker_type=MarkerType(marker["marker_type"]) if marker.get("marker_type") else None,
            marker_role=MarkerRole(marker["role"]) if marker.get("role") else None,
            elevation_m=marker.get("elevation_m"),
            border_gate=marker.get("border_gate"),
        )
    red = record.get("red_address")
    if red:
        fields.update(event_date=red.get("event_date"), event_period=red.get("event_period"))
    return fields


def load_demo(session: Session, directory: Path = DEMO_DIR) -> list[Site]:
    """Create every demo site, published, and the place names its pages show; callers commit.

    Each site's plaque code is derived from its slug, so a fresh install always gets the same
    codes (README quotes one); a code already taken moves on to the next one of the sequence.
    """
    records = read_demo_files(directory)
    load_place_names(session)
    by_slug: dict[str, Site] = {}
    for record in records:
        site = create_site(
            session,
            record["kind"],
            texts=record["text"],
            slug=record["slug"],
            code_seed=record["slug"],
            **site_fields(record),
        )
        by_slug[record["slug"]] = site
    for record in records:
        parent = record.get("part_of")
        if parent:
            by_slug[record["slug"]].part_of_id = by_slug[parent].id
    session.flush()
    assign_demo_units(session, list(by_slug.values()))
    load_demo_trails(session)
    return list(by_slug.values())
