"""media: uploader and approval, so a volunteer's file waits for an editor like a text edit

Every file stored before this step was already public: it is approved as of its upload time.

Revision ID: 0015_media_review
Revises: 0014_trail_codes
Create Date: 2026-11-30 05:00:00+00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0015_media_review"
down_revision = "0017_synthetic_narration"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uploaded_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_media_files_uploaded_by_id_users", "users", ["uploaded_by_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            "fk_media_files_approved_by_id_users", "users", ["approved_by_id"], ["id"], ondelete="SET NULL"
        )
    # Approval lives on the uploaded file; its derivatives follow it.
    op.execute("UPDATE media_files SET approved_at = created_at WHERE parent_id IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.drop_constraint("fk_media_files_approved_by_id_users", type_="foreignkey")
        batch_op.drop_constraint("fk_media_files_uploaded_by_id_users", type_="foreignkey")
        batch_op.drop_column("approved_by_id")
        batch_op.drop_column("approved_at")
        batch_op.drop_column("uploaded_by_id")
