"""Flask-Limiter runs only in the back office, where every limit is declared."""

from flask_limiter.util import get_qualified_name

from heritage.extensions import LIMITED_BLUEPRINTS, limiter


def test_every_declared_limit_is_in_a_blueprint_the_limiter_runs_in(app):
    limited = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if get_qualified_name(view) in limiter._marked_for_limiting
    }
    assert limited, "the sign-in limits are declared"
    outside = {e for e in limited if e.partition(".")[0] not in LIMITED_BLUEPRINTS}
    assert not outside, f"limits declared where the limiter never runs: {outside}"


def test_the_limiter_is_not_among_every_requests_hooks(app):
    everywhere = app.before_request_funcs.get(None, []) + app.after_request_funcs.get(None, [])
    assert not any(getattr(hook, "__self__", None) is limiter for hook in everywhere)
    assert any(getattr(hook, "__self__", None) is limiter for hook in app.before_request_funcs["admin"])
