"""the back office's sessions kept by the issuer, not the clerk token in a cookie

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issuer_office_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=60), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_issuer_office_sessions'))
    )
    with op.batch_alter_table('issuer_office_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuer_office_sessions_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('issuer_office_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_office_sessions_expires_at'))
    op.drop_table('issuer_office_sessions')
