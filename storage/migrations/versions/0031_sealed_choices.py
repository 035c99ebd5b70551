"""readiness: an anonymous poll's choices and counts sealed with the server key

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-02 09:00:00.000000
"""
import json
import random
import secrets

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

_ANONYMOUS = ("SELECT a.poll_id, a.voter, a.site_id, a.on_roster, a.choice, a.sealed, p.choices FROM readinessanswer a "
              "JOIN readinesspoll p ON p.id = a.poll_id WHERE p.anonymous")


def _keep_rowid_off() -> dict:
    # a column change recreates the table on SQLite, which must stay WITHOUT ROWID (no insertion order)
    return {'recreate': 'auto', 'table_kwargs': {'sqlite_with_rowid': False}} \
        if op.get_bind().dialect.name == 'sqlite' else {}


def _voters():
    """The running server's key (read as the bot reads it): sealing needs it, and only this step does."""
    from bot.secret_key import server_key
    from bot.voters import Voters

    return Voters(server_key(op.get_bind().engine.url.render_as_string(hide_password=False)))


def upgrade() -> None:
    op.create_table('readinesscount',
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('cell', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('on_roster', sa.Boolean(), nullable=False),
    sa.Column('sealed', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['readinesspoll.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['worksite.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('poll_id', 'cell')
    )
    with op.batch_alter_table('readinessanswer', schema=None, **_keep_rowid_off()) as batch_op:
        batch_op.alter_column('choice', existing_type=sa.Integer(), nullable=True)
    bind = op.get_bind()
    rows = bind.execute(sa.text(_ANONYMOUS)).all()
    if not rows:
        return
    voters = _voters()
    counts: dict[tuple, list[int]] = {}
    sealed_rows = []
    for poll_id, voter, site_id, on_roster, choice, sealed, choices in rows:
        choices = choices if isinstance(choices, list) else json.loads(choices)
        cell = (poll_id, site_id, bool(on_roster))
        by = counts.setdefault(cell, [0] * len(choices))
        if 0 <= choice < len(by):
            by[choice] += 1
        sealed_rows.append({"p": poll_id, "v": voter, "s": voters.reseal(sealed, choice)})
    random.SystemRandom().shuffle(sealed_rows)
    bind.execute(sa.text("UPDATE readinessanswer SET choice = NULL, sealed = :s WHERE poll_id = :p AND voter = :v"),
                 sealed_rows)
    bind.execute(sa.text("INSERT INTO readinesscount (poll_id, cell, site_id, on_roster, sealed) "
                         "VALUES (:p, :c, :s, :r, :x)"),
                 [{"p": p, "c": f"{'none' if s is None else s}:{'on' if r else 'off'}:{secrets.token_hex(6)}",
                   "s": s, "r": r, "x": voters.seal_counts(by)} for (p, s, r), by in counts.items()])


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(_ANONYMOUS + " AND a.choice IS NULL")).all()
    if rows:
        voters = _voters()
        bind.execute(sa.text("UPDATE readinessanswer SET choice = :c WHERE poll_id = :p AND voter = :v"),
                     [{"p": p, "v": v, "c": voters.choice(sealed) or 0} for p, v, _, _, _, sealed, _ in rows])
    with op.batch_alter_table('readinessanswer', schema=None, **_keep_rowid_off()) as batch_op:
        batch_op.alter_column('choice', existing_type=sa.Integer(), nullable=False)
    op.drop_table('readinesscount')
