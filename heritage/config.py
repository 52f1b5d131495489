"""Every setting, its default and the environment variable that overrides it.

`load_config()` reads the environment once; `create_app(test_config)` overlays a dict on top.
README's "Configuration" table lists each key here (a test keeps them in step).
"""

from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse as parse_limit

# Key -> (default, parser). The environment variable has the same name as the key.
_LIST = "list"
SETTINGS: dict[str, tuple[object, str]] = {
    # "development" or "production"; production refuses to start without SECRET_KEY.
    "HERITAGE_ENV": ("development", "str"),
    "SECRET_KEY": (None, "str"),
    "DATABASE_URL": ("sqlite:///var/heritage.sqlite3", "str"),
    # The host every printed plaque points at. Codes never point anywhere else.
    "PUBLIC_BASE_URL": ("https://disan.quangninh.gov.vn", "str"),
    # Content languages, in the order the switcher shows them. Adding one needs no migration.
    "LANGUAGES": ("vi,en,zh,ko", _LIST),
    "DEFAULT_LANGUAGE": ("vi", "str"),
    # Where a page looks when a text is missing in the requested language, in order.
    "FALLBACK_LANGUAGES": ("en,vi", _LIST),
    "SITES_PER_PAGE": (20, "int"),
    "API_MAX_PER_PAGE": (100, "int"),
    "MEDIA_DIR": ("media", "str"),
    # Where media bytes live: "local" (MEDIA_DIR, content-addressed) or "s3" (any S3-compatible
    # store; credentials come from boto3's usual chain, e.g. AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY).
    "MEDIA_STORAGE": ("local", "str"),
    "S3_ENDPOINT_URL": (None, "str"),
    "S3_BUCKET": (None, "str"),
    "S3_REGION": ("us-east-1", "str"),
    # Upload limits for photos: bytes as sent, and pixels declared (decompression-bomb guard).
    "MEDIA_MAX_PHOTO_BYTES": (40_000_000, "int"),
    "MEDIA_MAX_PHOTO_PIXELS": (60_000_000, "int"),
    # Narration uploads: bytes as sent, and the longest recording accepted.
    "MEDIA_MAX_AUDIO_BYTES": (60_000_000, "int"),
    "MEDIA_MAX_AUDIO_SECONDS": (1200, "int"),
    # Largest 360° panorama upload, in bytes (a 16384 × 8192 JPEG is 30-80 MB).
    "MEDIA_MAX_PANORAMA_BYTES": (110_000_000, "int"),
    # Uploads one back-office account may make in 24 hours (0: no limit).
    "MEDIA_UPLOADS_PER_DAY": (200, "int"),
    # Largest request body the server reads at all (Flask refuses more with 413), in bytes.
    "MAX_CONTENT_LENGTH": (120_000_000, "int"),
    # Widths of the derivatives served to visitors; never wider than the original.
    "MEDIA_PHOTO_WIDTHS": ("480,960,1600", "intlist"),
    # Spreadsheet imports (CSV/XLSX): the largest file in bytes (refused as it streams in, before
    # parsing; keep it under the proxy's client_max_body_size), the most rows of sites, and how
    # long a checked file waits on the server for its confirmation.
    "IMPORT_MAX_BYTES": (20_000_000, "int"),
    "IMPORT_MAX_ROWS": (5_000, "int"),
    "IMPORT_KEEP_MINUTES": (30, "int"),
    # Seconds a process keeps a rendered public site page and a code's scan target (0: off).
    # A change shows at once (the caches follow the content version); this only bounds an entry's life.
    "PAGE_CACHE_SECONDS": (30, "int"),
    # Shown on plaques and pages when a site names no managing unit of its own.
    "DEFAULT_MANAGING_UNIT": ("Sở Văn hóa, Thể thao và Du lịch Quảng Ninh", "str"),
    # Host names this app answers for (Flask refuses others with 400). Empty: PUBLIC_BASE_URL's
    # host, plus localhost and 127.0.0.1 in development.
    "TRUSTED_HOSTS": ("", _LIST),
    # Proxies in front whose X-Forwarded-For/-Proto are believed (0: none; the socket's address).
    "TRUSTED_PROXY_COUNT": (0, "int"),
    # Scans one client address may add to the counts per minute (0: no limit). A scan over the
    # limit still gets its page; it is just not counted.
    "SCAN_LIMIT_PER_MINUTE": (30, "int"),
    # Where rate-limit counters live (the `limits` package, as Flask-Limiter reads it):
    # memory:// is per process; production shares redis://host:6379/N between workers.
    "RATELIMIT_STORAGE_URI": ("memory://", "str"),
    # Site names printed on plaques under the Vietnamese and English ones (zh, ko), where the
    # site has one and the size has room. Border markers always show their Chinese name.
    "PLAQUE_EXTRA_NAME_LANGUAGES": ("zh", _LIST),
    # Sites one batch sheet may hold when ordered from the back office (made in the request).
    "PLAQUE_SHEET_MAX_SITES": (1000, "int"),
    # Days a finished sheet's PDF stays in media storage; then the worker deletes the file (the
    # print record stays, and the sheet can be ordered again).
    "SHEET_KEEP_DAYS": (30, "int"),
    # A fresh plaque code is issued only if its QR symbol survives the blur and sun weathering
    # cases (plaques/robust_codes.py, ~20 ms a code); off only for bulk test data.
    "PLAQUE_CODES_WEATHER_CHECK": (True, "bool"),
    # Failed sign-ins allowed per account and per client address before a wait is imposed.
    "LOGIN_LIMIT_PER_ACCOUNT": ("5 per 15 minutes", "str"),
    "LOGIN_LIMIT_PER_ADDRESS": ("30 per 15 minutes", "str"),
    # Scheme and host the back office answers on: one-time set-password links start with it.
    # Empty: http://127.0.0.1:5000 in development, PUBLIC_BASE_URL in production.
    "ADMIN_BASE_URL": ("", "str"),
    "SET_PASSWORD_LINK_HOURS": (72, "int"),
    # Four eyes: nobody approves or publishes an edit, or media, they wrote or uploaded themselves;
    # another editor must. false: an editor may publish their own work (a one-editor unit).
    "REVIEW_SECOND_PAIR_OF_EYES": (True, "bool"),
    # A back-office session ends this long after sign-in, whatever happens in between.
    "ADMIN_SESSION_HOURS": (12, "int"),
    # How long the server remembers the id of a scan a phone queued offline, so a resend after a
    # lost answer is not counted twice (kept in RATELIMIT_STORAGE_URI, never in the database).
    "SCAN_RECEIPT_SECONDS": (7 * 24 * 3600, "int"),
    # Redis shared by every app process and server: scans are queued there and written in
    # batches. Empty: the embedded default, each process buffers its scans in memory.
    "REDIS_URL": ("", "str"),
    # Where background jobs wait for `flask heritage worker`: redis://..., sqlite:///path or memory://
    # (one process only). Empty: REDIS_URL when set, else the embedded sqlite:///var/tasks.sqlite3.
    "TASK_QUEUE_URL": ("", "str"),
    # The queue's name (Redis keys, SQLite rows): two apps sharing one Redis keep apart by it.
    "TASK_QUEUE_NAME": ("heritage", "str"),
    # Attempts a failing job gets before it is shown as failed; seconds before the next, per attempt.
    "JOB_MAX_ATTEMPTS": (3, "int"),
    "JOB_RETRY_SECONDS": (10, "int"),
    # A running job says it is alive this often; silent for JOB_STALE_SECONDS, it is run again.
    "JOB_HEARTBEAT_SECONDS": (15, "int"),
    "JOB_STALE_SECONDS": (120, "int"),
    # Seconds between batch writes of buffered scans (0: each scan written in its request).
    "SCAN_FLUSH_SECONDS": (1.0, "float"),
    # With REDIS_URL: seconds a process gathers scans before pushing them to the shared queue in one
    # command (0: each scan pushed before its answer, so a killed worker loses none, at the cost of
    # a Redis round trip per scan). What `kill -9` of a worker may lose is at most this long.
    "SCAN_PUSH_SECONDS": (0.1, "float"),
    # Where a day of scans begins and ends: the dashboard's days and the unique-visitor salt's.
    "SCAN_DAY_TIMEZONE": ("Asia/Ho_Chi_Minh", "str"),
    # One log line per request: "json" (for a log collector) or "plain" (for a person).
    "LOG_FORMAT": ("json", "str"),
    # Addresses or networks that may read /metrics, directly and never through the proxy.
    "METRICS_ALLOW": ("127.0.0.1,::1", _LIST),
}


