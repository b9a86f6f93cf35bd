"""authorized configurations and credential identifiers of the code flow

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_authorizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('configurations', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('by_details', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('issuer_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allowed', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('identifiers', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('issuer_tokens', schema=None) as batch_op:
        batch_op.drop_column('identifiers')
        batch_op.drop_column('allowed')
    with op.batch_alter_table('issuer_authorizations', schema=None) as batch_op:
        batch_op.drop_column('by_details')
        batch_op.drop_column('configurations')
