"""case search text

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from issuer.case_search import reindex

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search', sa.String(length=600), nullable=True))
    reindex(op.get_bind())  # the cases recorded before: found like the new ones

def downgrade() -> None:
    # In place (SQLite 3.35+ drops a column itself): a copy of issuer_cases could not replace it while
    # the rows of other tables point at its cases (FOREIGN KEY constraint failed on DROP TABLE).
    with op.batch_alter_table('issuer_cases', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('search')
