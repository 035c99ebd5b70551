"""link codes: 12 characters, a hashed secret, tries limited per code and per account

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # an 8-digit code from before keeps its row (it expires within 15 minutes) but, with no secret, never matches
    with op.batch_alter_table('linkcode', schema=None) as batch_op:
        batch_op.add_column(sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('failures', sa.Integer(), nullable=False, server_default='0'))
    op.create_table('linkfailure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('linkfailure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_linkfailure_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('linkfailure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_linkfailure_member_id'))
    op.drop_table('linkfailure')
    with op.batch_alter_table('linkcode', schema=None) as batch_op:
        batch_op.drop_column('failures')
        batch_op.drop_column('secret')
