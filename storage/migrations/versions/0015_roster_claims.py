"""roster claims: pending claims of roster rows, failed claims for the rate limit, verified account emails

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 11:00:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rosterclaim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('account', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['row_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'row_id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('rosterclaim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rosterclaim_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rosterclaim_row_id'), ['row_id'], unique=False)

    op.create_table('claimmiss',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('claimmiss', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claimmiss_member_id'), ['member_id'], unique=False)

    with op.batch_alter_table('memberidentity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True))
        batch_op.create_index(batch_op.f('ix_memberidentity_email'), ['email'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('memberidentity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberidentity_email'))
        batch_op.drop_column('email')

    op.drop_table('claimmiss')
    op.drop_table('rosterclaim')
