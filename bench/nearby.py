"""Nearest sites among 100,000: the bounding-box query on its index against reading every
located site, side by side in one run (medians over the same random points).

Usage: .venv/bin/python bench/nearby.py [--sites 100000] [--database-url URL]
(default: a temporary SQLite file; a PostgreSQL URL's `public` schema is dropped and rebuilt).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from heritage import create_app
from heritage.extensions import db
from heritage.migrate import upgrade
from heritage.places.geo import haversine_m
from heritage.sites.models import PlaqueCode, Site
from heritage.sites.nearby import nearest_sites
from heritage.sites.visibility import LISTED

LIMIT = 10


def fill(session, count: int, rng: random.Random) -> None:
    now = datetime.now(UTC)
    for start in range(0, count, 10_000):
        rows = range(start, min(count, start + 10_000))
        session.execute(
            insert(PlaqueCode), [{"code": f"{n:05d}"[-5:], "site_id": None, "issued_at": now} for n in rows]
        )
        session.execute(
            insert(Site.__table__),
            [
                {
                    "kind": "heritage_relic",
                    "slug": f"site-{n}",
                    "plaque_code": f"{n:05d}"[-5:],
                    "state": "published" if n % 10 else "draft",
                    "province": "Quảng Ninh",
                    # Quảng Ninh's extent, with one site in twenty not yet located.
                    "latitude": None if n % 20 == 0 else rng.uniform(20.7, 21.7),
                    "longitude": None if n % 20 == 0 else rng.uniform(106.4, 108.1),
                    "location_precision": "surveyed",
                    "ranking": "none",
                    "heritage_types": [],
                    "sources": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for n in rows
            ],
        )
    session.commit()


def full_scan(session, lat: float, lon: float) -> list[int]:
    rows = session.execute(
        select(Site.id, Site.latitude, Site.longitude).where(
            Site.state.in_(LISTED), Site.latitude.is_not(None)
        )
    ).all()
    return [
        r.id
        for r in sorted(rows, key=lambda r: (haversine_m(lat, lon, r.latitude, r.longitude), r.id))[:LIMIT]
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'nearby.sqlite3'}"
        if url.startswith("postgresql"):
            from heritage.db import make_engine

            engine = make_engine(url)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
            engine.dispose()
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        rng = random.Random(2026)
        with app.app_context():
            started = time.perf_counter()
            fill(db.session, args.sites, rng)
            if url.startswith("postgresql"):
                db.session.execute(text("ANALYZE sites"))
                db.session.commit()
            print(
                f"{args.sites:,} sites written in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})"
            )
            points = [(rng.uniform(20.8, 21.6), rng.uniform(106.5, 108.0)) for _ in range(args.points)]
            box_ms, scan_ms = [], []
            for lat, lon in points:
                t0 = time.perf_counter()
                found = [n.site.id for n in nearest_sites(db.session, lat, lon, LIMIT, ["vi"])]
                t1 = time.perf_counter()
                expected = full_scan(db.session, lat, lon)
                t2 = time.perf_counter()
                assert found == expected, (lat, lon)
                box_ms.append((t1 - t0) * 1000)
                scan_ms.append((t2 - t1) * 1000)
                db.session.rollback()
        box, scan = statistics.median(box_ms), statistics.median(scan_ms)
        print(f"nearest {LIMIT} of {args.sites:,}, median over {args.points} points (same answers):")
        print(f"  bounding box on the index: {box:7.1f} ms")
        print(f"  every located site:        {scan:7.1f} ms   ({scan / box:.0f}x slower)")


if __name__ == "__main__":
    main()
