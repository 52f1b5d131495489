"""accounts: units, users, set-password tokens, audit events; sites.managing_unit -> sites.unit_id

Each distinct managing_unit string becomes a unit (kind "other": an admin can tell its kind
later) and its sites point at it; then the string column goes. Sites that named no unit keep
none, and their plaques keep printing DEFAULT_MANAGING_UNIT.

Revision ID: 0004_accounts_units
Revises: 0003_related_indexes
Create Date: 2026-11-29 22:47:44.241473+00:00
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0004_accounts_units'
down_revision = '0003_related_indexes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('youth_union', 'border_guard', 'culture_office', 'other', name='unit_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('name', name=op.f('uq_units_name'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=True),
    sa.Column('role', sa.Enum('volunteer', 'editor', 'admin', name='user_role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('wide_scope', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('credential_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('email = lower(email)', name=op.f('ck_users_email_lower_case')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_users_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_unit_id'), ['unit_id'], unique=False)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=40), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)

    op.create_table('set_password_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_set_password_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_password_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_set_password_tokens_token_hash'))
    )
    with op.batch_alter_table('set_password_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_set_password_tokens_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_sites_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_sites_unit_id_units'), 'units', ['unit_id'], ['id'])

    _move_managing_units_to_units()

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('managing_unit')


_units = sa.table(
    "units",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("kind", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_sites = sa.table(
    "sites", sa.column("id", sa.Integer), sa.column("unit_id", sa.Integer), sa.column("managing_unit", sa.String)
)


def _move_managing_units_to_units() -> None:
    connection = op.get_bind()
    names = connection.execute(
        sa.select(sa.func.trim(_sites.c.managing_unit)).where(_sites.c.managing_unit.is_not(None)).distinct()
    ).scalars()
    now = datetime.now(UTC)
    for name in sorted({n for n in names if n}):
        connection.execute(sa.insert(_units).values(name=name, kind="other", created_at=now))
        unit_id = connection.execute(sa.select(_units.c.id).where(_units.c.name == name)).scalar_one()
        connection.execute(
            sa.update(_sites).where(sa.func.trim(_sites.c.managing_unit) == name).values(unit_id=unit_id)
        )


def _move_units_back_to_managing_unit() -> None:
    connection = op.get_bind()
    for unit_id, name in connection.execute(sa.select(_units.c.id, _units.c.name)).all():
        connection.execute(sa.update(_sites).where(_sites.c.unit_id == unit_id).values(managing_unit=name))


def downgrade() -> None:
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('managing_unit', sa.VARCHAR(length=200), nullable=True))

    _move_units_back_to_managing_unit()

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sites_unit_id_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_sites_unit_id'))
        batch_op.drop_column('unit_id')

    with op.batch_alter_table('set_password_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_set_password_tokens_user_id'))

    op.drop_table('set_password_tokens')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))
        batch_op.drop_index(batch_op.f('ix_audit_events_actor_id'))

    op.drop_table('audit_events')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_unit_id'))

    op.drop_table('users')
    op.drop_table('units')
