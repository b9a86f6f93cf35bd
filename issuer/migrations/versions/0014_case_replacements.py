"""replacements: which case a case replaces, and why while it awaits approval

Revision ID: 0014
Revises: 0013

A replacement names the case it replaces (``issuer_cases.replaces``), so that where a second clerk
approves each document (four-eyes) the old case is withdrawn when the new one is approved, not when
it is recorded, with the clerk's reason (``replace_reason``, kept until then). The replacements
recorded before are linked from their history (the ``replaces`` event names the old case); a
replaced case was withdrawn at once then, so none is left waiting.

The downgrade is refused while a replacement awaits a second clerk's approval: the schema before
cannot say which case it replaces, and its approval under the release before would leave the
document it replaces valid beside it. The clerks approve or refuse those replacements first.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

from credentials.errors import CredentialError

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_CASE = re.compile(r"case ([0-9a-f]{1,32})")


def upgrade() -> None:
    with op.batch_alter_table('issuer_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaces', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('replace_reason', sa.String(length=300), nullable=True))
        batch_op.create_index(batch_op.f('ix_issuer_cases_replaces'), ['replaces'], unique=False)
    events = sa.table('issuer_events', sa.column('id', sa.Integer), sa.column('case_id', sa.String),
                      sa.column('action', sa.String), sa.column('reason', sa.String))
    cases = sa.table('issuer_cases', sa.column('id', sa.String), sa.column('replaces', sa.String))
    bind = op.get_bind()
    last = 0
    while True:  # in batches, by event id
        rows = bind.execute(sa.select(events.c.id, events.c.case_id, events.c.reason)
                            .where(events.c.action == 'replaces', events.c.id > last)
                            .order_by(events.c.id).limit(500)).all()
        if not rows:
            return
        links = [{'case_id': r.case_id, 'old': m[1]} for r in rows if (m := _CASE.fullmatch(r.reason or ''))]
        if links:
            bind.execute(cases.update().where(cases.c.id == sa.bindparam('case_id'))
                         .values(replaces=sa.bindparam('old')), links)
        last = rows[-1].id


def downgrade() -> None:
    # As issuer.service said when this was written: awaiting, and neither withdrawn nor erased since.
    cases = sa.table('issuer_cases', sa.column('replaces', sa.String), sa.column('approval', sa.String),
                     sa.column('state', sa.String), sa.column('erased_at', sa.DateTime(timezone=True)))
    awaiting = op.get_bind().execute(sa.select(sa.func.count()).select_from(cases).where(
        cases.c.replaces.is_not(None), cases.c.approval == 'awaiting', cases.c.state.not_in(('revoked', 'replaced')),
        cases.c.erased_at.is_(None))).scalar()
    if awaiting:
        raise CredentialError(f"issuer: {awaiting} replacement(s) await a second clerk's approval, which the schema "
                              "before 0014 cannot hold (approved under the release before, each would leave the "
                              "document it replaces valid beside it): approve or refuse them first; nothing was "
                              "rolled back")
    # In place (SQLite 3.35+ drops a column itself): a copy of issuer_cases could not replace it while
    # the rows of other tables point at its cases.
    with op.batch_alter_table('issuer_cases', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_cases_replaces'))
        batch_op.drop_column('replace_reason')
        batch_op.drop_column('replaces')
