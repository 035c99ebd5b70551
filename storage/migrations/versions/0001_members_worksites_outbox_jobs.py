"""members, worksites, outbox, jobs

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 16:48:29.391943
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('args', sa.JSON(), nullable=False),
    sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('claim_until', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_due', ['status', 'due_at'], unique=False)

    op.create_table('postedmessage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('last_edit_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref', 'platform', 'channel_id')
    )
    with op.batch_alter_table('postedmessage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_postedmessage_ref'), ['ref'], unique=False)

    op.create_table('worksite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('worksite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worksite_key'), ['key'], unique=True)

    op.create_table('member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('worksite_id', sa.Integer(), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
    sa.Column('member_no', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['worksite_id'], ['worksite.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_no')
    )
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_on_roster'), ['on_roster'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_worksite_id'), ['worksite_id'], unique=False)

    op.create_table('linkcode',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('linkcode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_linkcode_member_id'), ['member_id'], unique=False)

    op.create_table('memberidentity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('last_seen', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'user_id')
    )
    with op.batch_alter_table('memberidentity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberidentity_member_id'), ['member_id'], unique=False)

    op.create_table('outboxitem',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('dedupe', sa.String(length=200), nullable=True),
    sa.Column('batch', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('due_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('claim_until', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('dedupe')
    )
    with op.batch_alter_table('outboxitem', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'platform', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outboxitem_batch'), ['batch'], unique=False)
        batch_op.create_index(batch_op.f('ix_outboxitem_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outboxitem_ref'), ['ref'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outboxitem', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outboxitem_ref'))
        batch_op.drop_index(batch_op.f('ix_outboxitem_member_id'))
        batch_op.drop_index(batch_op.f('ix_outboxitem_batch'))
        batch_op.drop_index('ix_outbox_due')

    op.drop_table('outboxitem')
    with op.batch_alter_table('memberidentity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberidentity_member_id'))

    op.drop_table('memberidentity')
    with op.batch_alter_table('linkcode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_linkcode_member_id'))

    op.drop_table('linkcode')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_worksite_id'))
        batch_op.drop_index(batch_op.f('ix_member_on_roster'))
        batch_op.drop_index(batch_op.f('ix_member_email'))

    op.drop_table('member')
    with op.batch_alter_table('worksite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worksite_key'))

    op.drop_table('worksite')
    with op.batch_alter_table('postedmessage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postedmessage_ref'))

    op.drop_table('postedmessage')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_due')

    op.drop_table('job')
