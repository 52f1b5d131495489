"""Units, users, set-password links, sign-in and password changes. Callers commit; these flush.

Each function takes the acting user (`actor`); None is the command line, run by someone with
shell access to the server. The web pages and `flask heritage users|units` call these same
functions. Nothing here knows about HTTP.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from heritage.accounts import passwords
from heritage.accounts.audit import AuditAction, record
from heritage.accounts.models import Role, SetPasswordToken, Unit, UnitKind, User
from heritage.errors import ValidationError

EMAIL_MAX = 254
UNIT_NAME_MAX = 200


KEEP = object()  # "leave this as it is", where None is a real value


class PermissionDenied(Exception):
    """The acting user's role does not allow this; the web answers 403."""


def require_role(actor: User | None, role: Role) -> None:
    if actor is None:  # the command line
        return
    if not actor.active or not actor.role.at_least(role):
        raise PermissionDenied(f"This needs the {role.value} role.")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _check_email(email: str) -> str:
    email = normalise_email(email)
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > EMAIL_MAX or any(c.isspace() for c in email):
        raise ValidationError(_l("Enter a valid email address, like ten@example.org."), field="email")
    return email


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- units -------------------------------------------------------------------------------------


def find_unit(session: Session, name: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.name == (name or "").strip()))


def create_unit(session: Session, actor: User | None, name: str, kind: UnitKind | str) -> Unit:
    require_role(actor, Role.admin)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_l("A unit needs a name."), field="name")
    if len(name) > UNIT_NAME_MAX:
        raise ValidationError(
            _l("A unit name may have at most %(count)d characters.", count=UNIT_NAME_MAX), field="name"
        )
    try:
        kind = UnitKind(kind)
    except ValueError:
        raise ValidationError(
            _l("Unit kind must be one of %(kinds)s.", kinds=", ".join(k.value for k in UnitKind)),
            field="kind",
        ) from None
    if find_unit(session, name) is not None:
        raise ValidationError(_l("A unit named “%(name)s” already exists.", name=name), field="name")
    unit = Unit(name=name, kind=kind)
    session.add(unit)
    session.flush()
    record(session, AuditAction.unit_created, actor, unit, name=name, kind=kind.value)
    return unit


def list_units(session: Session) -> list[Unit]:
    return list(session.scalars(select(Unit).order_by(Unit.name)))


# --- users -------------------------------------------------------------------------------------


