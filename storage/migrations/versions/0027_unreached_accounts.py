"""unreached accounts: members' accounts that refused the bot's DMs for good

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 12:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('unreached_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'user_id')
    )
    with op.batch_alter_table('unreached_account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unreached_account_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_table('unreached_account')
