"""readiness: the counts readers last saw per worksite

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 11:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('readinesspublished',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('slot', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['readinesspoll.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('poll_id', 'slot')
    )


def downgrade() -> None:
    op.drop_table('readinesspublished')
