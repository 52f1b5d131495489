"""Who is signed in, and the one check every admin route goes through.

Protected by default: a view is admin-only unless it says `@allow(Role.volunteer)` (or editor),
and needs a signed-in user unless it says `@public`. The session holds the user id, the user's
credential version (a password change bumps it, ending every other session) and the sign-in
time (sessions end after ADMIN_SESSION_HOURS).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for

from heritage.accounts.models import Role, User
from heritage.accounts.scope import can_act_on
from heritage.extensions import db
from heritage.sites.models import Site

_USER, _VERSION, _SINCE = "user_id", "credential_version", "signed_in_at"


def public(view: Callable) -> Callable:
    """Open without signing in (the login and set-password pages)."""
    view.admin_public = True
    return view


def allow(role: Role) -> Callable[[Callable], Callable]:
    """Open to `role` and the roles above it (the default is admins only)."""

    def mark(view: Callable) -> Callable:
        view.admin_min_role = Role(role)
        return view

    return mark


def _forget_session_state() -> None:
    session.clear()
    # Flask-WTF caches the token in g; a cleared session needs a fresh one.
    g.pop("csrf_token", None)


def sign_in(user: User) -> None:
    _forget_session_state()  # nothing from before the sign-in survives it
    session[_USER] = user.id
    session[_VERSION] = user.credential_version
    session[_SINCE] = int(time.time())


def sign_out() -> None:
    _forget_session_state()


def keep_session_after_password_change(user: User) -> None:
    """The person who changed the password stays signed in; every other session ends."""
    session[_VERSION] = user.credential_version


def signed_in_user() -> User | None:
    user_id = session.get(_USER)
    if user_id is None:
        return None
    user = db.session.get(User, user_id)
    max_age = current_app.config["ADMIN_SESSION_HOURS"] * 3600
    if (
        user is None
        or not user.active
        or session.get(_VERSION) != user.credential_version
        or time.time() - session.get(_SINCE, 0) > max_age
    ):
        _forget_session_state()
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """Only a path inside the back office: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/admin") or "\\" in target:
        return None
    return target


def check_access() -> object | None:
    """The blueprint's before_request: redirect to login, or 403, or let the view run."""
    view = current_app.view_functions.get(request.endpoint)
    g.pop("sign_in_failed", None)  # g outlives a request when an app context is already pushed
    g.user = signed_in_user()
    if request.endpoint == "admin.static" or getattr(view, "admin_public", False):
        return None
    if g.user is None:
        wanted = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("admin.login", next=wanted))
    if not g.user.role.at_least(getattr(view, "admin_min_role", Role.admin)):
        abort(403)
    return None


def media_in_scope(media):
    """A media row (a photo, a panorama) found by its service, or 404 when there is none or it
    has no site, 403 when its site is another unit's."""
    if media is None or media.site is None:
        abort(404)
    if not can_act_on(g.user, media.site):
        abort(403)
    return media


def site_in_scope(site_id: int) -> Site:
    """The site, or 404 when there is none, 403 when it is another unit's."""
    site = db.session.get(Site, site_id)
    if site is None:
        abort(404)
    if not can_act_on(g.user, site):
        abort(403)
    return site
