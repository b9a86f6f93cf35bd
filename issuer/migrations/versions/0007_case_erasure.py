"""case erasure after the retention period, counted from when the document ends

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

from datetime import UTC

import sqlalchemy as sa
from alembic import op

from issuer.service import document_end

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_issuer_cases_ends_at'), ['ends_at'], unique=False)
    # The cases recorded before: when their documents end, as for the new ones.
    cases = sa.table('issuer_cases', sa.column('id', sa.String), sa.column('configuration_id', sa.String),
                     sa.column('claims', sa.JSON), sa.column('created_at', sa.DateTime(timezone=True)),
                     sa.column('ends_at', sa.DateTime(timezone=True)))
    bind = op.get_bind()
    rows = bind.execute(sa.select(cases.c.id, cases.c.configuration_id, cases.c.claims, cases.c.created_at)).all()
    if rows:
        bind.execute(cases.update().where(cases.c.id == sa.bindparam('case_id')), [
            {'case_id': r.id, 'ends_at': document_end(r.claims or {},
                                                      r.created_at if r.created_at.tzinfo else
                                                      r.created_at.replace(tzinfo=UTC))} for r in rows])


def downgrade() -> None:
    # In place (SQLite 3.35+ drops a column itself): a copy of issuer_cases could not replace it while
    # the rows of other tables point at its cases (FOREIGN KEY constraint failed on DROP TABLE).
    with op.batch_alter_table('issuer_cases', schema=None, recreate='never') as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_cases_ends_at'))
        batch_op.drop_column('erased_at')
        batch_op.drop_column('ends_at')
