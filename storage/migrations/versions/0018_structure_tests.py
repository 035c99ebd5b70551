"""structure: the ladder of structure tests (actions, readiness polls, pledges) in order

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 13:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('structuretest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('site_ids', sa.JSON(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('structuretest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_structuretest_position'), ['position'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('structuretest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_structuretest_position'))
    op.drop_table('structuretest')
