"""The map's data by area among 100,000 sites: /api/v1/map as the map page asks it (a phone's view,
half again around it, on the grid of its zoom) against the old answer with every site, side by
side in one run: median time through the whole app and the bytes sent (gzip).

Usage: .venv/bin/python bench/map_area.py [--sites 100000] [--runs 15] [--database-url URL]
(default: a temporary SQLite file; with a PostgreSQL URL the sites go into a schema `bench_map`,
dropped at the end).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import math
import random
import statistics
import tempfile
import time

from nearby import fill
from scratch_databases import drop_pg_schemas, pg_schema_url
from sqlalchemy import text

from heritage import create_app
from heritage.extensions import db
from heritage.migrate import upgrade
from heritage.sites import map_area

PHONE = (390, 560)  # the map box on a phone, in CSS pixels
# (what the visitor looks at, latitude, longitude, zoom)
VIEWS = [
    ("the province", 21.2, 107.3, 9),
    ("a city (Hạ Long)", 20.95, 107.08, 12),
    ("a few streets", 20.951, 107.071, 15),
    ("street level", 20.9512, 107.0712, 18),
]


def asked_area(lat: float, lon: float, zoom: int) -> str:
    """The bbox static/js/map.js asks for: the view padded by half on each side, snapped to the grid."""
    lon_per_px = 360 / (256 * 2**zoom)
    lat_per_px = lon_per_px * math.cos(math.radians(lat))
    # pad(0.5) adds half the view on each side: the padded half-width is one whole view width.
    half_w, half_h = PHONE[0] * lon_per_px, PHONE[1] * lat_per_px
    cell = 360 / (2**zoom * 4)
    west, east = lon - half_w, lon + half_w
    south, north = lat - half_h, lat + half_h
    snapped = [
        max(-180, math.floor(west / cell) * cell),
        max(-90, math.floor(south / cell) * cell),
        min(180, math.ceil(east / cell) * cell),
        min(90, math.ceil(north / cell) * cell),
    ]
    return ",".join(f"{v:.6f}" for v in snapped)


def measure(client, path: str, runs: int) -> tuple[float, int, int]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    body = client.get(path, headers={"Accept-Encoding": "identity"}).get_json()
    return statistics.median(times), len(response.get_data()), len(body["data"]["features"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'map.sqlite3'}"
        postgres = url.startswith("postgresql")
        if postgres:
            url = pg_schema_url(url, "bench_map")
        try:
            upgrade(url)
            app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PAGE_CACHE_SECONDS": 0})
            with app.app_context():
                started = time.perf_counter()
                fill(db.session, args.sites, random.Random(2026))
                if postgres:
                    db.session.execute(text("ANALYZE sites"))
                    db.session.commit()
                print(
                    f"{args.sites:,} sites written in {time.perf_counter() - started:.1f} s ({url.split(':')[0]})"
                )
                client = app.test_client()
                print(
                    f"/api/v1/map, median of {args.runs} through the app; bytes gzip; a {PHONE[0]}x{PHONE[1]} px map"
                )
                print(f"{'view':<20}{'zoom':>5}{'ms':>9}{'bytes':>11}{'features':>10}")
                for name, lat, lon, zoom in VIEWS:
                    path = f"/api/v1/map?lang=vi&zoom={zoom}&bbox={asked_area(lat, lon, zoom)}"
                    ms, size, features = measure(client, path, args.runs)
                    print(f"{name:<20}{zoom:>5}{ms:>9.1f}{size:>11,}{features:>10,}")
                ms, size, features = measure(client, "/api/v1/map?lang=vi", args.runs)
                print(
                    f"{'first answer':<20}{'-':>5}{ms:>9.1f}{size:>11,}{features:>10,}   (no bbox: where the sites are)"
                )
                # The answer before this change: every located site, one by one.
                map_area.MAX_POINTS = 10**9
                ms, size, features = measure(client, "/api/v1/map?lang=vi", max(3, args.runs // 5))
                print(f"{'every site (before)':<20}{'-':>5}{ms:>9.1f}{size:>11,}{features:>10,}")
        finally:
            if postgres:
                drop_pg_schemas(args.database_url, ("bench_map",))


if __name__ == "__main__":
    main()
