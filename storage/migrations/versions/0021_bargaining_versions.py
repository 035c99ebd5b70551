"""bargaining: every version of an update (as posted, corrected, retracted) with who changed it

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 12:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bargainingversion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('update_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_es', sa.Text(), nullable=True),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['member.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['update_id'], ['bargainingupdate.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('update_id', 'number')
    )
    with op.batch_alter_table('bargainingversion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bargainingversion_update_id'), ['update_id'], unique=False)
    # each update posted before versions were kept gets its first version: what it says now, as posted
    op.execute("INSERT INTO bargainingversion (update_id, number, kind, title, body, body_es, topics, author_id, "
               "changed_at) SELECT id, 1, 'posted', title, body, body_es, '', author_id, posted_at "
               "FROM bargainingupdate")
    conn = op.get_bind()
    topics: dict[int, list[str]] = {}
    for update_id, topic in conn.execute(sa.text(
            "SELECT update_id, topic FROM bargainingupdatetopic ORDER BY update_id, topic")):
        topics.setdefault(update_id, []).append(topic)
    for update_id, names in topics.items():
        conn.execute(sa.text("UPDATE bargainingversion SET topics = :topics WHERE update_id = :id"),
                     {"topics": ", ".join(names), "id": update_id})


def downgrade() -> None:
    with op.batch_alter_table('bargainingversion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bargainingversion_update_id'))
    op.drop_table('bargainingversion')