def find_user(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def create_user(
    session: Session,
    actor: User | None,
    email: str,
    role: Role | str,
    unit: Unit | None = None,
    wide_scope: bool = False,
) -> User:
    """A new account without a password: follow with `issue_set_password_link`."""
    require_role(actor, Role.admin)
    email = _check_email(email)
    role = _check_role(role)
    if find_user(session, email) is not None:
        raise ValidationError(_l("An account for %(email)s already exists.", email=email), field="email")
    if role != Role.admin and unit is None and not wide_scope:
        raise ValidationError(
            _l("Volunteers and editors belong to a unit (or need wide scope)."), field="unit"
        )
    user = User(email=email, role=role, unit=unit, wide_scope=wide_scope, active=True, credential_version=1)
    session.add(user)
    session.flush()
    record(
        session,
        AuditAction.user_created,
        actor,
        user,
        email=email,
        role=role.value,
        unit=unit.name if unit else None,
        wide_scope=wide_scope or None,
    )
    return user


def _check_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError(
            _l("Role must be one of %(roles)s.", roles=", ".join(r.value for r in Role)), field="role"
        ) from None


def set_role(
    session: Session,
    actor: User | None,
    user: User,
    role: Role | str,
    wide_scope: bool | None = None,
    unit: Unit | None | object = KEEP,
) -> User:
    """Change a user's role (and optionally wide scope and unit: None for no unit); admins only, logged."""
    require_role(actor, Role.admin)
    role = _check_role(role)
    if actor is not None and actor.id == user.id and role != Role.admin:
        raise ValidationError(_l("Admins cannot take away their own admin role."), field="role")
    before = {
        "role": user.role.value,
        "wide_scope": user.wide_scope,
        "unit": user.unit.name if user.unit else None,
    }
    new_unit = user.unit if unit is KEEP else unit
    new_wide_scope = user.wide_scope if wide_scope is None else wide_scope
    if role != Role.admin and new_unit is None and not new_wide_scope:
        raise ValidationError(
            _l("Volunteers and editors belong to a unit (or need wide scope)."), field="unit"
        )
    user.role, user.unit, user.wide_scope = role, new_unit, new_wide_scope
    after = {
        "role": user.role.value,
        "wide_scope": user.wide_scope,
        "unit": user.unit.name if user.unit else None,
    }
    session.flush()
    if after != before:
        record(session, AuditAction.role_changed, actor, user, before=before, after=after)
    return user


def set_active(session: Session, actor: User | None, user: User, active: bool) -> User:
    """Deactivate (someone left the unit) or reactivate an account; its sessions end at once."""
    require_role(actor, Role.admin)
    if actor is not None and actor.id == user.id and not active:
        raise ValidationError(_l("Admins cannot deactivate their own account."), field="active")
    if user.active != active:
        user.active = active
        session.flush()
        action = AuditAction.account_reactivated if active else AuditAction.account_deactivated
        record(session, action, actor, user)
    return user


# --- one-time set-password links ---------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_set_password_link(
    session: Session, actor: User | None, user: User, valid_for: timedelta = timedelta(hours=72)
) -> str:
    """A new one-time token for `user` (earlier unused ones stop working); only its hash is kept.

    Returns the token itself, which the caller turns into a link and shows once.
    """
    require_role(actor, Role.admin)
    _retire_tokens(session, user)
    token = secrets.token_urlsafe(32)
    session.add(SetPasswordToken(user=user, token_hash=_token_hash(token), expires_at=_now() + valid_for))
    session.flush()
    record(
        session,
        AuditAction.set_password_link_issued,
        actor,
        user,
        hours=int(valid_for.total_seconds() // 3600),
    )
    return token


def _retire_tokens(session: Session, user: User) -> None:
    session.execute(
        update(SetPasswordToken)
        .where(SetPasswordToken.user_id == user.id, SetPasswordToken.used_at.is_(None))
        .values(used_at=_now())
    )


def token_user(session: Session, token: str) -> User | None:
    """The active user a token opens, if it is unused and unexpired; else None."""
    row = session.scalar(
        select(SetPasswordToken).where(SetPasswordToken.token_hash == _token_hash(token or ""))
    )
    if row is None or row.used_at is not None or _aware(row.expires_at) <= _now() or not row.user.active:
        return None
    return row.user


def set_password_with_token(session: Session, token: str, new_password: str) -> User:
    user = token_user(session, token)
    if user is None:
        raise ValidationError(
            _l("This link has expired or was already used. Ask an admin for a new one."), field="token"
        )
    passwords.check_new_password(new_password, user.email)
    _retire_tokens(session, user)
    _store_password(user, new_password)
    session.flush()
    record(session, AuditAction.password_set, user, user)
    return user


def _store_password(user: User, password: str) -> None:
    user.password_hash = passwords.hash_password(password)
    # Every session signed in with the old credentials ends at its next request.
    user.credential_version = (user.credential_version or 0) + 1


# --- signing in and changing a password --------------------------------------------------------


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user for a correct email and password, or None. Both outcomes go to the audit log."""
    user = find_user(session, email)
    ok = passwords.verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.active:
        # An unknown email is logged without it: a mistyped address is not kept.
        record(session, AuditAction.sign_in_failed, None, user)
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)  # same password: sessions stay
    user.last_sign_in_at = _now()
    record(session, AuditAction.sign_in, user, user)
    return user


def change_password(session: Session, user: User, current_password: str, new_password: str) -> User:
    """Needs the current password; ends every other session of the user."""
    if not passwords.verify_password(user.password_hash, current_password or ""):
        raise ValidationError(_l("The current password is not right."), field="current_password")
    passwords.check_new_password(new_password, user.email)
    _store_password(user, new_password)
    _retire_tokens(session, user)
    session.flush()
    record(session, AuditAction.password_changed, user, user)
    return user
