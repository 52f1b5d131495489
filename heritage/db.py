"""The SQLAlchemy engine and a session per application context.

Models subclass `Base`. Services use `db.session` and flush; a request or CLI command commits once.
"""

from __future__ import annotations

import enum
import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from sqlalchemy import Enum, MetaData, create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

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
    engine = create_engine(url)
    _check_on_checkout(engine)
    return engine


# A pooled connection idle longer than this is pinged (a round trip) before use.
PING_AFTER_IDLE_SECONDS = 30.0


def _check_on_checkout(engine: Engine) -> None:
    """What pool_pre_ping guards against, without its round trip on every checkout (a cold page's
    fifth of PostgreSQL's time, bench/cold_page.py). When PostgreSQL restarts or ends a session it
    tells each client and closes the socket: an idle connection that has anything to read is one
    of those, and is replaced before use. A connection idle longer than PING_AFTER_IDLE_SECONDS
    (a firewall may have dropped it without a word) is pinged as pool_pre_ping would."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _still_there(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None:  # just connected
            return
        if time.monotonic() - idle_since > PING_AFTER_IDLE_SECONDS:
            alive = _ping(engine, dbapi_connection)
        else:
            alive = not _has_unread_input(dbapi_connection)
        if not alive:
            raise exc.DisconnectionError("the server closed this connection while it was idle")


def _has_unread_input(dbapi_connection) -> bool:
    """Whether an idle connection's socket holds something unread (or is closed): no round trip."""
    if getattr(dbapi_connection, "closed", False) or getattr(dbapi_connection, "broken", False):
        return True
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    except (OSError, ValueError):  # a closed descriptor
        return True


def _ping(engine: Engine, dbapi_connection) -> bool:
    try:
        return engine.dialect.do_ping(dbapi_connection)
    except Exception as error:  # noqa: BLE001 - the dialect says which errors mean "gone"
        if engine.dialect.is_disconnect(error, dbapi_connection, None):
            return False
        raise


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
        connection.info[_ONLY_READ] = False  # set on every BEGIN: the info outlives a checkout
        if reading_only():
            return  # each statement on its own, as PostgreSQL's reads (Database.init_app)
        immediate = _may_write()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        connection.info[_ONLY_READ] = _LOCK_AT_FIRST_WRITE.get() and not immediate

    @event.listens_for(engine, "before_cursor_execute")
    def _lock_before_writing(connection, cursor, statement, _parameters, _context, _executemany):
        if not connection.info.get(_ONLY_READ) or statement.lstrip()[:6].upper() in _READS:
            return
        connection.info[_ONLY_READ] = False
        # Nothing is written yet, so ending the reads' transaction loses nothing; the new one
        # waits its turn for the write lock (busy_timeout) and holds it to the commit.
        cursor.execute("COMMIT")
        cursor.execute("BEGIN IMMEDIATE")


_ONLY_READ = "heritage.only_read_so_far"
_READS = ("SELECT", "PRAGMA")
_LOCK_AT_FIRST_WRITE: ContextVar[bool] = ContextVar("heritage.lock_at_first_write", default=False)


@contextmanager
def lock_at_first_write() -> Iterator[None]:
    """For work that reads, computes for a long while, then writes (a job tiling a panorama, a
    command rendering a sheet of plaques), outside a request.

    On SQLite (WAL) a transaction that has read cannot write once another connection has
    committed since (SQLITE_BUSY_SNAPSHOT, at once, without waiting): a photo job failed (a job
    that works the same way failed at every retry), and `flask heritage plaques --all` failed
    after 49 s of PDFs, whenever another writer (the scan writer's batch each second, an
    editor's save) committed while they worked. Inside this block a transaction's reads still
    share one snapshot; its first write ends that read-only transaction and starts a write
    transaction (BEGIN IMMEDIATE, waiting its turn), held to the commit: the writes, and whatever
    is read after them, are one unit. Work that only reads keeps its one snapshot. No effect on
    PostgreSQL, whose transactions can always write.

    Not for a request: a POST takes the lock at BEGIN, so that what it read is still true when it
    writes (_may_write)."""
    token = _LOCK_AT_FIRST_WRITE.set(True)
    try:
        yield
    finally:
        _LOCK_AT_FIRST_WRITE.reset(token)


