"""site revisions and sites.version

Revision ID: 0009_site_revisions
Revises: 0008_trails
Create Date: 2026-11-30 01:30:00+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_site_revisions"
down_revision = "0008_trails"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    # Optimistic locking: existing sites start at version 1.
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    # Every change made through the editing services, with the site's full content after it.
    op.create_table(
        "site_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            _enum(
                "revision_action",
                "baseline",
                "created",
                "saved",
                "text_set",
                "submitted",
                "approved",
                "sent_back",
                "published",
                "archived",
                "restored",
                "renamed",
                "reverted",
                "discarded",
            ),
            nullable=False,
        ),
        sa.Column(
            "state", _enum("publication_state", "draft", "in_review", "published", "archived"), nullable=False
        ),
        sa.Column("edit_state", _enum("edit_state", "live", "pending", "in_review"), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("submission", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_site_revisions_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_site_revisions_site_id_sites"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_revisions")),
        sa.UniqueConstraint("site_id", "number", name="uq_site_revisions_site_id_number"),
        sa.UniqueConstraint("author_id", "submission", name="uq_site_revisions_author_id_submission"),
    )
    op.create_index("ix_site_revisions_author_id", "site_revisions", ["author_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_site_revisions_author_id", table_name="site_revisions")
    op.drop_table("site_revisions")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("version")
