"""`/readyz`: may this process take traffic? Each dependency checked, named, and 503 if one fails.

`/healthz` (the process answers) stays with the visitor routes; `/metrics` is here too, readable
only from `METRICS_ALLOW` and never through the proxy.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, request
from sqlalchemy import text

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


def check_database() -> tuple[bool, str]:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        current = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    heads = migration_heads(current_app.config["DATABASE_URL"])
    if current != heads:
        return False, f"migrations not current: database at {sorted(current)}, code at {sorted(heads)}"
    return True, "reachable, migrations current"


def check_redis() -> tuple[bool, str]:
    buffer = current_app.extensions["heritage.scan_buffer"]
    buffer.redis.ping()
    return True, "reachable"


def check_media() -> tuple[bool, str]:
    folder = Path(current_app.config["MEDIA_DIR"])
    folder = folder if folder.is_absolute() else PROJECT_ROOT / folder
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".readyz-"):
        pass
    return True, "writable"


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
