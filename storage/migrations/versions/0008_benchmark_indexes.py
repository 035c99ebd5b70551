"""benchmark indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 17:30:45.366621
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index('ix_member_roster_site', ['on_roster', 'worksite_id'], unique=False)

    with op.batch_alter_table('readinessanswer', schema=None) as batch_op:
        batch_op.create_index('ix_readinessanswer_tally', ['poll_id', 'site_id', 'on_roster', 'choice'], unique=False)

    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.create_index('ix_signup_action_status', ['action_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('signup', schema=None) as batch_op:
        batch_op.drop_index('ix_signup_action_status')

    with op.batch_alter_table('readinessanswer', schema=None) as batch_op:
        batch_op.drop_index('ix_readinessanswer_tally')

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_roster_site')

