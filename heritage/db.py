"""The SQLAlchemy engine and a session per application context.

Models subclass `Base`. Services use `db.session` and flush; a request or CLI command commits once.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from sqlalchemy import Enum, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, scoped_session, sessionmaker

# Stable constraint names so Alembic migrations name the same things on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    """Timestamps are stored in UTC, timezone-aware."""
    return datetime.now(UTC)


def string_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """An enum column stored as a plain string with a CHECK constraint: adding a value is a small
    migration, and PostgreSQL needs no native ENUM type juggling."""
    return Enum(enum_class, name=name, native_enum=False, create_constraint=True, length=32)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def refresh_statistics(engine: Engine) -> None:
    """After a bulk load (generated sites, a copied or restored database). PostgreSQL plans from
    table statistics that autovacuum gathers a minute or so later; until then the visitor list at
    100,000 sites took 300 ms instead of 20 (a plan for tables it believed nearly empty). SQLite
    keeps no statistics unless asked, and its plans here do not depend on them."""
    if engine.dialect.name != "postgresql":
        return
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"ANALYZE {names}")


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; SQLAlchemy's documented recipe
    # lets the driver stay in autocommit and emits BEGIN itself.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the scan writer
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


def _may_write() -> bool:
    """Whether this SQLite transaction should take the write lock at BEGIN. In WAL mode a
    transaction that read first cannot write once another connection has committed since
    (SQLITE_BUSY_SNAPSHOT, no waiting): an editor's save failed whenever the scan writer
    committed a batch meanwhile. A request that changes things (POST...) takes the lock first
    and waits its turn (busy_timeout) instead. Visitors' GETs stay deferred, so pages never queue
    behind a writer; so do jobs, which hold their transaction for minutes of work."""
    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


class Database:
    """Holds the engine and the scoped session; bound to one app in `init_app`."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.sessionmaker = sessionmaker(expire_on_commit=False)
        # One session per app context (request or CLI command).
        self.session = scoped_session(self.sessionmaker, scopefunc=lambda: id(g._get_current_object()))

    def init_app(self, app: Flask) -> None:
        self.engine = make_engine(app.config["DATABASE_URL"])
        self.sessionmaker.configure(bind=self.engine)
        app.extensions["heritage.db"] = self

        @app.teardown_appcontext
        def _remove_session(_exc):
            if self.session.registry.has():  # most scans and cached pages never open one
                self.session.remove()
