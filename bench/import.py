"""How long a spreadsheet import of 1,000 generated rows takes: the dry run, then the import.

Each round makes a fresh database (a SQLite file, or a PostgreSQL schema with --database-url),
writes 1,000 rows in four languages to a CSV or XLSX file, and times what `flask heritage import`
does: read and check every row, then create every site through the editing services (a draft
and its revision each) and commit once. Prints each round and the medians.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import io
import random
import statistics
import tempfile
import time

from scratch_databases import drop_pg_schemas, pg_schema_url

from heritage import create_app
from heritage.accounts.services import create_unit
from heritage.bulk.checking import sheet_columns
from heritage.bulk.sheets import write_table
from heritage.bulk.transfer import NUMBER_COLUMNS, ImportSettings, dry_run, import_plan
from heritage.demo.units import DEMO_UNITS
from heritage.extensions import db
from heritage.migrate import upgrade
from heritage.places.names import known_places

LANGS = ["vi", "en", "zh", "ko"]
PG_SCHEMA = "bench_import"
WORDS = [
    "đình",
    "chùa",
    "miếu",
    "đền",
    "nhà",
    "thờ",
    "họ",
    "bến",
    "cảng",
    "núi",
    "đảo",
    "hang",
    "động",
    "làng",
    "xóm",
    "chợ",
    "cầu",
]


def rows(count: int, seed: int = 1) -> tuple[list[str], list[list[str]]]:
    """`count` relics, red addresses and scenic spots with names and stories in four languages."""
    rng = random.Random(seed)
    headers = sheet_columns(LANGS)
    districts = known_places("district")
    units = list(DEMO_UNITS)
    out = []
    for n in range(count):
        kind = ("heritage_relic", "red_address", "scenic_spot")[n % 3]
        name = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} {n:04d}"
        cells = {
            "kind": kind,
            "district": rng.choice(districts),
            "latitude": repr(round(rng.uniform(20.7, 21.6), 5)),
            "longitude": repr(round(rng.uniform(106.5, 108.0), 5)),
            "location_precision": "approximate",
            "location_radius_m": str(rng.randint(10, 5000)),
            "unit": units[2] if n % 7 == 0 else units[3],
            "sources": f"Sở VHTTDL Quảng Ninh | https://example.org/di-tich/{n}",
        }
        for lang in LANGS:
            cells[f"name_{lang}"] = f"{name} ({lang})"
            cells[f"summary_{lang}"] = f"Tóm tắt {name}, {lang}."
            cells[f"body_{lang}"] = " ".join(rng.choice(WORDS) for _ in range(120))
            if kind == "red_address":
                cells[f"event_{lang}"] = f"Sự kiện {n}"
        out.append([cells.get(h, "") for h in headers])
    return headers, out


def one_round(url: str, data: bytes, filename: str) -> tuple[float, float, int]:
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context(), app.test_request_context():
        for name, kind in DEMO_UNITS.items():
            create_unit(db.session, None, name, kind)
        db.session.commit()
        settings = ImportSettings.from_config(app.config)
        started = time.perf_counter()
        plan = dry_run(db.session, io.BytesIO(data), filename, settings, actor=None)
        checked = time.perf_counter()
        assert plan.ok, plan.problems[:3]
        sites = import_plan(db.session, plan, actor=None)
        db.session.commit()
        done = time.perf_counter()
        db.session.remove()
    db.engine.dispose()
    return checked - started, done - checked, len(sites)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--database-url", help="PostgreSQL to use (a scratch schema); default SQLite")
    args = parser.parse_args()
    headers, data_rows = rows(args.rows)
    data = write_table(args.format, headers, data_rows, NUMBER_COLUMNS)
    print(f"{args.rows} rows, {len(headers)} columns, {args.format.upper()} of {len(data) / 1e6:.1f} MB")
    checks, imports = [], []
    with tempfile.TemporaryDirectory() as folder:
        for n in range(args.rounds):
            if args.database_url:
                url = pg_schema_url(args.database_url, PG_SCHEMA)
            else:
                url = f"sqlite:///{Path(folder) / f'import-{n}.sqlite3'}"
            check, imported, count = one_round(url, data, f"sites.{args.format}")
            checks.append(check)
            imports.append(imported)
            print(f"round {n + 1}: dry run {check:.2f} s, import {imported:.2f} s ({count} sites)")
    if args.database_url:
        drop_pg_schemas(args.database_url, (PG_SCHEMA,))
    print(f"median dry run: {statistics.median(checks):.2f} s")
    print(f"median import:  {statistics.median(imports):.2f} s")
    total = statistics.median(c + i for c, i in zip(checks, imports, strict=True))
    print(f"median total:   {total:.2f} s ({args.rows / total:.0f} rows/s)")


if __name__ == "__main__":
    main()
