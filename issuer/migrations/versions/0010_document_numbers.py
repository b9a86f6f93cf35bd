"""document numbers: one document per number in an institution

Revision ID: 0010
Revises: 0009

Each case gets the key of its document number (:func:`issuer.case_search.number_key`): from its
claims, or from its label once erased (a PDA1's or EHIC's label is its number; an erased PID's is
not). Then a unique index on (institution, key).

A database may already hold several cases of an institution with one number. They are not
renumbered, and the upgrade is not refused: those documents are in wallets, on paper and in
inspectors' proofs with that number, so a case holding another number would no longer be the
document issued, and a refusal would leave the operator editing rows by hand with the service
down. The oldest case keeps the number under the index; each later one is left outside it (no
key), and its history says so (``number_shared``, naming the oldest by case id, as a replacement
names the case it replaces) for the clerk to replace it, which gives it a number of its own. No
new case can take any of these numbers.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from issuer.case_search import number_key

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_BATCH = 500
_cases = sa.table('issuer_cases', sa.column('id', sa.String), sa.column('entity_id', sa.String),
                  sa.column('configuration_id', sa.String), sa.column('claims', sa.JSON),
                  sa.column('label', sa.String), sa.column('created_at', sa.DateTime(timezone=True)),
                  sa.column('erased_at', sa.DateTime(timezone=True)), sa.column('number_key', sa.String))
_events = sa.table('issuer_events', sa.column('case_id', sa.String), sa.column('at', sa.DateTime(timezone=True)),
                   sa.column('actor', sa.String), sa.column('action', sa.String), sa.column('reason', sa.String))


def upgrade() -> None:
    with op.batch_alter_table('issuer_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('number_key', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    _key_every_case(bind)
    _leave_shared_numbers_outside(bind)
    with op.batch_alter_table('issuer_cases', schema=None) as batch_op:
        batch_op.create_index('ix_issuer_cases_number', ['entity_id', 'number_key'], unique=True)


def _number(row: Any) -> object:
    """The case's document number: in its claims, or once erased in its label (PDA1, EHIC)."""
    if row.erased_at is not None:
        return row.label if row.configuration_id != 'pid' else None
    return (row.claims or {}).get('document_number')


def _key_every_case(bind: sa.Connection) -> None:
    last = ''
    while True:
        rows = bind.execute(sa.select(_cases.c.id, _cases.c.configuration_id, _cases.c.claims, _cases.c.label,
                                      _cases.c.erased_at).where(_cases.c.id > last)
                            .order_by(_cases.c.id).limit(_BATCH)).all()
        if not rows:
            return
        bind.execute(_cases.update().where(_cases.c.id == sa.bindparam('case_id')),
                     [{'case_id': r.id, 'number_key': number_key(_number(r))} for r in rows])
        last = rows[-1].id


def _leave_shared_numbers_outside(bind: sa.Connection) -> None:
    shared = bind.execute(sa.select(_cases.c.entity_id, _cases.c.number_key)
                          .where(_cases.c.number_key.is_not(None))
                          .group_by(_cases.c.entity_id, _cases.c.number_key)
                          .having(sa.func.count() > 1)).all()
    now = datetime.now(UTC)
    later_cases: list[str] = []
    for entity_id, key in shared:
        first, *later = bind.execute(sa.select(_cases.c.id).where(_cases.c.entity_id == entity_id,
                                                                  _cases.c.number_key == key)
                                     .order_by(_cases.c.created_at, _cases.c.id)).scalars().all()
        bind.execute(_cases.update().where(_cases.c.id.in_(later)).values(number_key=None))
        bind.execute(_events.insert(), [dict(case_id=case_id, at=now, actor="upgrade", action="number_shared",
                                             reason=f"case {first}") for case_id in later])
        later_cases += later
    if later_cases:
        # Case ids only: a document number is the person's document's, not for the logs.
        logging.getLogger("esspass.issuer").warning(
            "%d cases have the document number of an earlier case of their institution; each one's history "
            "says to replace it: %s", len(later_cases), ", ".join(later_cases),
            extra={"service": "issuer", "event": "number_shared"})


def downgrade() -> None:
    # In place (SQLite 3.35+ drops a column itself): a copy of issuer_cases could not replace it while
    # the rows of other tables point at its cases (FOREIGN KEY constraint failed on DROP TABLE).
    with op.batch_alter_table('issuer_cases', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ix_issuer_cases_number')
        batch_op.drop_column('number_key')
