"""Moving a province's data: every table from one database to another, then proved equal.

`copy_database()` reads the source in one snapshot (the app may keep running), writes an empty
target migrated to the same revision, resets PostgreSQL's sequences, and compares row counts and
checksums table by table. `table_digests()` is the proof: values are normalised (times in UTC, no
driver types) so SQLite and PostgreSQL copies of the same rows give the same digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import Connection, Engine

from heritage.db import refresh_statistics
from heritage.models import Base

CHUNK = 2_000


class TransferError(RuntimeError):
    """The copy cannot go ahead or did not come out equal; the message says which table."""


@dataclass(frozen=True)
class TableDigest:
    rows: int
    sha256: str


def _tables():
    return Base.metadata.sorted_tables  # parents before children


def _normalise(value):
    if isinstance(value, datetime):
        # SQLite hands back naive datetimes (stored in UTC), PostgreSQL aware ones.
        value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def table_digests(connection: Connection) -> dict[str, TableDigest]:
    """Rows and a SHA-256 of every table's rows in primary-key order."""
    digests = {}
    for table in _tables():
        digest = hashlib.sha256()
        rows = 0
        order = list(table.primary_key.columns) or list(table.columns)
        for row in connection.execute(select(table).order_by(*order)).yield_per(CHUNK):
            values = [_normalise(v) for v in row]
            digest.update(json.dumps(values, ensure_ascii=False, default=str).encode())
            digest.update(b"\n")
            rows += 1
        digests[table.name] = TableDigest(rows, digest.hexdigest())
    return digests


def _snapshot(engine: Engine) -> Connection:
    """A connection whose reads all see one moment, whatever the app writes meanwhile."""
    connection = engine.connect()
    if engine.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
    connection.begin()  # SQLite (WAL): the read transaction is the snapshot
    return connection


def _revision(connection: Connection) -> set[str]:
    return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def check_empty(connection: Connection) -> None:
    for table in _tables():
        if connection.scalar(select(func.count()).select_from(table)):
            raise TransferError(
                f"The target is not empty: table {table.name} has rows. Copy into an empty database."
            )


def _self_references(table) -> list:
    """Columns pointing at their own table (a site part of another): filled in a second pass."""
    return [fk.parent for fk in table.foreign_keys if fk.column.table is table]


def _copy_table(source: Connection, target: Connection, table) -> None:
    later = _self_references(table)
    pending: list[dict] = []
    batch: list[dict] = []
    key = list(table.primary_key.columns)
    for row in source.execute(select(table)).mappings().yield_per(CHUNK):
        # SQLite keeps no zone: aware times from PostgreSQL are written as UTC, as the app does.
        values = {k: v.astimezone(UTC) if isinstance(v, datetime) and v.tzinfo else v for k, v in row.items()}
        links = {column.name: values[column.name] for column in later if values[column.name] is not None}
        if links:
            # The second pass sets `onupdate` columns (updated_at) back to the copied value too.
            kept = {c.name: values[c.name] for c in table.columns if c.onupdate is not None}
            pending.append({**{f"pk_{c.name}": values[c.name] for c in key}, **kept, **links})
            for name in links:
                values[name] = None
        batch.append(values)
        if len(batch) >= CHUNK:
            target.execute(table.insert(), batch)
            batch = []
    if batch:
        target.execute(table.insert(), batch)
    for links in pending:
        where = [c == links[f"pk_{c.name}"] for c in key]
        target.execute(
            update(table).where(*where).values({k: v for k, v in links.items() if not k.startswith("pk_")})
        )


def reset_sequences(target: Connection) -> None:
    """PostgreSQL: each id sequence continues after the copied rows (the next insert must not collide)."""
    if target.dialect.name != "postgresql":
        return
    for table in _tables():
        for column in table.primary_key.columns:
            if not column.autoincrement or column.type.python_type is not int:
                continue
            sequence = target.scalar(
                text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name}
            )
            if sequence:
                target.execute(
                    text(
                        f'SELECT setval(:s, COALESCE(MAX("{column.name}"), 1), MAX("{column.name}") IS NOT NULL) FROM "{table.name}"'
                    ),
                    {"s": sequence},
                )


def copy_database(
    source: Engine, target: Engine, progress: Callable[[str, int], None] | None = None
) -> dict[str, TableDigest]:
    """Copy every table from `source` into the empty, migrated `target`; the verified digests.

    Raises TransferError (and writes nothing) if the target is not empty or at another
    migration; raises it after the copy if any table's count or checksum differs.
    """
    with _snapshot(source) as reading:
        with target.begin() as writing:
            if _revision(reading) != _revision(writing):
                raise TransferError(
                    f"The databases are at different migrations ({sorted(_revision(reading))} and "
                    f"{sorted(_revision(writing))}): run `flask heritage migrate` on both first."
                )
            check_empty(writing)
            for table in _tables():
                _copy_table(reading, writing, table)
                if progress:
                    progress(table.name, reading.scalar(select(func.count()).select_from(table)))
            reset_sequences(writing)
        expected = table_digests(reading)
    refresh_statistics(target)
    with target.connect() as checking:
        found = table_digests(checking)
    for name, digest in expected.items():
        if found[name] != digest:
            raise TransferError(
                f"Table {name} differs after the copy: {digest.rows} rows in the source, "
                f"{found[name].rows} in the target (checksums {digest.sha256[:12]} and {found[name].sha256[:12]})."
            )
    return expected
