"""audit refused views

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refused', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('auditentry', schema=None) as batch_op:
        batch_op.drop_column('refused')
