"""search index, name keys and collation sort keys

Revision ID: 0007_search
Revises: 0006_place_names
Create Date: 2026-11-29 23:00:00+00:00

site_texts gains name_key (the folded name, for exact and prefix ranking) and sort_key (the ICU
collation key of the name in the text's language, for the alphabetical list), both backfilled
here. Search gets a trigram index: pg_trgm (GIN) on PostgreSQL; on SQLite an FTS5 trigram table
over site_texts.search_key kept in step by triggers, so every writer (services, bulk inserts,
raw SQL) updates it. A later batch rebuild of site_texts on SQLite drops those triggers: such a
migration must create them again (tests/sites/test_search_index.py catches a missing one).
"""

from alembic import op
import sqlalchemy as sa

from heritage.sites.collation import sort_key
from heritage.sites.slugs import search_key


revision = "0007_search"
down_revision = "0006_place_names"
branch_labels = None
depends_on = None

FTS = "site_texts_fts"
TRIGGERS = {
    "site_texts_fts_insert": f"""
        CREATE TRIGGER site_texts_fts_insert AFTER INSERT ON site_texts BEGIN
            INSERT INTO {FTS}(rowid, search_key) VALUES (new.id, new.search_key);
        END""",
    "site_texts_fts_delete": f"""
        CREATE TRIGGER site_texts_fts_delete AFTER DELETE ON site_texts BEGIN
            INSERT INTO {FTS}({FTS}, rowid, search_key) VALUES ('delete', old.id, old.search_key);
        END""",
    "site_texts_fts_update": f"""
        CREATE TRIGGER site_texts_fts_update AFTER UPDATE OF search_key ON site_texts BEGIN
            INSERT INTO {FTS}({FTS}, rowid, search_key) VALUES ('delete', old.id, old.search_key);
            INSERT INTO {FTS}(rowid, search_key) VALUES (new.id, new.search_key);
        END""",
}


def _backfill() -> None:
    texts = sa.table(
        "site_texts",
        sa.column("id", sa.Integer),
        sa.column("lang", sa.String),
        sa.column("name", sa.String),
        sa.column("name_key", sa.Text),
        sa.column("sort_key", sa.LargeBinary),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(texts.c.id, texts.c.lang, texts.c.name)).all()
    update = (
        sa.update(texts)
        .where(texts.c.id == sa.bindparam("text_id"))
        .values(name_key=sa.bindparam("new_name_key"), sort_key=sa.bindparam("new_sort_key"))
    )
    for start in range(0, len(rows), 5000):
        batch = rows[start : start + 5000]
        bind.execute(
            update,
            [
                {"text_id": i, "new_name_key": search_key(name), "new_sort_key": sort_key(lang, name)}
                for i, lang, name in batch
            ],
        )


def upgrade() -> None:
    with op.batch_alter_table("site_texts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("sort_key", sa.LargeBinary(), nullable=True))
    _backfill()
    with op.batch_alter_table("site_texts", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("sort_key", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.create_index("ix_site_texts_lang_sort_key", ["lang", "sort_key", "site_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # A trusted extension since PostgreSQL 13: the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        # The operator class lives in the extension's schema, which need not be on search_path.
        ext_schema = op.get_bind().scalar(
            sa.text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
        )
        op.execute(
            "CREATE INDEX ix_site_texts_search_key_trgm ON site_texts"
            f" USING gin (search_key {ext_schema}.gin_trgm_ops)"
        )
    else:
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS} USING fts5("
            "search_key, content='site_texts', content_rowid='id', tokenize='trigram')"
        )
        for ddl in TRIGGERS.values():
            op.execute(ddl)
        op.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_site_texts_search_key_trgm")
    else:
        for name in TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {FTS}")
    with op.batch_alter_table("site_texts", schema=None) as batch_op:
        batch_op.drop_index("ix_site_texts_lang_sort_key")
        batch_op.drop_column("sort_key")
        batch_op.drop_column("name_key")