def _parse(value: str, kind: str) -> object:
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    if kind == _LIST:
        return [part.strip() for part in value.split(",") if part.strip()]
    if kind == "intlist":
        return [int(part) for part in value.split(",") if part.strip()]
    if kind == "bool":
        word = value.strip().lower()
        if word in ("1", "true", "yes", "on"):
            return True
        if word in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"Expected true or false, got {value!r}.")
    return value


def load_config(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Defaults overlaid by the environment, parsed to their types."""
    environ = os.environ if environ is None else environ
    config: dict[str, object] = {}
    for key, (default, kind) in SETTINGS.items():
        raw = environ.get(key)
        if raw is not None and raw != "":
            try:
                config[key] = _parse(raw, kind)
            except ConfigError as error:  # say which setting
                raise ConfigError(f"{key}: {error}") from None
        elif isinstance(default, str) and kind != "str":
            config[key] = _parse(default, kind)
        else:
            config[key] = default
    return config


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def finalise(config: dict[str, object]) -> None:
    """Check the combination of settings and fill the generated development secret."""
    if config["HERITAGE_ENV"] not in ("development", "production"):
        raise ConfigError("HERITAGE_ENV must be 'development' or 'production'.")
    if not config.get("SECRET_KEY"):
        if config["HERITAGE_ENV"] == "production":
            raise ConfigError("SECRET_KEY must be set in production (HERITAGE_ENV=production).")
        # A fresh key per process: fine for one development server, sessions end on restart.
        config["SECRET_KEY"] = secrets.token_hex(32)
    if config["DEFAULT_LANGUAGE"] not in config["LANGUAGES"]:
        raise ConfigError("DEFAULT_LANGUAGE must be one of LANGUAGES.")
    base = str(config["PUBLIC_BASE_URL"]).rstrip("/")
    if not base.startswith(("https://", "http://")) or base.count("/") != 2:
        raise ConfigError("PUBLIC_BASE_URL must be a scheme and host only, e.g. https://example.org")
    config["PUBLIC_BASE_URL"] = base
    if not config.get("TRUSTED_HOSTS"):
        local = ["localhost", "127.0.0.1"] if config["HERITAGE_ENV"] == "development" else []
        config["TRUSTED_HOSTS"] = [urlsplit(base).hostname, *local]
    if config["LOG_FORMAT"] not in ("json", "plain"):
        raise ConfigError("LOG_FORMAT must be 'json' or 'plain'.")
    for key in ("TRUSTED_PROXY_COUNT", "SCAN_LIMIT_PER_MINUTE", "SCAN_FLUSH_SECONDS", "SCAN_PUSH_SECONDS"):
        if float(config[key]) < 0:
            raise ConfigError(f"{key} must be 0 or more.")
    if int(config["PLAQUE_SHEET_MAX_SITES"]) < 1:
        raise ConfigError("PLAQUE_SHEET_MAX_SITES must be 1 or more.")
    if int(config["SHEET_KEEP_DAYS"]) < 1:
        raise ConfigError("SHEET_KEEP_DAYS must be 1 or more (a sheet is kept at least a day to download).")
    try:
        ZoneInfo(str(config["SCAN_DAY_TIMEZONE"]))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError("SCAN_DAY_TIMEZONE must be a time zone name, e.g. Asia/Ho_Chi_Minh.") from None
    if config["MEDIA_STORAGE"] not in ("local", "s3"):
        raise ConfigError("MEDIA_STORAGE must be 'local' or 's3'.")
    if config["MEDIA_STORAGE"] == "s3" and not config.get("S3_BUCKET"):
        raise ConfigError("MEDIA_STORAGE=s3 needs S3_BUCKET (and S3_ENDPOINT_URL for a non-AWS store).")
    if not config.get("ADMIN_BASE_URL"):
        development = config["HERITAGE_ENV"] == "development"
        config["ADMIN_BASE_URL"] = "http://127.0.0.1:5000" if development else base
    admin_base = str(config["ADMIN_BASE_URL"]).rstrip("/")
    if not admin_base.startswith(("https://", "http://")) or admin_base.count("/") != 2:
        raise ConfigError("ADMIN_BASE_URL must be a scheme and host only, e.g. https://example.org")
    config["ADMIN_BASE_URL"] = admin_base
    for key in ("LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_ADDRESS"):
        try:
            parse_limit(str(config[key]))
        except ValueError:
            raise ConfigError(f"{key} must read like '5 per 15 minutes'.") from None
