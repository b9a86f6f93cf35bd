"""count of wallet_nonce POSTs to a request_uri, each signed anew, capped per transaction

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('verifier_transactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_posts', sa.Integer(), nullable=False, server_default=sa.text('0')))


def downgrade() -> None:
    with op.batch_alter_table('verifier_transactions', schema=None) as batch_op:
        batch_op.drop_column('request_posts')
