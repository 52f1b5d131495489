"""A cold site page (PAGE_CACHE_SECONDS=0) against a Flask hello-world, and where its time goes.

Two parts, printed one after the other:
1. Side by side over HTTP: gunicorn (`-w 2 -k sync`, as bench/http_load.py) serving hello-world,
   the site page with the cache off and with it on, and with --sites the long tail (each request
   a random one of 20,000 generated sites' pages), loaded in interleaved wrk rounds: req/s, p50
   and the ratio to hello-world (issue 12's goal for the cold page: at least 0.25x).
2. In process: the page rendered N times with the cache off under cProfile, across the 33 demo
   sites and 33 generated ones, with the Markdown memos emptied before each (a cold page); the
   time per render split by area (SQL, template, Markdown, links, SEO data, ...) and the
   functions that cost most.

With --before DIR (a copy of the code before a change) both are run for it too, in the same
rounds: the before/after figures are side by side under the same machine load.

    .venv/bin/python bench/cold_page.py [--sites 100000] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import sys
from pathlib import Path

# --code-root DIR: import and serve the heritage package of another checkout (the code before a
# change, e.g. `git worktree add /tmp/before main`), for figures side by side.
sys.path.insert(
    0,
    sys.argv[sys.argv.index("--code-root") + 1]
    if "--code-root" in sys.argv
    else str(Path(__file__).resolve().parent.parent),
)
sys.path.insert(1, str(Path(__file__).resolve().parent))

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import subprocess
import tempfile
import time

from http_load import LOGS, start_server, stop_server, wrk
from scratch_databases import pg_schema_url, prepare
from sqlalchemy import create_engine, text

CODE_ROOT = (
    sys.argv[sys.argv.index("--code-root") + 1]
    if "--code-root" in sys.argv
    else str(Path(__file__).resolve().parent.parent)
)
sys.path.insert(0, CODE_ROOT)  # first again: http_load put this checkout's root before it

SLUG = "dinh-trung-ban"
# Areas of a render: (label, file suffix, function), measured as the function's cumulative time.
AREAS = [
    ("whole request (test client)", "werkzeug/test.py", "open"),
    ("site_page view", "heritage/web/visitor.py", "site_page"),
    ("SQL statements (execute)", "sqlalchemy/engine/base.py", "_execute_context"),
    ("ORM loading of rows", "sqlalchemy/orm/loading.py", "instances"),
    ("templates (Jinja render)", "jinja2/environment.py", "render"),
    ("Markdown + nh3 sanitising", "heritage/sites/markdown.py", "render_markdown"),
    ("links to mentioned sites", "heritage/web/visitor.py", "_story_html"),
    ("  their candidates (statement)", "heritage/sites/linked.py", "mention_candidates"),
    ("site + texts (statement, ORM)", "heritage/sites/services.py", "site_for_slug"),  # before
    ("site + texts (statement, plain)", "heritage/web/page_site.py", "page_site"),
    ("SEO data (Open Graph, JSON-LD)", "heritage/web/seo.py", "site_meta"),
    ("place names", "heritage/places/names.py", "place_names"),
    ("photo gallery", "heritage/web/media.py", "photo_gallery"),
    ("related/component sites", "heritage/sites/linked.py", "component_sites"),
    ("language negotiation", "heritage/i18n/negotiation.py", "negotiate"),
    ("request log line + metrics", "heritage/ops/logs.py", "_finish"),
    ("compression (Flask-Compress)", "flask_compress/flask_compress.py", "after_request"),
]


def long_tail_slugs(connection, count: int) -> list[str]:
    """Generated sites spread over the database: the long tail nobody has visited lately (a
    district of thousands, up to 200 mention candidates each). None without --sites."""
    total = connection.scalar(text("SELECT count(*) FROM sites WHERE slug LIKE 'generated-site-%'"))
    if not total:
        return []
    query = text(
        "SELECT slug FROM sites WHERE slug LIKE 'generated-site-%' AND state = 'published' "
        "AND id % :step = 0 ORDER BY id LIMIT :count"
    )
    return list(connection.scalars(query, {"step": max(1, total // count), "count": count}))


def profile(url: str, renders: int, top: int) -> None:
    import heritage
    from heritage import create_app

    print(f"(heritage imported from {Path(heritage.__file__).parent})")
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "PAGE_CACHE_SECONDS": 0, "LOG_FORMAT": "json"}
    )
    engine = create_engine(url)
    with engine.connect() as connection:
        slugs = list(
            connection.scalars(text("SELECT slug FROM sites WHERE state = 'published' ORDER BY id LIMIT 33"))
        )
        slugs += long_tail_slugs(connection, 33)
    engine.dispose()
    client = app.test_client()
    from heritage.sites import markdown

    # Cold means cold: no story already rendered, no name already reduced in this process (at
    # 100,000 sites a process's memos of 2,048 stories hold few of the pages asked for).
    memos = [f.cache_clear for f in vars(markdown).values() if hasattr(f, "cache_clear")]

    def forget() -> None:
        for clear in memos:
            clear()

    headers = {"Accept-Language": "vi", "Accept-Encoding": "gzip"}
    paths = [f"/vi/sites/{slug}" for slug in slugs]
    stderr, sys.stderr = sys.stderr, io.StringIO()  # the JSON request log lines
    try:
        for path in paths:  # warm: connections, templates compiled
            assert client.get(path, headers=headers).status_code == 200
        timings = []
        for n in range(renders):
            forget()
            started = time.perf_counter()
            client.get(paths[n % len(paths)], headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
        profiler = cProfile.Profile()
        for n in range(renders):
            forget()
            profiler.enable()
            client.get(paths[n % len(paths)], headers=headers)
            profiler.disable()
    finally:
        sys.stderr = stderr
    stats = pstats.Stats(profiler)
    print(f"\nIn process, {renders} renders of {len(paths)} different pages, cache off: "
          f"p50 {statistics.median(timings):.2f} ms, mean {statistics.mean(timings):.2f} ms per request "
          "(unprofiled)")  # fmt: skip
    print(f"\n{'area (cumulative, overlapping)':<34} {'ms/render':>9} {'share':>6}")
    entries = stats.stats  # (file, line, function) -> (calls, ncalls, tottime, cumtime, callers)
    whole = None
    for label, suffix, function in AREAS:
        cumulative = sum(v[3] for k, v in entries.items() if k[0].endswith(suffix) and k[2] == function)
        per_render = cumulative * 1000 / renders
        whole = whole or per_render
        print(f"{label:<34} {per_render:>9.2f} {per_render / whole:>6.0%}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("ncalls"))
    print(f"\nTop {top} functions by own time (profiled, so slower than above):")
    for line in lines[start : start + top + 1]:
        print("  " + line.replace(str(Path(sys.prefix)), "").strip()[:150])


ROTATE = """-- Each request a random page of the list: a long tail, not one page over and over.
math.randomseed(os.time())
local paths = {%s}
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def rotation_script(url: str, work: Path, count: int = 20000) -> Path | None:
    """A wrk script over `count` generated sites' pages (more than the Markdown memo's 2,048 a
    process keeps), or None without generated sites."""
    engine = create_engine(url)
    with engine.connect() as connection:
        slugs = long_tail_slugs(connection, count)
    engine.dispose()
    if not slugs:
        return None
    script = work / "long_tail.lua"
    script.write_text(ROTATE % ",".join(f'"/vi/sites/{slug}"' for slug in slugs))
    return script


