"""print_batches.printed_by_id (the back-office account that printed); scans.visitor (a key
that tells one day's visitors of one site apart without storing who they are)

Existing rows keep NULL: earlier prints came from the command line (created_by says who), and
earlier scans have no visitor key (they count as scans, not as unique visitors).

Revision ID: 0009_print_user_scan_visitor
Revises: 0008_trails
Create Date: 2026-11-30 01:20:00+00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0009_print_user_scan_visitor"
down_revision = "0008_trails"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("print_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("printed_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_print_batches_printed_by_id"), ["printed_by_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_print_batches_printed_by_id_users"), "users", ["printed_by_id"], ["id"]
        )
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visitor", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.drop_column("visitor")
    with op.batch_alter_table("print_batches", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_print_batches_printed_by_id_users"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_print_batches_printed_by_id"))
        batch_op.drop_column("printed_by_id")
