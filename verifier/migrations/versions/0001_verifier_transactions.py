"""verifier transactions and offline challenges

Revision ID: 0001
Revises:
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('verifier_transactions',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('view_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('flow', sa.String(length=14), nullable=False),
    sa.Column('response_code_hash', sa.String(length=64), nullable=True),
    sa.Column('redirect_uri', sa.String(length=500), nullable=True),
    sa.Column('redeemed_at', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('client_id', sa.String(length=600), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('response_mode', sa.String(length=20), nullable=False),
    sa.Column('query', sa.JSON(), nullable=False),
    sa.Column('request_object', sa.Text(), nullable=False),
    sa.Column('purpose', sa.String(length=300), nullable=False),
    sa.Column('sealed_key', sa.LargeBinary(), nullable=True),
    sa.Column('sealed_verdict', sa.LargeBinary(), nullable=True),
    sa.Column('sealed_person', sa.LargeBinary(), nullable=True),
    sa.Column('proof', sa.Text(), nullable=True),
    sa.Column('wallet_error', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.Float(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.Column('shown_at', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verifier_transactions')),
    sa.UniqueConstraint('view_hash', name=op.f('uq_verifier_transactions_view_hash'))
    )
    with op.batch_alter_table('verifier_transactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifier_transactions_expires_at'), ['expires_at'], unique=False)

    op.create_table('verifier_challenges',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_verifier_challenges'))
    )
    with op.batch_alter_table('verifier_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifier_challenges_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('verifier_challenges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verifier_challenges_expires_at'))
    op.drop_table('verifier_challenges')
    with op.batch_alter_table('verifier_transactions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verifier_transactions_expires_at'))
    op.drop_table('verifier_transactions')
