"""cases that never were documents end at their refusal or withdrawal

Revision ID: 0017
Revises: 0016

Storage limitation (GDPR Art. 5(1)(e)): a case refused by the second clerk (four-eyes), or withdrawn
(or replaced) before anything was issued, offered or printed from it, now ends when it is refused or
withdrawn (``issuer_cases.ends_at``, issuer.service.IssuerService._end_if_never_a_document), so that
its personal data is erased the retention period after that, not after the end of the period the
document would have covered (up to five years for an EHIC). The cases refused or withdrawn before
the upgrade are given the same end: the time of their refusal or withdrawal in their history, when
that is earlier than the end they have. A case already erased, or withdrawn after something of it
left the institution (a credential or paper copy, which has a credential record, or an offer), keeps
its end: its status list entries show the withdrawal until its credentials expire.

Only the stored end changes; no column. A worker of an earlier release still running after the
upgrade refuses and withdraws as before (the case keeps its document's end): stop the workers
first. Downgrading changes nothing back: the earlier release reads an earlier end as any end.
"""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_BATCH = 500
_cases = sa.table('issuer_cases', sa.column('id', sa.String), sa.column('state', sa.String),
                  sa.column('approval', sa.String), sa.column('ends_at', sa.DateTime(timezone=True)),
                  sa.column('erased_at', sa.DateTime(timezone=True)))
_events = sa.table('issuer_events', sa.column('case_id', sa.String), sa.column('at', sa.DateTime(timezone=True)),
                   sa.column('action', sa.String))
_credentials = sa.table('issuer_credentials', sa.column('case_id', sa.String))
#: As issuer.service names them when this was written: what hands something of a case to the
#: worker, and how a case is refused or withdrawn.
_HANDED_OVER = ('offered', 'paper')
_WITHDRAWALS = ('refused', 'revoked', 'replaced')


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # SQLite gives naive ones


def upgrade() -> None:
    bind = op.get_bind()
    issued = sa.exists().where(_credentials.c.case_id == _cases.c.id)
    handed = sa.exists().where(_events.c.case_id == _cases.c.id, _events.c.action.in_(_HANDED_OVER))
    withdrawn = (sa.select(sa.func.max(_events.c.at))
                 .where(_events.c.case_id == _cases.c.id, _events.c.action.in_(_WITHDRAWALS))
                 .scalar_subquery())
    never = sa.or_(_cases.c.approval == 'refused', sa.and_(~issued, ~handed))
    last = ''
    while True:  # by case id, in batches: one statement per batch, whatever the number of cases
        rows = bind.execute(sa.select(_cases.c.id, _cases.c.ends_at, withdrawn.label('withdrawn'))
                            .where(_cases.c.id > last, _cases.c.state == 'revoked', _cases.c.erased_at.is_(None),
                                   never)
                            .order_by(_cases.c.id).limit(_BATCH)).all()
        if not rows:
            return
        # Compared here, not in SQL: SQLite keeps the times as text, whose forms need not compare.
        moved = [{'case_id': r.id, 'ends_at': _utc(r.withdrawn)} for r in rows
                 if r.withdrawn is not None and (r.ends_at is None or _utc(r.withdrawn) < _utc(r.ends_at))]
        if moved:
            bind.execute(_cases.update().where(_cases.c.id == sa.bindparam('case_id')), moved)
        last = rows[-1].id


def downgrade() -> None:
    pass  # the earlier release reads an earlier end as any end: nothing to undo
