"""refresh grants that cannot be taken over or abused: when a refresh token was given, when an access
token was first used, and which grant and form each credential record was issued under

Revision ID: 0019
Revises: 0018

* ``issuer_refresh_tokens.issued_at``: when the refresh token was given. A grant whose live refresh
  token is not used for ``issuer.service.REFRESH_IDLE`` ends (RFC 9700 §4.14.2: inactivity). Rows
  recorded before count from this upgrade.
* ``issuer_tokens.presented_at``: when the access token was first presented at the credential,
  deferred credential or notification endpoint: the answer that carried it arrived, so the refresh
  token it rotated out, presented again, is a reuse and not the retry of a lost answer.
* ``issuer_credentials.grant_id`` and ``configuration_id``: the grant and the form a copy was issued
  under, so that a renewal is judged against the copies that grant holds (renewal only when due), and
  ``superseded``: an entry set invalid because a newer generation of the same grant and form was
  accepted (a reinstatement of the case does not make it valid again). Rows recorded before have none.
"""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_refresh_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('issuer_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('presented_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('issuer_credentials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('grant_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('configuration_id', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('superseded', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_issuer_credentials_grant_id'), ['grant_id'], unique=False)
    # The inactivity of a grant recorded before counts from now, not from an unknown past.
    op.get_bind().execute(sa.text("UPDATE issuer_refresh_tokens SET issued_at = :now WHERE issued_at IS NULL"),
                          {"now": datetime.now(UTC)})


def downgrade() -> None:
    with op.batch_alter_table('issuer_credentials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issuer_credentials_grant_id'))
        batch_op.drop_column('superseded')
        batch_op.drop_column('configuration_id')
        batch_op.drop_column('grant_id')
    with op.batch_alter_table('issuer_tokens', schema=None) as batch_op:
        batch_op.drop_column('presented_at')
    with op.batch_alter_table('issuer_refresh_tokens', schema=None) as batch_op:
        batch_op.drop_column('issued_at')
