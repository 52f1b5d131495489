"""Moving a province: copy-database SQLite → PostgreSQL → SQLite, and backup → restore, each a real
round trip on committed databases with the demo, its history (audit events), scans and a photo.
Equal means equal API answers, equal table checksums and the same media bytes."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import create_engine, make_url, text

from heritage import create_app
from heritage.extensions import db
from heritage.migrate import upgrade
from tests.ops.conftest import PG_URL

API_PATHS = [
    "/api/v1/sites?per_page=100&lang=vi",
    "/api/v1/sites?per_page=100&lang=zh",
    "/api/v1/sites/dinh-trung-ban?lang=en",
    "/api/v1/map?lang=ko",
]


def _app(url: str, media_dir, **config):
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "ops",
            "MEDIA_DIR": str(media_dir),
            "SCAN_FLUSH_SECONDS": 0,
            "SCAN_LIMIT_PER_MINUTE": 0,
            "PAGE_CACHE_SECONDS": 0,
            **config,
        }
    )
    db.sessionmaker.configure(bind=db.engine, join_transaction_mode="conditional_savepoint")
    return app


def _run(app, *args) -> str:
    result = app.test_cli_runner().invoke(args=["heritage", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _province(url: str, media_dir, tmp_path) -> dict:
    """The demo with a photo and scans in the database at `url`; its answers."""
    app = _app(url, media_dir)
    _run(app, "load-demo")
    photo = tmp_path / "dinh.jpg"
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((900, 600)).convert("RGB").save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    _run(app, "media", "add-photo", "dinh-trung-ban", str(photo), "--credit", "An", "--licence", "CC BY 4.0",
         "--alt", "vi=Đình Trung Bản")  # fmt: skip
    client = app.test_client()
    code = client.get("/api/v1/sites/dinh-trung-ban").get_json()["data"]["code"]
    for _ in range(7):
        assert client.get(f"/q/{code}").status_code == 200
    return _answers(app)


def _answers(app) -> dict:
    client = app.test_client()
    answers = {path: client.get(path).get_json() for path in API_PATHS}
    page = client.get("/vi/sites/dinh-trung-ban").get_data(as_text=True)
    answers["media"] = {}
    for name in sorted({part.split('"')[0].split(" ")[0] for part in page.split("/media/")[1:]}):
        answers["media"][name] = hashlib.sha256(client.get(f"/media/{name}").data).hexdigest()
    with app.app_context():
        answers["scans"] = db.session.scalar(text("SELECT count(*) FROM scans"))
    db.engine.dispose()
    return answers


@pytest.fixture
def pg_schema():
    """make() -> URL of a fresh, empty PostgreSQL schema in this helper's database."""
    made = []

    def make() -> str:
        if not PG_URL:
            pytest.skip("TEST_DATABASE_URL not set")
        schema = f"copy_{uuid.uuid4().hex[:10]}"
        with create_engine(PG_URL).begin() as conn:
            # pg_trgm where a database's owner installs it, not in the first scratch schema that
            # migrates (dropping that schema would take the extension, and later restores, with it).
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        made.append(schema)
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    yield make
    if made:
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            for schema in made:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_copy_database_sqlite_to_postgresql_and_back(tmp_path, pg_schema):
    media = tmp_path / "media"
    sqlite_url = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    upgrade(sqlite_url)
    before = _province(sqlite_url, media, tmp_path)
    assert before["scans"] == 7 and len(before["media"]) >= 2

    pg_url = pg_schema()
    output = _run(_app(sqlite_url, media), "copy-database", "--to", pg_url)
    assert "checked table by table" in output and "scans                        7 rows" in output
    assert _answers(_app(pg_url, media)) == before

    # The sequences continue after the copied ids: a new site and a new scan insert cleanly.
    app = _app(pg_url, media)
    client = app.test_client()
    code = client.get("/api/v1/sites/dinh-trung-ban").get_json()["data"]["code"]
    assert client.get(f"/q/{code}").status_code == 200
    _run(app, "generate-sites", "2")
    db.engine.dispose()

    back_url = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    _run(_app(pg_url, media), "copy-database", "--to", back_url)
    after = _answers(_app(back_url, media))
    assert after["scans"] == 8
    assert after["media"] == before["media"]
    # Full-text search on SQLite is rebuilt by its triggers as the rows arrive.
    search = _app(back_url, media).test_client().get("/api/v1/sites?q=trung%20ban").get_json()
    assert [s["slug"] for s in search["data"]][:1] == ["dinh-trung-ban"]
    db.engine.dispose()


