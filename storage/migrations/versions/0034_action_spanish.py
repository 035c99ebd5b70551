"""action spanish: the Spanish an organizer gave for an action's title, place, details and cancel reason

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-02 19:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None

COLUMNS = (('title_es', 200), ('location_es', 200), ('details_es', 2000), ('cancel_reason_es', 500))


def upgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        for name, length in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('action', schema=None) as batch_op:
        for name, _length in reversed(COLUMNS):
            batch_op.drop_column(name)
