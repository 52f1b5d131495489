"""a complex's parts in slug order from one index (cold site pages at 100,000 sites)

Revision ID: 0018_cold_page_indexes
Revises: 0014_trail_codes
Create Date: 2026-11-30 05:00:00+00:00

A page's related cards and mention candidates ask for a complex's parts by slug with a limit.
With statistics (after ANALYZE) SQLite judged part_of_id (mostly NULL) unselective and walked the
whole slug index instead: 36-50 ms a query at 100,000 sites. (part_of_id, slug) answers the filter
and the order at once, and still serves the foreign key's lookups.
"""

from alembic import op

revision = "0018_cold_page_indexes"
down_revision = "0015_media_review"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index("ix_sites_part_of_id_slug", ["part_of_id", "slug"], unique=False)
        batch_op.drop_index("ix_sites_part_of_id")


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index("ix_sites_part_of_id", ["part_of_id"], unique=False)
        batch_op.drop_index("ix_sites_part_of_id_slug")
