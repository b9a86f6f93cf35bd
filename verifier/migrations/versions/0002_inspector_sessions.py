"""inspectors' sign-in sessions kept by the verifier, not the inspector's token in a cookie

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
    op.create_table('verifier_inspector_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=60), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_verifier_inspector_sessions'))
    )
    with op.batch_alter_table('verifier_inspector_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verifier_inspector_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('verifier_inspector_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verifier_inspector_sessions_expires_at'))
    op.drop_table('verifier_inspector_sessions')
