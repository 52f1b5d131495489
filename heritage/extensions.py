"""Extensions created once here and bound to an app in `create_app`."""

from functools import partial

from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from heritage.db import Database

db = Database()
babel = Babel()
csrf = CSRFProtect()
# No default limits: each limited route says its own; storage from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address, headers_enabled=False)

# Every limited route is in the back office (sign-in, set password). Flask-Limiter hooks itself
# into every request and resolves its limits there, about a tenth of a scan's time.
LIMITED_BLUEPRINTS = ("admin",)


def confine_limiter(app: Flask) -> None:
    """Run the limiter's request hooks for LIMITED_BLUEPRINTS only (after `limiter.init_app`);
    tests/web/test_rate_limit_scope.py checks no limit is declared elsewhere, where it would never apply."""

    def ours(hook) -> bool:
        bound = hook.args[0] if isinstance(hook, partial) and hook.args else getattr(hook, "__self__", None)
        return bound is limiter

    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        moved = [hook for hook in hooks.get(None, []) if ours(hook)]
        if len(moved) != 1:
            raise RuntimeError(
                f"Flask-Limiter registered {len(moved)} hooks of a kind, not 1: check its version"
            )
        hooks[None].remove(moved[0])
        for blueprint in LIMITED_BLUEPRINTS:
            # First among the blueprint's own hooks, as it was among the app's: limits before the guard.
            hooks.setdefault(blueprint, []).insert(0, moved[0])
