"""each scan carries a receipt, so a scan handed over twice is written once

Revision ID: 0022_scan_receipts
Revises: 0021_rendered_story
Create Date: 2026-11-30 08:00:00+00:00

A scan reaches the database at least once: Redis may apply an RPUSH whose reply never arrives
(the scan is then also held in memory), or stop between a batch's commit and its trim (the batch
is then read again). A random receipt drawn when the scan is answered, unique in the table, turns
those second writes into nothing (INSERT ... ON CONFLICT DO NOTHING). Older rows have none.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_scan_receipts"
down_revision = "0021_rendered_story"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt", sa.String(length=22), nullable=True))
        batch_op.create_index("ux_scans_receipt", ["receipt"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.drop_index("ux_scans_receipt")
        batch_op.drop_column("receipt")
