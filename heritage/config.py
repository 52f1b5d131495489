"""Every setting, its default and the environment variable that overrides it.

`load_config()` reads the environment once; `create_app(test_config)` overlays a dict on top.
README's "Configuration" table lists each key here (a test keeps them in step).
"""

from __future__ import annotations

import os
import secrets

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
    # Seconds a process keeps a rendered public site page and a code's scan target (0: off).
    # Also how long an editor's change may take to show.
    "PAGE_CACHE_SECONDS": (30, "int"),
    # Shown on plaques and pages when a site names no managing unit of its own.
    "DEFAULT_MANAGING_UNIT": ("Sở Văn hóa, Thể thao và Du lịch Quảng Ninh", "str"),
    # Where rate-limit counters live: memory:// (one process) or redis://host:6379/N (shared).
    "RATE_LIMIT_STORAGE_URI": ("memory://", "str"),
    # Failed sign-ins allowed per account and per client address before a wait is imposed.
    "LOGIN_LIMIT_PER_ACCOUNT": ("5 per 15 minutes", "str"),
    "LOGIN_LIMIT_PER_ADDRESS": ("30 per 15 minutes", "str"),
    # Scheme and host the back office answers on: one-time set-password links start with it.
    # Empty: http://127.0.0.1:5000 in development, PUBLIC_BASE_URL in production.
    "ADMIN_BASE_URL": ("", "str"),
    "SET_PASSWORD_LINK_HOURS": (72, "int"),
    # A back-office session ends this long after sign-in, whatever happens in between.
    "ADMIN_SESSION_HOURS": (12, "int"),
}


def _parse(value: str, kind: str) -> object:
    if kind == "int":
        return int(value)
    if kind == _LIST:
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def load_config(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Defaults overlaid by the environment, parsed to their types."""
    environ = os.environ if environ is None else environ
    config: dict[str, object] = {}
    for key, (default, kind) in SETTINGS.items():
        raw = environ.get(key)
        if raw is not None and raw != "":
            config[key] = _parse(raw, kind)
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
