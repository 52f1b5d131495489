"""Plaque codes: five characters, no look-alikes, random, never issued twice.

31 symbols ** 5 = 28.6 million codes; a province needs thousands, so collisions are rare and
simply retried.
"""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import Callable, Iterator

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


def seeded_codes(seed: str) -> Iterator[str]:
    """Codes drawn from a generator seeded by `seed`: the same sequence on every machine.

    Demo sites use their slug, so a fresh install gives each the same code and README can quote
    one. Never for real sites: their codes must not be guessable from the slug.
    """
    rng = random.Random(f"heritage-demo-code:{seed}")
    while True:
        yield "".join(rng.choice(ALPHABET) for _ in range(CODE_LENGTH))


def issue_code(
    session: Session,
    attempts: int = 40,
    candidates: Iterator[str] | None = None,
    acceptable: Callable[[str], bool] | None = None,
) -> PlaqueCode:
    """Reserve a fresh code (random, or the first free one of `candidates`) that `acceptable`
    approves (plaques.robust_codes: its QR symbol survives weathering). The row stays forever,
    which is what makes codes unique forever."""
    for _ in range(attempts):
        code = next(candidates) if candidates is not None else random_code()
        if session.get(PlaqueCode, code) is None and (acceptable is None or acceptable(code)):
            row = PlaqueCode(code=code)
            session.add(row)
            session.flush()
            return row
    raise RuntimeError("Could not find a free plaque code; the code space is nearly full.")
