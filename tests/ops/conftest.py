"""Fixtures for production parts: committed databases (no rollback wrapper: batch writers and
other processes must see the rows), Redis database 6, and real gunicorn servers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from http.client import HTTPConnection
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, make_url, select, text

from heritage.analytics.models import Scan
from heritage.migrate import upgrade
from tests.conftest import BACKENDS, PG_URL

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/6")


@pytest.fixture(autouse=True)
def _forget_scan_buffers():
    """Each test's apps leave with it: their timers stop and nothing is written at exit."""
    yield
    from heritage.analytics.buffer import _live_buffers

    for buffer in list(_live_buffers):
        buffer._stop.set()
        _live_buffers.discard(buffer)


def migrated_database(backend: str, tmp_path: Path, revision: str = "head"):
    """Yield the URL of a database migrated to `revision`: a SQLite file, or a PostgreSQL schema
    of its own that is dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
        upgrade(url, revision)
        yield url
        return
    schema = f"ops_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    url = url.render_as_string(hide_password=False)
    upgrade(url, revision)
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def fresh_url(request, tmp_path):
    """A migrated, empty, committed database: a SQLite file, or a PostgreSQL schema of its own."""
    yield from migrated_database(request.param, tmp_path)


def add_site(url: str) -> str:
    """One published site in the database at `url`; its plaque code."""
    from heritage import create_app
    from heritage.extensions import db
    from heritage.sites.models import PublicationState
    from heritage.sites.services import create_site
    from heritage.sites.values import site_values

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "ops"})
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    with app.app_context():
        texts = {"vi": {"name": "Đình Trung Bản", "summary": "Tóm tắt", "body": "Câu chuyện."}}
        values = site_values("heritage_relic", texts=texts)
        site = create_site(db.session, values, state=PublicationState.published)
        db.session.commit()
        code = site.plaque_code
    db.engine.dispose()
    return code


def count_scans(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).select_from(Scan))
    engine.dispose()
    return count


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def wait_for(condition, seconds: float = 5.0) -> bool:
    """Whether `condition()` became true within `seconds` (asked every 10 ms): for what a
    background thread or another process does, which a loaded machine may make slow."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None, method: str = "GET", body=None):
    """(status, headers, body) of one request on a fresh connection."""
    connection = HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class Gunicorn:
    """`gunicorn -c deploy/gunicorn.conf.py app:app` with two workers, in its own process group."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.log = tmp_path / f"gunicorn-{self.port}.log"
        metrics_dir = tmp_path / f"prometheus-{self.port}"
        environment = {
            **os.environ,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
            "SECRET_KEY": "ops",
            "SCAN_LIMIT_PER_MINUTE": "0",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            **env,
        }
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [gunicorn, "-c", "deploy/gunicorn.conf.py", "app:app"],
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        self.wait_for_workers(2)

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def wait_for_workers(self, count: int, exclude: set[int] = frozenset()) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            fresh = set(self.workers()) - exclude
            if len(fresh) >= count:
                try:
                    if get(self.port, "/healthz")[0] == 200:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start {count} workers:\n{self.log.read_text()[-3000:]}")

    def reload(self) -> None:
        """HUP: new workers start, the old ones finish their requests and exit."""
        old = set(self.workers())
        self.process.send_signal(signal.SIGHUP)
        self.wait_for_workers(2, exclude=old)
        deadline = time.monotonic() + 30
        while set(self.workers()) & old and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self) -> int:
        """TERM: a graceful stop of every process; the master's exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
                raise
        return self.process.returncode


@pytest.fixture
def gunicorn(tmp_path):
    """start(env) -> Gunicorn; every server started is stopped at the end."""
    servers: list[Gunicorn] = []

    def start(env: dict[str, str]) -> Gunicorn:
        server = Gunicorn(tmp_path, env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)
