"""Requests per second and median latency of the scan URL and a site page (gunicorn, loaded by wrk).

Beside a Flask hello-world on identical gunicorn settings, and again with 100,000 generated sites.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run from a checkout: the heritage package is imported from the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time

from scratch_databases import BIN, ROOT, drop_pg_schemas, pg_schema_url, prepare
from sqlalchemy import create_engine, text

LOGS = ROOT / "bench" / "out" / "http"
ACCEPT_LANGUAGE = "vi-VN,vi;q=0.9,en;q=0.8"
PG_SCHEMAS = ("bench_demo", "bench_large")
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
# gunicorn master pid by base URL: its workers' CPU time is read around each wrk run.
SERVER_PIDS: dict[str, int] = {}
TICKS = os.sysconf("SC_CLK_TCK")


def code_and_count(url: str, slug: str) -> tuple[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        code = conn.execute(text("SELECT plaque_code FROM sites WHERE slug = :s"), {"s": slug}).scalar_one()
        count = conn.execute(text("SELECT count(*) FROM sites")).scalar_one()
    engine.dispose()
    return code, count


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int) -> bool:
    """True once GET / gets any HTTP response (plain socket: this module cannot import http)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return sock.recv(12).startswith(b"HTTP/1.")
    except OSError:
        return False


