"""four-eyes approval: a case may await a second clerk's approval before anything is signed

Revision ID: 0011
Revises: 0010

Cases recorded before have no approval to wait for (NULL), whatever the institution now asks.

The downgrade is refused while a case awaits a second clerk's approval: the schema before has no
place to say so, and the release before four-eyes would offer, print and sign it unapproved. The
clerks approve or refuse those cases first.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from credentials.errors import CredentialError

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_cases') as batch:
        batch.add_column(sa.Column('approval', sa.String(length=10), nullable=True))


def downgrade() -> None:
    # As issuer.service said when this was written: awaiting, and neither withdrawn nor erased since.
    cases = sa.table('issuer_cases', sa.column('approval', sa.String), sa.column('state', sa.String),
                     sa.column('erased_at', sa.DateTime(timezone=True)))
    awaiting = op.get_bind().execute(sa.select(sa.func.count()).select_from(cases).where(
        cases.c.approval == 'awaiting', cases.c.state.not_in(('revoked', 'replaced')),
        cases.c.erased_at.is_(None))).scalar()
    if awaiting:
        raise CredentialError(f"issuer: {awaiting} case(s) await a second clerk's approval, which the schema before "
                              "0011 cannot hold (the release before four-eyes would sign them unapproved): approve "
                              "or refuse them first; nothing was rolled back")
    # In place (SQLite 3.35+ drops a column itself): a copy of issuer_cases could not replace it while
    # the rows of other tables point at its cases (FOREIGN KEY constraint failed on DROP TABLE).
    with op.batch_alter_table('issuer_cases', recreate='never') as batch:
        batch.drop_column('approval')