def test_copy_database_refuses_a_target_that_is_not_empty(tmp_path):
    source = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    target = f"sqlite:///{tmp_path / 'b.sqlite3'}"
    for url in (source, target):
        upgrade(url)
        _run(_app(url, tmp_path / "media"), "load-demo")
    result = (
        _app(source, tmp_path / "media")
        .test_cli_runner()
        .invoke(args=["heritage", "copy-database", "--to", target])
    )
    assert result.exit_code == 1 and "The target is not empty" in result.output
    db.engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_backup_then_restore_into_an_empty_database(backend, tmp_path, pg_schema):
    def fresh(name: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / name}"
        return pg_schema()

    live = fresh("live.sqlite3")
    upgrade(live)
    before = _province(live, tmp_path / "media", tmp_path)
    output = _run(_app(live, tmp_path / "media"), "backup", str(tmp_path / "backup"))
    assert "media files" in output
    stored = sorted(p.name for p in (tmp_path / "backup" / "media").iterdir())
    assert stored and all(
        hashlib.sha256((tmp_path / "backup" / "media" / n).read_bytes()).hexdigest() == n for n in stored
    )

    restored = fresh("restored.sqlite3")
    app = _app(restored, tmp_path / "restored-media")
    assert "checksums equal" in _run(app, "restore", str(tmp_path / "backup"))
    assert _answers(_app(restored, tmp_path / "restored-media")) == before
    assert sorted(p.name for p in (tmp_path / "restored-media").rglob("*") if p.is_file()) == sorted(
        p.name for p in (tmp_path / "media").rglob("*") if p.is_file()
    )

    # A second restore into the same (now full) database is refused; so is a damaged backup.
    again = (
        _app(restored, tmp_path / "restored-media")
        .test_cli_runner()
        .invoke(args=["heritage", "restore", str(tmp_path / "backup")])
    )
    assert again.exit_code == 1 and "not empty" in again.output
    (tmp_path / "backup" / "media" / stored[0]).write_bytes(b"rot")
    other = fresh("other.sqlite3")
    damaged = (
        _app(other, tmp_path / "other-media")
        .test_cli_runner()
        .invoke(args=["heritage", "restore", str(tmp_path / "backup")])
    )
    assert damaged.exit_code == 1 and "missing or damaged" in damaged.output
    db.engine.dispose()


def test_pg_dump_and_pg_restore_round_trip(tmp_path, pg_schema):
    """README's PostgreSQL-native alternative: pg_dump -Fc, lose everything, pg_restore."""
    import shutil
    import subprocess

    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump not installed")
    url = pg_schema()
    upgrade(url)
    before = _province(url, tmp_path / "media", tmp_path)
    parsed = make_url(url)
    schema = parsed.query["options"].removeprefix("-csearch_path=")
    libpq = ["-h", parsed.host, "-p", str(parsed.port or 5432), "-U", parsed.username, "-d", parsed.database]
    dump = tmp_path / "heritage.dump"
    subprocess.run(["pg_dump", *libpq, "-Fc", "-n", schema, "-f", str(dump)], check=True)
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()
    subprocess.run(["pg_restore", *libpq, "--no-owner", str(dump)], check=True)
    assert _answers(_app(url, tmp_path / "media")) == before


def _analyzed(url: str) -> dict[str, bool]:
    """Whether PostgreSQL has statistics for sites and site_texts in the URL's schema."""
    schema = make_url(url).query["options"].removeprefix("-csearch_path=")
    engine = create_engine(PG_URL)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables"
                " WHERE schemaname = :schema AND relname IN ('sites', 'site_texts')"
            ),
            {"schema": schema},
        ).all()
    engine.dispose()
    return dict(rows)


def test_bulk_loads_leave_postgresql_with_statistics(tmp_path, pg_schema):
    """Without them the planner took a 100,000-site list page for a scan of empty tables (300 ms
    instead of 20) until autovacuum came by: after generate-sites and after a copy or restore."""
    media = tmp_path / "media"
    sqlite_url = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    upgrade(sqlite_url)
    _province(sqlite_url, media, tmp_path)
    copied = pg_schema()
    _run(_app(sqlite_url, media), "copy-database", "--to", copied)
    assert _analyzed(copied) == {"sites": True, "site_texts": True}
    generated = pg_schema()
    upgrade(generated)
    assert _analyzed(generated) == {"sites": False, "site_texts": False}
    _run(_app(generated, media), "generate-sites", "3")
    db.engine.dispose()
    assert _analyzed(generated) == {"sites": True, "site_texts": True}