def start_server(
    app: str, args: argparse.Namespace, name: str, env: dict[str, str]
) -> tuple[subprocess.Popen, str]:
    """gunicorn serving `app` on a free loopback port, in its own process group; waits until it answers."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
    command += [
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--log-level",
        "warning",
        app,
    ]
    log = LOGS / f"{name}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out, start_new_session=True
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if answers(port):
            SERVER_PIDS[f"http://127.0.0.1:{port}"] = process.pid
            return process, f"http://127.0.0.1:{port}"
        time.sleep(0.2)
    stop_server(process)
    sys.exit(f"gunicorn {app} did not start:\n{log.read_text()[-2000:]}")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def server_cpu_seconds(url: str) -> float:
    """User + system CPU seconds used so far by the gunicorn serving `url` and its workers: per
    request, a figure the other jobs on a shared machine barely move (throughput they do)."""
    pid = next(pid for base, pid in SERVER_PIDS.items() if url.startswith(base + "/"))
    pids = [pid]
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        pids += [int(child) for child in children.read_text().split()]
    ticks = 0
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that just ended
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / TICKS


def measured_run(url: str, seconds: int, connections: int) -> tuple[float, float, int, float]:
    """wrk's figures plus the server's CPU microseconds per request."""
    before = server_cpu_seconds(url)
    rps, p50, failed, requests = wrk(url, seconds, connections)
    return rps, p50, failed, (server_cpu_seconds(url) - before) / max(requests, 1) * 1e6


def wrk(
    url: str, seconds: int, connections: int, script: Path | None = None
) -> tuple[float, float, int, int]:
    """(requests per second, median latency in ms, failed requests, requests) from one wrk run;
    `script`: a Lua file choosing each request's path."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    command += ["-H", f"Accept-Language: {ACCEPT_LANGUAGE}", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    out = done.stdout
    if done.returncode or "Requests/sec" not in out:
        sys.exit(f"wrk failed on {url}:\n{out}{done.stderr}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", out).groups()
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    failed = (int(bad.group(1)) if bad else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rps, float(value) * UNITS[unit], failed, requests


def start_targets(args, work: Path, servers: list, notes: list) -> list[tuple[str, str, tuple | None, str]]:
    """Build the databases, start one server per database and the hello-world; (label, url, key, size)."""
    backends = [("sqlite", f"sqlite:///{work / 'demo.sqlite3'}", f"sqlite:///{work / 'large.sqlite3'}")]
    if args.database_url:
        backends.append(("postgresql", *(pg_schema_url(args.database_url, schema) for schema in PG_SCHEMAS)))
    targets = []
    for name, small_url, large_url in backends:
        print(f"Preparing {name}: demo database, then demo + {args.sites:,} generated sites ...", flush=True)
        prepare(small_url, 0)
        seconds = prepare(large_url, args.sites)
        notes.append(f"{name}: `flask heritage generate-sites {args.sites}` took {seconds:.1f} s")
        sizes = (("small", small_url), ("large", large_url)) if args.sites else (("small", small_url),)
        for size, url in sizes:
            code, count = code_and_count(url, args.slug)
            # One client address sends every scan: without the per-address limit each one is written.
            env = {"DATABASE_URL": url, "SCAN_LIMIT_PER_MINUTE": "0", "LOG_FORMAT": args.log_format}
            # How scans are written: each in its request (before batching), in a batch a second
            # from memory (embedded default), or through the Redis queue (PostgreSQL, 33 sites only:
            # one queue key, so one database may use it).
            modes = {"direct": {"SCAN_FLUSH_SECONDS": "0"}, "memory": {}}
            if args.redis_url and name == "postgresql" and size == "small":
                modes["redis"] = {"REDIS_URL": args.redis_url}
                # Production's defaults: the per-address limit on, kept in Redis (all of wrk's
                # scans come from one address, so after the first 30 a minute none counts).
                modes["redis+limit"] = {
                    "REDIS_URL": args.redis_url,
                    "RATELIMIT_STORAGE_URI": args.redis_url,
                    "SCAN_LIMIT_PER_MINUTE": "30",
                }
            for mode, extra in modes.items():
                metrics_dir = work / f"prometheus-{name}-{size}-{mode}"  # as in production
                metrics_dir.mkdir()
                extra = {**extra, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
                process, base = start_server("app:app", args, f"{name}-{size}-{mode}", {**env, **extra})
                servers.append(process)
                route = f"/q/<code> {mode}"
                targets.append(
                    (f"{route}  {name}, {count:,} sites", base + f"/q/{code}", (name, route), size)
                )
            page = f"/vi/sites/{args.slug}"
            targets.append((f"{page}  {name}, {count:,} sites", base + page, (name, page), size))
    process, base = start_server("bench.hello_app:app", args, "hello", {})
    servers.append(process)
    return [("hello world", base + "/", None, ""), *targets]


def report(targets: list, runs: dict[str, list[tuple[float, float, int, float]]], notes: list[str]) -> None:
    """Medians over rounds; each figure against hello-world, and the large database against the demo one.

    Two ratios: throughput (what the goal names; moves with whatever else the machine runs) and
    the servers' CPU time per request (hello-world's over the target's; steady under load)."""
    medians = {
        label: [statistics.median(run[i] for run in got) for i in (0, 1, 3)] for label, got in runs.items()
    }
    hello, hello_cpu = medians["hello world"][0], medians["hello world"][2]
    width = max(len(label) for label in medians)
    print(
        f"\n{'target':<{width}}  {'req/s':>7}  {'range req/s':>11}  {'p50 ms':>6}  {'vs hello':>8}"
        f"  {'CPU us/req':>10}  {'CPU vs hello':>12}  {'failed':>6}"
    )
    for label, (rps, ms, cpu) in medians.items():
        spread = f"{min(run[0] for run in runs[label]):.0f}-{max(run[0] for run in runs[label]):.0f}"
        failed = sum(run[2] for run in runs[label])
        print(
            f"{label:<{width}}  {rps:>7.0f}  {spread:>11}  {ms:>6.2f}  {rps / hello:>7.2f}x"
            f"  {cpu:>10.0f}  {hello_cpu / cpu:>11.2f}x  {failed:>6}"
        )
    if any(size == "large" for *_rest, size in targets):
        print("\nLarge database vs demo database (goal: at most 1.2x slower)")
    by_key = {(key, size): label for label, _url, key, size in targets if key}
    for (key, size), large in by_key.items():
        if size == "large" and (key, "small") in by_key:
            (rps_s, ms_s, _cpu_s), (rps_l, ms_l, _cpu_l) = medians[by_key[(key, "small")]], medians[large]
            print(
                f"  {key[1]} ({key[0]}): p50 latency x{ms_l / ms_s:.2f}, time per request x{rps_s / rps_l:.2f}"
            )
    for note in notes:
        print(note)
    if any(run[2] for got in runs.values() for run in got):
        print(f"FAILED REQUESTS (errors or non-2xx/3xx answers): see the server logs in {LOGS}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unrecorded load per target first")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (one wrk thread)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--sites", type=int, default=100_000, help="generated sites in the large database (0: demo only)"
    )
    parser.add_argument(
        "--slug", default="dinh-trung-ban", help="the demo site whose code and vi page are loaded"
    )
    parser.add_argument(
        "--redis-url", help="also measure scans through the Redis queue (REDIS_URL), on PostgreSQL"
    )
    parser.add_argument("--log-format", default="json", help="LOG_FORMAT of the app servers")
    parser.add_argument(
        "--database-url",
        help="also run on this PostgreSQL database, in schemas bench_demo and "
        "bench_large that are created in it and dropped afterwards",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: bash scripts/install-system-deps.sh")
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="heritage-bench-"))
    servers: list[subprocess.Popen] = []
    notes: list[str] = []
    try:
        targets = start_targets(args, work, servers, notes)
        print(
            f"gunicorn --workers {args.workers} --worker-class {args.worker_class} --threads {args.threads}; "
            f"wrk -t1 -c{args.connections}; {args.warmup} s warm-up per target, then {args.rounds} "
            f"interleaved rounds of {args.duration} s per target",
            flush=True,
        )
        for _label, url, _key, _size in targets:
            wrk(url, args.warmup, args.connections)
        runs: dict[str, list[tuple[float, float, int, float]]] = {target[0]: [] for target in targets}
        for n in range(args.rounds):
            for label, url, _key, _size in targets:
                runs[label].append(measured_run(url, args.duration, args.connections))
            print(f"  round {n + 1}/{args.rounds} done", flush=True)
    finally:
        for process in servers:
            stop_server(process)
        if args.database_url:
            drop_pg_schemas(args.database_url, PG_SCHEMAS)
        shutil.rmtree(work, ignore_errors=True)
    report(targets, runs, notes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
