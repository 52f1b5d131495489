"""a plaque code for each trail (its own plaque opens the trail page)

Revision ID: 0014_trail_codes
Revises: 0013_pending_imports
Create Date: 2026-11-30 02:00:00+00:00
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from heritage.sites.codes import seeded_codes

revision = "0014_trail_codes"
down_revision = "0013_pending_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("trails") as batch:
        batch.add_column(sa.Column("plaque_code", sa.String(length=5), nullable=True))
        batch.create_unique_constraint(op.f("uq_trails_plaque_code"), ["plaque_code"])
    # Trails made before this get a code now, from the same pool as the sites' (never reused).
    connection = op.get_bind()
    codes = sa.table("plaque_codes", sa.column("code"), sa.column("site_id"), sa.column("issued_at"))
    trails = sa.table("trails", sa.column("id"), sa.column("slug"), sa.column("plaque_code"))
    taken = set(connection.scalars(sa.select(codes.c.code)))
    for trail_id, slug in connection.execute(sa.select(trails.c.id, trails.c.slug).order_by(trails.c.id)).all():
        code = next(c for c in seeded_codes(f"trail:{slug}") if c not in taken)
        taken.add(code)
        connection.execute(sa.insert(codes).values(code=code, site_id=None, issued_at=datetime.now(UTC)))
        connection.execute(sa.update(trails).where(trails.c.id == trail_id).values(plaque_code=code))


def downgrade() -> None:
    with op.batch_alter_table("trails") as batch:
        batch.drop_constraint(op.f("uq_trails_plaque_code"), type_="unique")
        batch.drop_column("plaque_code")
