"""account, channel and message ids wide enough for any platform (255 characters), platform names up to 32

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 09:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

# (table, column, old length, new length)
WIDENED = [
    ('memberidentity', 'platform', 16, 32), ('memberidentity', 'user_id', 64, 255),
    ('auditentry', 'platform', 16, 32), ('auditentry', 'user_id', 64, 255),
    ('rosterclaim', 'platform', 16, 32),
    ('outboxitem', 'platform', 16, 32), ('outboxitem', 'target', 64, 255), ('outboxitem', 'message_id', 64, 255),
    ('postedmessage', 'platform', 16, 32), ('postedmessage', 'channel_id', 64, 255),
    ('postedmessage', 'message_id', 64, 255),
]


AUTOINCREMENT = {'rosterclaim'}  # recreated on SQLite, these stay AUTOINCREMENT (see 0013)


def _kwargs(table: str) -> dict:
    if table in AUTOINCREMENT and op.get_bind().dialect.name == 'sqlite':
        return {'table_kwargs': {'sqlite_autoincrement': True}}
    return {}


def _resize(to_new: bool) -> None:
    for table in dict.fromkeys(table for table, *_ in WIDENED):
        with op.batch_alter_table(table, schema=None, **_kwargs(table)) as batch_op:
            for name, column, old, new in WIDENED:
                if name == table:
                    batch_op.alter_column(column, existing_type=sa.String(old if to_new else new),
                                          type_=sa.String(new if to_new else old))


def upgrade() -> None:
    _resize(to_new=True)


def downgrade() -> None:
    # an id longer than the old width (only a platform added since could have one) would not fit: refused
    _resize(to_new=False)
