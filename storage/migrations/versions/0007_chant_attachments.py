"""chant attachments

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-25 17:27:48.078912
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0007'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chantattachment',
    sa.Column('chant_id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['chant_id'], ['chant.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('chant_id', 'action_id')
    )
    with op.batch_alter_table('chantattachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chantattachment_action_id'), ['action_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('chantattachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chantattachment_action_id'))

    op.drop_table('chantattachment')
