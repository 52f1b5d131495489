"""`/readyz`: may this process take traffic? Each dependency checked, named, and 503 if one fails.

`/healthz` (the process answers) stays with the visitor routes; `/metrics` is here too, readable
only from `METRICS_ALLOW` and never through the proxy.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from heritage import PROJECT_ROOT
from heritage.extensions import db
from heritage.ops import metrics

log = logging.getLogger(__name__)
bp = Blueprint("ops", __name__)
_heads: dict[str, set[str]] = {}


def migration_heads(database_url: str) -> set[str]:
    """The revisions `flask heritage migrate` would bring a database to (read once per process)."""
    if database_url not in _heads:
        from alembic.script import ScriptDirectory

        from heritage.migrate import alembic_config

        _heads[database_url] = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    return _heads[database_url]


# A dependency that is gone must not hold a load balancer's probe (nor a worker) for minutes:
# each check gives up after about this many seconds (libpq's connect_timeout counts whole seconds,
# 2 at least).
CHECK_TIMEOUT_SECONDS = 2


def _database_engine():
    """The app's engine for SQLite; for PostgreSQL a pool-less engine whose connections give up
    after CHECK_TIMEOUT_SECONDS (the app's own pool would wait for the OS's TCP timeout)."""
    engine = current_app.extensions.get("heritage.readiness_engine")
    if engine is None:
        url = current_app.config["DATABASE_URL"]
        if url.startswith("sqlite"):
            engine = db.engine
        else:
            engine = create_engine(
                url, poolclass=NullPool, connect_args={"connect_timeout": CHECK_TIMEOUT_SECONDS}
            )
        current_app.extensions["heritage.readiness_engine"] = engine
    return engine


def check_database() -> tuple[bool, str]:
    with _database_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
        current = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    heads = migration_heads(current_app.config["DATABASE_URL"])
    if current != heads:
        return False, f"migrations not current: database at {sorted(current)}, code at {sorted(heads)}"
    return True, "reachable, migrations current"


def check_redis() -> tuple[bool, str]:
    # The scan buffer's client: 0.25 s to connect, 0.5 s to answer.
    buffer = current_app.extensions["heritage.scan_buffer"]
    buffer.redis.ping()
    return True, "reachable"


def check_media() -> tuple[bool, str]:
    if current_app.config["MEDIA_STORAGE"] == "s3":
        return _check_bucket()
    folder = Path(current_app.config["MEDIA_DIR"])
    folder = folder if folder.is_absolute() else PROJECT_ROOT / folder
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-"):
        pass
    return True, "writable"


def _check_bucket() -> tuple[bool, str]:
    """The bucket answers a HEAD: once, with short timeouts (boto3's defaults are a minute and
    retries with back-off)."""
    client = current_app.extensions.get("heritage.readiness_s3")
    if client is None:
        import boto3
        from botocore.config import Config

        # Half the budget each: botocore sends a timed-out HEAD a second time (measured: 2 x read_timeout).
        config = Config(
            connect_timeout=CHECK_TIMEOUT_SECONDS / 2,
            read_timeout=CHECK_TIMEOUT_SECONDS / 2,
            retries={"max_attempts": 1, "mode": "standard"},
        )
        client = current_app.extensions["heritage.readiness_s3"] = boto3.client(
            "s3",
            endpoint_url=current_app.config.get("S3_ENDPOINT_URL"),
            region_name=current_app.config.get("S3_REGION"),
            config=config,
        )
    client.head_bucket(Bucket=current_app.config["S3_BUCKET"])
    return True, "bucket reachable"


def readiness() -> dict[str, dict]:
    checks = {"database": check_database, "media": check_media}
    if current_app.config["REDIS_URL"]:
        checks["redis"] = check_redis
    results = {}
    for name, check in checks.items():
        try:
            ok, detail = check()
        except Exception as error:  # noqa: BLE001 - a failed dependency is the answer, not an error
            # The class only: a message could hold a URL with a password.
            ok, detail = False, f"unavailable ({type(error).__name__})"
            log.warning("readiness check %s failed", name, exc_info=True)
        results[name] = {"ok": ok, "detail": detail}
    return results


@bp.get("/readyz")
def readyz():
    checks = readiness()
    ok = all(check["ok"] for check in checks.values())
    response = jsonify({"ok": ok, "checks": checks})
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
def metrics_view():
    # A request that came through the proxy is a public one, whatever address it claims.
    networks = current_app.extensions["heritage.metrics_allow"]
    if "X-Forwarded-For" in request.headers or not metrics.address_allowed(request.remote_addr, networks):
        abort(404)
    buffer = current_app.extensions.get("heritage.scan_buffer")
    if buffer is not None and not buffer.direct:
        metrics.SCAN_BUFFER_DEPTH.set(buffer.depth())
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


def init_app(app) -> None:
    from heritage.config import ConfigError
    from heritage.ops import logs

    try:
        app.extensions["heritage.metrics_allow"] = metrics.allowed_networks(app.config["METRICS_ALLOW"])
    except ValueError as error:
        raise ConfigError(f"METRICS_ALLOW: {error}") from None
    logs.init_app(app)
    app.register_blueprint(bp)
