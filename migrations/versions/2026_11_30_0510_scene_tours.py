"""scene tours: per-panorama view, north, order and titles; scene and info hotspots; scene narration

Revision ID: 0016_scene_tours
Revises: 0014_trail_codes
Create Date: 2026-11-30 05:10:00+00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_scene_tours"
down_revision = "0019_trail_units"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenes",
        sa.Column("panorama_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("titles", sa.JSON(), nullable=False),
        sa.Column("yaw", sa.Float(), nullable=False),
        sa.Column("pitch", sa.Float(), nullable=False),
        sa.Column("hfov", sa.Float(), nullable=False),
        sa.Column("north_offset", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["panorama_id"], ["media_files.id"], name=op.f("fk_scenes_panorama_id_media_files"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("panorama_id", name=op.f("pk_scenes")),
    )
    op.create_table(
        "scene_hotspots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scene_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("scene", "info", name="hotspot_kind", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("yaw", sa.Float(), nullable=False),
        sa.Column("pitch", sa.Float(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["scene_id"], ["scenes.panorama_id"], name=op.f("fk_scene_hotspots_scene_id_scenes"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["scenes.panorama_id"], name=op.f("fk_scene_hotspots_target_id_scenes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scene_hotspots")),
    )
    op.create_index("ix_scene_hotspots_scene_id", "scene_hotspots", ["scene_id"], unique=False)
    op.create_table(
        "scene_narrations",
        sa.Column("narration_id", sa.Integer(), nullable=False),
        sa.Column("scene_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["narration_id"],
            ["media_files.id"],
            name=op.f("fk_scene_narrations_narration_id_media_files"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scene_id"], ["scenes.panorama_id"], name=op.f("fk_scene_narrations_scene_id_scenes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("narration_id", name=op.f("pk_scene_narrations")),
    )
    op.create_index("ix_scene_narrations_scene_id", "scene_narrations", ["scene_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_scene_narrations_scene_id", table_name="scene_narrations")
    op.drop_table("scene_narrations")
    op.drop_index("ix_scene_hotspots_scene_id", table_name="scene_hotspots")
    op.drop_table("scene_hotspots")
    op.drop_table("scenes")
