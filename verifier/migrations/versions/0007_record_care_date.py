"""the day of care an inspection record's EHIC check was made for (None: the day of the check)

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('verifier_inspection_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('care_date', sa.String(length=10), nullable=True))


def downgrade() -> None:
    # In place (SQLite 3.35+ drops a column itself): dropping the original after copying
    # verifier_inspection_records deleted, by its ON DELETE CASCADE, every record's documents.
    with op.batch_alter_table('verifier_inspection_records', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('care_date')
