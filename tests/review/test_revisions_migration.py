"""Migration 0011 keeps today's sites: each starts at version 1 with no revisions, and the first
change made through the services records a baseline of what it held before."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from heritage.db import make_engine
from heritage.migrate import alembic_config, upgrade
from tests.accounts.test_units_migration import fresh_url  # noqa: F401  (a fixture)

BEFORE = "0010_jobs"  # the migration just before site revisions


def test_existing_sites_start_at_version_one_and_the_downgrade_undoes_it(fresh_url):  # noqa: F811
    upgrade(fresh_url, BEFORE)
    engine = make_engine(fresh_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO plaque_codes (code, site_id, issued_at) VALUES ('AAAA1', 1, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO sites (id, kind, slug, plaque_code, state, province, location_precision, ranking,"
                    " heritage_types, sources, created_at, updated_at) VALUES (1, 'heritage_relic', 'site-1',"
                    " 'AAAA1', 'published', 'Quảng Ninh', 'unknown', 'none', '[]', '[]', CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                )
            )
        upgrade(fresh_url)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT version FROM sites WHERE id = 1")) == 1
            assert conn.scalar(text("SELECT count(*) FROM site_revisions")) == 0
        engine.dispose()
        command.downgrade(alembic_config(fresh_url), BEFORE)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT slug FROM sites WHERE id = 1")) == "site-1"
            columns = conn.execute(text("SELECT * FROM sites")).keys()
            assert "version" not in columns
    finally:
        engine.dispose()
