"""How fast could a cold site page be? The page's work added part by part, against hello-world.

Serves, with the same gunicorn settings as bench/http_load.py (`-w 2 -k sync`, `wrk -c4`), in
interleaved rounds: a Flask hello-world, the app's /healthz, and bench/floor_app.py's routes,
which answer with a fixed copy of the page after doing none, one or both of its statements, and
the real page with the cache off. Prints req/s and the ratio to hello-world of each: issue 12's
goal for the cold page is 0.25x.

    .venv/bin/python bench/cold_page_floor.py [--database-url postgresql+psycopg://...] [--rounds 4]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(1, str(Path(__file__).resolve().parent))

import argparse
import os
import statistics
import tempfile

from http_load import start_server, stop_server, wrk
from scratch_databases import pg_schema_url, prepare

TARGETS = [
    ("app's /healthz", "/healthz"),
    ("fixed copy of the page", "/floor/fixed/{slug}"),
    ("+ site statement", "/floor/site/{slug}"),
    ("+ mention statement", "/floor/statements/{slug}"),
    ("real page, cache off", "/vi/sites/{slug}"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a PostgreSQL database (a scratch schema is used)")
    parser.add_argument("--slug", default="dinh-trung-ban")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    args.worker_class, args.threads = "sync", 1
    with tempfile.TemporaryDirectory() as work:
        if args.database_url:
            url = pg_schema_url(args.database_url, "bench_floor")
        else:
            url = f"sqlite:///{Path(work) / 'floor.sqlite3'}"
        prepare(url, 0)
        env = {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "LOG_FORMAT": "json",
            "SCAN_LIMIT_PER_MINUTE": "0",
            "PAGE_CACHE_SECONDS": "0",
            "PROMETHEUS_MULTIPROC_DIR": work,
        }
        servers = []
        try:
            process, hello = start_server("bench.hello_app:app", args, "floor-hello", {})
            servers.append(process)
            process, base = start_server("bench.floor_app:app", args, "floor-app", env)
            servers.append(process)
            targets = [("hello-world", hello + "/")]
            targets += [(label, base + path.format(slug=args.slug)) for label, path in TARGETS]
            for _label, target in targets:
                wrk(target, 2, args.connections)
            runs = {label: [] for label, _ in targets}
            for n in range(args.rounds):
                for label, target in targets:
                    runs[label].append(wrk(target, args.duration, args.connections))
                print(f"  round {n + 1}/{args.rounds}", flush=True)
        finally:
            for process in servers:
                stop_server(process)
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n{database}, 33 demo sites, /vi/sites/{args.slug}; gunicorn -w {args.workers} -k sync, "
          f"wrk -c{args.connections}, {args.rounds} interleaved rounds of {args.duration} s (medians); "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    hello_rps = statistics.median(r[0] for r in runs["hello-world"])
    print(f"{'target':<26} {'req/s':>7} {'range':>11} {'vs hello':>8} {'failed':>6}")
    for label, got in runs.items():
        rps = statistics.median(r[0] for r in got)
        spread = f"{min(r[0] for r in got):.0f}-{max(r[0] for r in got):.0f}"
        failed = sum(r[2] for r in got)
        print(f"{label:<26} {rps:>7.0f} {spread:>11} {rps / hello_rps:>7.2f}x {failed:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
