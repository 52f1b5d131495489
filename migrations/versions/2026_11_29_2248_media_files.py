"""media files

Revision ID: 0005_media_files
Revises: 0004_accounts_units
Create Date: 2026-11-29 22:48:57.903849+00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005_media_files'
down_revision = '0004_accounts_units'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every stored file is a row (bytes in storage under sha256); photos carry alt text per language.
    op.create_table('media_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('photo', 'photo_derivative', 'narration', 'narration_rendition', 'panorama', 'panorama_tile', 'panorama_preview', name='media_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('credit', sa.String(length=300), nullable=True),
    sa.Column('licence', sa.String(length=120), nullable=True),
    sa.Column('original_name', sa.String(length=255), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['media_files.id'], name=op.f('fk_media_files_parent_id_media_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_media_files_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_files'))
    )
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.create_index('ix_media_files_parent_id', ['parent_id'], unique=False)
        batch_op.create_index('ix_media_files_sha256', ['sha256'], unique=False)
        batch_op.create_index('ix_media_files_site_id_kind_position', ['site_id', 'kind', 'position'], unique=False)

    op.create_table('media_texts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('lang', sa.String(length=16), nullable=False),
    sa.Column('alt', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_media_texts_media_id_media_files'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_texts')),
    sa.UniqueConstraint('media_id', 'lang', name='uq_media_texts_media_lang')
    )


def downgrade() -> None:
    # Every stored file is a row (bytes in storage under sha256); photos carry alt text per language.
    op.drop_table('media_texts')
    with op.batch_alter_table('media_files', schema=None) as batch_op:
        batch_op.drop_index('ix_media_files_site_id_kind_position')
        batch_op.drop_index('ix_media_files_sha256')
        batch_op.drop_index('ix_media_files_parent_id')

    op.drop_table('media_files')
