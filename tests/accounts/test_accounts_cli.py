"""`flask heritage users|units` and the demo: the same services, links that really work."""

from __future__ import annotations

import re

from sqlalchemy import select

from heritage.accounts.models import AuditEvent, Role, Unit
from heritage.accounts.services import find_user, token_user
from heritage.demo.units import DEMO_ADMIN_EMAIL
from heritage.sites.models import Site

LINK = re.compile(r"^http://127\.0\.0\.1:5000/admin/set-password/([\w-]+)$", re.M)


def test_units_create_and_list(runner, session):
    result = runner.invoke(
        args=["heritage", "units", "create", "Đồn Biên phòng Hoành Mô", "--kind", "border_guard"]
    )
    assert result.exit_code == 0, result.output
    assert session.scalar(select(Unit.kind).where(Unit.name == "Đồn Biên phòng Hoành Mô")) == "border_guard"
    again = runner.invoke(args=["heritage", "units", "create", "Đồn Biên phòng Hoành Mô", "--kind", "other"])
    assert again.exit_code == 1 and "already exists" in again.output and "Traceback" not in again.output
    listed = runner.invoke(args=["heritage", "units", "list"])
    assert "Đồn Biên phòng Hoành Mô\tborder_guard" in listed.output


def test_users_create_prints_a_working_one_time_link(runner, session, make_unit):
    make_unit("Sở Văn hóa", "culture_office")
    result = runner.invoke(
        args=[
            "heritage",
            "users",
            "create",
            "Bien.Tap@Example.org",
            "--role",
            "editor",
            "--unit",
            "Sở Văn hóa",
        ]
    )
    assert result.exit_code == 0, result.output
    token = LINK.search(result.output).group(1)
    user = find_user(session, "bien.tap@example.org")
    assert user.role == Role.editor and user.unit.name == "Sở Văn hóa" and user.password_hash is None
    assert token_user(session, token) == user
    assert "password" not in "".join(
        e.detail.get("password", "") for e in session.scalars(select(AuditEvent))
    )

    listed = runner.invoke(args=["heritage", "users", "list"])
    assert "bien.tap@example.org\teditor\tSở Văn hóa\tno password yet" in listed.output

    relinked = runner.invoke(args=["heritage", "users", "link", "bien.tap@example.org"])
    new_token = LINK.search(relinked.output).group(1)
    assert token_user(session, token) is None and token_user(session, new_token) == user


def test_users_create_errors_are_messages_not_tracebacks(runner):
    unknown_unit = runner.invoke(
        args=["heritage", "users", "create", "a@example.org", "--role", "editor", "--unit", "X"]
    )
    assert unknown_unit.exit_code == 1 and "No unit is named" in unknown_unit.output
    bad_email = runner.invoke(args=["heritage", "users", "create", "not-an-email", "--role", "admin"])
    assert bad_email.exit_code == 1 and "valid email" in bad_email.output
    assert "Traceback" not in unknown_unit.output + bad_email.output


def test_load_demo_gives_units_their_sites_and_a_demo_admin_link(runner, session):
    result = runner.invoke(args=["heritage", "load-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    admin = find_user(session, DEMO_ADMIN_EMAIL)
    assert admin.role == Role.admin and admin.password_hash is None  # no default password
    assert token_user(session, LINK.search(result.output).group(1)) == admin

    owners = {
        site.slug: (site.kind.value, site.district or "", site.unit.name)
        for site in session.scalars(select(Site))
    }
    assert len(owners) == 33
    for slug, (kind, district, unit) in owners.items():
        if kind == "border_marker":
            assert unit == "Đồn Biên phòng cửa khẩu quốc tế Móng Cái", slug
        elif "Quảng Yên" in district:
            assert unit == "Đoàn Thanh niên thị xã Quảng Yên", slug
        elif "Đông Triều" in district:
            assert unit == "Đoàn Thanh niên thành phố Đông Triều", slug
        else:
            assert unit == "Sở Văn hóa, Thể thao và Du lịch Quảng Ninh", slug
    assert {u for *_, u in owners.values()} == {
        "Đồn Biên phòng cửa khẩu quốc tế Móng Cái",
        "Đoàn Thanh niên thị xã Quảng Yên",
        "Đoàn Thanh niên thành phố Đông Triều",
        "Sở Văn hóa, Thể thao và Du lịch Quảng Ninh",
    }

    second = runner.invoke(args=["heritage", "load-demo", "--if-empty"])
    assert "set-password" not in second.output  # nothing new, no new link
