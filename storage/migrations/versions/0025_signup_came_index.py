"""signup: a covering index for who came to an action (a structure test's numerator)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 14:00:00.000000
"""
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.create_index('ix_signup_came', ['action_id', 'checked_in_at', 'member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_index('ix_signup_came')
