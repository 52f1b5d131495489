"""/readyz names each dependency and fails with 503 when one is down; request logs; /metrics private."""

from __future__ import annotations

import json

from heritage import create_app
from heritage.extensions import db
from tests.ops.conftest import REDIS_URL, add_site, free_port


def _client(url: str, **config):
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "ops", "SCAN_LIMIT_PER_MINUTE": 0, **config})
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    return app.test_client()


def _ready(client):
    response = client.get("/readyz")
    return response.status_code, response.get_json()


def test_ready_when_every_dependency_answers(fresh_url, tmp_path, redis_client):
    status, body = _ready(_client(fresh_url, REDIS_URL=REDIS_URL, MEDIA_DIR=str(tmp_path)))
    assert status == 200 and body["ok"] is True
    assert set(body["checks"]) == {"database", "redis", "media"}
    assert all(check["ok"] for check in body["checks"].values())


def test_not_ready_without_the_database(tmp_path):
    bad = f"postgresql+psycopg://heritage:secret@127.0.0.1:{free_port()}/heritage"
    status, body = _ready(_client(bad, MEDIA_DIR=str(tmp_path)))
    assert status == 503 and body["checks"]["database"]["ok"] is False
    assert body["checks"]["media"]["ok"] is True
    assert "secret" not in json.dumps(body)  # never the URL with its password


def test_not_ready_when_migrations_are_behind(tmp_path):
    from heritage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "base")  # an empty database: alembic_version exists, no revision applied
    status, body = _ready(_client(url, MEDIA_DIR=str(tmp_path)))
    assert status == 503 and body["checks"]["database"]["ok"] is False


def test_not_ready_without_redis(fresh_url, tmp_path):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    status, body = _ready(_client(fresh_url, REDIS_URL=closed, MEDIA_DIR=str(tmp_path)))
    assert status == 503 and body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_not_ready_when_media_is_not_writable(fresh_url, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    status, body = _ready(_client(fresh_url, MEDIA_DIR=str(not_a_folder)))
    assert status == 503 and body["checks"]["media"]["ok"] is False


def _request_lines(captured: str) -> list[str]:
    return [line for line in captured.splitlines() if "heritage.request" in line]


def test_one_json_line_per_request_with_request_id_and_no_address(fresh_url, capsys):
    code = add_site(fresh_url)
    client = _client(fresh_url, LOG_FORMAT="json")
    capsys.readouterr()
    headers = {
        "User-Agent": "Secret-Agent/1.0",
        "X-Request-ID": "from-a-client",
        "X-Forwarded-For": "203.0.113.9",
    }
    response = client.get(f"/q/{code}", headers=headers, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    lines = _request_lines(capsys.readouterr().err)
    assert len(lines) == 1
    line = lines[0]
    fields = json.loads(line)
    assert fields["route"] == "/q/<code>" and fields["endpoint"] == "visitor.scan"
    assert fields["status"] == 200 and fields["duration_ms"] >= 0 and fields["level"] == "INFO"
    # No proxy is trusted: the client's id is not believed, one is made and echoed.
    assert fields["request_id"] != "from-a-client"
    assert response.headers["X-Request-ID"] == fields["request_id"]
    for personal in ("198.51.100.7", "203.0.113.9", "Secret-Agent"):
        assert personal not in line


def test_request_id_from_the_trusted_proxy_is_kept(fresh_url):
    client = _client(fresh_url, TRUSTED_PROXY_COUNT=1)
    response = client.get("/healthz", headers={"X-Request-ID": "abc123-proxy"})
    assert response.headers["X-Request-ID"] == "abc123-proxy"
    odd = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert odd.headers["X-Request-ID"] != "bad id\twith spaces"


def test_plain_log_format(fresh_url, capsys):
    client = _client(fresh_url, LOG_FORMAT="plain")
    capsys.readouterr()
    client.get("/healthz")
    (line,) = _request_lines(capsys.readouterr().err)
    assert "route=/healthz" in line and "status=200" in line and not line.startswith("{")


def test_other_records_use_the_same_format(fresh_url):
    import logging

    from heritage.ops.logs import JsonFormatter

    record = logging.LogRecord(
        "heritage.analytics.buffer", logging.WARNING, __file__, 1, "held %d", (3,), None
    )
    fields = json.loads(JsonFormatter().format(record))
    assert fields["level"] == "WARNING" and fields["message"] == "held 3"


def test_metrics_only_for_allowed_addresses_and_never_through_the_proxy(fresh_url):
    code = add_site(fresh_url)
    client = _client(fresh_url, SCAN_FLUSH_SECONDS=0)
    client.get(f"/q/{code}")
    local = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert local.status_code == 200
    text = local.get_data(as_text=True)
    assert 'heritage_request_duration_seconds_count{endpoint="visitor.scan",method="GET"}' in text
    assert "heritage_scans_recorded_total" in text and "heritage_job_failures_total" in text
    assert "heritage_scan_buffer_depth" in text
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    proxied = client.get(
        "/metrics", headers={"X-Forwarded-For": "127.0.0.1"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert proxied.status_code == 404


def test_metrics_allow_takes_networks(fresh_url):
    client = _client(fresh_url, METRICS_ALLOW=["10.0.0.0/8"])
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404
