"""copy renewal: a token given by a refresh of a grant whose document was issued renews its copies

Revision ID: 0018
Revises: 0017

A DPoP-bound token for a document now comes with a refresh token living until the document's end
(HAIP 1.0 §4: refresh tokens for credential refresh), with which the wallet renews its copies
before they end (with the institution's signer certificate). A token a refresh gave for such a
grant (``issuer_tokens.renews``) may ask for each form of the document once more, and each
credential response under it is a ``renewed`` event in the case history. Tokens recorded before
have none (false): nothing they were given is a renewal.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('issuer_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('renews', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('issuer_tokens', schema=None) as batch_op:
        batch_op.drop_column('renews')
