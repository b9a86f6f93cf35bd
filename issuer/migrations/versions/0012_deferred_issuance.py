"""deferred issuance: deferred transactions, refresh tokens, the grant of a token

Revision ID: 0012
Revises: 0011

A case awaiting approval (0011) has its credential requests deferred (OpenID4VCI §8.3, §9):
``issuer_deferred`` keeps each such request. Its wallet keeps asking with tokens refreshed from
one grant (RFC 6749 §6): ``issuer_refresh_tokens``, and ``issuer_tokens.grant_id``. Tokens
recorded before have no grant id (their grant is their own hash).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grant_id', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_issuer_tokens_grant_id'), ['grant_id'], unique=False)

    op.create_table('issuer_refresh_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('grant_id', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('access_hash', sa.String(length=64), nullable=False),
    sa.Column('jkt', sa.String(length=64), nullable=True),
    sa.Column('client_id', sa.String(length=200), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['issuer_cases.id'],
                            name=op.f('fk_issuer_refresh_tokens_case_id_issuer_cases')),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_issuer_refresh_tokens'))
    )
    with op.batch_alter_table('issuer_refresh_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuer_refresh_tokens_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issuer_refresh_tokens_grant_id'), ['grant_id'], unique=False)

    op.create_table('issuer_deferred',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.String(length=32), nullable=False),
    sa.Column('grant_id', sa.String(length=64), nullable=False),
    sa.Column('configuration_id', sa.String(length=20), nullable=False),
    sa.Column('holder_keys', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('notification_id', sa.String(length=43), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['issuer_cases.id'], name=op.f('fk_issuer_deferred_case_id_issuer_cases')),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_issuer_deferred'))
    )
    with op.batch_alter_table('issuer_deferred', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issuer_deferred_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_issuer_deferred_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('issuer_deferred', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_deferred_expires_at'))
        batch_op.drop_index(batch_op.f('ix_issuer_deferred_case_id'))
    op.drop_table('issuer_deferred')

    with op.batch_alter_table('issuer_refresh_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_refresh_tokens_grant_id'))
        batch_op.drop_index(batch_op.f('ix_issuer_refresh_tokens_case_id'))
    op.drop_table('issuer_refresh_tokens')

    with op.batch_alter_table('issuer_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_tokens_grant_id'))
        batch_op.drop_column('grant_id')
