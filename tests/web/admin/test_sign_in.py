"""Sign in and out, one-time links, password change, CSRF refusal, session lifetime."""

from __future__ import annotations

import re

from sqlalchemy import select

from heritage.accounts.models import AuditEvent
from heritage.accounts.services import issue_set_password_link
from tests.web.admin.conftest import PASSWORD, csrf_token, post_form, sign_in


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_sign_in_then_home_then_sign_out(client, session, make_user):
    user = make_user(role="editor")
    assert client.get("/admin/").headers["Location"] == "/admin/login?next=/admin/"
    page = client.get("/admin/login")
    assert page.status_code == 200 and 'lang="vi"' in page.get_data(as_text=True)
    assert "Đăng nhập" in page.get_data(as_text=True)  # Vietnamese first
    response = post_form(
        client, "/admin/login?next=/admin/password", {"email": user.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/admin/password"
    home = client.get("/admin/")
    assert home.status_code == 200 and home.headers["Cache-Control"] == "no-store"
    logout = post_form(client, "/admin/logout", {}, form_page="/admin/")
    assert logout.status_code == 302 and logout.headers["Location"] == "/admin/login"
    assert client.get("/admin/").status_code == 302
    assert _actions(session)[-2:] == ["sign_in", "sign_out"]


def test_wrong_password_is_a_clear_401_and_logged(client, session, make_user):
    user = make_user(role="volunteer")
    response = post_form(client, "/admin/login", {"email": user.email, "password": "not the password"})
    assert response.status_code == 401
    assert "Email hoặc mật khẩu không đúng." in response.get_data(as_text=True)
    assert _actions(session)[-1] == "sign_in_failed"
    assert client.get("/admin/").status_code == 302


def test_english_on_request(client):
    page = client.get("/admin/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in page.get_data(as_text=True) and ">Sign in<" in page.get_data(as_text=True)
    chinese = client.get("/admin/login", headers={"Accept-Language": "zh-CN"})
    assert 'lang="vi"' in chinese.get_data(as_text=True)  # the back office is vi or en


def test_language_switcher_turns_the_back_office_english(client):
    switched = client.get("/lang/en?next=/admin/login")
    assert switched.status_code == 303 and switched.headers["Location"] == "/admin/login"
    assert ">Sign in<" in client.get("/admin/login").get_data(as_text=True)


def test_next_never_leaves_the_back_office(client, make_user):
    user = make_user(role="editor")
    for target in ("https://evil.example/", "//evil.example/admin", "/en/", "/admin\\@evil"):
        response = post_form(
            client, f"/admin/login?next={target}", {"email": user.email, "password": PASSWORD}
        )
        assert response.headers["Location"] == "/admin/", target
        post_form(client, "/admin/logout", {}, form_page="/admin/")


def test_forged_or_missing_csrf_token_is_a_clear_400(client, session, make_user):
    user = make_user(role="editor")
    client.get("/admin/login")
    forged = client.post(
        "/admin/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"}
    )
    missing = client.post("/admin/login", data={"email": user.email, "password": PASSWORD})
    for response in (forged, missing):
        assert response.status_code == 400
        assert "Biểu mẫu đã hết hạn hoặc không đến từ trang này" in response.get_data(as_text=True)
    assert "sign_in" not in _actions(session)
    english = client.post("/admin/login", data={"csrf_token": "forged"}, headers={"Accept-Language": "en"})
    assert "This form has expired or did not come from this site" in english.get_data(as_text=True)
    sign_in(client, user)
    assert client.post("/admin/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/admin/").status_code == 200  # still signed in: the forged logout did nothing


def test_one_time_link_sets_the_password_once(client, session, make_user):
    user = make_user(role="volunteer", password=None)
    token = issue_set_password_link(session, None, user)
    session.commit()
    path = f"/admin/set-password/{token}"
    page = client.get(path)
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)
    short = post_form(client, path, {"password": "ngắn", "confirm": "ngắn"})
    assert short.status_code == 400 and "ít nhất 10 ký tự" in short.get_data(as_text=True)
    differ = post_form(client, path, {"password": "một mật khẩu dài", "confirm": "khác hẳn rồi nhé"})
    assert differ.status_code == 400
    done = post_form(client, path, {"password": "một mật khẩu dài", "confirm": "một mật khẩu dài"})
    assert done.status_code == 302 and client.get("/admin/").status_code == 200
    again = client.get(path)
    assert again.status_code == 410 and "Hãy nhờ quản trị viên" in again.get_data(as_text=True)
    assert client.get("/admin/set-password/made-up-token").status_code == 410


def test_password_change_ends_every_other_session(app, session, make_user):
    user = make_user(role="editor")
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, user)
    sign_in(laptop, user)
    wrong = post_form(
        phone,
        "/admin/password",
        {"current_password": "not it", "password": "mật khẩu mới dài hơn", "confirm": "mật khẩu mới dài hơn"},
    )
    assert wrong.status_code == 400 and laptop.get("/admin/").status_code == 200
    changed = post_form(
        phone,
        "/admin/password",
        {"current_password": PASSWORD, "password": "mật khẩu mới dài hơn", "confirm": "mật khẩu mới dài hơn"},
    )
    assert changed.status_code == 302
    assert phone.get("/admin/").status_code == 200  # the session that changed it stays
    assert laptop.get("/admin/").headers["Location"].startswith("/admin/login")  # the other one ended
    sign_in(laptop, user, "mật khẩu mới dài hơn")
    assert _actions(session)[-1] == "sign_in"


def test_session_ends_after_admin_session_hours(app, client, make_user):
    user = make_user(role="editor")
    sign_in(client, user)
    with client.session_transaction() as state:
        state["signed_in_at"] -= app.config["ADMIN_SESSION_HOURS"] * 3600 + 1
    assert client.get("/admin/").status_code == 302


def test_deactivated_user_is_signed_out_at_the_next_request(client, session, make_user):
    user = make_user(role="editor")
    sign_in(client, user)
    user.active = False
    session.commit()
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_http_only_and_lax(client, make_user):
    sign_in(client, make_user(role="editor"))
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_secure_cookies_in_production(database_url):
    from heritage import create_app

    app = create_app({"HERITAGE_ENV": "production", "SECRET_KEY": "s", "DATABASE_URL": database_url})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["ADMIN_BASE_URL"] == app.config["PUBLIC_BASE_URL"]


def test_token_is_in_forms_not_links(client, make_user):
    sign_in(client, make_user(role="admin"))
    html = client.get("/admin/users/new").get_data(as_text=True)
    assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', html)
    assert csrf_token(client, "/admin/units")
