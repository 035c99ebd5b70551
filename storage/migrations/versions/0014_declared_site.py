"""declared site: where a roster member says they work, kept apart from the roster's worksite

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def _keep_autoincrement() -> dict:
    """A foreign key added on SQLite recreates the table, which must stay AUTOINCREMENT (see 0013)."""
    return {'table_kwargs': {'sqlite_autoincrement': True}} if op.get_bind().dialect.name == 'sqlite' else {}


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None, **_keep_autoincrement()) as batch_op:
        batch_op.add_column(sa.Column('declared_site_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_member_declared_site_id'), ['declared_site_id'], unique=False)
        batch_op.create_foreign_key('fk_member_declared_site_id_worksite', 'worksite', ['declared_site_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('member', schema=None, **_keep_autoincrement()) as batch_op:
        batch_op.drop_constraint('fk_member_declared_site_id_worksite', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_member_declared_site_id'))
        batch_op.drop_column('declared_site_id')
