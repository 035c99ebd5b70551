"""pledges: public commitments and who signed them

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pledge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('site_ids', sa.JSON(), nullable=True),
    sa.Column('closes_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('pledgesignature',
    sa.Column('pledge_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('signed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledge.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pledge_id', 'member_id')
    )
    with op.batch_alter_table('pledgesignature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledgesignature_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('pledgesignature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pledgesignature_member_id'))
    op.drop_table('pledgesignature')
    op.drop_table('pledge')
