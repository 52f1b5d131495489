"""site texts keep their story rendered (sanitised HTML) and their name's mention key

Revision ID: 0021_rendered_story
Revises: 0018_cold_page_indexes
Create Date: 2026-11-30 07:00:00+00:00

A cold site page rendered the story's Markdown and sanitised it on every read, and read up to
200 neighbours' names to find the few its story mentions. Both are functions of one text: the
story's HTML (`body_html`) is now rendered when the body is written, and each name's mention key
(`mention_key`, case-folded) is stored with it, so the page asks SQL for the neighbours its story
names. Filled here for existing rows, in Python (the same functions the writers use).

Plain ADD COLUMN, no batch: a batch rebuild of site_texts on SQLite would drop the search
index's triggers (migration 0007).
"""

import sqlalchemy as sa
from alembic import op

from heritage.sites.markdown import mention_key, render_markdown

revision = "0021_rendered_story"
down_revision = "0018_cold_page_indexes"
branch_labels = None
depends_on = None

COLUMNS = ("body_html", "mention_key")


def _fill() -> None:
    texts = sa.table(
        "site_texts",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("body", sa.Text),
        sa.column("body_html", sa.Text),
        sa.column("mention_key", sa.Text),
    )
    bind = op.get_bind()
    update = (
        sa.update(texts)
        .where(texts.c.id == sa.bindparam("text_id"))
        .values(body_html=sa.bindparam("new_html"), mention_key=sa.bindparam("new_key"))
    )
    last = 0
    while True:  # in id order, a batch at a time: 200,000 stories need not be in memory at once
        rows = bind.execute(
            sa.select(texts.c.id, texts.c.name, texts.c.body)
            .where(texts.c.id > last)
            .order_by(texts.c.id)
            .limit(5000)
        ).all()
        if not rows:
            return
        bind.execute(
            update,
            [
                {"text_id": i, "new_html": render_markdown(body or ""), "new_key": mention_key(name or "")}
                for i, name, body in rows
            ],
        )
        last = rows[-1][0]


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("site_texts", sa.Column(column, sa.Text(), server_default="", nullable=False))
    _fill()


def downgrade() -> None:
    for column in COLUMNS:
        if op.get_bind().dialect.name == "sqlite":  # no batch rebuild (see above): SQLite 3.35+
            op.execute(f"ALTER TABLE site_texts DROP COLUMN {column}")
        else:
            op.drop_column("site_texts", column)
