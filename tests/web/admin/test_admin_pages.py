"""The pages of this step for each role and unit: home lists exactly the sites in scope, another
unit's site is a 403, admins create accounts (with a one-time link) and units, and read the log.
"""

from __future__ import annotations

import re

import pytest

from heritage.accounts.services import find_user, token_user
from tests.web.admin.conftest import post_form, sign_in

LINK = re.compile(r"http://127\.0\.0\.1:5000/admin/set-password/([\w-]+)")


@pytest.fixture
def province(make_unit, make_site):
    youth = make_unit("Đoàn Thanh niên thị xã Quảng Yên", "youth_union")
    border = make_unit("Đồn Biên phòng Móng Cái", "border_guard")
    sites = {
        "youth_relic": make_site("Đình Trung Bản", unit_id=youth.id),
        "youth_draft": make_site("Miếu Vua Bà", unit_id=youth.id, state="draft"),
        "youth_marker": make_site("Mốc lạc chỗ", kind="border_marker", unit_id=youth.id),
        "border_marker": make_site("Mốc 1369", kind="border_marker", unit_id=border.id),
    }
    return {"youth": youth, "border": border}, sites


@pytest.mark.parametrize(
    ("role", "unit", "wide", "expected"),
    [
        ("volunteer", "youth", False, {"youth_relic", "youth_draft"}),
        ("editor", "youth", False, {"youth_relic", "youth_draft"}),
        ("editor", "border", False, {"border_marker"}),
        ("volunteer", "youth", True, {"youth_relic", "youth_draft", "youth_marker", "border_marker"}),
        ("admin", None, False, {"youth_relic", "youth_draft", "youth_marker", "border_marker"}),
    ],
)
def test_home_lists_exactly_the_sites_in_scope(
    client, signed_in, make_user, province, role, unit, wide, expected
):
    units, sites = province
    user = make_user(role=role, unit=units.get(unit), wide_scope=wide)
    html = signed_in(user).get("/admin/").get_data(as_text=True)
    shown = {key for key, site in sites.items() if f"/admin/sites/{site.id}" in html}
    assert shown == expected
    assert ("Bản nháp" in html) == ("youth_draft" in expected)  # the state is shown
    for key in expected:
        assert client.get(f"/admin/sites/{sites[key].id}").status_code == 200
    for key in set(sites) - expected:
        page = client.get(f"/admin/sites/{sites[key].id}")
        assert page.status_code == 403, key
        assert sites[key].plaque_code not in page.get_data(as_text=True)  # never the data
    assert client.get("/admin/sites/999999").status_code == 404


def test_admin_creates_an_account_and_gets_its_link(client, session, signed_in, make_user, province):
    units, _sites = province
    signed_in(make_user(role="admin"))
    response = post_form(
        client,
        "/admin/users/new",
        {"email": "TNV.Moi@Example.org", "role": "volunteer", "unit": units["youth"].id},
    )
    assert response.status_code == 201
    token = LINK.search(response.get_data(as_text=True)).group(1)
    user = find_user(session, "tnv.moi@example.org")
    assert token_user(session, token) == user and user.unit == units["youth"]
    assert "tnv.moi@example.org" in client.get("/admin/users").get_data(as_text=True)

    again = post_form(
        client, "/admin/users/new", {"email": "tnv.moi@example.org", "role": "editor", "unit": 0}
    )
    assert again.status_code == 400 and "Đã có tài khoản cho tnv.moi@example.org" in again.get_data(
        as_text=True
    )
    no_unit = post_form(client, "/admin/users/new", {"email": "x@example.org", "role": "editor", "unit": 0})
    assert no_unit.status_code == 400 and "phải thuộc một đơn vị" in no_unit.get_data(as_text=True)
    bad_unit = post_form(
        client, "/admin/users/new", {"email": "y@example.org", "role": "editor", "unit": 424242}
    )
    assert bad_unit.status_code == 400
    bad_role = post_form(client, "/admin/users/new", {"email": "z@example.org", "role": "owner", "unit": 0})
    assert bad_role.status_code == 400


