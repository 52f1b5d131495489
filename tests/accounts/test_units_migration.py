"""Migration 0004 moves each site's managing_unit string into the units table, keeping the data;
plaques then print the unit's name, or DEFAULT_MANAGING_UNIT for a site without one.
"""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import text

from heritage.db import make_engine
from heritage.migrate import alembic_config, upgrade
from heritage.plaques.production import content_for

BEFORE = "0003_related_indexes"


@pytest.fixture
def fresh_url(database_url, tmp_path):
    """An empty database of the same backend as `database_url`, dropped afterwards."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migration.sqlite3'}"
        return
    schema = f"migration_{uuid.uuid4().hex[:8]}"
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in database_url else "?"
    try:
        yield f"{database_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def _insert_site(conn, n: int, managing_unit: str | None) -> None:
    code = f"AAAA{n}"
    conn.execute(
        text("INSERT INTO plaque_codes (code, site_id, issued_at) VALUES (:c, :n, CURRENT_TIMESTAMP)"),
        {"c": code, "n": n},
    )
    conn.execute(
        text(
            "INSERT INTO sites (id, kind, slug, plaque_code, state, province, location_precision, ranking,"
            " heritage_types, sources, managing_unit, created_at, updated_at) VALUES (:n, 'heritage_relic',"
            " :slug, :c, 'published', 'Quảng Ninh', 'unknown', 'none', '[]', '[]', :unit,"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ),
        {"n": n, "slug": f"site-{n}", "c": code, "unit": managing_unit},
    )
    conn.execute(
        text(
            "INSERT INTO site_texts (site_id, lang, name, summary, body, search_key) VALUES (:n, 'vi', :name, '', '', '')"
        ),
        {"n": n, "name": f"Đình số {n}"},
    )


def test_upgrade_moves_managing_units_into_units_and_keeps_the_rest(fresh_url):
    upgrade(fresh_url, BEFORE)
    engine = make_engine(fresh_url)
    try:
        with engine.begin() as conn:
            _insert_site(conn, 2, "Đồn Biên phòng Móng Cái")
            _insert_site(conn, 3, " Đồn Biên phòng Móng Cái ")  # same unit, stray spaces
            _insert_site(conn, 4, "Đoàn Thanh niên Quảng Yên")
            _insert_site(conn, 5, None)
        upgrade(fresh_url)
        with engine.connect() as conn:
            units = dict(conn.execute(text("SELECT name, id FROM units")).all())
            kinds = set(conn.execute(text("SELECT kind FROM units")).scalars())
            owners = dict(conn.execute(text("SELECT id, unit_id FROM sites")).all())
            names = conn.execute(text("SELECT count(*) FROM site_texts")).scalar()
            columns = list(conn.execute(text("SELECT * FROM sites")).keys())
        assert set(units) == {"Đồn Biên phòng Móng Cái", "Đoàn Thanh niên Quảng Yên"}
        assert kinds == {"other"}
        assert owners == {
            2: units["Đồn Biên phòng Móng Cái"],
            3: units["Đồn Biên phòng Móng Cái"],
            4: units["Đoàn Thanh niên Quảng Yên"],
            5: None,
        }
        assert names == 4 and "managing_unit" not in columns

        command.downgrade(alembic_config(fresh_url), BEFORE)
        with engine.connect() as conn:
            back = dict(conn.execute(text("SELECT id, managing_unit FROM sites")).all())
        assert back == {
            2: "Đồn Biên phòng Móng Cái",
            3: "Đồn Biên phòng Móng Cái",
            4: "Đoàn Thanh niên Quảng Yên",
            5: None,
        }
    finally:
        engine.dispose()


def test_plaques_name_the_sites_unit_or_the_default(app, make_site, make_unit):
    unit = make_unit("Đồn Biên phòng Móng Cái", "border_guard")
    owned = make_site("Mốc 1369", kind="border_marker", unit_id=unit.id)
    orphan = make_site("Đình không đơn vị")
    default = app.config["DEFAULT_MANAGING_UNIT"]
    assert (
        content_for(owned, app.config["PUBLIC_BASE_URL"], default).managing_unit == "Đồn Biên phòng Móng Cái"
    )
    assert content_for(orphan, app.config["PUBLIC_BASE_URL"], default).managing_unit == default
