"""What the route probe (tests/web/test_probe_routes.py) found in the back office, one case each:
numbers past the database's integer, JSON bodies posted to forms, NUL characters in form fields.
Each was a 500 (OverflowError on SQLite, DataError on PostgreSQL, TypeError in WTForms).
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from heritage.sites.models import SiteText
from heritage.web.numbers import DB_INT_MAX, db_int
from tests.web.admin.conftest import csrf_token

OVERLONG = "99999999999999999999"


@pytest.fixture
def editor(make_user, make_site, signed_in):
    user = make_user(role="editor")
    site = make_site(unit_id=user.unit_id)
    return signed_in(user), site


@pytest.mark.parametrize("raw", ["0", "42", "-7", " 12 ", str(DB_INT_MAX), str(-DB_INT_MAX - 1)])
def test_db_int_reads_whole_numbers_the_database_holds(raw):
    assert db_int(raw) == int(raw)


@pytest.mark.parametrize("raw", [OVERLONG, str(DB_INT_MAX + 1), "١٢", "1_000", "1e3", "", "nan", "0x10"])
def test_db_int_refuses_the_rest(raw):
    with pytest.raises(ValueError):
        db_int(raw)


@pytest.mark.parametrize("number", [OVERLONG, str(DB_INT_MAX + 1), "١"])
def test_a_path_id_the_database_cannot_hold_is_404(editor, number):
    client, site = editor
    assert client.get(f"/admin/sites/{number}").status_code == 404
    assert client.get(f"/admin/sites/{site.id}/diff?a=1&b={number}").status_code == 400
    token = csrf_token(client, f"/admin/sites/{site.id}")
    assert client.post(f"/admin/sites/{number}/archive", data={"csrf_token": token}).status_code == 404


def test_overlong_numbers_in_query_strings(editor):
    client, site = editor
    home = client.get(f"/admin/?page={OVERLONG}")
    assert home.status_code == 200  # read as the last page there can be, like the visitor list
    assert client.get(f"/admin/scans?site={OVERLONG}&unit={OVERLONG}").status_code == 200
    assert client.get(f"/admin/plaques/sheet?unit={OVERLONG}").status_code == 200


def test_overlong_version_is_a_400_that_says_what_to_do(editor):
    client, site = editor
    token = csrf_token(client, f"/admin/sites/{site.id}")
    for action in ("archive", "edit", "approve"):
        response = client.post(
            f"/admin/sites/{site.id}/{action}", data={"csrf_token": token, "version": OVERLONG}
        )
        assert response.status_code == 400, action
        assert "tải lại trang" in response.get_data(as_text=True)  # "Reload the page…" in vi


def test_overlong_site_on_a_sheet_is_a_400(editor):
    client, site = editor
    token = csrf_token(client, "/admin/plaques/sheet")
    data = {"csrf_token": token, "size": "sticker", "sheet": "A4", "site": OVERLONG}
    assert client.post("/admin/plaques/sheet", data=data).status_code == 400


@pytest.mark.parametrize("body", [[1, 2, 3], "text", 7, {"email": 1, "password": ["x"]}])
def test_a_json_body_is_not_a_form(client, make_user, body):
    user = make_user(role="editor")
    token = csrf_token(client, "/admin/login")
    response = client.post("/admin/login", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 400  # the form is empty: each field is required
    assert "/admin/login" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302, user.email  # not signed in


def test_nul_in_a_form_field_is_refused_before_it_is_stored(editor, session):
    client, site = editor
    token = csrf_token(client, f"/admin/sites/{site.id}")
    refused = client.post(
        "/admin/sites/new/heritage_relic",
        data={"csrf_token": token, "name_vi": "Đình\x00 mới", "submission": "s"},
    )
    assert refused.status_code == 400
    assert "NUL" in refused.get_data(as_text=True)
    assert not [name for name in session.scalars(select(SiteText.name)) if "\x00" in name]
    upload = {
        "csrf_token": token,
        "credit": "Ban",
        "licence": "CC BY 4.0",
        "photo": (io.BytesIO(b"x"), "a\x00.jpg"),
    }
    assert client.post(f"/admin/sites/{site.id}/photos", data=upload).status_code == 400
