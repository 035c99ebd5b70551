"""action cancel reason: why an action was cancelled, told to those signed up and shown on its post

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02 13:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('cancel_reason')
