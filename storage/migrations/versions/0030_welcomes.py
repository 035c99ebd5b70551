"""welcomes: the members the bot welcomed when they joined, once each

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-02 13:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

import storage.types

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('welcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=255), nullable=False),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id')
    )


def downgrade() -> None:
    op.drop_table('welcome')
