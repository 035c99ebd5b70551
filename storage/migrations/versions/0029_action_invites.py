"""action invites: who invited whom to an action (the emerging-leader ladder's "brought others")

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-02 14:40:00.000000
"""
import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('invited_by', sa.Integer(), nullable=False),
    sa.Column('invited_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('action_id', 'member_id')
    )
    with op.batch_alter_table('invite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invite_invited_by'), ['invited_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_invite_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_table('invite')
