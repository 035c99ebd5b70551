"""readiness polls and assessments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 17:04:12.291663
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('assessed_by', sa.Integer(), nullable=True),
    sa.Column('assessed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessed_by'], ['member.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id')
    )
    op.create_table('readinesspoll',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('results', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('closes_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('readinessanswer',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('voter', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('choice', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['readinesspoll.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['worksite.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('poll_id', 'voter'),
    sa.UniqueConstraint('poll_id', 'member_id'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('readinessanswer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readinessanswer_member_id'), ['member_id'], unique=False)

    op.create_table('readinessanswered',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['readinesspoll.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('poll_id', 'member_id'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('readinessanswered', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_readinessanswered_member_id'), ['member_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('readinessanswered', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_readinessanswered_member_id'))

    op.drop_table('readinessanswered')
    with op.batch_alter_table('readinessanswer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_readinessanswer_member_id'))

    op.drop_table('readinessanswer')
    op.drop_table('readinesspoll')
    op.drop_table('assessment')
