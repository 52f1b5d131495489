"""Plaque codes: five characters, no look-alikes, random, never issued twice.

31 symbols ** 5 = 28.6 million codes; a province needs thousands, so collisions are rare and
simply retried.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy.orm import Session

from heritage.sites.models import PlaqueCode

# No 0/O, 1/I/L: read aloud or typed from a weathered plaque without doubt.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 5
_CODE_RE = re.compile(f"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def normalise_code(raw: str) -> str | None:
    """The canonical (upper-case) code, or None when `raw` cannot be a code.

    Spaces anywhere are dropped: people type a code read off a plaque as "7kq 2x".
    """
    code = "".join(raw.split()).upper()
    return code if _CODE_RE.match(code) else None


def random_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def issue_code(session: Session, attempts: int = 20) -> PlaqueCode:
    """Reserve a fresh code. The row stays forever, which is what makes codes unique forever."""
    for _ in range(attempts):
        code = random_code()
        if session.get(PlaqueCode, code) is None:
            row = PlaqueCode(code=code)
            session.add(row)
            session.flush()
            return row
    raise RuntimeError("Could not find a free plaque code; the code space is nearly full.")
