"""Search latency at 33 and 100,033 sites, SQLite and PostgreSQL side by side.

Times `heritage.sites.queries.list_sites` (count, ranked page, texts: all a search costs the
database) for typical queries, and prints medians and the growth from 33 to 100,033 sites.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run from a checkout: the heritage package is imported from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import os
import statistics
import tempfile
import time

from scratch_databases import drop_pg_schemas, pg_schema_url, prepare
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from heritage.db import make_engine
from heritage.sites.queries import list_sites
from heritage.sites.search import parse_query

PG_SCHEMAS = ("bench_search_demo", "bench_search_large")
CHAIN = ["vi", "en"]  # a Vietnamese visitor
# The goal's four kinds of query, as visitors type them (no diacritics, lower case).
QUERIES = {
    "exact name": "dinh tra co",
    "name prefix": "vinh ha",
    "a word": "bach",
    "no match": "xyzzy",
}
# Shown too, outside the goal: what grows with the number of matches or skips the index.
EXTRAS = {
    "plaque code": None,  # the code of yen-tu, typed "abc de" (codes differ per database)
    "common word (13% of sites)": "dinh",
    "short word (no trigram)": "ha",
    "list, page 1 (no query)": "",
    "list, page 50 (no query)": "",
}


def prepare_and_analyze(url: str, extra_sites: int) -> float:
    seconds = prepare(url, extra_sites)
    # What autovacuum does soon after a bulk insert on PostgreSQL: statistics for the planner,
    # and the GIN index's pending list merged (until then every search scans that list).
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()
    return seconds


def postgres_ready(url: str) -> bool:
    """Whether the database at `url` answers; created (as a scratch database) when missing."""
    try:
        create_engine(url).connect().close()
        return True
    except OperationalError:
        pass
    try:
        server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{make_url(url).database}"'))
        server.dispose()
        return True
    except (OperationalError, ProgrammingError) as error:
        print(f"PostgreSQL skipped: {error.orig}")
        return False


def typed_code(session: Session) -> str:
    code = session.scalar(text("SELECT plaque_code FROM sites WHERE slug = 'yen-tu'"))
    return f"{code[:3].lower()} {code[3:].lower()}"


def run_once(session: Session, label: str, query: str) -> tuple[float, int]:
    page = 50 if "page 50" in label else 1
    started = time.perf_counter()
    result = list_sites(session, CHAIN, page=page, per_page=20, search=parse_query(query))
    elapsed = (time.perf_counter() - started) * 1000
    session.expunge_all()  # the next run loads rows afresh, like a new request
    return elapsed, result.total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=100_000, help="generated sites in the large database")
    parser.add_argument("--rounds", type=int, default=15, help="timed runs of every query on every database")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/heritage_search_bench"
        ),
        help="a PostgreSQL database of its own ('' to skip PostgreSQL)",
    )
    args = parser.parse_args()
    if args.database_url and not postgres_ready(args.database_url):
        args.database_url = ""

    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        targets = {
            "SQLite 33": f"sqlite:///{tmp}/demo.sqlite3",
            f"SQLite {args.sites + 33:,}": f"sqlite:///{tmp}/large.sqlite3",
        }
        if args.database_url:
            targets["PostgreSQL 33"] = pg_schema_url(args.database_url, PG_SCHEMAS[0])
            targets[f"PostgreSQL {args.sites + 33:,}"] = pg_schema_url(args.database_url, PG_SCHEMAS[1])
        try:
            for name, url in targets.items():
                extra = 0 if name.endswith(" 33") else args.sites
                seconds = prepare_and_analyze(url, extra)
                print(f"prepared {name}" + (f" (generate-sites {extra:,}: {seconds:.1f} s)" if extra else ""))
            engines = {name: make_engine(url) for name, url in targets.items()}
            sessions = {name: Session(engine) for name, engine in engines.items()}
            queries = {**QUERIES, **EXTRAS}
            codes = {name: typed_code(session) for name, session in sessions.items()}  # random per load
            times = {(t, q): [] for t in targets for q in queries}
            totals = {}
            for round_ in range(args.rounds + 1):  # round 0 warms caches, plans and ICU up
                for name, session in sessions.items():  # interleaved: drift hits every target alike
                    for label, query in queries.items():
                        elapsed, total = run_once(session, label, codes[name] if query is None else query)
                        if round_:
                            times[name, label].append(elapsed)
                            totals[name, label] = total
            for session in sessions.values():
                session.close()
            for engine in engines.values():
                engine.dispose()
        finally:
            if args.database_url:
                drop_pg_schemas(args.database_url, PG_SCHEMAS)

    report(list(targets), queries, times, totals, args.rounds)
    return 0


def report(targets: list[str], queries: dict, times: dict, totals: dict, rounds: int) -> None:
    print(f"\nlist_sites() latency, median of {rounds} runs, ms (matches at the large size in brackets)")
    pairs = [(targets[i], targets[i + 1]) for i in range(0, len(targets), 2)]
    header = ["query", *[f"{small} | {large} | growth" for small, large in pairs]]
    print(" | ".join(header))
    growth = {pair: [] for pair in pairs}
    for label, query in queries.items():
        cells = [f"{label} ({query!r})" if query else label]
        for small, large in pairs:
            a = statistics.median(times[small, label])
            b = statistics.median(times[large, label])
            if label in QUERIES:
                growth[small, large].append(b / a)
            cells.append(f"{a:.2f} | {b:.2f} [{totals[large, label]:,}] | {b / a:.2f}x")
        print(" | ".join(cells))
    for (small, _large), ratios in growth.items():
        engine = small.rsplit(" ", 1)[0]
        print(
            f"{engine}: median growth of the four goal queries {statistics.median(ratios):.2f}x"
            f" (worst {max(ratios):.2f}x; goal <= 1.5x)"
        )


if __name__ == "__main__":
    sys.exit(main())
