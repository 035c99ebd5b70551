"""bargaining

Revision ID: 0004
Revises: 0006
Create Date: 2026-11-25 16:58:12.545353
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0004'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('demand',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('ours', sa.Text(), nullable=False),
    sa.Column('district', sa.Text(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('changed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('bargainingsubscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('subscribed', sa.Boolean(), nullable=False),
    sa.Column('changed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id')
    )
    op.create_table('bargainingupdate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_es', sa.Text(), nullable=True),
    sa.Column('session_date', sa.Date(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('posted_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bargainingupdate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bargainingupdate_posted_at'), ['posted_at'], unique=False)

    op.create_table('demandchange',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('demand_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('ours', sa.Text(), nullable=False),
    sa.Column('district', sa.Text(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['demand_id'], ['demand.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('demandchange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_demandchange_demand_id'), ['demand_id'], unique=False)

    op.create_table('faqentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('bargainingupdatetopic',
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.ForeignKeyConstraint(['update_id'], ['bargainingupdate.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('update_id', 'topic')
    )
    with op.batch_alter_table('bargainingupdatetopic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bargainingupdatetopic_topic'), ['topic'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('bargainingupdatetopic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bargainingupdatetopic_topic'))

    op.drop_table('bargainingupdatetopic')
    op.drop_table('faqentry')
    with op.batch_alter_table('demandchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_demandchange_demand_id'))

    op.drop_table('demandchange')
    with op.batch_alter_table('bargainingupdate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bargainingupdate_posted_at'))

    op.drop_table('bargainingupdate')
    op.drop_table('bargainingsubscription')
    op.drop_table('demand')
