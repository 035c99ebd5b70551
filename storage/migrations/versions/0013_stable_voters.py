"""stable voters: roster rows keep their key, answers their sealed time, ids are never reused on SQLite

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 09:00:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

NEVER_REUSED = ('member', 'worksite', 'readinesspoll')  # their ids key answers and voters


def _recreate(autoincrement: bool) -> dict:
    if op.get_bind().dialect.name != 'sqlite':
        return {}
    return {'recreate': 'always', 'table_kwargs': {'sqlite_autoincrement': autoincrement}}


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None, **_recreate(True)) as batch_op:
        batch_op.add_column(sa.Column('roster_key', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True))
        batch_op.create_unique_constraint('uq_member_roster_key', ['roster_key'])
    for table in NEVER_REUSED[1:]:
        if op.get_bind().dialect.name == 'sqlite':
            with op.batch_alter_table(table, schema=None, **_recreate(True)):
                pass

    with op.batch_alter_table('readinessanswer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('readinessanswer', schema=None) as batch_op:
        batch_op.drop_column('sealed')

    with op.batch_alter_table('member', schema=None, **_recreate(False)) as batch_op:
        batch_op.drop_constraint('uq_member_roster_key', type_='unique')
        batch_op.drop_column('roster_key')
