"""pending imports: a checked spreadsheet kept until its import is confirmed

Revision ID: 0013_pending_imports
Revises: 0012_media_captions
Create Date: 2026-11-30 02:00:00+00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0013_pending_imports"
down_revision = "0012_media_captions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("default_unit", sa.String(length=200), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pending_imports_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_imports")),
        sa.UniqueConstraint("user_id", "sha256", name="uq_pending_imports_user_sha256"),
    )
    op.create_index(op.f("ix_pending_imports_created_at"), "pending_imports", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pending_imports_created_at"), table_name="pending_imports")
    op.drop_table("pending_imports")
