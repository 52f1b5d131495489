"""The account services on their own: units, users, one-time links, sign-in, passwords, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from heritage.accounts import passwords
from heritage.accounts.audit import AuditAction
from heritage.accounts.models import AuditEvent, Role, SetPasswordToken, User
from heritage.accounts.services import (
    PermissionDenied,
    authenticate,
    change_password,
    create_unit,
    create_user,
    issue_set_password_link,
    set_password_with_token,
    set_role,
    token_user,
)
from heritage.errors import ValidationError

PASSWORD = "mật khẩu đủ dài 2026"


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_default_hasher_is_argon2id_with_the_rfc_profile():
    hashed = PasswordHasher().hash("x" * 12)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert passwords._hasher.hash("x" * 12).startswith("$argon2id$")  # the test hasher: same algorithm


def test_email_is_unique_whatever_its_case(session, make_unit):
    unit = make_unit()
    user = create_user(session, None, "  Ten.Nguyen@Example.ORG ", "editor", unit)
    assert user.email == "ten.nguyen@example.org"
    with pytest.raises(ValidationError, match="already exists"):
        create_user(session, None, "TEN.NGUYEN@example.org", "volunteer", unit)


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b", "two words@example.org", "x" * 250 + "@e.org"])
def test_bad_emails_are_refused(session, email):
    with pytest.raises(ValidationError) as error:
        create_user(session, None, email, "admin")
    assert error.value.field == "email"


def test_volunteers_and_editors_need_a_unit_or_wide_scope(session):
    with pytest.raises(ValidationError, match="unit"):
        create_user(session, None, "v@example.org", "volunteer")
    assert create_user(session, None, "w@example.org", "editor", wide_scope=True).wide_scope


def test_only_admins_create_users_and_units(session, make_user):
    editor = make_user(role="editor")
    with pytest.raises(PermissionDenied):
        create_user(session, editor, "new@example.org", "volunteer", editor.unit)
    with pytest.raises(PermissionDenied):
        create_unit(session, editor, "Đồn Biên phòng Hoành Mô", "border_guard")
    admin = make_user(role="admin")
    unit = create_unit(session, admin, "Đồn Biên phòng Hoành Mô", "border_guard")
    created = create_user(session, admin, "new@example.org", "volunteer", unit)
    assert created.password_hash is None and created.role == Role.volunteer
    assert _actions(session)[-2:] == ["unit_created", "user_created"]


def test_unit_names_are_unique_and_kinds_checked(session, make_unit):
    make_unit("Sở Văn hóa")
    with pytest.raises(ValidationError, match="already exists"):
        create_unit(session, None, " Sở Văn hóa ", "culture_office")
    with pytest.raises(ValidationError, match="kind"):
        create_unit(session, None, "Hội", "club")


def test_set_password_link_is_stored_hashed_single_use_and_expiring(session, make_user):
    user = make_user(role="volunteer", password=None)
    token = issue_set_password_link(session, None, user)
    stored = session.scalar(select(SetPasswordToken).where(SetPasswordToken.user_id == user.id))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    with pytest.raises(ValidationError, match="10 characters"):
        set_password_with_token(session, token, "short")
    version = user.credential_version
    set_password_with_token(session, token, PASSWORD)
    assert passwords.verify_password(user.password_hash, PASSWORD)
    assert user.credential_version == version + 1
    with pytest.raises(ValidationError, match="expired or was already used"):
        set_password_with_token(session, token, PASSWORD + "!")
    expired = issue_set_password_link(session, None, user, valid_for=timedelta(seconds=-1))
    assert token_user(session, expired) is None


def test_a_new_link_retires_the_older_one(session, make_user):
    user = make_user(role="editor", password=None)
    first = issue_set_password_link(session, None, user)
    second = issue_set_password_link(session, None, user)
    assert token_user(session, first) is None
    assert token_user(session, second) == user


def test_authenticate_logs_success_and_failure_without_addresses(session, make_user):
    user = make_user(role="editor", email="bien@example.org")
    assert authenticate(session, "BIEN@example.org", PASSWORD) == user
    assert user.last_sign_in_at is not None
    assert authenticate(session, "bien@example.org", "wrong password here") is None
    assert authenticate(session, "nobody@example.org", PASSWORD) is None
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(3)))[::-1]
    assert [e.action for e in events] == ["sign_in", "sign_in_failed", "sign_in_failed"]
    assert events[1].target_id == user.id
    assert events[2].target_id is None and events[2].detail == {}  # a mistyped address is not kept
    columns = set(AuditEvent.__table__.columns.keys())
    assert not {"ip", "ip_address", "remote_addr", "user_agent"} & columns


def test_accounts_without_password_or_inactive_cannot_sign_in(session, make_user):
    waiting = make_user(role="volunteer", password=None)
    assert authenticate(session, waiting.email, "") is None
    assert authenticate(session, waiting.email, "no account has this password") is None
    gone = make_user(role="editor")
    gone.active = False
    assert authenticate(session, gone.email, PASSWORD) is None


def test_change_password_needs_the_current_one_and_bumps_the_version(session, make_user):
    user = make_user(role="volunteer")
    with pytest.raises(ValidationError) as error:
        change_password(session, user, "not it at all", "a brand new password")
    assert error.value.field == "current_password"
    with pytest.raises(ValidationError, match="email"):
        change_password(session, user, PASSWORD, user.email.upper())
    version = user.credential_version
    change_password(session, user, PASSWORD, "a brand new password")
    assert user.credential_version == version + 1
    assert authenticate(session, user.email, "a brand new password") == user
    assert _actions(session)[-2:] == ["password_changed", "sign_in"]


def test_set_role_is_admin_only_logged_and_no_self_demotion(session, make_user, make_unit):
    admin, editor = make_user(role="admin"), make_user(role="editor")
    with pytest.raises(PermissionDenied):
        set_role(session, editor, editor, "admin")
    border = make_unit("Đồn Biên phòng Móng Cái", "border_guard")
    set_role(session, admin, editor, "volunteer", wide_scope=True, unit=border)
    assert (editor.role, editor.wide_scope, editor.unit) == (Role.volunteer, True, border)
    event = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.action == AuditAction.role_changed and event.actor_id == admin.id
    assert event.detail["before"]["role"] == "editor" and event.detail["after"]["unit"] == border.name
    with pytest.raises(ValidationError, match="own admin role"):
        set_role(session, admin, admin, "editor")


def test_naive_sqlite_times_compare_as_utc(session, make_user):
    user = make_user(role="editor", password=None)
    token = issue_set_password_link(session, None, user, valid_for=timedelta(minutes=5))
    session.commit()
    session.expire_all()
    assert token_user(session, token).id == user.id
    row = session.scalar(select(SetPasswordToken).where(SetPasswordToken.user_id == user.id))
    row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    session.commit()
    session.expire_all()
    assert token_user(session, token) is None
    assert session.get(User, user.id).password_hash is None


def test_set_active_is_admin_only_and_logged(session, make_user):
    from heritage.accounts.services import set_active

    admin, editor = make_user(role="admin"), make_user(role="editor")
    with pytest.raises(PermissionDenied):
        set_active(session, editor, admin, False)
    set_active(session, admin, editor, False)
    assert not editor.active and _actions(session)[-1] == "account_deactivated"
    set_active(session, admin, editor, False)  # no change, no new event
    assert _actions(session)[-1] == "account_deactivated"
    with pytest.raises(ValidationError, match="own account"):
        set_active(session, admin, admin, False)


def test_a_refused_role_change_leaves_the_user_as_it_was(session, make_user):
    admin, other_admin = make_user(role="admin"), make_user(role="admin")
    with pytest.raises(ValidationError, match="belong to a unit"):
        set_role(session, admin, other_admin, "editor", wide_scope=False, unit=None)
    assert other_admin.role.value == "admin" and other_admin.unit is None and not other_admin.wide_scope
