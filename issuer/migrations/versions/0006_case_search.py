"""case search text

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from issuer.case_search import search_text

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search', sa.String(length=600), nullable=True))
    # The cases recorded before: found like the new ones.
    cases = sa.table('issuer_cases', sa.column('id', sa.String), sa.column('claims', sa.JSON),
                     sa.column('holder', sa.JSON), sa.column('label', sa.String), sa.column('search', sa.String))
    bind = op.get_bind()
    for row in bind.execute(sa.select(cases.c.id, cases.c.claims, cases.c.holder, cases.c.label)).all():
        bind.execute(cases.update().where(cases.c.id == row.id)
                     .values(search=search_text(row.claims or {}, row.holder, row.label or "")))


def downgrade() -> None:
    with op.batch_alter_table('issuer_cases', schema=None) as batch_op:
        batch_op.drop_column('search')
