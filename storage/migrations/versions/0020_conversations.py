"""conversations: the one-on-one log, every conversation kept with its organizer, score and notes

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 10:00:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('organizer_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('notes', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('talked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organizer_id'], ['member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.create_index('ix_conversation_member_at', ['member_id', 'talked_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_organizer_id'), ['organizer_id'], unique=False)


def downgrade() -> None:
    op.drop_table('conversation')
