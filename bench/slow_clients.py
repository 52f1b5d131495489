"""Do slow clients stall the server? /healthz latency while connections send headers slowly.

Serves the app with gunicorn twice, side by side in one run: `-w 2 -k sync` (the old way) and
`deploy/gunicorn.conf.py` (gthread, the shipped config) with the same two workers. For each, it
measures /healthz alone, then while N connections each dribble a request's headers one byte at a
time (a "slowloris"), for N in --slow (default 4 and 20). A probe that gets no answer within
--probe-timeout counts as failed, at that timeout.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse
import os
import socket
import statistics
import subprocess
import tempfile
import threading
import time

from bench.http_load import answers, free_port, stop_server

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOGS = ROOT / "bench" / "out" / "slow"

SERVERS = {
    "sync -w 2": ["--workers", "2", "--worker-class", "sync"],
    "deploy/gunicorn.conf.py (gthread, 2 workers)": ["-c", "deploy/gunicorn.conf.py"],
}


def start(name: str, args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / (name.split()[0].replace("/", "_") + ".log")
    command = [
        str(BIN / "gunicorn"),
        *args,
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "app:app",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out, start_new_session=True
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if answers(port):
            return process, port
        time.sleep(0.2)
    stop_server(process)
    sys.exit(f"gunicorn did not start:\n{log.read_text()[-2000:]}")


def probe(port: int, timeout: float) -> float | None:
    """Seconds for one GET /healthz on a fresh connection, or None when it got no answer in time."""
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.settimeout(max(0.01, timeout - (time.perf_counter() - started)))
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            if not sock.recv(64).startswith(b"HTTP/1.1 200"):
                return None
    except OSError:
        return None
    return time.perf_counter() - started


class Slowloris:
    """`count` connections, each sending a never-ending header one byte every `interval` seconds."""

    def __init__(self, port: int, count: int, interval: float) -> None:
        self.port, self.count, self.interval = port, count, interval
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._dribble, daemon=True) for _ in range(count)]

    def _dribble(self) -> None:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                header = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000
                for byte in header:
                    if self.stop.wait(self.interval):
                        return
                    sock.sendall(bytes([byte]))
        except OSError:
            return  # the server closed it: that is the mitigation working

    def __enter__(self) -> Slowloris:
        for thread in self.threads:
            thread.start()
        time.sleep(1.0)  # every connection accepted and past its first bytes
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=5)


def measure(port: int, probes: int, timeout: float) -> tuple[float, int]:
    """(median ms with failed probes counted at the timeout, failed probes)."""
    times = []
    failed = 0
    for _ in range(probes):
        took = probe(port, timeout)
        if took is None:
            failed += 1
            took = timeout
        times.append(took * 1000)
        time.sleep(0.05)
    return statistics.median(times), failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", type=int, nargs="+", default=[4, 20], help="slow connections per case")
    parser.add_argument("--probes", type=int, default=10)
    parser.add_argument("--probe-timeout", type=float, default=3.0)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between a slow client's bytes")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        env = {
            "DATABASE_URL": f"sqlite:///{work}/slow.sqlite3",
            "SECRET_KEY": "bench",
            "WEB_CONCURRENCY": "2",
        }
        servers = {name: start(name, flags, env) for name, flags in SERVERS.items()}
        rows = []
        try:
            for name, (_process, port) in servers.items():
                base, base_failed = measure(port, args.probes, args.probe_timeout)
                rows.append((name, 0, base, base_failed, 1.0))
                for count in args.slow:
                    with Slowloris(port, count, args.interval):
                        ms, failed = measure(port, args.probes, args.probe_timeout)
                    rows.append((name, count, ms, failed, ms / base))
                    time.sleep(1.0)  # let the server close the abandoned connections
        finally:
            for process, _port in servers.values():
                stop_server(process)

    print(
        f"\n/healthz, {args.probes} probes per row, a probe with no answer in {args.probe_timeout:g} s is failed"
    )
    width = max(len(row[0]) for row in rows)
    print(f"{'server':<{width}}  {'slow conns':>10}  {'p50 ms':>8}  {'failed':>6}  {'vs alone':>8}")
    for name, count, ms, failed, ratio in rows:
        print(f"{name:<{width}}  {count:>10}  {ms:>8.1f}  {failed:>3}/{args.probes:<2}  {ratio:>7.0f}x")


if __name__ == "__main__":
    main()
