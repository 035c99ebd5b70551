"""an account imported from the roster has not been seen yet: memberidentity.last_seen may be empty

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:10:00
"""
from alembic import op

import storage.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('memberidentity', schema=None) as batch_op:
        batch_op.alter_column('last_seen', existing_type=storage.types.UTCDateTime(timezone=True), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE memberidentity SET last_seen = (SELECT created_at FROM member WHERE member.id = "
               "memberidentity.member_id) WHERE last_seen IS NULL")
    with op.batch_alter_table('memberidentity', schema=None) as batch_op:
        batch_op.alter_column('last_seen', existing_type=storage.types.UTCDateTime(timezone=True), nullable=False)
