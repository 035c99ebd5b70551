"""roster mapping: a member's department, shift and grade (or floor), optional roster columns below the site

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-02 19:00:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

COLUMNS = ('department', 'shift', 'grade')


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.drop_column(name)
