"""strike: picket shifts

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shift',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('worksite_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('minimum', sa.Integer(), nullable=False),
    sa.Column('captain_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['captain_id'], ['member.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by'], ['member.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['worksite_id'], ['worksite.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('worksite_id', 'starts_at', 'ends_at')
    )
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_captain_id'), ['captain_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shift_created_by'), ['created_by'], unique=False)
        batch_op.create_index('ix_shift_day', ['day', 'worksite_id'], unique=False)
        batch_op.create_index('ix_shift_starts_at', ['starts_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.drop_index('ix_shift_starts_at')
        batch_op.drop_index('ix_shift_day')
        batch_op.drop_index(batch_op.f('ix_shift_created_by'))
        batch_op.drop_index(batch_op.f('ix_shift_captain_id'))

    op.drop_table('shift')
