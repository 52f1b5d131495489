"""trails belong to a unit (none: province-wide, kept by wide-scope editors)

Revision ID: 0019_trail_units
Revises: 0014_trail_codes
Create Date: 2026-11-30 05:30:00+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_trail_units"
down_revision = "0014_trail_codes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing trails stay province-wide (no unit): only wide-scope editors and admins keep them.
    with op.batch_alter_table("trails") as batch:
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_trails_unit_id_units"), "units", ["unit_id"], ["id"])
        batch.create_index(op.f("ix_trails_unit_id"), ["unit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trails") as batch:
        batch.drop_index(op.f("ix_trails_unit_id"))
        batch.drop_constraint(op.f("fk_trails_unit_id_units"), type_="foreignkey")
        batch.drop_column("unit_id")
