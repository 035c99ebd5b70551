"""readiness: no "answered" marks beside the answers; who answered is recomputed with the server key

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # every mark has its answer row, whose voter hash tells the same once the key recomputes it
    with op.batch_alter_table('readinessanswered', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_readinessanswered_member_id'))
    op.drop_table('readinessanswered')


def downgrade() -> None:
    # the marks of named polls come back from their answers; an anonymous poll's cannot without the key
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
    op.execute("INSERT INTO readinessanswered (poll_id, member_id) SELECT poll_id, member_id FROM readinessanswer "
               "WHERE member_id IS NOT NULL")
