"""Units that own sites, the people who work for them, set-password tokens and the audit log.

Emails are stored lower-cased (a CHECK keeps it so), which makes the unique constraint
case-insensitive on every database without a functional index.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from heritage.db import Base, string_enum, utcnow


class UnitKind(enum.StrEnum):
    youth_union = "youth_union"
    border_guard = "border_guard"
    culture_office = "culture_office"
    other = "other"


class Role(enum.StrEnum):
    """Ordered: each role may do what the ones before it may."""

    volunteer = "volunteer"
    editor = "editor"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def at_least(self, other: Role) -> bool:
        return self.rank >= Role(other).rank


class Unit(Base):
    """A youth union, border-guard station or office that owns sites and employs users."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[UnitKind] = mapped_column(string_enum(UnitKind, "unit_kind"), default=UnitKind.other)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def __repr__(self) -> str:
        return f"<Unit {self.name!r} {self.kind.value}>"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # None until the person follows their one-time link: no account ever has a default password.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(string_enum(Role, "user_role"), default=Role.volunteer)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Given by an admin: act on every unit's sites, border markers included.
    wide_scope: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Stored in the session at sign-in; bumped on every password change, which ends older sessions.
    credential_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    unit: Mapped[Unit | None] = relationship(lazy="joined")

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role.value}>"


class SetPasswordToken(Base):
    """A one-time link: only its SHA-256 is stored, so a database leak opens no account."""

    __tablename__ = "set_password_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()


class AuditEvent(Base):
    """Who did what, when, to what. No IP address or user agent is ever recorded."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # None: the command line (someone with shell access) or an anonymous sign-in attempt.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(lazy="joined")
