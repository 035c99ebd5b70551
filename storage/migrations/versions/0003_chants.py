"""chants

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 17:06:53.229048
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('lines', sa.Text(), nullable=False),
    sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('reject_reason', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('chant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chant_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_chant_status'), ['status'], unique=False)

    op.create_table('chanttag',
    sa.Column('chant_id', sa.Integer(), nullable=False),
    sa.Column('tag', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['chant_id'], ['chant.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('chant_id', 'tag')
    )
    with op.batch_alter_table('chanttag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chanttag_tag'), ['tag'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('chanttag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chanttag_tag'))

    op.drop_table('chanttag')
    with op.batch_alter_table('chant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chant_status'))
        batch_op.drop_index(batch_op.f('ix_chant_author_id'))

    op.drop_table('chant')
