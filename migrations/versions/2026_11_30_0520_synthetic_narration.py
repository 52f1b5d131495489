"""narration spoken by a synthetic voice is marked so; job messages kept as message ids

media_files.synthetic: the demo's espeak-ng narration (never a person's voice) says so beside
the player. jobs.message_args: `message` holds the English message id and these its parameters,
translated when shown, in the reader's language (NULL: a literal text, e.g. an exception).

Revision ID: 0017_synthetic_narration
Revises: 0014_trail_codes
Create Date: 2026-11-30 05:20:00+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_synthetic_narration"
down_revision = "0016_scene_tours"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("synthetic", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_args", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("message_args")
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.drop_column("synthetic")
