"""Helpers for back-office tests: read a form's CSRF token, sign in through the real login form."""

from __future__ import annotations

import re

import pytest

PASSWORD = "mật khẩu đủ dài 2026"  # make_user's default
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str) -> str:
    page = client.get(path)
    match = _TOKEN.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} ({page.status_code})"
    return match.group(1)


def post_form(client, path: str, data: dict, form_page: str | None = None, **kwargs):
    """POST like a browser: the token comes from the page that shows the form."""
    token = csrf_token(client, form_page or path)
    return client.post(path, data={"csrf_token": token, **data}, **kwargs)


def sign_in(client, user, password: str = PASSWORD):
    response = post_form(client, "/admin/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def signed_in(client):
    """signed_in(user) -> the client, signed in as `user`."""

    def _sign_in(user, password: str = PASSWORD):
        sign_in(client, user, password)
        return client

    return _sign_in
