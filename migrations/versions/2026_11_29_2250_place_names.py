"""place names per language

Revision ID: 0006_place_names
Revises: 0005_media_files
Create Date: 2026-11-29 22:50:00+00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0006_place_names"
down_revision = "0005_media_files"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "place_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vi", sa.String(length=200), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_names")),
        sa.UniqueConstraint("vi", "lang", name="uq_place_names_vi_lang"),
    )


def downgrade() -> None:
    op.drop_table("place_names")
