"""The one place a set-password token becomes a link: ADMIN_BASE_URL + the admin page's path.

Links come from configuration, never from a request's Host header.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy.orm import Session

from heritage.accounts.models import User
from heritage.accounts.services import issue_set_password_link


def set_password_url(token: str) -> str:
    # Built from the URL map itself, so the CLI (no request) and the pages give the same link.
    path = current_app.url_map.bind("").build("admin.set_password", {"token": token})
    return current_app.config["ADMIN_BASE_URL"] + path


def new_set_password_url(session: Session, actor: User | None, user: User) -> str:
    """Issue a fresh one-time link for `user` (earlier ones stop working) and return its URL."""
    hours = current_app.config["SET_PASSWORD_LINK_HOURS"]
    token = issue_set_password_link(session, actor, user, valid_for=timedelta(hours=hours))
    return set_password_url(token)
