"""Load the demo trails (`heritage/demo/trails.toml`) through the trail services."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from heritage.accounts.services import find_unit
from heritage.demo.units import CULTURE_OFFICE
from heritage.sites.codes import seeded_codes
from heritage.sites.models import PublicationState, Site
from heritage.trails.models import Trail
from heritage.trails.services import create_trail

TRAILS_PATH = Path(__file__).resolve().parent.parent / "demo" / "trails.toml"


def load_demo_trails(session: Session, path: Path = TRAILS_PATH) -> list[Trail]:
    """Create each trail of the file, published, through its sites in the file's order."""
    records = tomllib.loads(path.read_text(encoding="utf-8"))["trail"]
    slugs = {slug for record in records for slug in record["stops"]}
    sites = {s.slug: s for s in session.scalars(select(Site).where(Site.slug.in_(slugs)))}
    missing = sorted(slugs - set(sites))
    if missing:
        raise ValueError(f"{path.name} names sites that do not exist: {', '.join(missing)}")
    office = find_unit(session, CULTURE_OFFICE)  # the demo's trails are the culture office's
    return [
        create_trail(
            session,
            record["slug"],
            texts=record["text"],
            sites=[sites[slug] for slug in record["stops"]],
            state=PublicationState.published,
            # The same code on every load of the demo: README and tests can name it.
            code_candidates=seeded_codes(f"trail:{record['slug']}"),
            unit_id=office.id if office is not None else None,
        )
        for record in records
    ]
