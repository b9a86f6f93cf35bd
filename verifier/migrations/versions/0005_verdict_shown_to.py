"""the browser session that first showed a verdict, which sees it again for a short grace

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('verifier_transactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shown_to', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('verifier_transactions', schema=None) as batch_op:
        batch_op.drop_column('shown_to')
