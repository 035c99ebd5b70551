"""captains: members a rep made captain at a site, and the coworkers on each captain's list

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 11:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('captain',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('worksite_id', sa.Integer(), nullable=False),
    sa.Column('appointed_by', sa.Integer(), nullable=True),
    sa.Column('appointed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['worksite_id'], ['worksite.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['appointed_by'], ['member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id')
    )
    op.create_table('assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('captain_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by', sa.Integer(), nullable=True),
    sa.Column('assigned_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['captain_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assigned_by'], ['member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id')
    )
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignment_captain_id'), ['captain_id'], unique=False)


def downgrade() -> None:
    op.drop_table('assignment')
    op.drop_table('captain')
