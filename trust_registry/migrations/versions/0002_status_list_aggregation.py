"""each institution's Status List Aggregation endpoint

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registry_entities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_lists', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('registry_entities', schema=None) as batch_op:
        batch_op.drop_column('status_lists')
