"""faq: each entry's language, and the same question's entry in the other language

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 13:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # entries from before were written in the campaign's usual language, English
    with op.batch_alter_table('faqentry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lang', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False,
                                      server_default='en'))
        batch_op.add_column(sa.Column('pair_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_faqentry_pair_id', 'faqentry', ['pair_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('faqentry', schema=None) as batch_op:
        batch_op.drop_constraint('fk_faqentry_pair_id', type_='foreignkey')
        batch_op.drop_column('pair_id')
        batch_op.drop_column('lang')
