"""Password hashing with Argon2id (argon2-cffi's RFC 9106 low-memory profile) and the length rule.

One hasher for the process; tests swap in a cheaper one with `use_hasher` (same algorithm).
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l

from heritage.errors import ValidationError

PASSWORD_MIN = 10
PASSWORD_MAX = 256  # bounds the hashing work an attacker can ask for

_hasher = PasswordHasher()


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Replace the process hasher (tests); returns the previous one."""
    global _hasher
    previous, _hasher = _hasher, hasher
    _dummy_hash.cache_clear()
    return previous


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; an account without a password spends the same time and fails."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    # Verifying against this for unknown emails keeps their timing equal to a wrong password.
    return _hasher.hash("no account has this password")


def check_new_password(password: str, email: str = "") -> str:
    if len(password) < PASSWORD_MIN:
        raise ValidationError(
            _l("A password needs at least %(count)d characters.", count=PASSWORD_MIN), field="password"
        )
    if len(password) > PASSWORD_MAX:
        raise ValidationError(
            _l("A password may have at most %(count)d characters.", count=PASSWORD_MAX), field="password"
        )
    if email and password.strip().lower() == email.lower():
        raise ValidationError(_l("The password must not be the email address."), field="password")
    return password
