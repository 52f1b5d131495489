"""A tour-group load on the production stack, with and without faults, and the scans it loses.

gunicorn (deploy/gunicorn.conf.py, one worker per core) on a PostgreSQL and a Redis that this
script starts itself in a temporary folder on free ports (`initdb`/`pg_ctl`, `redis-server`):
never the machine's shared ones, which it may restart. A bounded Python client on loopback sends
the mix (80% scans `/q/<code>`, which answer with the page; 20% list, search and API) for
`--seconds` per phase: first undisturbed, then with a worker killed (`kill -9`) halfway, Redis
restarted halfway, PostgreSQL restarted halfway. Each phase prints throughput, p50/p99 per route,
errors, and scans answered against scans recorded. A Flask hello-world on the same gunicorn
settings and the same client gives the ratio.

    .venv/bin/python bench/load.py --sites 100000 --seconds 60
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import glob
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from http.client import HTTPConnection

from scratch_databases import BIN, ROOT, prepare
from sqlalchemy import create_engine, text

LOGS = ROOT / "bench" / "out" / "load"
FAULTS = ("none", "kill-worker", "restart-redis", "restart-postgres")
SEARCHES = ["ha long", "dinh", "chua", "cot moc", "yen tu", "bach dang", "mong cai", "den"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.2)
    sys.exit(f"{what} did not come up in {seconds:.0f} s")


# --- PostgreSQL and Redis of our own ------------------------------------------------------------
class OwnPostgres:
    """A throw-away cluster: trust auth on 127.0.0.1, its socket in its own folder."""

    def __init__(self, work: Path) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not found:
            sys.exit("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bin = Path(found[-1]).parent
        self.data = work / "pgdata"
        self.port = free_port()
        self.as_owner: list[str] = []
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to the postgres user
            self.as_owner = ["runuser", "-u", "postgres", "--"]
            os.chmod(work, 0o755)
        self.data.mkdir()
        if self.as_owner:
            shutil.chown(self.data, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.start()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        command = [*self.as_owner, str(self.bin / tool), *args]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data} -c max_connections=200"
        self._run("pg_ctl", action, "-D", str(self.data), "-m", "fast", "-w", "-o", options,
                  "-l", str(self.data / "server.log"))  # fmt: skip

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        self._ctl("restart")

    def stop(self) -> None:
        self._ctl("stop")


class OwnRedis:
    """redis-server with its append-only file on: the scan queue survives its restart."""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.dir = work / "redis"
        self.dir.mkdir()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir)]
        command += ["--appendonly", "yes", "--save", "", "--protected-mode", "yes"]
        log = (self.dir / "redis.log").open("a")
        self.process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
        wait_for(
            lambda: socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close() or True, "redis"
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis fsyncs its append-only file and exits
            self.process.wait(timeout=20)

    def restart(self, down_seconds: float = 2.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def queue_length(self) -> int:
        import redis

        client = redis.Redis.from_url(self.url)
        try:
            return client.llen("heritage:scans")
        finally:
            client.close()


# --- gunicorn ---------------------------------------------------------------------------------
class Server:
    def __init__(
        self, app: str, env: dict[str, str], workers: int, name: str, work: Path, probe: str = "/healthz"
    ) -> None:
        self.port = free_port()
        metrics = work / f"prometheus-{name}"
        metrics.mkdir(exist_ok=True)
        environment = {
            **os.environ,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            **env,
        }
        self.log = LOGS / f"{name}.log"
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", app],
                cwd=ROOT, env=environment, stdout=out, stderr=out, start_new_session=True,
            )  # fmt: skip
        try:
            wait_for(lambda: request(self.port, probe)[0] == 200, f"gunicorn {app}")
        except SystemExit:
            os.killpg(self.process.pid, signal.SIGKILL)  # never leave a half-started server behind
            raise

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: workers write what they hold
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def request(port: int, path: str) -> tuple[int, bytes]:
    connection = HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- the client ---------------------------------------------------------------------------------
class Mix:
    """Tour groups: most scans on a few popular plaques, the rest spread over every site."""

    def __init__(self, codes: list[str], slugs: list[str], seed: int) -> None:
        self.codes, self.slugs, self.hot = codes, slugs, codes[:10]
        self.random = random.Random(seed)

    def next(self) -> tuple[str, str]:
        r = self.random.random()
        if r < 0.8:
            code = (
                self.random.choice(self.hot) if self.random.random() < 0.7 else self.random.choice(self.codes)
            )
            return "/q/<code>", f"/q/{code}"
        if r < 0.87:
            return "/vi/ (list)", f"/vi/?page={self.random.randint(1, 5)}"
        if r < 0.94:
            return "/vi/?q= (search)", "/vi/?q=" + self.random.choice(SEARCHES).replace(" ", "+")
        return "/api/v1/sites/<slug>", f"/api/v1/sites/{self.random.choice(self.slugs)}?lang=en"


class Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.scans_answered = 0
        self.scans_cut_off = 0  # sent, but the connection died before an answer (may be counted)
        self.started = time.perf_counter()
        self.error_times: list[float] = []  # seconds into the phase

    def total(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def client_loop(port: int, mix: Mix, results: Results, stop: threading.Event, accept_language: str) -> None:
    connection = None
    while not stop.is_set():
        route, path = mix.next()
        started = time.perf_counter()
        try:
            if connection is None:
                connection = HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", path, headers={"Accept-Language": accept_language})
            response = connection.getresponse()
            response.read()
            status = response.status
        except Exception:  # noqa: BLE001 - a dropped connection is a failed request, counted
            connection = None
            with results.lock:
                results.errors[route] += 1
                results.error_times.append(time.perf_counter() - results.started)
                if route == "/q/<code>":
                    results.scans_cut_off += 1
            continue
        elapsed = (time.perf_counter() - started) * 1000
        with results.lock:
            results.latencies[route].append(elapsed)
            if status >= 500 or status not in (200, 302, 304, 404):
                results.errors[route] += 1
                results.error_times.append(time.perf_counter() - results.started)
            elif route == "/q/<code>" and status == 200:
                results.scans_answered += 1
        if response.getheader("Connection", "").lower() == "close":
            connection = None


def run_load(port: int, mix_factory, seconds: float, clients: int, fault=None) -> tuple[Results, float]:
    results = Results()
    stop = threading.Event()
    threads = [
        threading.Thread(target=client_loop, args=(port, mix_factory(n), results, stop, "vi-VN,vi;q=0.9"))
        for n in range(clients)
    ]
    started = results.started = time.perf_counter()
    for thread in threads:
        thread.start()
    if fault is not None:
        time.sleep(seconds / 2)
        fault()
        time.sleep(max(0.0, seconds - (time.perf_counter() - started)))
    else:
        time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    return results, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


# --- the phases ---------------------------------------------------------------------------------
def count_scans(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(text("SELECT count(*) FROM scans"))
    finally:
        engine.dispose()


def settled_scans(url: str, redis: OwnRedis, seconds: float = 60) -> int:
    """The scan count once the Redis queue is empty and the count stops moving."""
    deadline = time.monotonic() + seconds
    last = -1
    while time.monotonic() < deadline:
        try:
            now = count_scans(url)
            if now == last and redis.queue_length() == 0:
                return now
            last = now
        except Exception:  # noqa: BLE001 - a database or Redis coming back
            pass
        time.sleep(1.5)
    return count_scans(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=100_000, help="generated sites beside the 33 demo ones")
    parser.add_argument("--seconds", type=float, default=60, help="seconds of load per phase")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client connections")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--faults", default=",".join(FAULTS), help=f"phases to run, from {', '.join(FAULTS)}")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    faults = [f for f in args.faults.split(",") if f]
    unknown = set(faults) - set(FAULTS)
    if unknown:
        sys.exit(f"unknown faults: {', '.join(sorted(unknown))}")
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    work = Path(tempfile.mkdtemp(prefix="heritage-load-"))
    postgres = redis = server = hello = None
    rows = []
    try:
        postgres, redis = OwnPostgres(work), OwnRedis(work)
        print(f"PostgreSQL on :{postgres.port}, Redis on :{redis.port} (our own, in {work})", flush=True)
        took = prepare(postgres.url, args.sites)
        print(f"demo + {args.sites:,} generated sites ready (generation {took:.0f} s)", flush=True)
        engine = create_engine(postgres.url)
        with engine.connect() as connection:
            codes = list(
                connection.scalars(
                    text("SELECT plaque_code FROM sites WHERE state = 'published' ORDER BY id")
                )
            )
            slugs = list(
                connection.scalars(text("SELECT slug FROM sites WHERE state = 'published' ORDER BY id"))
            )
        engine.dispose()
        mix_factory = lambda n: Mix(codes, slugs, args.seed + n)  # noqa: E731

        hello = Server("bench.hello_app:app", {}, args.workers, "hello", work, probe="/")
        run_load(hello.port, lambda n: HelloMix(), 3, args.clients)  # warm-up
        hello_results, hello_seconds = run_load(
            hello.port, lambda n: HelloMix(), args.seconds / 2, args.clients
        )
        hello.stop()
        hello_rate = hello_results.total() / hello_seconds
        hello_p50 = statistics.median(hello_results.latencies["/"])
        print(f"hello-world: {hello_rate:,.0f} req/s, p50 {hello_p50:.2f} ms", flush=True)

        env = {
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "RATELIMIT_STORAGE_URI": redis.url.replace("/0", "/1"),
            "SCAN_LIMIT_PER_MINUTE": "0",  # one client address sends every scan
            "SECRET_KEY": "bench",
            "LOG_FORMAT": "json",
        }
        server = Server("app:app", env, args.workers, "heritage", work)
        run_load(server.port, mix_factory, 5, args.clients)  # warm-up: caches, connections
        for fault in faults:
            before = settled_scans(postgres.url, redis)
            action = {
                "none": None,
                "kill-worker": lambda: os.kill(random.choice(server.workers()), signal.SIGKILL),
                "restart-redis": redis.restart,
                "restart-postgres": postgres.restart,
            }[fault]
            print(f"phase {fault}: {args.seconds:.0f} s of load ...", flush=True)
            results, seconds = run_load(server.port, mix_factory, args.seconds, args.clients, action)
            recorded = settled_scans(postgres.url, redis) - before
            rows.append((fault, results, seconds, recorded))
            report_phase(fault, results, seconds, recorded, hello_rate, hello_p50)
        server.stop()
    finally:
        for part in (server, hello, redis, postgres):
            if part is not None:
                try:
                    part.stop()
                except Exception as error:  # noqa: BLE001 - clean up the rest regardless
                    print(f"stopping {type(part).__name__}: {error}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)
    print(f"\nSummary (gunicorn {args.workers} workers x {os.environ.get('GUNICORN_THREADS', '8')} threads, "
          f"{args.clients} clients, {len(codes):,} sites, hello-world {hello_rate:,.0f} req/s):")  # fmt: skip
    print(
        f"{'phase':<17} {'req/s':>7} {'vs hello':>8} {'errors':>6} {'scans answered':>14} {'recorded':>8} {'lost':>5}"
    )
    for fault, results, seconds, recorded in rows:
        rate = results.total() / seconds
        errors = sum(results.errors.values())
        lost = results.scans_answered - recorded
        print(f"{fault:<17} {rate:>7.0f} {rate / hello_rate:>7.2f}x {errors:>6} {results.scans_answered:>14} "
              f"{recorded:>8} {max(lost, 0):>5}")  # fmt: skip
    return 0


class HelloMix:
    def next(self) -> tuple[str, str]:
        return "/", "/"


def report_phase(
    fault: str, results: Results, seconds: float, recorded: int, hello_rate: float, hello_p50: float
):
    rate = results.total() / seconds
    print(f"  {rate:,.0f} req/s ({rate / hello_rate:.2f}x hello-world) over {seconds:.1f} s")
    print(f"  {'route':<22} {'requests':>8} {'p50 ms':>7} {'p99 ms':>8} {'p50 vs hello':>12} {'errors':>6}")
    for route in sorted(set(results.latencies) | set(results.errors)):
        values = results.latencies.get(route, [])
        p50 = statistics.median(values) if values else float("nan")
        print(f"  {route:<22} {len(values):>8} {p50:>7.2f} {percentile(values, 0.99):>8.2f} "
              f"{p50 / hello_p50:>11.1f}x {results.errors.get(route, 0):>6}")  # fmt: skip
    if results.error_times:
        times = results.error_times
        print(f"  errors between {min(times):.1f} s and {max(times):.1f} s into the phase"
              f"{f' (fault at {seconds / 2:.1f} s)' if fault != 'none' else ''}")  # fmt: skip
    print(f"  scans answered {results.scans_answered}, cut off {results.scans_cut_off}, recorded {recorded}, "
          f"lost {max(results.scans_answered - recorded, 0)} (extra rows: {max(recorded - results.scans_answered, 0)}, "
          "scans whose answer died with the connection)", flush=True)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
