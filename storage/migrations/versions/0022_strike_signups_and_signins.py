"""strike: shift signups, picket sign-ins and sign-in codes

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 11:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

def upgrade() -> None:
    op.create_table('picketcodemiss',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('picketcodemiss', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_picketcodemiss_member_id'), ['member_id'], unique=False)

    op.create_table('picketcode',
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('shift_id')
    )
    with op.batch_alter_table('picketcode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_picketcode_digest'), ['digest'], unique=False)

    op.create_table('picketsignin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('in_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('out_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('late', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['by_id'], ['member.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('shift_id', 'member_id')
    )
    with op.batch_alter_table('picketsignin', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_picketsignin_by_id'), ['by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_picketsignin_member_id'), ['member_id'], unique=False)

    op.create_table('shiftsignup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shift_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shift_id'], ['shift.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('shift_id', 'member_id')
    )
    with op.batch_alter_table('shiftsignup', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shiftsignup_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_shiftsignup_shift_status', ['shift_id', 'status'], unique=False)

def downgrade() -> None:
    with op.batch_alter_table('shiftsignup', schema=None) as batch_op:
        batch_op.drop_index('ix_shiftsignup_shift_status')
        batch_op.drop_index(batch_op.f('ix_shiftsignup_member_id'))

    op.drop_table('shiftsignup')
    with op.batch_alter_table('picketsignin', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_picketsignin_member_id'))
        batch_op.drop_index(batch_op.f('ix_picketsignin_by_id'))

    op.drop_table('picketsignin')
    with op.batch_alter_table('picketcode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_picketcode_digest'))

    op.drop_table('picketcode')
    with op.batch_alter_table('picketcodemiss', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_picketcodemiss_member_id'))

    op.drop_table('picketcodemiss')
