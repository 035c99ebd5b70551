"""home tabs: accounts whose member opened their page, so a change publishes it again

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-02 12:10:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hometab',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('opened_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'user_id')
    )
    with op.batch_alter_table('hometab', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hometab_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_table('hometab')
