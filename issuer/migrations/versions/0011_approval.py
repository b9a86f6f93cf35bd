"""four-eyes approval: a case may await a second clerk's approval before anything is signed

Revision ID: 0011
Revises: 0010

Cases recorded before have no approval to wait for (NULL), whatever the institution now asks.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_cases') as batch:
        batch.add_column(sa.Column('approval', sa.String(length=10), nullable=True))


def downgrade() -> None:
    # In place (SQLite 3.35+ drops a column itself): a copy of issuer_cases could not replace it while
    # the rows of other tables point at its cases (FOREIGN KEY constraint failed on DROP TABLE).
    with op.batch_alter_table('issuer_cases', recreate='never') as batch:
        batch.drop_column('approval')
