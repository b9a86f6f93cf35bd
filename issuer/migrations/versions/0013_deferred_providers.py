"""deferred issuance: the wallet providers that vouched for a request, judged again at signing;
when a refresh token was rotated, and by which

Revision ID: 0013
Revises: 0012

The wallet provider that attested the wallet is kept with the token (``issuer_tokens.provider_id``)
and, with the key attestations' providers, with each deferred request (``issuer_deferred.providers``),
so that it is judged again when the credentials are signed (HAIP §9.2). Rows recorded before have
none (NULL): nobody is judged again for them, as for a request no provider vouched for.

A refresh token rotated out keeps when (``used_at``) and the hash of the one that replaced it
(``successor``): a DPoP-bound grant's refresh retried after its answer was lost is answered again.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('provider_id', sa.String(length=64), nullable=True))
    with op.batch_alter_table('issuer_deferred', schema=None) as batch_op:
        batch_op.add_column(sa.Column('providers', sa.JSON(), nullable=True))
    with op.batch_alter_table('issuer_refresh_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('successor', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('issuer_refresh_tokens', schema=None) as batch_op:
        batch_op.drop_column('successor')
        batch_op.drop_column('used_at')
    with op.batch_alter_table('issuer_deferred', schema=None) as batch_op:
        batch_op.drop_column('providers')
    with op.batch_alter_table('issuer_tokens', schema=None) as batch_op:
        batch_op.drop_column('provider_id')
