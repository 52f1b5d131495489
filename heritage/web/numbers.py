"""Whole numbers read from a request (path, query string, form), bounded to what the database stores.

Werkzeug's `int` converter and `type=int` accept any length (and any script's digits): an id past
PostgreSQL's `integer` (or SQLite's 64 bits) then fails inside the database driver, a 500. Here a
path id out of range matches no route (404), and `type=db_int` reads a value out of range as absent.
"""

from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter

# PostgreSQL's `integer`, the type of every id and version column; SQLite's is wider.
DB_INT_MAX = 2**31 - 1
_WHOLE = re.compile(r"[+-]?[0-9]{1,10}")


def db_int(raw: str) -> int:
    """`request.args.get(name, type=db_int)`: ASCII digits, optionally signed, within the database's
    integer; anything else raises ValueError, which Werkzeug reads as "absent"."""
    if not _WHOLE.fullmatch(raw.strip()):
        raise ValueError(f"not a whole number the database can hold: {raw[:20]!r}")
    value = int(raw)
    if not -DB_INT_MAX - 1 <= value <= DB_INT_MAX:
        raise ValueError(f"out of the database's integer range: {raw[:20]!r}")
    return value


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits up to DB_INT_MAX, else no match (a 404)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, **options):
        options.setdefault("max", DB_INT_MAX)
        super().__init__(map, **options)