def test_admin_changes_role_and_issues_a_new_link(client, session, signed_in, make_user, province):
    units, _sites = province
    admin = make_user(role="admin")
    volunteer = make_user(role="volunteer", unit=units["youth"])
    signed_in(admin)
    changed = post_form(
        client,
        f"/admin/users/{volunteer.id}",
        {"role": "editor", "unit": units["border"].id, "wide_scope": "y", "active": "y"},
    )
    assert changed.status_code == 302
    session.refresh(volunteer)
    assert (volunteer.role.value, volunteer.unit, volunteer.wide_scope) == ("editor", units["border"], True)
    link = post_form(
        client, f"/admin/users/{volunteer.id}/link", {}, form_page=f"/admin/users/{volunteer.id}"
    )
    assert token_user(session, LINK.search(link.get_data(as_text=True)).group(1)) == volunteer
    self_demotion = post_form(
        client, f"/admin/users/{admin.id}", {"role": "volunteer", "unit": units["youth"].id, "active": "y"}
    )
    assert self_demotion.status_code == 400 and "không thể tự bỏ quyền quản trị" in self_demotion.get_data(
        as_text=True
    )
    assert client.get("/admin/users/999999").status_code == 404


def test_admin_deactivates_an_account_and_its_session_ends(
    app, client, session, signed_in, make_user, province
):
    units, _sites = province
    admin = make_user(role="admin")
    leaver = make_user(role="editor", unit=units["youth"])
    phone = app.test_client()
    sign_in(phone, leaver)
    signed_in(admin)
    off = post_form(client, f"/admin/users/{leaver.id}", {"role": "editor", "unit": units["youth"].id})
    assert off.status_code == 302
    assert phone.get("/admin/").headers["Location"].startswith("/admin/login")
    assert "ngừng hoạt động" in client.get("/admin/users").get_data(as_text=True)
    moved = post_form(
        client, f"/admin/users/{leaver.id}", {"role": "editor", "unit": 0, "wide_scope": "y", "active": "y"}
    )
    assert moved.status_code == 302
    session.refresh(leaver)
    assert leaver.active and leaver.unit is None and leaver.wide_scope
    self_off = post_form(client, f"/admin/users/{admin.id}", {"role": "admin", "unit": 0})
    assert self_off.status_code == 400 and "không thể tự ngừng" in self_off.get_data(as_text=True)
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "Đã ngừng tài khoản" in log and "Đã mở lại tài khoản" in log


def test_admin_creates_units_and_reads_the_audit_log(client, signed_in, make_user):
    admin = make_user(role="admin")
    signed_in(admin)
    created = post_form(client, "/admin/units", {"name": "Đồn Biên phòng Hoành Mô", "kind": "border_guard"})
    assert created.status_code == 302
    page = client.get("/admin/units").get_data(as_text=True)
    assert "Đồn Biên phòng Hoành Mô" in page and "Biên phòng" in page
    duplicate = post_form(client, "/admin/units", {"name": "Đồn Biên phòng Hoành Mô", "kind": "other"})
    assert duplicate.status_code == 400 and "Đã có đơn vị tên" in duplicate.get_data(as_text=True)
    too_long = post_form(client, "/admin/units", {"name": "x" * 201, "kind": "other"})
    assert too_long.status_code == 400
    log = client.get("/admin/audit").get_data(as_text=True)
    assert "Đã tạo đơn vị: <strong>Đồn Biên phòng Hoành Mô</strong>" in log
    assert f"Đã đăng nhập: <strong>{admin.email}</strong>" in log
    assert client.get("/admin/audit?before=notanumber").status_code == 200


def test_audit_log_pages_back(client, session, signed_in, make_user):
    from heritage.accounts.audit import AuditAction, record

    admin = make_user(role="admin")
    for _ in range(60):
        record(session, AuditAction.sign_in_failed, None)
    session.commit()
    signed_in(admin)
    first = client.get("/admin/audit").get_data(as_text=True)
    older = re.search(r'href="(/admin/audit\?before=\d+)"', first).group(1)
    assert client.get(older).status_code == 200
