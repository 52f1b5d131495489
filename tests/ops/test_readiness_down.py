"""/readyz with each dependency down, with real parts: a database one migration behind, a
PostgreSQL that never answers, a Redis that never answers, a media folder that is gone, an S3
store on a closed port. Each answers 503 naming the failing part, and quickly: a probe must not
hang on a dependency that is gone."""

from __future__ import annotations

import socket
import time
import uuid

import pytest
from alembic.script import ScriptDirectory

from heritage import create_app
from heritage.extensions import db
from heritage.migrate import alembic_config, upgrade
from tests.conftest import BACKENDS
from tests.media.conftest import s3_credentials, s3_server  # noqa: F401 - fixtures used here
from tests.ops.conftest import REDIS_URL, free_port, migrated_database

# The checks give up after 2 s (libpq's least connect_timeout); the whole answer stays well
# under what a load balancer's probe waits.
PROMPT_SECONDS = 3.5


def _ready(url: str, **config) -> tuple[int, dict, float]:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "ops", "SCAN_LIMIT_PER_MINUTE": 0, **config})
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    started = time.monotonic()
    response = app.test_client().get("/readyz")
    return response.status_code, response.get_json(), time.monotonic() - started


def _failing(body: dict) -> set[str]:
    return {name for name, check in body["checks"].items() if not check["ok"]}


@pytest.fixture
def silent_port():
    """A port that takes connections and never answers (a host gone behind a firewall that lets
    the handshake through, or a hung server): only a timeout ends a wait on it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # never accepted: the kernel completes the handshake, nobody reads
        yield listener.getsockname()[1]


def _previous_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    (head,) = script.get_heads()
    return script.get_revision(head).down_revision


@pytest.fixture(params=BACKENDS)
def url_one_behind(request, tmp_path):
    """A database migrated to the revision before the code's head."""
    yield from migrated_database(request.param, tmp_path, _previous_revision())


def test_not_ready_one_migration_behind(url_one_behind, tmp_path):
    status, body, _ = _ready(url_one_behind, MEDIA_DIR=str(tmp_path))
    assert status == 503 and _failing(body) == {"database"}
    detail = body["checks"]["database"]["detail"]
    assert "migrations not current" in detail and _previous_revision() in detail


def test_ready_again_once_migrated(url_one_behind, tmp_path):
    upgrade(url_one_behind)
    status, body, _ = _ready(url_one_behind, MEDIA_DIR=str(tmp_path))
    assert status == 200 and body["ok"] is True


def test_not_ready_quickly_when_postgresql_never_answers(tmp_path, silent_port):
    url = f"postgresql+psycopg://heritage:secret@127.0.0.1:{silent_port}/heritage"
    status, body, seconds = _ready(url, MEDIA_DIR=str(tmp_path))
    assert status == 503 and _failing(body) == {"database"}
    assert seconds < PROMPT_SECONDS
    assert "secret" not in str(body)


def test_not_ready_quickly_when_redis_never_answers(fresh_url, tmp_path, silent_port):
    status, body, seconds = _ready(
        fresh_url, REDIS_URL=f"redis://127.0.0.1:{silent_port}/0", MEDIA_DIR=str(tmp_path)
    )
    assert status == 503 and _failing(body) == {"redis"}
    assert seconds < 2


def test_not_ready_quickly_when_redis_port_is_closed(fresh_url, tmp_path):
    status, body, seconds = _ready(
        fresh_url, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0", MEDIA_DIR=str(tmp_path)
    )
    assert status == 503 and _failing(body) == {"redis"}
    assert seconds < 2


def test_ready_with_redis_up(fresh_url, tmp_path):
    status, body, _ = _ready(fresh_url, REDIS_URL=REDIS_URL, MEDIA_DIR=str(tmp_path))
    assert status == 200 and body["checks"]["redis"] == {"ok": True, "detail": "reachable"}


def test_not_ready_when_media_folder_is_missing(fresh_url, tmp_path):
    status, body, _ = _ready(fresh_url, MEDIA_DIR=str(tmp_path / "never-made"))
    assert status == 503 and _failing(body) == {"media"}


def _s3(endpoint: str, bucket: str) -> dict:
    return {"MEDIA_STORAGE": "s3", "S3_ENDPOINT_URL": endpoint, "S3_BUCKET": bucket, "S3_REGION": "us-east-1"}


@pytest.fixture
def bucket(s3_server, s3_credentials):  # noqa: F811 - the imported fixtures
    import boto3

    name = f"ready-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1").create_bucket(Bucket=name)
    return name


def test_ready_with_s3_storage(fresh_url, s3_server, bucket):  # noqa: F811
    status, body, _ = _ready(fresh_url, **_s3(s3_server, bucket))
    assert status == 200 and body["checks"]["media"] == {"ok": True, "detail": "bucket reachable"}


def test_not_ready_when_the_bucket_is_missing(fresh_url, s3_server, s3_credentials):  # noqa: F811
    status, body, _ = _ready(fresh_url, **_s3(s3_server, f"gone-{uuid.uuid4().hex[:8]}"))
    assert status == 503 and _failing(body) == {"media"}


def test_not_ready_quickly_when_s3_endpoint_is_closed(fresh_url, s3_credentials):  # noqa: F811
    status, body, seconds = _ready(fresh_url, **_s3(f"http://127.0.0.1:{free_port()}", "media"))
    assert status == 503 and _failing(body) == {"media"}
    assert seconds < PROMPT_SECONDS


def test_not_ready_quickly_when_s3_never_answers(fresh_url, s3_credentials, silent_port):  # noqa: F811
    status, body, seconds = _ready(fresh_url, **_s3(f"http://127.0.0.1:{silent_port}", "media"))
    assert status == 503 and _failing(body) == {"media"}
    assert seconds < PROMPT_SECONDS
