"""the day of care an EHIC check is made for (None: today)

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('verifier_transactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('care_date', sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('verifier_transactions', schema=None) as batch_op:
        batch_op.drop_column('care_date')