def side_by_side(url: str, args, work: Path) -> None:
    servers = []
    long_tail = rotation_script(url, work)
    try:
        env = {"DATABASE_URL": url, "LOG_FORMAT": "json", "SECRET_KEY": "bench", "SCAN_LIMIT_PER_MINUTE": "0"}
        targets = []  # (label, url, wrk script or None)
        process, base = start_server("bench.hello_app:app", args, "cold-hello", {})
        servers.append(process)
        targets.append(("hello world", base + "/", None))
        pages = [("site page, cache off", "0", None), ("site page, cache on", "30", None)]
        if args.before:
            pages.insert(0, ("cache off, before", "0", args.before))
        for label, seconds, root in pages:
            metrics = work / f"prometheus-{seconds}-{bool(root)}"
            metrics.mkdir()
            extra = {"PAGE_CACHE_SECONDS": seconds, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
            if root:  # gunicorn imports app:app from its working folder: the other checkout's
                extra["GUNICORN_CMD_ARGS"] = f"--chdir {Path(root).resolve()}"
            process, base = start_server(
                "app:app", args, f"cold-page-{seconds}-{bool(root)}", {**env, **extra}
            )
            servers.append(process)
            targets.append((label, base + f"/vi/sites/{SLUG}", None))
            if long_tail and seconds == "0":
                tail_label = "long tail, before" if root else "long tail, cache off"
                targets.append((tail_label, base + "/", long_tail))
        for _label, target, script in targets:
            wrk(target, 2, args.connections, script)
        runs = {label: [] for label, _, _ in targets}
        for n in range(args.rounds):
            for label, target, script in targets:
                runs[label].append(wrk(target, args.duration, args.connections, script))
            print(f"  round {n + 1}/{args.rounds}", flush=True)
    finally:
        for process in servers:
            stop_server(process)
    print(f"(load average when done: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"long tail: a random one of {len(long_tail.read_text().split(',')) if long_tail else 0:,} generated sites' pages per request)")  # fmt: skip
    hello = statistics.median(r[0] for r in runs["hello world"])
    print(f"\ngunicorn -w {args.workers} -k {args.worker_class}, wrk -c{args.connections}, "
          f"{args.rounds} interleaved rounds of {args.duration} s (medians):")  # fmt: skip
    print(f"{'target':<22} {'req/s':>7} {'range':>11} {'p50 ms':>7} {'vs hello':>8} {'failed':>6}")
    for label, got in runs.items():
        rps = statistics.median(r[0] for r in got)
        p50 = statistics.median(r[1] for r in got)
        spread = f"{min(r[0] for r in got):.0f}-{max(r[0] for r in got):.0f}"
        failed = sum(r[2] for r in got)
        print(f"{label:<22} {rps:>7.0f} {spread:>11} {p50:>7.2f} {rps / hello:>7.2f}x {failed:>6}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=0, help="generated sites beside the 33 demo ones")
    parser.add_argument(
        "--database-url", help="PostgreSQL instead of SQLite (schema bench_cold, dropped after)"
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--renders", type=int, default=300, help="renders profiled in process")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--skip-http", action="store_true", help="only the in-process profile")
    parser.add_argument("--before", help="a checkout of the code before a change: served and profiled too")
    parser.add_argument("--code-root", help=argparse.SUPPRESS)  # read at import (see the top)
    parser.add_argument("--profile-only", help=argparse.SUPPRESS)  # DATABASE URL: profile, nothing else
    args = parser.parse_args()
    args.worker_class, args.threads = "sync", 1
    if args.profile_only:
        profile(args.profile_only, args.renders, args.top)
        return 0
    LOGS.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="heritage-cold-"))
    url = (
        pg_schema_url(args.database_url, "bench_cold")
        if args.database_url
        else f"sqlite:///{work / 'cold.sqlite3'}"
    )
    try:
        prepare(url, args.sites)
        # What autovacuum does soon after a bulk insert: without statistics PostgreSQL's planner
        # still believes the 33 demo rows and picks plans that read all 100,000 (35 ms a query).
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
        engine.dispose()
        print(
            f"Database: {'PostgreSQL' if args.database_url else 'SQLite'}, 33 demo + {args.sites:,} generated sites"
        )
        if not args.skip_http:
            side_by_side(url, args, work)
        if args.before:
            print(f"\n=== BEFORE ({args.before}) ===", flush=True)
            command = [sys.executable, __file__, "--code-root", args.before, "--profile-only", url]
            subprocess.run([*command, "--renders", str(args.renders), "--top", str(args.top)], check=True)
            print("\n=== AFTER (this checkout) ===", flush=True)
        profile(url, args.renders, args.top)
    finally:
        if args.database_url:
            from scratch_databases import drop_pg_schemas

            drop_pg_schemas(args.database_url, ("bench_cold",))
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("FLASK_APP", "app.py")
    sys.exit(main())