def _may_write() -> bool:
    """Whether this SQLite transaction should take the write lock at BEGIN. In WAL mode a
    transaction that read first cannot write once another connection has committed since
    (SQLITE_BUSY_SNAPSHOT, no waiting): an editor's save failed whenever the scan writer
    committed a batch meanwhile. A request that changes things (POST...) takes the lock first
    and waits its turn (busy_timeout) instead. Visitors' GETs stay deferred, so pages never queue
    behind a writer. Jobs and commands, which work for minutes between their reads and their
    writes, take the lock at their first write instead (lock_at_first_write)."""
    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")


def reads_only(view):
    """Marks a view that only reads the database. On GET and HEAD its statements run without a
    transaction around them: no BEGIN and ROLLBACK, two of a cold page's round trips to
    PostgreSQL. Its statements may then see different moments of the data (a page's site and the
    list of sites it links to), which a page that shows the data as it is can live with. A view
    that writes must not carry it: its session refuses to flush."""
    view.heritage_reads_only = True
    return view


class ReadingSession(Session):
    """A reads_only view's session: it refuses to flush (listened for once, on the class: a
    listener per session cost more than the page's statement)."""


@event.listens_for(ReadingSession, "before_flush")
def _refuse_writes(_session, _context, _instances):
    raise RuntimeError("a view marked reads_only tried to write: remove the mark")


def reading_only() -> bool:
    # On the request, not on g: g outlives a request where an app context was already pushed.
    return has_request_context() and request.environ.get(_READS_ONLY, False)


_READS_ONLY = "heritage.reads_only"


class Database:
    """Holds the engine and the scoped session; bound to one app in `init_app`."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.sessionmaker = sessionmaker(expire_on_commit=False)
        # One session per app context (request or CLI command).
        self.session = scoped_session(self.sessionmaker, scopefunc=lambda: id(g._get_current_object()))
        self._reading: tuple[Engine, Engine] | None = None
        self._reading_sessionmaker = sessionmaker(class_=ReadingSession, expire_on_commit=False)

    def _reading_engine(self) -> Engine:
        """The engine for reads_only views: PostgreSQL's connections in autocommit. SQLite's skip
        BEGIN in _configure_sqlite's hook instead: SQLAlchemy's AUTOCOMMIT for pysqlite would give
        the driver its own transaction handling back when the connection returns to the pool."""
        engine = self.engine
        if engine.dialect.name == "sqlite":
            return engine
        if self._reading is None or self._reading[0] is not engine:
            self._reading = (engine, engine.execution_options(isolation_level="AUTOCOMMIT"))
        return self._reading[1]

    def init_app(self, app: Flask) -> None:
        self.engine = make_engine(app.config["DATABASE_URL"])
        self.sessionmaker.configure(bind=self.engine)
        app.extensions["heritage.db"] = self

        @app.before_request
        def _reading_session():
            view = app.view_functions.get(request.endpoint)
            if request.method not in ("GET", "HEAD") or not getattr(view, "heritage_reads_only", False):
                return
            if self.session.registry.has():  # a hook already used the request's session
                return
            if self.sessionmaker.kw.get("bind") is not self.engine:  # tests: one outer transaction
                return
            request.environ[_READS_ONLY] = True
            self.session.registry.set(self._reading_sessionmaker(bind=self._reading_engine()))

        @app.teardown_appcontext
        def _remove_session(_exc):
            if self.session.registry.has():  # most scans and cached pages never open one
                self.session.remove()
