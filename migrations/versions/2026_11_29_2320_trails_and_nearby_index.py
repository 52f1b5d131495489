"""trails with texts and ordered stops; an index for nearby sites

Revision ID: 0008_trails
Revises: 0007_search
Create Date: 2026-11-29 23:20:00+00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0008_trails"
down_revision = "0007_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "in_review",
                "published",
                "archived",
                name="publication_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trails")),
        sa.UniqueConstraint("slug", name=op.f("uq_trails_slug")),
    )
    op.create_table(
        "trail_texts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trail_id", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["trail_id"], ["trails.id"], name=op.f("fk_trail_texts_trail_id_trails"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trail_texts")),
        sa.UniqueConstraint("trail_id", "lang", name="uq_trail_texts_trail_lang"),
    )
    op.create_table(
        "trail_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trail_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_trail_stops_site_id_sites"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["trail_id"], ["trails.id"], name=op.f("fk_trail_stops_trail_id_trails"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trail_stops")),
    )
    op.create_index("ix_trail_stops_site_id", "trail_stops", ["site_id"])
    op.create_index("ix_trail_stops_trail_id_position", "trail_stops", ["trail_id", "position"])
    op.create_index("ix_sites_state_latitude_longitude", "sites", ["state", "latitude", "longitude"])


def downgrade() -> None:
    op.drop_index("ix_sites_state_latitude_longitude", table_name="sites")
    op.drop_index("ix_trail_stops_trail_id_position", table_name="trail_stops")
    op.drop_index("ix_trail_stops_site_id", table_name="trail_stops")
    op.drop_table("trail_stops")
    op.drop_table("trail_texts")
    op.drop_table("trails")
