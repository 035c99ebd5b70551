"""event listings: each platform's copy of an action in its own events list, by the platform's id for it

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-02 19:10:00.000000
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_listing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ref', 'platform')
    )
    with op.batch_alter_table('event_listing', schema=None) as batch_op:
        batch_op.create_index('ix_event_listing_copy', ['platform', 'event_id'], unique=False)


def downgrade() -> None:
    op.drop_table('event_listing')
