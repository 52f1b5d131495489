"""media: a caption per language beside the alt text; photos archived instead of deleted

Revision ID: 0012_media_captions
Revises: 0011_site_revisions
Create Date: 2026-11-30 02:00:00+00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0012_media_captions"
down_revision = "0011_site_revisions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("media_texts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("caption", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("media_texts", schema=None) as batch_op:
        batch_op.drop_column("caption")
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
